"""EU-RES-019: Redshift copies snapshots only to allowed regions."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.residency._replication import region_leaf, settled, walk


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    # Cross-region snapshot copy is on exactly when DestinationRegion is set (SnapshotCopyGrantName only
    # names the key grant in the destination region).
    for path, region in walk(view, resource.properties, ("DestinationRegion",)):
        what = "the snapshot copy destination region"
        yield from settled(region_leaf(view, path, region, what, required=False))


RULE = Rule(
    id="EU-RES-019",
    title="Redshift clusters copy snapshots only to allowed regions",
    explanation=(
        "Cross-region snapshot copy puts a copy of every automated (and optionally manual) snapshot of the "
        "warehouse, user data included, into the destination region and keeps it there for the copy "
        "retention period; a destination outside the allowed regions transfers the data out of the EU. A "
        "destination proven to be outside the allowed regions is fatal; one that cannot be shown (a "
        "parameter, an import) is an error."
    ),
    fix="Remove DestinationRegion, or set it to an allowed region (L1: CfnCluster(destination_region="
    "'eu-central-1', snapshot_copy_grant_name=...)).",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({"AWS::Redshift::Cluster"}),
    check_resource=check,
)
