"""EU-RES-032: API Gateway REST APIs and custom domains are regional or private, never edge-optimized."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.resolved import Cause, scalar
from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, elements, get, values_at
from eu_residency.rules.predicates import not_shown, prop_path

SAFE_TYPES = frozenset({"REGIONAL", "PRIVATE"})


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    """Each value the endpoint types may deploy with, through every branch of an undecided Fn::If."""
    path = ("EndpointConfiguration", "Types")
    for types in values_at(view, resource.properties, path):
        if types is MISSING:
            yield from _absent(resource)
            continue
        if not isinstance(types, (list, Unknown)):
            yield from _endpoint_type(scalar(types), path)
            continue
        for _, option in elements(types):
            yield from _endpoint_type(scalar(option), path)


def _absent(resource: Resource) -> Iterator[Violation]:
    if resource.type == "AWS::ApiGateway::DomainName" and get(resource.properties, ("CertificateArn",)) is MISSING:
        return  # a domain with only RegionalCertificateArn and no edge certificate is regional
    yield Violation(
        prop_path("EndpointConfiguration"),
        "no EndpointConfiguration: API Gateway makes it EDGE, served through CloudFront worldwide",
        Severity.FATAL,
    )


def _endpoint_type(option: str | Unknown | None, path: tuple[str, ...]) -> Iterator[Violation]:
    if option is None:
        option = Unknown("a value that is not text", Cause.MALFORMED)
    if isinstance(option, Unknown):
        yield not_shown(prop_path(*path), "the endpoint type cannot be shown to be regional", option)
    elif option.upper() not in SAFE_TYPES:
        yield Violation(
            prop_path(*path), f"endpoint type {option} is served through CloudFront worldwide", Severity.FATAL
        )


RULE = Rule(
    id="EU-RES-032",
    title="API Gateway REST APIs and custom domains are regional or private",
    explanation=(
        "An edge-optimized REST API (the default when EndpointConfiguration is absent) is fronted by a "
        "CloudFront distribution that terminates TLS at edge locations outside the EU."
    ),
    fix="Set EndpointConfiguration: {Types: [REGIONAL]} (CDK: endpoint_types=[apigateway.EndpointType.REGIONAL]) "
    "and, for a custom domain, a RegionalCertificateArn.",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({"AWS::ApiGateway::RestApi", "AWS::ApiGateway::DomainName"}),
    check_resource=check,
)
