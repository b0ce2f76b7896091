"""EU-ENC-043: classic load balancer listeners accept only HTTPS or SSL, with TLS 1.2 or newer."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from eu_residency.core.resolved import scalar
from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, descend, elements
from eu_residency.rules.encryption._in_transit import ELB_DEFAULT_POLICY, is_tls12_policy
from eu_residency.rules.predicates import prop_path, unresolved

CLASSIC_LOAD_BALANCER = "AWS::ElasticLoadBalancing::LoadBalancer"
ENCRYPTED = frozenset({"HTTPS", "SSL"})
SSL_NEGOTIATION = "SSLNegotiationPolicyType"
REFERENCE_POLICY = "Reference-Security-Policy"
# A custom SSL negotiation policy (no Reference-Security-Policy) must turn these off and TLS 1.2 on.
OLD_PROTOCOLS = ("Protocol-SSLv2", "Protocol-SSLv3", "Protocol-TLSv1", "Protocol-TLSv1.1")
TLS12_PROTOCOL = "Protocol-TLSv1.2"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from _violations(resource, view)


def _violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    listeners = view.resolve(resource.properties.get("Listeners", MISSING))
    policies = view.resolve(resource.properties.get("Policies", MISSING))
    for index, listener in elements(listeners):
        if index is None:
            yield unresolved(("Listeners",), "the load balancer's listeners", listener)
            continue
        for protocol in descend(listener, ("Protocol",)):
            text = scalar(protocol)
            path: PropertyPath = ("Listeners", index, "Protocol")
            if isinstance(text, Unknown):
                yield unresolved(path, f"the protocol of listener {index}", text)
            elif text is None or text.upper() not in ENCRYPTED:
                yield Violation(
                    prop_path(*path),
                    f"listener {index} accepts plain {text or 'traffic (Protocol is not set)'}, not HTTPS "
                    "or SSL: traffic crosses the network unencrypted",
                )
            else:
                yield from _negotiation(listener, index, policies)


def _negotiation(listener: Any, index: int, policies: Any) -> Iterator[Violation]:
    """The listener's SSL negotiation policy: named in its PolicyNames, or applied to its port by a
    policy's LoadBalancerPorts; none means AWS's default, which accepts TLS 1.0.
    """
    names: set[str] = set()
    for name_list in descend(listener, ("PolicyNames",)):
        for _, name in elements(name_list):
            text = scalar(name)
            if isinstance(text, Unknown):
                yield unresolved(
                    ("Listeners", index, "PolicyNames"),
                    f"the policies of listener {index}",
                    text,
                )
                return
            if text:
                names.add(text)
    ports = {scalar(port) for port in descend(listener, ("LoadBalancerPort",))}
    found = False
    for policy_index, policy in elements(policies):
        if policy_index is None:
            yield unresolved(("Policies",), f"the SSL negotiation policy of listener {index}", policy)
            return
        applies = _applies(policy, names, ports)
        if applies is None:
            yield unresolved(
                ("Policies", policy_index),
                f"whether policy {policy_index} is listener {index}'s SSL negotiation policy",
                Unknown("a policy name, type or port the template does not decide"),
            )
            found = True
        elif applies:
            found = True
            yield from _policy(policy, policy_index)
    if not found:
        yield Violation(
            prop_path("Listeners", index, "PolicyNames"),
            f"listener {index} has no SSLNegotiationPolicyType policy (in its PolicyNames or for its port), "
            f"so AWS applies {ELB_DEFAULT_POLICY}, which still accepts TLS 1.0 and 1.1",
        )


def _applies(policy: Any, names: set[str], ports: set[str | Unknown | None]) -> bool | None:
    """True when ``policy`` is an SSL negotiation policy of the listener, None when undecided."""
    types = {scalar(value) for value in descend(policy, ("PolicyType",))}
    if any(isinstance(value, Unknown) for value in types):
        return None
    if SSL_NEGOTIATION not in types:
        return False
    policy_names = {scalar(value) for value in descend(policy, ("PolicyName",))}
    if any(isinstance(value, Unknown) for value in policy_names):
        return None
    if policy_names & names:
        return True
    for port_list in descend(policy, ("LoadBalancerPorts",)):
        for _, port in elements(port_list):
            text = scalar(port)
            if isinstance(text, Unknown):
                return None
            if text in ports:
                return True
    return False


def _policy(policy: Any, policy_index: int) -> Iterator[Violation]:
    attributes: dict[str, tuple[int, str | Unknown | None]] = {}
    for attribute_list in descend(policy, ("Attributes",)):
        for attribute_index, attribute in elements(attribute_list):
            if attribute_index is None:
                yield unresolved(("Policies", policy_index, "Attributes"), "the SSL policy", attribute)
                return
            if isinstance(attribute, Mapping):
                name = scalar(attribute.get("Name", MISSING))
                value = scalar(attribute.get("Value", MISSING))
                if isinstance(name, Unknown):
                    yield unresolved(
                        ("Policies", policy_index, "Attributes", attribute_index, "Name"),
                        "which setting of the SSL policy this attribute is",
                        name,
                    )
                elif isinstance(name, str):
                    attributes[name] = (attribute_index, value)
    path: PropertyPath = ("Policies", policy_index, "Attributes")
    if REFERENCE_POLICY in attributes:
        attribute_index, reference = attributes[REFERENCE_POLICY]
        value_path: PropertyPath = (*path, attribute_index, "Value")
        if isinstance(reference, Unknown):
            yield unresolved(value_path, "the predefined security policy the listener uses", reference)
        elif reference is None or not is_tls12_policy(reference):
            yield Violation(
                prop_path(*value_path),
                f"the listener's SSL negotiation policy is {reference}, which accepts TLS versions older "
                "than 1.2 (use ELBSecurityPolicy-TLS-1-2-2017-01)",
            )
        return
    for name in (*OLD_PROTOCOLS, TLS12_PROTOCOL):
        attribute_index, value = attributes.get(name, (-1, None))
        shown = isinstance(value, str) and value.lower() == "true"
        where = (*path, attribute_index, "Value") if attribute_index >= 0 else path
        if isinstance(value, Unknown):
            yield unresolved(where, f"whether the custom SSL policy turns {name} on", value)
        elif name == TLS12_PROTOCOL and not shown:
            yield Violation(prop_path(*where), f"the custom SSL negotiation policy does not turn {name} on")
        elif name != TLS12_PROTOCOL and shown:
            yield Violation(
                prop_path(*where),
                f"the custom SSL negotiation policy turns {name} on, a protocol older than TLS 1.2",
            )


RULE = Rule(
    id="EU-ENC-043",
    title="Classic load balancer listeners accept only HTTPS or SSL, negotiating TLS 1.2 or newer",
    explanation=(
        "A classic load balancer listener on HTTP or TCP carries user data across the network unencrypted, "
        "and an HTTPS or SSL listener without a TLS 1.2 negotiation policy gets ELBSecurityPolicy-2016-08, "
        "which still accepts TLS 1.0 and 1.1; the privacy policy promises encryption in transit."
    ),
    fix=(
        "Set every Listeners[*].Protocol to HTTPS or SSL with an SSLCertificateId, and attach a Policies "
        "entry {PolicyType: SSLNegotiationPolicyType, Attributes: [{Name: Reference-Security-Policy, Value: "
        "ELBSecurityPolicy-TLS-1-2-2017-01}]} to it through PolicyNames (L2: "
        "elb.LoadBalancer(listeners=[LoadBalancerListener(external_protocol=LoadBalancingProtocol.HTTPS, "
        "ssl_certificate_arn=..., policy_names=[...])])); better, replace it with an Application Load "
        "Balancer such as constructs_lib's TlsLoadBalancer."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({CLASSIC_LOAD_BALANCER}),
    check_resource=check,
)
