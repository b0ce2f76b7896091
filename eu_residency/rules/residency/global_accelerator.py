"""EU-RES-031: no Global Accelerator routes the platform's traffic."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield Violation(
        (),
        f"{resource.type} terminates client connections at AWS edge locations worldwide and carries them "
        "over the global network",
        Severity.FATAL,
    )


RULE = Rule(
    id="EU-RES-031",
    title="No Global Accelerator carries user traffic",
    explanation=(
        "Global Accelerator's anycast addresses accept connections at the edge location nearest each client, "
        "anywhere in the world, before carrying them to the region: user data passes through locations "
        "outside the EU."
    ),
    fix="Expose the regional load balancer directly; remove the AWS::GlobalAccelerator resources.",
    severity=Severity.FATAL,
    resource_types=frozenset({"AWS::GlobalAccelerator::Accelerator", "AWS::GlobalAccelerator::Listener"}),
    check_resource=check,
)
