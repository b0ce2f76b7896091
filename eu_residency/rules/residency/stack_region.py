"""EU-RES-001: the stack deploys to an explicit, allowed region."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.regions import describe_region
from eu_residency.core.resolved import Cause
from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import TemplateView, Unknown


def check(view: TemplateView) -> Iterator[Violation]:
    if view.parent is not None:
        return  # a nested stack deploys in its parent's region: the parent's finding says where
    if view.region is None:
        yield Violation(
            (),
            "the stack is environment-agnostic: its region is chosen at deploy time and could be anywhere, so it "
            "cannot be shown to be in an allowed region",
            Severity.ERROR,
            Unknown("the stack's region, which is not set", Cause.STACK_REGION, "${AWS::Region}"),
        )
    elif view.region not in view.settings.allowed_regions:
        yield Violation((), f"the stack deploys to {describe_region(view.region)}", Severity.FATAL)


RULE = Rule(
    id="EU-RES-001",
    title="Every stack deploys to an explicit region inside the allowed set",
    explanation=(
        "A stack without an explicit region deploys wherever the deploying credentials point, so nothing "
        "it stores can be shown to stay in the EU. A stack in a region outside the allowed set stores "
        "everything it holds outside it."
    ),
    fix="Give the stack an explicit env: Stack(..., env=Environment(account=..., region='eu-west-1')).",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset(),
    check_template=check,
)
