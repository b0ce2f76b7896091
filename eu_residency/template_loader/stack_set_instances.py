"""The stack instances of a template's StackSets whose TemplateBody is inline: each a template of the app, one
per region, derived the same way for the command (``check_run.stack_sets``) and the synth-time plugin.

CloudFormation deploys a StackSet's template as one stack instance per region (and account) of its
StackInstancesGroup. For each StackSet with a literal TemplateBody, each region the template gives, read
through the one resolver, becomes one more template of the app, named after the StackSet and the region;
each branch of an Fn::If decided at deploy time is a region it may deploy to, and the regions the template
does not give (a parameter, an import) make one more instance, checked without a region. A region name AWS
does not have deploys no stack, so it gives none. EU-RES-003 reports the regions themselves and every
StackSet whose template is not checked here: a TemplateURL, a TemplateBody that is not literal text or not a
template, and a StackSet inside a StackSet's template (one level is read, so the instances are bounded by
the regions AWS has).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eu_residency.core.regions import is_known_region
from eu_residency.core.resolved import NO_VALUE, Unknown, scalar
from eu_residency.core.settings import RuleSettings
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.core.values import descend, elements, values_at
from eu_residency.core.vocabulary import STACK_SET_TYPE, TEMPLATE_BODY
from eu_residency.template_loader import TemplateError, parse_template_with_lines

UNDECIDED_REGION = "a region the template does not decide"


@dataclass(frozen=True)
class StackSetInstance:
    """One stack instance of a StackSet of ``parent``: its template (the StackSet's TemplateBody, parsed),
    checked as a template of the app under ``name`` in ``region`` (None: a region chosen at deploy time)."""

    name: str
    template: dict[str, Any]
    region: str | None
    parent: str
    nested_as: str  # the StackSet's logical id in the parent's template
    # The StackSet's construct path, when CDK recorded it on the resource (``aws:cdk:path``).
    construct_path: str | None = None

    @property
    def label(self) -> str:
        return instance_label(self.nested_as, self.region)


@dataclass(frozen=True)
class UnreadableBody:
    """A StackSet of ``parent`` whose literal TemplateBody is not a template: why, in one line."""

    parent: str
    stack_set: str
    error: str


def instance_label(stack_set: str, region: str | None) -> str:
    """How every output names a stack instance: ``stack set Instances in eu-west-1``."""
    return f"stack set {stack_set} in {region or UNDECIDED_REGION}"


def stack_set_instances(
    name: str, template: Mapping[str, Any], region: str | None
) -> tuple[list[StackSetInstance], list[UnreadableBody]]:
    """The stack instances of the StackSets of ``template`` (checked under ``name``, deployed to ``region``)
    whose TemplateBody is literal text, one per region in the template's order; and each such TemplateBody
    that is not a template, which no instance checks."""
    view = TemplateView(template=template, region=region, settings=RuleSettings(), name=name)
    instances: list[StackSetInstance] = []
    unreadable: list[UnreadableBody] = []
    for stack_set in view.resources_of_type(STACK_SET_TYPE):
        body = stack_set.properties.get(TEMPLATE_BODY)
        regions = stack_set_regions(view, stack_set)
        if not isinstance(body, str) or not regions:
            continue
        try:
            child, _ = parse_template_with_lines(
                body, f"{name} (the TemplateBody of the stack set {stack_set.logical_id})"
            )
        except TemplateError as error:
            unreadable.append(UnreadableBody(parent=name, stack_set=stack_set.logical_id, error=str(error)))
            continue
        instances += [
            StackSetInstance(
                name=f"{name} ({instance_label(stack_set.logical_id, instance_region)})",
                template=child,
                region=instance_region,
                parent=name,
                nested_as=stack_set.logical_id,
                construct_path=stack_set.construct_path,
            )
            for instance_region in regions
        ]
    return instances, unreadable


def stack_set_regions(view: TemplateView, stack_set: Resource) -> list[str | None]:
    """The regions the StackSet deploys its instances to, once each in the template's order, the regions AWS
    has only; None once, last, when the template does not decide some of them."""
    regions: dict[str, None] = {}
    undecided = False
    for groups in values_at(view, stack_set.properties, ("StackInstancesGroup",)):
        for _, group in elements(groups):
            if isinstance(group, Unknown):
                undecided = True
            elif isinstance(group, Mapping):
                for listed in descend(group.get("Regions", NO_VALUE), ()):
                    for _, item in elements(listed):
                        region = _region(item)
                        if isinstance(region, str):
                            regions.setdefault(region)
                        undecided = undecided or isinstance(region, Unknown)
    return [*regions, *([None] if undecided else [])]


def _region(value: Any) -> str | Unknown | None:
    """A region AWS has, what the template does not decide, or None for a value that names no region."""
    text = scalar(value)
    if isinstance(text, str):
        return text if is_known_region(text) else None
    return text


__all__ = [
    "UNDECIDED_REGION",
    "StackSetInstance",
    "UnreadableBody",
    "instance_label",
    "stack_set_instances",
    "stack_set_regions",
]
