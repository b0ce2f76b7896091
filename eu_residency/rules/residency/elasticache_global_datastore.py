"""EU-RES-015: no ElastiCache global datastore spans regions the template does not show."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.residency._replication import STAR, joined_global_group, region_leaf, settled, walk

GLOBAL_DATASTORE = "AWS::ElastiCache::GlobalReplicationGroup"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from settled(_violations(resource, view))


def _violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    if resource.type == GLOBAL_DATASTORE:
        yield Violation(
            (),
            "the global datastore replicates its primary replication group to secondary members in other "
            "regions, which can be added outside this template: where its copies are kept cannot be shown",
        )
        for path, region in walk(view, resource.properties, ("Members", STAR, "ReplicationGroupRegion")):
            yield from region_leaf(view, path, region, "the region of the global datastore member")
        configurations = ("RegionalConfigurations", STAR, "ReplicationGroupRegion")
        for path, region in walk(view, resource.properties, configurations):
            yield from region_leaf(view, path, region, "the region of the regional configuration")
        return
    yield from joined_global_group(
        view, resource.properties, "GlobalReplicationGroupId", "the replication group joins a global datastore"
    )


RULE = Rule(
    id="EU-RES-015",
    title="No ElastiCache replication group belongs to a global datastore",
    explanation=(
        "A global datastore copies everything cached in the primary replication group, user data and "
        "sessions included, to secondary replication groups in other regions, and secondaries can be added "
        "in other stacks or outside CloudFormation, so one template cannot show that every copy stays in "
        "the EU. Every global datastore and every replication group that joins one is an error; a member "
        "region proven to be outside the allowed regions is fatal."
    ),
    fix="Remove the AWS::ElastiCache::GlobalReplicationGroup and the GlobalReplicationGroupId of the "
    "ReplicationGroup (L1: CfnReplicationGroup without global_replication_group_id); use a Multi-AZ "
    "replication group in one EU region. If a global datastore across EU regions is required, list only "
    "allowed regions in Members[].ReplicationGroupRegion and acknowledge the finding.",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({GLOBAL_DATASTORE, "AWS::ElastiCache::ReplicationGroup"}),
    check_resource=check,
)
