"""EU-ENC-042: HTTPS and TLS listeners use a security policy that requires TLS 1.2 or newer."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.resolved import scalar
from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown, options
from eu_residency.core.values import MISSING
from eu_residency.rules.encryption._in_transit import (
    ELB_DEFAULT_POLICY,
    ENCRYPTED_LISTENER_PROTOCOLS,
    LISTENER,
    is_tls12_policy,
    protocols,
)
from eu_residency.rules.predicates import prop_path, unresolved


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from _violations(resource, view)


def _violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    listener_protocols = protocols(resource, view)
    encrypted = [protocol for protocol in listener_protocols if protocol in ENCRYPTED_LISTENER_PROTOCOLS]
    undecided = next((protocol for protocol in listener_protocols if isinstance(protocol, Unknown)), None)
    if not encrypted and undecided is None:
        return  # HTTP, TCP, UDP, GENEVE: no TLS to negotiate (EU-ENC-041 judges the protocol)
    raw = resource.properties.get("SslPolicy", MISSING)
    policies = [scalar(option) for option in options(view.resolve(raw))]
    for policy in policies:
        if isinstance(policy, Unknown):
            yield unresolved(("SslPolicy",), "the listener's TLS security policy", policy)
        elif policy is None:
            if encrypted:
                yield Violation(
                    prop_path("SslPolicy"),
                    f"the {encrypted[0]} listener names no SslPolicy, so AWS applies {ELB_DEFAULT_POLICY}, "
                    "which still accepts TLS 1.0 and 1.1",
                )
            elif undecided is not None:
                yield unresolved(
                    ("Protocol",),
                    f"whether the listener needs an SslPolicy (without one: {ELB_DEFAULT_POLICY})",
                    undecided,
                )
        elif not is_tls12_policy(policy):
            yield Violation(
                prop_path("SslPolicy"),
                f"the listener's security policy {policy} is not one of the TLS 1.2+ policies: it accepts "
                "older TLS versions or is not a known ELB security policy",
            )


RULE = Rule(
    id="EU-ENC-042",
    title="HTTPS and TLS listeners use a security policy that requires TLS 1.2 or newer",
    explanation=(
        "TLS 1.0 and 1.1 have known weaknesses and are deprecated (RFC 8996); a listener that still "
        "negotiates them lets a client, or an attacker who downgrades the handshake, protect personal data "
        "in transit with broken cryptography. AWS's default policy for listeners, "
        "ELBSecurityPolicy-2016-08, accepts them, so the policy must be named."
    ),
    fix=(
        "Set SslPolicy to a TLS 1.2+ policy, e.g. ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09 or "
        "ELBSecurityPolicy-TLS13-1-2-2021-06 (L2: add_listener(..., ssl_policy=SslPolicy.TLS13_12_RES_PQ) "
        "or SslPolicy.RECOMMENDED_TLS, never SslPolicy.RECOMMENDED, which is ELBSecurityPolicy-2016-08); or "
        "use constructs_lib's TlsLoadBalancer."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({LISTENER}),
    check_resource=check,
)
