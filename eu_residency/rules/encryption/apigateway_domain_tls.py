"""EU-ENC-057: API Gateway custom domain names refuse TLS versions older than 1.2."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.encryption._api_gateway_policies import policy_violations
from eu_residency.rules.encryption._transit_links import text_settings


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    policies = text_settings(view, resource.properties, ("SecurityPolicy",))
    yield from policy_violations(policies, ("SecurityPolicy",), "the domain name's")


RULE = Rule(
    id="EU-ENC-057",
    title="API Gateway custom domain names refuse TLS versions older than 1.2",
    explanation=(
        "Requests to an API's custom domain carry users' messages and tokens. With the TLS_1_0 security "
        "policy API Gateway still negotiates TLS 1.0, deprecated for its known weaknesses (RFC 8996), so a "
        "client or an attacker who downgrades the handshake protects personal data in transit with broken "
        "cryptography. TLS_1_2 (the default for custom domain names) and the SecurityPolicy_* policies "
        "refuse it."
    ),
    fix=(
        "Set SecurityPolicy: TLS_1_2, or an enhanced policy such as SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09 "
        "with EndpointAccessMode: STRICT (L2: apigateway.DomainName(security_policy="
        "apigateway.SecurityPolicy.TLS_1_2), never SecurityPolicy.TLS_1_0)."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::ApiGateway::DomainName", "AWS::ApiGateway::DomainNameV2"}),
    check_resource=check,
)
