"""EU-RES-002: every nested stack's template is among the templates checked."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.resolved import Cause, Unknown, options
from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.core.vocabulary import NESTED_STACK_TYPE
from eu_residency.rules.predicates import prop_path, unchecked_template

NOT_CHECKED = "what the nested stack deploys cannot be shown: its template"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    """A nested stack passes when the app checks its template with this one (a CDK nested stack in the
    cloud assembly, a local TemplateURL beside a template file); otherwise its resources are unseen."""
    if view.app is not None and view.app.nested_child(view.name, resource.logical_id) is not None:
        return
    raw = resource.properties.get("TemplateURL")
    if raw is None:
        yield Violation(
            prop_path("TemplateURL"),
            f"{NOT_CHECKED} is not among the templates checked: the stack names no TemplateURL",
            Severity.ERROR,
            Unknown("a nested stack without a TemplateURL", Cause.MALFORMED),
        )
        return
    for option in options(view.resolve(raw)):
        yield unchecked_template(NOT_CHECKED, "TemplateURL", option)


RULE = Rule(
    id="EU-RES-002",
    title="Every nested stack's template is checked with its parent",
    explanation=(
        "A nested stack deploys whatever its template holds, in its parent's region. When that template is "
        "a remote file (an https or s3 TemplateURL) or chosen by a parameter, none of its resources can be "
        "shown to keep data in the allowed regions, so the parent cannot be shown compliant either."
    ),
    fix=(
        "Check the nested template with its parent: use CDK's NestedStack (its template is in the cloud "
        "assembly), or point TemplateURL at a local file beside the parent (./child.yaml) and check the "
        "parent's file (aws cloudformation package uploads it at deploy time)."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({NESTED_STACK_TYPE}),
    check_resource=check,
)
