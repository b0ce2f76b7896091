"""EU-ENC-005: ElastiCache replication groups encrypt their data at rest."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.encryption._at_rest import may_be_set
from eu_residency.rules.predicates import require_true

WHAT = "at-rest encryption"

GLOBAL_MEMBER = (
    "at-rest encryption cannot be shown from the template: AtRestEncryptionEnabled is not set, so this "
    "member of a Global Datastore (GlobalReplicationGroupId) takes it from the datastore's primary "
    "(fails closed)"
)


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    absent = GLOBAL_MEMBER if may_be_set(view, resource.properties, ("GlobalReplicationGroupId",)) else None
    yield from require_true(resource, view, ("AtRestEncryptionEnabled",), WHAT, absent=absent)


RULE = Rule(
    id="EU-ENC-005",
    title="ElastiCache replication groups encrypt their data at rest",
    explanation=(
        "A Redis OSS or Valkey replication group keeps cached user data, sessions and messages on disk "
        "during synchronisation, swap and backups; without at-rest encryption (off unless "
        "AtRestEncryptionEnabled is true, and fixed at creation) those copies, and the snapshots exported "
        "from them, are readable by anyone who obtains them, while the privacy policy promises that "
        "personal data is encrypted at rest. ElastiCache Serverless caches are always encrypted and are "
        "not checked by this rule."
    ),
    # https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/at-rest-encryption.html (default key)
    fix=(
        "Set AtRestEncryptionEnabled: true; any key will do: leave KmsKeyId unset for ElastiCache's "
        "default (service-managed) key, or name a KMS key of your own (no L2 in aws-cdk-lib: "
        "aws_elasticache.CfnReplicationGroup(at_rest_encryption_enabled=True), and "
        "kms_key_id=key.key_arn for your own)."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::ElastiCache::ReplicationGroup"}),
    check_resource=check,
)
