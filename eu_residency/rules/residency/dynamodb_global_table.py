"""EU-RES-011: DynamoDB global tables keep their replicas and witness in allowed regions."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.resolved import Cause
from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, text_options
from eu_residency.rules.residency._replication import STAR, arn_violations, region_leaf, settled, walk


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from settled(_violations(resource, view))


def _violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    for path, region in walk(view, resource.properties, ("Replicas", STAR, "Region")):
        if not _is_stack_region(view, region):
            yield from region_leaf(view, path, region, "the replica region")
    for path, region in walk(view, resource.properties, ("GlobalTableWitnesses", STAR, "Region")):
        yield from region_leaf(view, path, region, "the witness region")
    for path, source in walk(view, resource.properties, ("GlobalTableSourceArn",)):
        yield from arn_violations(view, source, path, "the source table", ("AWS::DynamoDB::Table",))


def _is_stack_region(view: TemplateView, region: object) -> bool:
    """A replica in the stack's own region is the table itself (CloudFormation requires one; TableV2 writes it
    as ``{"Ref": "AWS::Region"}``): no copy goes anywhere, and where the stack deploys is EU-RES-001's."""
    texts = text_options(view, region) if region is not MISSING else []
    return bool(texts) and all(text == view.region or _names_stack_region(text) for text in texts)


def _names_stack_region(text: str | Unknown) -> bool:
    return isinstance(text, Unknown) and text.cause is Cause.STACK_REGION


RULE = Rule(
    id="EU-RES-011",
    title="DynamoDB global tables keep every replica and witness in an allowed region",
    explanation=(
        "A global table copies every item, user data included, to a full replica in each region it lists "
        "(and a multi-Region strong consistency witness receives the changes too); a replica outside the "
        "allowed regions transfers the table out of the EU. A replica region proven to be outside the "
        "allowed regions is fatal; one that cannot be shown (a parameter, an import) is an error."
    ),
    fix="List only allowed regions in Replicas[].Region and GlobalTableWitnesses[].Region (L2: "
    "TableV2(replicas=[ReplicaTableProps(region='eu-central-1')])), as literal region names.",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({"AWS::DynamoDB::GlobalTable"}),
    check_resource=check,
)
