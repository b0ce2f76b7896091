"""Run the rules over templates: the one rule core behind the synth-time plugin and the command."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eu_residency.core.app_view import AppTemplate, AppView
from eu_residency.core.rule_model import Finding, Rule, Severity, Violation
from eu_residency.core.settings import RuleSettings
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.rules.registry import RULES


@dataclass(frozen=True)
class TemplateInput:
    """One template to check, with where it would deploy (``region`` None: environment-agnostic)."""

    name: str
    template: Mapping[str, Any]
    region: str | None
    account: str | None = None
    # For a nested stack: the template of the stack it deploys with, whose region it takes, and the
    # logical id of the AWS::CloudFormation::Stack there (for the parameters it passes).
    parent: str | None = None
    nested_as: str | None = None
    # The deployed stack's name, for Fn::GetStackOutput (None: not known).
    stack_name: str | None = None


def app_of(inputs: Sequence[TemplateInput], settings: RuleSettings) -> AppView:
    """The app the templates make together (see ``core.app_view``)."""
    app = AppView(
        [
            AppTemplate(
                name=item.name,
                template=item.template,
                region=item.region,
                account=item.account,
                stack_name=item.stack_name,
                parent=item.parent,
                nested_as=item.nested_as,
            )
            for item in inputs
        ],
        settings,
    )
    buckets = app.bucket_regions()
    for view in app.views():
        view.app_buckets = buckets
    return app


def check_templates(
    inputs: Sequence[TemplateInput], settings: RuleSettings, rules: Iterable[Rule] | None = None
) -> dict[str, list[Finding]]:
    """Findings per template name. Templates checked together are one app: what one template takes from
    another (exports, stack outputs, a parent's parameters, bucket names) is known with its stack's region.
    """
    app = app_of(inputs, settings)
    selected = active_rules(settings, RULES if rules is None else rules)
    return {view.name: check_view(view, selected) for view in app.views()}


def active_rules(settings: RuleSettings, rules: Iterable[Rule] = RULES) -> tuple[Rule, ...]:
    """The rules that run under ``settings``: the EU-KEY rules only when key control is asked for."""
    return tuple(rule for rule in rules if rule.enabled_by in (None, settings.key_control))


def check_view(view: TemplateView, rules: Iterable[Rule]) -> list[Finding]:
    findings: list[Finding] = []
    resources = list(view.resources())
    for rule in rules:
        if rule.check_template is not None:
            findings.extend(_finding(rule, None, violation) for violation in rule.check_template(view))
        if rule.check_resource is not None:
            for resource in resources:
                if rule.applies_to(resource.type):
                    findings.extend(
                        _finding(rule, resource, violation) for violation in rule.check_resource(resource, view)
                    )
    unique = list(dict.fromkeys(findings))  # the branches of an Fn::If often fail the same way
    return _without_catch_all_duplicates(unique, {rule.id for rule in rules if rule.catch_all})


def _without_catch_all_duplicates(findings: list[Finding], catch_all_ids: set[str]) -> list[Finding]:
    specific = [finding for finding in findings if finding.rule_id not in catch_all_ids]

    def overlaps(a: Finding, b: Finding) -> bool:
        shorter = min(len(a.path), len(b.path))
        return a.logical_id == b.logical_id and a.path[:shorter] == b.path[:shorter]

    return [
        finding
        for finding in findings
        if finding.rule_id not in catch_all_ids or not any(overlaps(finding, other) for other in specific)
    ]


def _finding(rule: Rule, resource: Resource | None, violation: Violation) -> Finding:
    return Finding(
        rule_id=rule.id,
        severity=violation.severity or (Severity.ERROR if violation.unknown else rule.severity),
        logical_id=resource.logical_id if resource else None,
        resource_type=resource.type if resource else None,
        construct_path=resource.construct_path if resource else None,
        path=violation.path,
        message=violation.message,
        fix=violation.fix or rule.fix,
        undecided=violation.unknown,
    )


__all__ = ["TemplateInput", "Unknown", "active_rules", "app_of", "check_templates", "check_view"]
