"""EU-ENC-041: load balancer listeners accept only HTTPS or TLS; plain HTTP only redirects to HTTPS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eu_residency.core.resolved import scalar
from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown, options
from eu_residency.core.values import MISSING, descend, elements, referent, text_options
from eu_residency.rules.encryption._forward_actions import LISTENER_RULE, TARGET_GROUP, action_target_groups
from eu_residency.rules.encryption._in_transit import LISTENER, protocols
from eu_residency.rules.predicates import prop_path, unresolved

LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
# Plain TCP (and TCP_UDP, which carries it) cannot be shown to be encrypted; UDP, QUIC and GENEVE
# (Gateway Load Balancer) listeners are outside this rule.
TCP = "TCP"
PLAIN_TCP = frozenset({TCP, "TCP_UDP"})
# The HTTPS port: a TCP listener on it, forwarding to targets that serve TLS there, passes TLS through.
TLS_PORT = "443"
HTTP = "HTTP"
# What a redirect keeps when RedirectConfig.Protocol is not set: the request's own protocol.
KEEP_PROTOCOL = "#{protocol}"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    if resource.type == LISTENER:
        yield from _listener(resource, view)
    else:
        yield from _listener_rule(resource, view)


def _listener(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    for protocol in protocols(resource, view):
        if protocol is None:
            if not _on_gateway_load_balancer(resource, view):
                yield Violation(
                    prop_path("Protocol"),
                    "the listener's Protocol is not set: that it accepts only HTTPS or TLS cannot be shown",
                )
        elif isinstance(protocol, Unknown):
            yield unresolved(("Protocol",), "the listener's protocol", protocol)
        elif protocol == HTTP:
            yield from _http_default_actions(resource, view)
        elif protocol in PLAIN_TCP:
            yield from _plain_tcp(resource, view, protocol)


def _plain_tcp(resource: Resource, view: TemplateView, protocol: str) -> Iterator[Violation]:
    """A TCP listener passes bytes through as they come: TLS end to end when the clients and targets speak it.
    The evidence: the listener on 443 and every target group it forwards to on 443 or checked over HTTPS."""
    not_shown = _tls_passthrough_gaps(resource, view) if protocol == TCP else [f"Protocol {protocol} carries UDP too"]
    if not_shown:
        yield Violation(
            prop_path("Protocol"),
            f"the listener passes {protocol} through without terminating TLS, and that the traffic is TLS end to "
            f"end cannot be shown: {'; '.join(not_shown)}",
        )


def _tls_passthrough_gaps(listener: Resource, view: TemplateView) -> list[str]:
    """What keeps a TCP listener from being shown to pass TLS through (empty: nothing)."""
    gaps: list[str] = []
    ports = _shown(view, listener.properties.get("Port", MISSING))
    if ports != [TLS_PORT]:
        gaps.append(f"its port is {' or '.join(ports) or 'not set'}, not {TLS_PORT}")
    groups = list(_forwarded_groups(listener, view))
    if not groups:
        gaps.append("it forwards to no target group")
    for group in groups:
        if isinstance(group, Unknown):
            gaps.append(f"it forwards to {group.reason}, whose targets the template does not show")
            continue
        group_ports = _shown(view, group.properties.get("Port", MISSING))
        checks = [text.upper() for text in _shown(view, group.properties.get("HealthCheckProtocol", MISSING))]
        checks = checks or [
            text.upper() for text in _shown(view, group.properties.get("Protocol", MISSING))
        ]  # the default
        if group_ports != [TLS_PORT] and checks != ["HTTPS"]:
            gaps.append(
                f"its target group {group.logical_id} is on port {' or '.join(group_ports) or 'not set'} with "
                f"health checks over {' or '.join(checks) or 'its protocol'}, not HTTPS"
            )
    return gaps


def _forwarded_groups(listener: Resource, view: TemplateView) -> Iterator[Resource | Unknown]:
    """The target groups the listener's default actions forward to (TargetGroupArn, ForwardConfig)."""
    for _, action in elements(view.resolve(listener.properties.get("DefaultActions", MISSING))):
        if isinstance(action, Unknown):
            yield action
            continue
        for _, arn in action_target_groups(action, ()):
            if arn is MISSING:
                continue
            logical_id = referent(arn)
            group_resource = view.resource(logical_id) if logical_id else None
            if group_resource is not None and group_resource.type == TARGET_GROUP:
                yield group_resource
            else:
                yield arn if isinstance(arn, Unknown) else Unknown(f"the target group {arn}")


def _shown(view: TemplateView, raw: Any) -> list[str]:
    """Each distinct value a property may take, as text (what the template does not decide, by its reason)."""
    shown = [text if isinstance(text, str) else text.reason for text in text_options(view, raw)]
    return list(dict.fromkeys(shown))


def _on_gateway_load_balancer(listener: Resource, view: TemplateView) -> bool:
    target = referent(view.resolve(listener.properties.get("LoadBalancerArn", MISSING)))
    balancer = view.resource(target) if target else None
    if balancer is None or balancer.type != LOAD_BALANCER:
        return False
    return bool(view.resolve(balancer.properties.get("Type", MISSING)) == "gateway")


