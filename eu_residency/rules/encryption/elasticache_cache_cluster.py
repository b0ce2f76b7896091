"""EU-ENC-006: ElastiCache data lives in encrypted replication groups; Memcached encrypts in transit."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import NO_VALUE, Resource, TemplateView, Unknown
from eu_residency.core.values import text_options
from eu_residency.rules.predicates import prop_path, require_true, unresolved

REPLICATION_GROUP_ENGINES = frozenset({"redis", "valkey"})
MEMCACHED = "memcached"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    engines = list(dict.fromkeys(text_options(view, resource.properties.get("Engine", NO_VALUE))))
    if not engines:
        yield Violation(
            prop_path("Engine"),
            "the cache's encryption cannot be shown from the template: Engine is not set (fails closed)",
        )
        return
    memcached = False
    for engine in engines:  # the options of an undecided Fn::If, each once
        if isinstance(engine, Unknown):
            yield unresolved(("Engine",), "the cache's engine, and so its encryption,", engine)
        elif engine.lower() in REPLICATION_GROUP_ENGINES:
            what = (
                f"this is a standalone {engine} cache cluster"
                if len(engines) == 1
                else f"the engine may be {engine} (an Fn::If decided at deploy time), making this a "
                "standalone cache cluster"
            )
            yield Violation(
                prop_path("Engine"),
                f"{what}, which cannot encrypt its data at rest or in transit: use an "
                "AWS::ElastiCache::ReplicationGroup with AtRestEncryptionEnabled and "
                "TransitEncryptionEnabled true",
            )
        elif engine.lower() == MEMCACHED:
            memcached = True
        else:
            yield Violation(
                prop_path("Engine"),
                f"the cache's encryption cannot be shown from the template: the engine {engine!r} is not "
                "one this rule knows (fails closed)",
            )
    if memcached:
        yield from require_true(
            resource, view, ("TransitEncryptionEnabled",), "in-transit encryption of the Memcached cluster"
        )


RULE = Rule(
    id="EU-ENC-006",
    title="ElastiCache data lives in encrypted replication groups, and Memcached clusters encrypt in transit",
    explanation=(
        "A standalone Redis OSS or Valkey cache cluster (AWS::ElastiCache::CacheCluster) has no "
        "encryption at all: its data, swap and backups sit unencrypted and travel in the clear, so "
        "cached user data, sessions and messages are exposed to anyone who reaches the storage or the "
        "network, against the privacy policy's promise to encrypt personal data at rest and in transit. "
        "Only a replication group can encrypt them. Memcached keeps data only in memory and has no "
        "at-rest encryption in ElastiCache at all, so the most it can do is encrypt in transit "
        "(TransitEncryptionEnabled, off by default); keep personal data out of Memcached or move it to "
        "an encrypted replication group."
    ),
    # https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/at-rest-encryption.html (default key)
    fix="Redis OSS/Valkey: replace the CacheCluster with an AWS::ElastiCache::ReplicationGroup with "
    "AtRestEncryptionEnabled: true and TransitEncryptionEnabled: true, with any key: KmsKeyId unset for "
    "ElastiCache's default key, or a KMS key of your own (no L2 in aws-cdk-lib: "
    "aws_elasticache.CfnReplicationGroup(at_rest_encryption_enabled=True, transit_encryption_enabled=True)). "
    "Memcached: set TransitEncryptionEnabled: true "
    "(aws_elasticache.CfnCacheCluster(transit_encryption_enabled=True)).",
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::ElastiCache::CacheCluster"}),
    check_resource=check,
)
