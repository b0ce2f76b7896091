"""EU-RES-025: EventBridge global endpoints fail over and replicate events only to allowed regions."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.residency._replication import STAR, arn_violations, region_leaf, settled, walk

SECONDARY = ("RoutingConfig", "FailoverConfig", "Secondary", "Route")
EVENT_BUSES = ("EventBuses", STAR, "EventBusArn")
BUS = "AWS::Events::EventBus"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from settled(_violations(resource, view))


def _violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    # The secondary region receives events whenever the endpoint fails over, whatever ReplicationConfig says;
    # with replication ENABLED it receives every event all the time.
    for path, region in walk(view, resource.properties, SECONDARY):
        yield from region_leaf(view, path, region, "the secondary region, where events go on failover,", required=False)
    for path, bus in walk(view, resource.properties, EVENT_BUSES):
        yield from arn_violations(view, bus, path, "the endpoint's event bus", (BUS,))


RULE = Rule(
    id="EU-RES-025",
    title="EventBridge global endpoints route events only to buses in allowed regions",
    explanation=(
        "A global endpoint sends the events put to it, which may carry user data, to the event bus of its "
        "secondary region whenever its Route 53 health check fails, and to both regions all the time when event "
        "replication is enabled; the rules and targets there then process the events. A secondary region or "
        "event bus proven to be outside the allowed set is fatal; one that cannot be shown (a parameter, an "
        "import) is an error."
    ),
    fix="Set RoutingConfig.FailoverConfig.Secondary.Route to an allowed region and list in "
    "EventBuses[].EventBusArn only buses in allowed regions (aws-cdk-lib has only the L1 CfnEndpoint).",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({"AWS::Events::Endpoint"}),
    check_resource=check,
)
