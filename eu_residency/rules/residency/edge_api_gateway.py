"""EU-RES-032: API Gateway REST APIs and custom domains are regional or private, never edge-optimized."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, get, text_options
from eu_residency.rules.predicates import prop_path

SAFE_TYPES = frozenset({"REGIONAL", "PRIVATE"})


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    path = ("EndpointConfiguration", "Types")
    raw = get(resource.properties, path)
    if raw is MISSING:
        if resource.type == "AWS::ApiGateway::DomainName" and get(resource.properties, ("CertificateArn",)) is MISSING:
            return  # a domain with only RegionalCertificateArn and no edge certificate is regional
        yield Violation(
            prop_path("EndpointConfiguration"),
            "no EndpointConfiguration: API Gateway makes it EDGE, served through CloudFront worldwide",
            Severity.FATAL,
        )
        return
    resolved = view.resolve(raw)
    values = resolved if isinstance(resolved, list) else [resolved]
    for value in values:
        for option in text_options(view, value):
            if isinstance(option, Unknown):
                yield Violation(
                    prop_path(*path),
                    f"the endpoint type cannot be shown to be regional: it is {option.reason}",
                    Severity.ERROR,
                )
            elif option.upper() not in SAFE_TYPES:
                yield Violation(
                    prop_path(*path),
                    f"endpoint type {option} is served through CloudFront worldwide",
                    Severity.FATAL,
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
