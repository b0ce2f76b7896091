"""EU-RES-060: no resource property names another region (ARNs, endpoints, region properties)."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.regions import describe_region
from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.core.vocabulary import CERTIFICATE, REGION_BOUND_PROPERTIES
from eu_residency.rules.predicates import (
    arn_region_of,
    bound_property_at,
    prop_path,
    region_bound_values,
    region_violations,
)
from eu_residency.rules.residency._one_region_metrics import forced_region, forced_region_note
from eu_residency.rules.residency._references import RegionReference, region_properties, region_references

# Not user resources: CDK's version-reporting resource (its Condition lists regions, harmlessly).
SKIPPED_TYPES = frozenset({"AWS::CDK::Metadata"})
# A custom resource's properties are the calls its code makes (an AwsCustomResource's Create and Update, the same
# call at two times): a region they name is one finding for the resource, not one per property.
CUSTOM_RESOURCE = "AWS::CloudFormation::CustomResource"
CUSTOM_PREFIX = "Custom::"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    if resource.type in SKIPPED_TYPES:
        return
    forced = forced_region(resource, view)
    for reference, also_in in _outside_references(resource, view):
        if reference.kind == "property":  # the value is the region itself: say which property names it
            message = f"the region property {reference.text} is {describe_region(reference.region)}"
        else:
            what = {"arn": "the ARN", "endpoint": "the endpoint"}[reference.kind]
            message = f"{what} {reference.text} is in {describe_region(reference.region)}"
        if also_in:
            message += f"; {' and '.join(also_in)} {'names' if len(also_in) == 1 else 'name'} it too"
        if reference.region == forced:
            message += f"; {forced_region_note(forced)}"
        yield Violation(prop_path(*reference.path), message, Severity.FATAL)
    for bound in REGION_BOUND_PROPERTIES.get(resource.type, ()):
        if bound.holds != CERTIFICATE:
            for path, option in region_bound_values(view, resource, bound):
                yield from arn_region_of(view, option, prop_path(*path), f"the {bound.holds}", bound=bound)
    for region_property in region_properties(resource.properties):
        yield from region_violations(view, region_property.value, region_property.path, "the region property")


def _outside_references(resource: Resource, view: TemplateView) -> Iterator[tuple[RegionReference, list[str]]]:
    """Each reference to a region outside the allowed set, with (for a custom resource, whose references are
    one per region) the other top-level properties naming that region differently; the same text in another
    property (Update repeating Create) is not said again."""
    custom = resource.type == CUSTOM_RESOURCE or resource.type.startswith(CUSTOM_PREFIX)
    kept: dict[str, tuple[RegionReference, list[str]]] = {}
    for reference in region_references(view, resource.properties):
        if reference.region in view.settings.allowed_regions or reference.region == view.region:
            continue  # the stack's own region (``${AWS::Region}`` resolved) is EU-RES-001's to judge
        if bound_property_at(resource.type, reference.path):
            continue  # a property AWS binds to one region is read below (certificates: EU-RES-035)
        if not custom:
            yield reference, []
            continue
        first = kept.get(reference.region)
        if first is None:
            kept[reference.region] = (reference, [])
            continue
        named, also_in = first
        where, named_where = str(reference.path[0]), str(named.path[0])
        if reference.text != named.text and where != named_where and where not in also_in:
            also_in.append(where)
    yield from kept.values()


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
    reports_undeployable=True,
    resource_types=frozenset({"*"}),
    check_resource=check,
    catch_all=True,
)
