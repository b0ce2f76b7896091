"""EU-RES-010: S3 replication copies objects only to buckets in allowed regions."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, text_options
from eu_residency.rules.residency._replication import STAR, bucket_violations, settled, walk

WHAT = "the replication destination bucket"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from settled(_violations(resource, view))


def _violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    rules = walk(view, resource.properties, ("ReplicationConfiguration", "Rules", STAR), structures=True)
    for path, rule in rules:
        if isinstance(rule, Unknown):
            yield from bucket_violations(view, rule, path, WHAT)
        elif rule is not MISSING and not _disabled(view, rule.get("Status")):
            for bucket_path, bucket in walk(view, rule, ("Destination", "Bucket"), path):
                yield from bucket_violations(view, bucket, bucket_path, WHAT)


def _disabled(view: TemplateView, status: object) -> bool:
    """A rule that is Disabled in every case copies nothing; an undecided status counts as Enabled."""
    values = text_options(view, status)
    return bool(values) and all(value == "Disabled" for value in values)


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
    "replication_destinations in the rule settings.",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({"AWS::S3::Bucket"}),
    check_resource=check,
)
