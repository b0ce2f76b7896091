"""EU-RES-018: ECR replicates images only to allowed regions."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.residency._replication import STAR, region_leaf, settled, walk

DESTINATION_REGIONS = ("ReplicationConfiguration", "Rules", STAR, "Destinations", STAR, "Region")


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    for path, region in walk(view, resource.properties, DESTINATION_REGIONS):
        yield from settled(region_leaf(view, path, region, "the image replication destination region"))


RULE = Rule(
    id="EU-RES-018",
    title="ECR registries replicate images only to allowed regions",
    explanation=(
        "Registry replication copies every pushed image to each destination region; images carry the "
        "application's code and whatever configuration or data was built into them, and a destination "
        "outside the allowed regions transfers them out of the EU. A destination region proven to be "
        "outside the allowed regions is fatal; one that cannot be shown (a parameter, an import) is an "
        "error."
    ),
    fix="List only allowed regions in ReplicationConfiguration.Rules[].Destinations[].Region (L1: "
    "CfnReplicationConfiguration(replication_configuration=...ReplicationDestinationProperty("
    "region='eu-central-1', registry_id=account))).",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({"AWS::ECR::ReplicationConfiguration"}),
    check_resource=check,
)
