"""EU-RES-014: no RDS or Aurora global database spans regions the template does not show."""

from __future__ import annotations

from collections.abc import Iterator

from constructs_lib.rules.checks import MISSING, get, prop_path
from constructs_lib.rules.model import Resource, Rule, Severity, Violation
from constructs_lib.rules.residency._replication import arn_violations, settled, walk
from constructs_lib.rules.template import TemplateView, Unknown, options


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
    raw = get(resource.properties, ("GlobalClusterIdentifier",))
    values = [value for value in options(view.resolve(raw)) if value is not MISSING and value != ""]
    if not values:
        return
    unknown = next((value for value in values if isinstance(value, Unknown)), None)
    given = f"is {unknown.reason}" if unknown else "is set"
    yield Violation(
        prop_path("GlobalClusterIdentifier"),
        f"the cluster joins a global database (GlobalClusterIdentifier {given}), which replicates it to "
        "regions this template does not name: where its copies are kept cannot be shown",
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
    check=check,
)
