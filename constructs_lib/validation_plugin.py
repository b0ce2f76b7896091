"""The synth-time front end of the rule core: a CDK policy-validation plugin over the synthesized templates.

Registered with ``Validations.of(app).add_plugins`` beside cdk-nag's AwsSolutionsChecks, it is reported
and acknowledged the same way (``Validations.of(construct).acknowledge(Acknowledgment(id="EU-Residency::
EU-ENC-001", ...))``). It crosses the jsii bridge once per synthesis (``validate``) and once per finding,
and reads the templates in Python: see README.md, "Why a validation plugin, not a NagPack", for the numbers.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsii
from aws_cdk import (
    IPolicyValidationContext,
    IPolicyValidationPlugin,
    PolicyValidationPluginReport,
    PolicyViolatingResource,
    PolicyViolation,
)

from eu_residency.assembly import AssemblyError, StackArtifact, manifest_stacks, nested_stacks
from eu_residency.core.product import tool_version
from eu_residency.core.rule_model import PLUGIN_NAME, Finding
from eu_residency.core.settings import RuleSettings
from eu_residency.rules.engine import TemplateInput, check_templates
from eu_residency.rules.registry import RULES, RULES_BY_ID


@jsii.implements(IPolicyValidationPlugin)
class EuResidencyPlugin:
    """The EU residency, encryption and retention rules as a CDK validation plugin."""

    def __init__(self, settings: RuleSettings | None = None) -> None:
        self._settings = settings or RuleSettings()

    @property
    def name(self) -> str:
        return PLUGIN_NAME

    @property
    def version(self) -> str:
        return tool_version()

    @property
    def rule_ids(self) -> list[str]:
        return [rule.id for rule in RULES]

    def validate(self, context: IPolicyValidationContext) -> PolicyValidationPluginReport:
        """Every stack CDK hands over, and the nested stacks whose templates CDK wrote beside it (CDK hands
        over only the top-level stacks), checked together as one app.
        """
        inputs: list[TemplateInput] = []
        stack_paths: dict[str, str] = {}
        names: dict[Path, dict[Path, str | None]] = {}
        for stack in context.stack_templates:
            top = StackArtifact(
                name=stack.stack_construct_path,
                template=Path(stack.template_path),
                region=stack.region,
                assembly=Path(stack.template_path).parent,
                stack_name=_stack_name(Path(stack.template_path), names),
            )
            for artifact in (top, *nested_stacks(top)):
                name = str(artifact.template)
                inputs.append(
                    TemplateInput(
                        name=name,
                        template=json.loads(artifact.template.read_text(encoding="utf-8")),
                        region=stack.region,
                        account=stack.account_id,
                        parent=str(artifact.parent.template) if artifact.parent else None,
                        nested_as=artifact.nested_stack_resource,
                        stack_name=artifact.stack_name,
                    )
                )
                stack_paths[name] = stack.stack_construct_path
        findings = check_templates(inputs, self._settings)
        violations = [
            _violation(finding, template_path, stack_paths[template_path])
            for template_path, template_findings in findings.items()
            for finding in template_findings
        ]
        return PolicyValidationPluginReport(success=not violations, violations=violations, plugin_version=self.version)


def _stack_name(template: Path, names: dict[Path, dict[Path, str | None]]) -> str | None:
    """The deployed name of the stack whose template is ``template``, from the manifest CDK wrote beside it
    (read once per assembly); None when the manifest cannot be read.
    """
    directory = template.parent.resolve()
    if directory not in names:
        try:
            names[directory] = {stack.template.resolve(): stack.stack_name for stack in manifest_stacks(directory)}
        except AssemblyError:
            names[directory] = {}
    return names[directory].get(template.resolve())


def _violation(finding: Finding, template_path: str, stack_path: str) -> PolicyViolation:
    rule = RULES_BY_ID[finding.rule_id]
    location = ".".join(str(part) for part in finding.path) or ("(resource)" if finding.logical_id else "(stack)")
    return PolicyViolation(
        rule_name=finding.rule_id,
        description=f"{rule.title}: {finding.message}. {rule.explanation}",
        fix=finding.fix,
        severity=finding.severity.value,
        rule_metadata={"title": rule.title, "location": location},
        violating_resources=[
            PolicyViolatingResource(
                template_path=template_path,
                resource_logical_id=finding.logical_id,
                construct_path=finding.construct_path if finding.logical_id else stack_path,
                locations=[location],
            )
        ],
    )
