"""EU-RES-052: SNS delivers to HTTP(S), e-mail and SMS only where the recipient is vetted to be in the EU."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import get, text_options
from eu_residency.rules.predicates import prop_path
from eu_residency.rules.residency._endpoints import endpoint_violations

EXTERNAL_PROTOCOLS = frozenset({"http", "https", "email", "email-json", "sms"})


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    if resource.type == "AWS::SNS::Subscription":
        yield from _subscription(view, resource.properties, ())
        return
    subscriptions = get(resource.properties, ("Subscription",))
    if isinstance(subscriptions, list):
        for index, subscription in enumerate(subscriptions):
            if isinstance(subscription, dict):
                yield from _subscription(view, subscription, ("Subscription", index))


def _subscription(view: TemplateView, subscription: dict[str, Any] | Any, path: PropertyPath) -> Iterator[Violation]:
    for protocol in text_options(view, get(subscription, ("Protocol",))):
        if isinstance(protocol, Unknown):
            yield Violation(
                prop_path(*path, "Protocol"),
                f"the protocol cannot be shown to stay in AWS: it is {protocol.reason}",
                Severity.ERROR,
                protocol,
            )
        elif protocol.lower() in EXTERNAL_PROTOCOLS:
            yield from endpoint_violations(
                view, get(subscription, ("Endpoint",)), (*path, "Endpoint"), f"the {protocol} subscription"
            )


RULE = Rule(
    id="EU-RES-052",
    title="SNS sends to HTTP(S), e-mail and SMS only where the recipient is vetted to be in the EU",
    explanation=(
        "HTTP(S), e-mail and SMS subscriptions deliver messages out of AWS to servers, mailboxes and phones "
        "whose location the template cannot show; the messages may carry user data."
    ),
    fix="Subscribe SQS queues or Lambda functions in the region; or, once a recipient is shown to be in the "
    "EU, add its URL (scheme and host, optionally a path), e-mail domain (@example.eu) or EU country calling code "
    "(+353) to eu-residency:eu-endpoints.",
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::SNS::Subscription", "AWS::SNS::Topic"}),
    check_resource=check,
)
