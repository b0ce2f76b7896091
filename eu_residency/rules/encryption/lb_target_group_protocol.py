"""EU-ENC-064: HTTPS listeners forward only to target groups that take HTTPS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eu_residency.core.messages import shortened, shown_value
from eu_residency.core.resolved import scalar
from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, ResourceRef, TemplateView, Unknown, options
from eu_residency.core.values import MISSING, elements, referent
from eu_residency.rules.encryption._forward_actions import LISTENER_RULE, TARGET_GROUP, action_target_groups
from eu_residency.rules.encryption._in_transit import LISTENER, protocols
from eu_residency.rules.predicates import prop_path, unresolved

HTTPS = "HTTPS"
HTTP = "HTTP"
# Lambda targets have no protocol: the load balancer invokes the function through the Lambda service.
LAMBDA_TARGETS = "lambda"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    if resource.type == LISTENER:
        if HTTPS in protocols(resource, view):
            yield from _http_forwards(
                resource, view, "DefaultActions", f"the listener {resource.logical_id} ends HTTPS and forwards"
            )
    else:
        yield from _rule(resource, view)


def _rule(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    for target in options(view.resolve(resource.properties.get("ListenerArn", MISSING))):
        listener_id = referent(target)
        listener = view.resource(listener_id) if listener_id and _local(target) else None
        if listener is not None and listener.type == LISTENER:
            if HTTPS in protocols(listener, view):
                yield from _http_forwards(
                    resource,
                    view,
                    "Actions",
                    f"the rule forwards what the HTTPS listener {listener.logical_id} decrypts",
                )
            continue
        unknown = target if isinstance(target, Unknown) else Unknown("a value that is not a listener of this template")
        for _path, found in _forwarded(resource, view, "Actions"):
            if isinstance(found, Violation):
                yield found
            else:
                what = f"whether the listener of this rule (which forwards to the HTTP target group {found}) ends HTTPS"
                yield unresolved(("ListenerArn",), what, unknown)


def _http_forwards(resource: Resource, view: TemplateView, key: str, origin: str) -> Iterator[Violation]:
    for path, found in _forwarded(resource, view, key):
        if isinstance(found, Violation):
            yield found
        else:
            yield Violation(
                prop_path(*path),
                f"{origin} to {found}, whose Protocol is HTTP: requests and responses cross the VPC in plain text",
            )


def _forwarded(resource: Resource, view: TemplateView, key: str) -> Iterator[tuple[PropertyPath, str | Violation]]:
    """Each plain-HTTP target group the actions at ``key`` forward to (its logical id, with the path that
    names it), and a finding for each target group whose protocol cannot be shown."""
    for index, action in elements(view.resolve(resource.properties.get(key, MISSING))):
        if index is None:
            yield (key,), unresolved((key,), "where the HTTPS listener's requests are forwarded", action)
            continue
        for path, group in action_target_groups(action, (key, index)):
            yield from _target_group(view, group, path)


def _target_group(view: TemplateView, value: Any, path: PropertyPath) -> Iterator[tuple[PropertyPath, str | Violation]]:
    logical_id = referent(value)
    group = view.resource(logical_id) if logical_id and _local(value) else None
    if group is None or group.type != TARGET_GROUP:
        unknown = (
            value
            if isinstance(value, Unknown)
            else Unknown(f"the target group {_shown(value)}, which this template does not define")
        )
        yield path, unresolved(path, "the protocol the load balancer uses to reach this target group", unknown)
        return
    target_types = options(view.resolve(group.properties.get("TargetType", MISSING)))
    if all(scalar(kind) == LAMBDA_TARGETS for kind in target_types):
        return
    for protocol in options(view.resolve(group.properties.get("Protocol", MISSING))):
        text = scalar(protocol)
        if isinstance(text, Unknown):
            yield path, unresolved(path, f"the protocol of the target group {group.logical_id}", text)
        elif text is not None and text.upper() == HTTP:
            yield path, group.logical_id


def _shown(value: Any) -> str:
    return shortened(value) if isinstance(value, str) else shown_value(value)


def _local(value: Any) -> bool:
    return isinstance(value, ResourceRef) and value.local


RULE = Rule(
    id="EU-ENC-064",
    title="HTTPS listeners forward only to target groups that take HTTPS",
    explanation=(
        "A load balancer that ends HTTPS and forwards to a target group whose Protocol is HTTP sends every "
        "request and response, chat messages, cookies and tokens among them, across the VPC unencrypted, "
        "where anything with access to the network path can read them. The privacy policy promises "
        "encryption in transit, and this platform promises HTTPS to the container; Lambda targets have no "
        "network protocol and are not judged."
    ),
    fix=(
        "Give the AWS::ElasticLoadBalancingV2::TargetGroup Protocol: HTTPS and serve TLS on the target port "
        "(L2: listener.add_targets(..., protocol=elbv2.ApplicationProtocol.HTTPS) or "
        "elbv2.ApplicationTargetGroup(protocol=elbv2.ApplicationProtocol.HTTPS)); or use constructs_lib's "
        "TlsLoadBalancer with HTTPS targets."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({LISTENER, LISTENER_RULE}),
    check_resource=check,
)
