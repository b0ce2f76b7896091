"""EU-ENC-047: OpenSearch domains require HTTPS with TLS 1.2 and encrypt traffic between nodes."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.resolved import scalar
from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, values_at
from eu_residency.rules.predicates import prop_path, require_true, unresolved

TLS12_POLICIES = frozenset({"Policy-Min-TLS-1-2-2019-07", "Policy-Min-TLS-1-2-PFS-2023-10"})
# What a domain negotiates when DomainEndpointOptions.TLSSecurityPolicy is not set.
DEFAULT_POLICY = "Policy-Min-TLS-1-0-2019-07"
TLS_POLICY_PATH = ("DomainEndpointOptions", "TLSSecurityPolicy")


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from require_true(
        resource,
        view,
        ("DomainEndpointOptions", "EnforceHTTPS"),
        "requiring HTTPS for every request",
        default=False,
    )
    yield from _tls_policy(resource, view)
    yield from require_true(
        resource,
        view,
        ("NodeToNodeEncryptionOptions", "Enabled"),
        "node-to-node encryption",
        default=False,
    )


def _tls_policy(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    leaves = values_at(view, resource.properties, TLS_POLICY_PATH)
    if leaves == [MISSING]:
        yield Violation(
            prop_path(*TLS_POLICY_PATH),
            f"the domain accepts TLS 1.0 and 1.1: TLSSecurityPolicy is not set, so it is {DEFAULT_POLICY}",
        )
        return
    for option in leaves:
        text = scalar(option)
        if isinstance(text, Unknown):
            yield unresolved(TLS_POLICY_PATH, "the domain's TLS security policy", text)
        elif text is None:
            yield Violation(
                prop_path(*TLS_POLICY_PATH),
                "the domain may accept TLS 1.0 and 1.1: TLSSecurityPolicy can be left unset, making it "
                f"{DEFAULT_POLICY}",
            )
        elif text not in TLS12_POLICIES:
            yield Violation(
                prop_path(*TLS_POLICY_PATH),
                f"the domain's TLS security policy {text} accepts TLS versions older than 1.2",
            )


RULE = Rule(
    id="EU-ENC-047",
    title="OpenSearch domains require HTTPS with TLS 1.2 or newer and encrypt traffic between nodes",
    explanation=(
        "Search indexes hold copies of user data. A domain that accepts plain HTTP or TLS 1.0/1.1, or whose "
        "nodes exchange shards and queries unencrypted, lets that data cross the network without the "
        "protection the privacy policy promises."
    ),
    fix=(
        "Set DomainEndpointOptions {EnforceHTTPS: true, TLSSecurityPolicy: Policy-Min-TLS-1-2-PFS-2023-10} "
        "and NodeToNodeEncryptionOptions.Enabled: true (L2: opensearchservice.Domain(enforce_https=True, "
        "tls_security_policy=TLSSecurityPolicy.TLS_1_2_PFS, node_to_node_encryption=True))."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain"}),
    check_resource=check,
)
