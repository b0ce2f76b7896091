"""Launch templates named by other resources (an EC2 instance, a Batch compute environment): one of this
template's is judged by EU-ENC-008 itself; any other cannot be shown to encrypt the volumes it creates.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eu_residency.core.rule_model import PropertyPath, Severity, Violation
from eu_residency.core.template_view import ResourceRef, TemplateView, Unknown
from eu_residency.core.values import MISSING, descend, values_at
from eu_residency.rules.predicates import prop_path, unresolved

LAUNCH_TEMPLATE = "AWS::EC2::LaunchTemplate"
SPECIFICATION_KEYS = ("LaunchTemplateId", "LaunchTemplateName")


def launch_template_names(view: TemplateView) -> set[str]:
    """The names of the template's launch templates, read once per template."""

    def names() -> set[str]:
        return {
            name
            for template in view.resources_of_type(LAUNCH_TEMPLATE)
            for name in values_at(view, template.properties, ("LaunchTemplateName",))
            if isinstance(name, str)
        }

    return view.memo(f"{__name__}.launch_template_names", names)


def foreign_launch_templates(
    view: TemplateView, specification: Any, path: PropertyPath, what: str, source: str
) -> Iterator[Violation]:
    """``specification`` (a resolved launch template specification at ``path``) names its launch template by
    LaunchTemplateId or LaunchTemplateName: one of this template's passes here (EU-ENC-008 judges it); one
    outside it fails closed: "``what`` cannot be shown from the template: ``source`` a launch template outside
    this template (...)".
    """
    given = False
    for key in SPECIFICATION_KEYS:
        for value in descend(specification, (key,)):
            if value is MISSING:
                continue
            given = True
            if _of_this_template(view, key, value):
                continue
            reason = value if isinstance(value, Unknown) else Unknown(f"the launch template {value!r}")
            yield Violation(
                prop_path(*path, key),
                f"{what} cannot be shown from the template: {source} a launch template outside this template "
                f"({reason.reason}) (fails closed)",
                Severity.ERROR,
                reason,
            )
    if not given:
        yield unresolved(path, what, Unknown("a launch template given neither an id nor a name"))


def _of_this_template(view: TemplateView, key: str, value: Any) -> bool:
    if isinstance(value, ResourceRef):
        referent = view.resource(value.logical_id)
        return referent is not None and referent.type == LAUNCH_TEMPLATE
    return isinstance(value, str) and key == "LaunchTemplateName" and value in launch_template_names(view)
