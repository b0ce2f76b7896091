"""EU-RES-003: a StackSet's instances deploy only a template that is checked, only to allowed regions.

A StackSet deploys its template as one stack instance in each region of each StackInstancesGroup entry.
Where the instances deploy (their regions) and what they deploy (their template) are one rule because they
answer one question, whether the instances can be shown to keep data in the allowed regions: a region
proven outside is fatal, a region or a template that cannot be shown is an error. An inline TemplateBody is
checked, by the command and by the synth-time plugin alike, as a template of its own in each region
(``template_loader.stack_set_instances``), with this template as its parent, so the app knows it; a
TemplateURL (a file in S3) is not checked, as EU-RES-002 says of nested stacks. A StackSet without
instances deploys nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.resolved import Cause, Unknown, options
from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.core.vocabulary import STACK_SET_TYPE, TEMPLATE_BODY
from eu_residency.rules.predicates import prop_path, unchecked_template
from eu_residency.rules.residency._replication import STAR, region_leaf, settled, walk

REGIONS = ("StackInstancesGroup", STAR, "Regions", STAR)  # a walk pattern: every region of every entry
NOT_CHECKED = "what the stack set's instances deploy cannot be shown: their template"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from settled(_violations(resource, view))


def _violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    regions = list(walk(view, resource.properties, REGIONS))
    for path, region in regions:
        yield from region_leaf(view, path, region, "the region a stack instance deploys to")
    if regions:
        yield from _template(resource, view)


def _template(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    """The template the instances deploy: checked with this one (an inline TemplateBody the command read),
    or a finding that says why it is not."""
    if view.app is not None and view.app.nested_child(view.name, resource.logical_id) is not None:
        return
    if "TemplateURL" in resource.properties:
        for option in options(view.resolve(resource.properties["TemplateURL"])):
            yield unchecked_template(NOT_CHECKED, "TemplateURL", option)
    elif TEMPLATE_BODY in resource.properties:
        for option in options(view.resolve(resource.properties[TEMPLATE_BODY])):
            yield unchecked_template(NOT_CHECKED, TEMPLATE_BODY, option)
    else:
        unknown = Unknown("a stack set without a TemplateBody or a TemplateURL", Cause.MALFORMED)
        claim = f"{NOT_CHECKED} is not among the templates checked"
        message = f"{claim}: the stack set names neither a TemplateBody nor a TemplateURL"
        yield Violation(prop_path(TEMPLATE_BODY), message, Severity.ERROR, unknown)


RULE = Rule(
    id="EU-RES-003",
    title="A StackSet's instances deploy only a checked template, only to allowed regions",
    explanation=(
        "A StackSet deploys its template as a stack in every region its StackInstancesGroup lists: a region "
        "outside the allowed set stores what that stack holds outside it, and a template that is not checked "
        "(a TemplateURL in S3, a TemplateBody the check does not read) may deploy anything. A region proven "
        "to be outside the allowed regions is fatal; one that cannot be shown (a parameter, a condition "
        "decided at deploy time) and a template that is not checked are errors."
    ),
    fix=(
        "List only allowed regions in StackInstancesGroup[].Regions, as literal region names, and give the "
        "instances' template inline as TemplateBody, which is then checked in each region (L1 "
        "only: CfnStackSet(template_body=..., stack_instances_group=[StackInstancesProperty(regions=["
        "'eu-central-1'], ...)]))."
    ),
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({STACK_SET_TYPE}),
    check_resource=check,
)
