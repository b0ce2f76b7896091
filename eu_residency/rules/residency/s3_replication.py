"""EU-RES-010: S3 replication copies objects only to buckets in allowed regions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from eu_residency.core.messages import shortened
from eu_residency.core.regions import describe_region
from eu_residency.core.resolved import Text
from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, named_region, text_options
from eu_residency.core.vocabulary import REGION_SHAPE
from eu_residency.rules.predicates import is_always, prop_path
from eu_residency.rules.residency._replication import STAR, bucket_violations, settled, walk

WHAT = "the replication destination bucket"
REPLICA_KEY = "ReplicaKmsKeyID"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from settled(_violations(resource, view))


def _violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    rules = walk(view, resource.properties, ("ReplicationConfiguration", "Rules", STAR), structures=True)
    for path, rule in rules:
        if isinstance(rule, Unknown):
            yield from bucket_violations(view, rule, path, WHAT)
        elif rule is not MISSING and not is_always(view, rule.get("Status"), "Disabled"):
            # A rule that is Disabled in every case copies nothing; an undecided status counts as Enabled.
            for bucket_path, bucket in walk(view, rule, ("Destination", "Bucket"), path):
                yield from _with_replica_key(view, rule, path, list(bucket_violations(view, bucket, bucket_path, WHAT)))


def _with_replica_key(
    view: TemplateView, rule: Mapping[str, Any], path: PropertyPath, found: list[Violation]
) -> Iterator[Violation]:
    """S3 requires the replica key (EncryptionConfiguration.ReplicaKmsKeyID) in the destination bucket's region:
    a key named by an ARN in a known region shows where the destination is, where the bucket itself does not."""
    keys = _replica_key_regions(view, rule, path) if any(v.unknown is not None for v in found) else None
    if keys is None:
        yield from found
        return
    yield from (violation for violation in found if violation.unknown is None)
    for key_path, shown, region in keys:
        if region not in view.settings.allowed_regions:
            message = (
                f"the replica key {shown} is in {describe_region(region)}; S3 requires it in the destination "
                "bucket's region, so the replicas are kept there"
            )
            yield Violation(prop_path(*key_path), message, Severity.FATAL)


def _replica_key_regions(
    view: TemplateView, rule: Mapping[str, Any], path: PropertyPath
) -> list[tuple[PropertyPath, str, str]] | None:
    """Each value the rule's replica key may take, with its region; None when any value names no known region
    (absent, a bare key id, a parameter): the key is then no evidence."""
    found: list[tuple[PropertyPath, str, str]] = []
    for key_path, raw in walk(view, rule, ("Destination", "EncryptionConfiguration", REPLICA_KEY), path):
        for option in text_options(view, raw) if raw is not MISSING else [MISSING]:
            region = named_region(option) if isinstance(option, (str, Unknown)) else None
            if not isinstance(region, str) or not REGION_SHAPE.match(region):
                return None
            found.append((key_path, shortened(option.shown if isinstance(option, Text) else str(option)), region))
    return found or None


RULE = Rule(
    id="EU-RES-010",
    title="S3 replication copies objects only to buckets in allowed regions",
    explanation=(
        "Replication copies every new object of a bucket, user data included, to its destination bucket; "
        "a destination outside the allowed regions transfers that data out of the EU. A bucket ARN names "
        "no region, so the destination must be a bucket of this stack, a bucket of a stack of the same app "
        "in an allowed region, or a bucket a person has listed in replication_destinations with its "
        "region. A destination proven to be outside the allowed regions is fatal; one whose region cannot "
        "be shown is an error."
    ),
    fix="Point ReplicationConfiguration.Rules[].Destination.Bucket at a bucket in an allowed region (L2: "
    "Bucket(replication_rules=[ReplicationRule(destination=eu_bucket)])), defined in a stack of this app "
    "with an explicit EU env; for a bucket outside the app, list its name and EU region under "
    "replication_destinations in the rule settings; or give the destination's replica key by its ARN "
    "(EncryptionConfiguration.ReplicaKmsKeyID), which S3 requires in the destination's region.",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({"AWS::S3::Bucket"}),
    check_resource=check,
)
