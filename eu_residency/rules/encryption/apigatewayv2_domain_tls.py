"""EU-ENC-058: API Gateway v2 custom domain names refuse TLS versions older than 1.2."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.resolved import scalar
from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, descend, elements
from eu_residency.rules.encryption._api_gateway_policies import policy_violations
from eu_residency.rules.predicates import unresolved

CONFIGURATIONS = "DomainNameConfigurations"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    for index, configuration in elements(view.resolve(resource.properties.get(CONFIGURATIONS, MISSING))):
        if index is None:
            yield unresolved((CONFIGURATIONS,), "the domain name's TLS security policy", configuration)
            continue
        policies: list[str | Unknown | None] = []
        for option in descend(configuration, ("SecurityPolicy",)):
            text = scalar(option)
            policies.append(text if text is not None or option is MISSING else Unknown("a value that is not text"))
        yield from policy_violations(policies, (CONFIGURATIONS, index, "SecurityPolicy"), "the domain name's")


RULE = Rule(
    id="EU-ENC-058",
    title="API Gateway v2 custom domain names refuse TLS versions older than 1.2",
    explanation=(
        "An AWS::ApiGatewayV2::DomainName serves HTTP, WebSocket and REST APIs under a custom domain, and "
        "every request carries users' data. A DomainNameConfiguration with SecurityPolicy TLS_1_0 still "
        "negotiates TLS 1.0, deprecated for its known weaknesses (RFC 8996), so personal data may be "
        "protected in transit with broken cryptography. TLS_1_2, the default, refuses it."
    ),
    fix=(
        "Set DomainNameConfigurations[].SecurityPolicy: TLS_1_2 or leave it unset (L2: apigatewayv2."
        "DomainName(security_policy=apigatewayv2.SecurityPolicy.TLS_1_2), never SecurityPolicy.TLS_1_0)."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::ApiGatewayV2::DomainName"}),
    check_resource=check,
)
