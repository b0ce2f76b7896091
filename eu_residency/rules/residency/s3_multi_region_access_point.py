"""EU-RES-021: S3 Multi-Region Access Points route only to buckets in allowed regions."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.residency._replication import STAR, bucket_violations, settled, walk


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    for path, bucket in walk(view, resource.properties, ("Regions", STAR, "Bucket")):
        yield from settled(bucket_violations(view, bucket, path, "the access point's bucket"))


RULE = Rule(
    id="EU-RES-021",
    title="S3 Multi-Region Access Points route requests only to buckets in allowed regions",
    explanation=(
        "A Multi-Region Access Point sends each read and write to whichever of its buckets is nearest or "
        "healthy, so user data is written to, and read from, every bucket it lists; a bucket outside the "
        "allowed regions receives data outside the EU. The access point names buckets only, so each must "
        "be a bucket of this stack, of a stack of the same app in an allowed region, or listed in "
        "replication_destinations with its region. A bucket proven to be outside the allowed regions is "
        "fatal; one whose region cannot be shown is an error."
    ),
    fix="List in Regions[].Bucket only buckets in allowed regions (L1: CfnMultiRegionAccessPoint(regions=["
    "RegionProperty(bucket=eu_bucket.bucket_name)])), defined in stacks of this app with an explicit EU env, "
    "or listed under replication_destinations in the rule settings.",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({"AWS::S3::MultiRegionAccessPoint"}),
    check_resource=check,
)
