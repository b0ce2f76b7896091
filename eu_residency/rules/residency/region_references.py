"""EU-RES-060: no resource property names another region (ARNs, endpoints, region properties)."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.regions import describe_region
from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.core.values import descend, elements, values_at
from eu_residency.core.vocabulary import CERTIFICATE, REGION_BOUND_PROPERTIES
from eu_residency.rules.predicates import (
    arn_region_of,
    bound_property_at,
    prop_path,
    region_bound_values,
    region_violations,
)
from eu_residency.rules.residency._references import region_properties, region_references

# Not user resources: CDK's version-reporting resource (its Condition lists regions, harmlessly).
SKIPPED_TYPES = frozenset({"AWS::CDK::Metadata"})


# Metrics AWS publishes in one region only: an alarm on them, and its actions, live there whatever the stack wants.
ONE_REGION_METRICS = {"AWS/Route53": "us-east-1"}  # Route 53 health checks
ALARM = "AWS::CloudWatch::Alarm"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    if resource.type in SKIPPED_TYPES:
        return
    forced = _forced_region(resource, view)
    for reference in region_references(view, resource.properties):
        if reference.region in view.settings.allowed_regions or reference.region == view.region:
            continue  # the stack's own region (``${AWS::Region}`` resolved) is EU-RES-001's to judge
        if bound_property_at(resource.type, reference.path):
            continue  # a property AWS binds to one region is read below (certificates: EU-RES-035)
        if reference.kind == "property":  # the value is the region itself: say which property names it
            message = f"the region property {reference.text} is {describe_region(reference.region)}"
        else:
            what = {"arn": "the ARN", "endpoint": "the endpoint"}[reference.kind]
            message = f"{what} {reference.text} is in {describe_region(reference.region)}"
        if reference.region == forced:
            message += (
                f"; Route 53 publishes health-check metrics only in {forced}, so their alarms and actions live "
                "there: keep user data out of them (names, dimensions, topics, messages)"
            )
        yield Violation(prop_path(*reference.path), message, Severity.FATAL)
    for bound in REGION_BOUND_PROPERTIES.get(resource.type, ()):
        if bound.holds != CERTIFICATE:
            for path, option in region_bound_values(view, resource, bound):
                yield from arn_region_of(view, option, prop_path(*path), f"the {bound.holds}", bound=bound)
    for region_property in region_properties(resource.properties):
        yield from region_violations(view, region_property.value, region_property.path, "the region property")


def _forced_region(resource: Resource, view: TemplateView) -> str | None:
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


RULE = Rule(
    id="EU-RES-060",
    title="No resource refers to a region outside the allowed set",
    explanation=(
        "An ARN, service endpoint or region property naming another region means data is read from, written "
        "to or sent to that region: a topic, queue, bucket, function or API there. This catch-all reads every "
        "literal string of every property, including Fn::Join and Fn::Sub pieces and JSON documents carried "
        "as strings (state machine definitions, policies, AwsCustomResource calls and their region), key by key; "
        "the specific residency rules report their own properties first. A property AWS binds to the stack's "
        "own region (a Lambda function's image) that names another is a template that cannot deploy: an error."
    ),
    fix="Point the property at a resource in an allowed region, or use ${AWS::Region} so that it follows the "
    "stack's own region.",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({"*"}),
    check_resource=check,
    catch_all=True,
)
