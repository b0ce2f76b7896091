"""EU-RES-014: no RDS or Aurora global database spans regions the template does not show."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.residency._replication import arn_violations, joined_global_group, settled, walk


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from settled(_violations(resource, view))


def _violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    if resource.type == "AWS::RDS::GlobalCluster":
        yield Violation(
            (),
            "the global database replicates to secondary clusters in other regions, which this template "
            "does not name: where its copies are kept cannot be shown",
        )
        for path, source in walk(view, resource.properties, ("SourceDBClusterIdentifier",)):
            yield from arn_violations(
                view, source, path, "the primary cluster of the global database", ("AWS::RDS::DBCluster",)
            )
        return
    yield from joined_global_group(
        view, resource.properties, "GlobalClusterIdentifier", "the cluster joins a global database"
    )


RULE = Rule(
    id="EU-RES-014",
    title="No RDS or Aurora cluster belongs to a global database",
    explanation=(
        "A global database keeps a full, continuously replicated copy of the primary cluster, user data "
        "included, in every region that has a secondary cluster, and secondaries are added in other stacks "
        "or outside CloudFormation; a single template cannot show that all of them are in the EU. Every "
        "global cluster and every cluster that joins one is therefore an error; a primary cluster ARN "
        "proven to be outside the allowed regions is fatal."
    ),
    fix="Remove the AWS::RDS::GlobalCluster and the GlobalClusterIdentifier of the DBCluster; for disaster "
    "recovery use a regional cluster with Multi-AZ and AWS Backup copies to another EU region (L2: "
    "DatabaseCluster without a global cluster). If a global database across EU regions is required, "
    "acknowledge the finding with the list of its regions.",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({"AWS::RDS::GlobalCluster", "AWS::RDS::DBCluster"}),
    check_resource=check,
)
