"""EU-RES-001: the stack deploys to an explicit, allowed region."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.regions import describe_region
from eu_residency.core.resolved import Cause
from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import TemplateView, Unknown
from eu_residency.rules.residency._one_region_metrics import ALARM, ALARM_COMPANIONS, forced_region, forced_region_note


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
    elif view.region not in view.settings.allowed_regions and _only_alarms_kept_in(view, view.region):
        yield Violation(
            (),
            f"the stack deploys to {describe_region(view.region)} with only Route 53 health-check alarms and what "
            f"they notify; {forced_region_note(view.region)}",
            Severity.FATAL,
            fix=ALARM_STACK_FIX,
        )
    elif view.region not in view.settings.allowed_regions:
        yield Violation((), f"the stack deploys to {describe_region(view.region)}", Severity.FATAL)


def _only_alarms_kept_in(view: TemplateView, region: str) -> bool:
    """Whether the stack holds alarms AWS keeps only in ``region`` and nothing but what serves them."""
    resources = list(view.resources())
    alarms = [resource for resource in resources if resource.type == ALARM]
    return bool(alarms) and all(
        forced_region(resource, view) == region if resource.type == ALARM else resource.type in ALARM_COMPANIONS
        for resource in resources
    )


# A stack of health-check alarms is where AWS puts them: what can be done is to keep it to them, or to watch the
# endpoint from an EU region instead.
ALARM_STACK_FIX = (
    "Keep this stack to the health-check alarms, their topics and subscriptions, with no user data in alarm "
    "names, descriptions or topics; or watch the endpoint with a CloudWatch Synthetics canary (a Lambda "
    "function in your account) created in an EU region instead."
)


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
