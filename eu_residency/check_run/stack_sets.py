"""StackSets whose template is inline: each region a StackSet deploys its TemplateBody to is checked as a
template of its own, with the StackSet's template as its parent.

CloudFormation deploys a StackSet's template as one stack instance per region (and account) of its
StackInstancesGroup. For each StackSet with a literal TemplateBody, each region the template gives, read
through the one resolver, becomes one more template of the app, named after the StackSet and the region;
each branch of an Fn::If decided at deploy time is a region it may deploy to, and the regions the template
does not give (a parameter, an import) make one more instance, checked without a region. A region name AWS
does not have deploys no stack, so it gives none. EU-RES-003 reports the regions themselves and every
StackSet whose template is not checked here: a TemplateURL, a TemplateBody that is not literal text, and a
StackSet inside a StackSet's template (one level is read, so the instances are bounded by the regions AWS
has).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from eu_residency.check_run.local_nested import Loaded
from eu_residency.check_run.results import TemplateResult
from eu_residency.core.regions import is_known_region
from eu_residency.core.resolved import NO_VALUE, Unknown, scalar
from eu_residency.core.settings import RuleSettings
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.core.values import descend, elements, values_at
from eu_residency.rules.residency.stack_set_regions import STACK_SET_TYPE
from eu_residency.template_loader import TemplateError, parse_template_with_lines

UNDECIDED_REGION = "a region the template does not decide"


def with_stack_set_templates(loaded: Sequence[Loaded], results: list[TemplateResult]) -> list[Loaded]:
    """``loaded`` and, after it, the stack instances of the inline templates of its StackSets: one per
    region, each checked as a template of its own in that region. A TemplateBody that is not a template is
    a result with an error that names the StackSet."""
    instances: list[Loaded] = []
    for candidate, template, lines in loaded:
        view = TemplateView(template=template, region=candidate.region, settings=RuleSettings(), name=candidate.name)
        for stack_set in view.resources_of_type(STACK_SET_TYPE):
            body = stack_set.properties.get("TemplateBody")
            regions = stack_set_regions(view, stack_set)
            if not isinstance(body, str) or not regions:
                continue
            source = f"{candidate.path} (the TemplateBody of the stack set {stack_set.logical_id})"
            try:
                child, _ = parse_template_with_lines(body, source)
            except TemplateError as error:
                results.append(TemplateResult(path=str(candidate.path), region=candidate.region, error=str(error)))
                continue
            # The instance's resources are inside the StackSet's: findings point at its line in the file.
            line = lines.get(stack_set.logical_id, 1)
            child_lines = {str(logical_id): line for logical_id in child["Resources"]}
            for region in regions:
                instance = replace(
                    candidate,
                    region=region,
                    optional=False,
                    cdk_acknowledgements=(),
                    parent=candidate.name,
                    nested_as=stack_set.logical_id,
                    stack_name=None,
                    instance=f"{candidate.name} (stack set {stack_set.logical_id} in {region or UNDECIDED_REGION})",
                )
                instances.append((instance, child, child_lines))
    return [*loaded, *instances]


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


__all__ = ["UNDECIDED_REGION", "stack_set_regions", "with_stack_set_templates"]
