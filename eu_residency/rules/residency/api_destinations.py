"""EU-RES-051: EventBridge API destinations call only endpoints vetted to be in the EU."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.core.values import get
from eu_residency.rules.residency._endpoints import endpoint_violations


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    path = ("InvocationEndpoint",)
    yield from endpoint_violations(view, get(resource.properties, path), path, "the API destination")


RULE = Rule(
    id="EU-RES-051",
    title="EventBridge API destinations call only endpoints vetted to be in the EU",
    explanation=(
        "An API destination sends matching events, which may carry user data, to an HTTP endpoint outside "
        "AWS whose location the template cannot show."
    ),
    fix="Target an AWS service in the region instead; or, once the endpoint is shown to be in the EU, add "
    "its URL (scheme and host, optionally a path) to the context key eu-residency:eu-endpoints.",
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::Events::ApiDestination"}),
    check_resource=check,
)