def _http_default_actions(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    actions = view.resolve(resource.properties.get("DefaultActions", MISSING))
    found = False
    for index, action in elements(actions):
        found = True
        if index is None:
            yield unresolved(
                ("DefaultActions",),
                "that the HTTP listener only redirects to HTTPS",
                action,
            )
            continue
        yield from _redirects_to_https(action, index, "DefaultActions", "the HTTP listener's")
    if not found:
        yield Violation(
            prop_path("DefaultActions"),
            "the listener accepts plain HTTP and has no default action redirecting to HTTPS",
        )


def _redirects_to_https(action: Any, index: int, key: str, whose: str) -> Iterator[Violation]:
    path = (key, index)
    for action_type in descend(action, ("Type",)):
        text = scalar(action_type)
        if isinstance(text, Unknown):
            yield unresolved((*path, "Type"), f"{whose} action {index}", text)
        elif text is None or text.lower() != "redirect":
            yield Violation(
                prop_path(*path, "Type"),
                f"{whose} action {index} answers plain HTTP without redirecting to HTTPS "
                f"(Type is {text or 'not set'}): requests and responses cross the network unencrypted",
            )
        else:
            yield from _redirect_protocol(action, path, whose, index)


def _redirect_protocol(action: Any, path: tuple[str, int], whose: str, index: int) -> Iterator[Violation]:
    for protocol in descend(action, ("RedirectConfig", "Protocol")):
        text = scalar(protocol)
        protocol_path = (*path, "RedirectConfig", "Protocol")
        if isinstance(text, Unknown):
            yield unresolved(protocol_path, f"the protocol {whose} redirect {index} sends to", text)
        elif text is None:
            yield Violation(
                prop_path(*protocol_path),
                f"{whose} redirect {index} keeps plain HTTP: RedirectConfig.Protocol is not set, so it is "
                f"{KEEP_PROTOCOL}",
            )
        elif text.upper() != "HTTPS":
            yield Violation(
                prop_path(*protocol_path),
                f"{whose} redirect {index} does not lead to HTTPS (RedirectConfig.Protocol is {text})",
            )


def _listener_rule(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    forwarding = _forwarding_action(resource, view)
    if forwarding is None:
        return
    index, forward_unknown = forwarding
    for target in options(view.resolve(resource.properties.get("ListenerArn", MISSING))):
        listener_id = referent(target)
        listener = view.resource(listener_id) if listener_id else None
        if listener is None or listener.type != LISTENER:
            unknown = target if isinstance(target, Unknown) else Unknown("not a listener of this template")
            yield unresolved(("ListenerArn",), "that the listener this rule forwards from accepts only HTTPS", unknown)
            continue
        for protocol in protocols(listener, view):
            if isinstance(protocol, Unknown) or protocol is None:
                yield unresolved(
                    ("ListenerArn",),
                    f"the protocol of the listener {listener.logical_id} this rule forwards from",
                    protocol or Unknown("a listener without a Protocol"),
                )
            elif protocol == HTTP or protocol in PLAIN_TCP:
                if forward_unknown is not None:
                    yield unresolved(
                        ("Actions", index) if index is not None else ("Actions",),
                        f"that this rule on the plain-HTTP listener {listener.logical_id} does not forward",
                        forward_unknown,
                    )
                else:
                    yield Violation(
                        prop_path("Actions", index if index is not None else 0, "Type"),
                        "the rule forwards requests that arrive over plain HTTP on the listener "
                        f"{listener.logical_id} (Protocol {protocol}) instead of redirecting them to HTTPS",
                    )


def _forwarding_action(resource: Resource, view: TemplateView) -> tuple[int | None, Unknown | None] | None:
    """The first action that forwards, or may forward: (index, None) when it does, (index, Unknown) when
    the template does not decide its type; None when no action forwards.
    """
    undecided: tuple[int | None, Unknown | None] | None = None
    for index, action in elements(view.resolve(resource.properties.get("Actions", MISSING))):
        if isinstance(action, Unknown):
            undecided = undecided or (index, action)
            continue
        for action_type in descend(action, ("Type",)):
            text = scalar(action_type)
            if isinstance(text, Unknown):
                undecided = undecided or (index, text)
            elif text is not None and text.lower() == "forward":
                return index, None
    return undecided


RULE = Rule(
    id="EU-ENC-041",
    title="Load balancer listeners accept only HTTPS or TLS, and plain HTTP only redirects to HTTPS",
    explanation=(
        "A listener on plain HTTP or TCP carries chat messages, credentials and cookies across the internet "
        "unencrypted, where anyone on the path can read or change them; the privacy policy promises "
        "encryption in transit. Port 80 may stay open only to send every client to HTTPS, and no listener "
        "rule may forward what arrives there."
    ),
    fix=(
        "Set Protocol: HTTPS (ALB) or TLS (NLB) with a certificate; keep an HTTP listener only with "
        "DefaultActions [{Type: redirect, RedirectConfig: {Protocol: HTTPS, Port: '443', StatusCode: "
        "HTTP_301}}] and no forwarding rules (L2: alb.add_listener(..., protocol=ApplicationProtocol.HTTPS, "
        "certificates=[...]) and alb.add_redirect(); nlb.add_listener(..., protocol=Protocol.TLS)); to pass TLS "
        "through an NLB, listen with TCP on 443 and forward to target groups on 443 or with HealthCheckProtocol "
        "HTTPS; or use constructs_lib's TlsLoadBalancer."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({LISTENER, LISTENER_RULE}),
    check_resource=check,
)
