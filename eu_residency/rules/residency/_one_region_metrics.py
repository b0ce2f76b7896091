"""Alarms AWS keeps in one region whatever the stack wants (Route 53 health checks: us-east-1), and the one note
EU-RES-060 and EU-RES-001 add when they report one."""

from __future__ import annotations

from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.core.values import descend, elements, values_at

# Route 53 publishes its metrics only in us-east-1 ("not available if you select any other region":
# docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html), and an alarm watches metrics
# of its own region: an alarm on a health check, and what it notifies, live there.
ONE_REGION_METRICS = {"AWS/Route53": "us-east-1"}
ALARM = "AWS::CloudWatch::Alarm"
# What such an alarm's stack holds besides its alarms: the health checks (a global service) and the topics the
# alarms notify, their subscriptions and policies; CDK's version reporting.
ALARM_COMPANIONS = frozenset(
    {
        "AWS::Route53::HealthCheck",
        "AWS::SNS::Topic",
        "AWS::SNS::Subscription",
        "AWS::SNS::TopicPolicy",
        "AWS::CDK::Metadata",
    }
)


def forced_region(resource: Resource, view: TemplateView) -> str | None:
    """The one region AWS keeps the metric of an alarm in (a Route 53 health check's: us-east-1), if any."""
    if resource.type != ALARM:
        return None
    namespaces = values_at(view, resource.properties, ("Namespace",))
    for metric in values_at(view, resource.properties, ("Metrics",)):
        for _, query in elements(metric):
            namespaces += descend(query, ("MetricStat", "Metric", "Namespace"))
    regions = {ONE_REGION_METRICS.get(namespace) for namespace in namespaces if isinstance(namespace, str)}
    regions.discard(None)
    return regions.pop() if len(regions) == 1 else None


def forced_region_note(region: str) -> str:
    """Why an alarm is in ``region`` though the data stays in the EU, and how to keep it so."""
    return (
        f"AWS keeps Route 53 health-check metrics, and so their alarms, only in {region}: keep user data out of "
        "alarm names and descriptions, and publish nothing else to their topics"
    )
