"""EU-RES-060: no resource property names another region (ARNs, endpoints, region properties)."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.regions import describe_region
from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.predicates import prop_path, region_violations
from eu_residency.rules.residency._references import region_properties, region_references

# Not user resources: CDK's version-reporting resource (its Condition lists regions, harmlessly).
SKIPPED_TYPES = frozenset({"AWS::CDK::Metadata"})


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    if resource.type in SKIPPED_TYPES:
        return
    for reference in region_references(view, resource.properties):
        if reference.service == "acm" or reference.region in view.settings.allowed_regions:
            continue  # certificates are EU-RES-035's
        if reference.kind == "property":  # the value is the region itself: say which property names it
            message = f"the region property {reference.text} is {describe_region(reference.region)}"
        else:
            what = {"arn": "the ARN", "endpoint": "the endpoint"}[reference.kind]
            message = f"{what} {reference.text} is in {describe_region(reference.region)}"
        yield Violation(prop_path(*reference.path), message, Severity.FATAL)
    for region_property in region_properties(resource.properties):
        yield from region_violations(view, region_property.value, region_property.path, "the region property")


RULE = Rule(
    id="EU-RES-060",
    title="No resource refers to a region outside the allowed set",
    explanation=(
        "An ARN, service endpoint or region property naming another region means data is read from, written "
        "to or sent to that region: a topic, queue, bucket, function or API there. This catch-all reads every "
        "literal string of every property, including Fn::Join and Fn::Sub pieces and JSON documents carried "
        "as strings (state machine definitions, policies, container environments); the specific residency "
        "rules report their own properties first."
    ),
    fix="Point the property at a resource in an allowed region, or use ${AWS::Region} so that it follows the "
    "stack's own region.",
    severity=Severity.FATAL,
    resource_types=frozenset({"*"}),
    check_resource=check,
    catch_all=True,
)
