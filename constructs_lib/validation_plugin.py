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
from eu_residency.core.vocabulary import TEMPLATE_BODY
from eu_residency.rules.engine import TemplateInput, check_templates
from eu_residency.rules.registry import RULES, RULES_BY_ID
from eu_residency.rules.residency.stack_set_regions import RULE as STACK_SET_RULE
from eu_residency.template_loader.stack_set_instances import StackSetInstance, stack_set_instances

# Where a StackSet holds the template its instances deploy, as a finding's location names it.
TEMPLATE_BODY_LOCATION = f"Properties.{TEMPLATE_BODY}"


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
        """Every stack CDK hands over, the nested stacks whose templates CDK wrote beside it (CDK hands over
        only the top-level stacks) and the stack instances of their StackSets' inline templates, checked
        together as one app; a finding inside a StackSet's template is reported on the StackSet.
        """
        inputs: list[TemplateInput] = []
        stack_paths: dict[str, str] = {}
        names: dict[Path, dict[Path, str | None]] = {}
        instances: dict[str, StackSetInstance] = {}
        unreadable: dict[tuple[str, str], str] = {}  # (template, StackSet) -> why its TemplateBody is no template
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
                template = json.loads(artifact.template.read_text(encoding="utf-8"))
                inputs.append(
                    TemplateInput(
                        name=name,
                        template=template,
                        region=stack.region,
                        account=stack.account_id,
                        parent=str(artifact.parent.template) if artifact.parent else None,
                        nested_as=artifact.nested_stack_resource,
                        stack_name=artifact.stack_name,
                    )
                )
                stack_paths[name] = stack.stack_construct_path
                found, bodies = stack_set_instances(name, template, stack.region)
                unreadable.update({(body.parent, body.stack_set): body.error for body in bodies})
                for instance in found:
                    # Deployed by the StackSet into the accounts it targets: no account, no stack name known.
                    inputs.append(
                        TemplateInput(
                            name=instance.name,
                            template=instance.template,
                            region=instance.region,
                            parent=instance.parent,
                            nested_as=instance.nested_as,
                        )
                    )
                    instances[instance.name] = instance
        findings = check_templates(inputs, self._settings)
        violations = [
            _instance_violation(finding, instances[template_path])
            if template_path in instances
            else _violation(
                finding,
                template_path=template_path,
                logical_id=finding.logical_id,
                construct_path=finding.construct_path if finding.logical_id else stack_paths[template_path],
                location=_location(finding),
                unreadable=unreadable.get((template_path, finding.logical_id or "")),
            )
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


def _location(finding: Finding) -> str:
    return ".".join(str(part) for part in finding.path) or ("(resource)" if finding.logical_id else "(stack)")


def _instance_violation(finding: Finding, instance: StackSetInstance) -> PolicyViolation:
    """A finding inside a StackSet's template, reported on the StackSet (the resource of the parent's template
    that holds it, where it is fixed and acknowledged), naming the instance and the resource inside it."""
    inside = f"resource {finding.logical_id} of the {instance.label}" if finding.logical_id else f"the {instance.label}"
    return _violation(
        finding,
        template_path=instance.parent,
        logical_id=instance.nested_as,
        # None without path metadata: CDK finds the construct from the template and the logical id.
        construct_path=instance.construct_path,
        location=f"{TEMPLATE_BODY_LOCATION} ({instance.label}): {finding.location}",
        inside=inside,
    )


def _violation(
    finding: Finding,
    *,
    template_path: str,
    logical_id: str | None,
    construct_path: str | None,
    location: str,
    inside: str | None = None,
    unreadable: str | None = None,
) -> PolicyViolation:
    """The finding as CDK reports it, on ``logical_id`` of ``template_path``; ``inside`` names the StackSet's
    instance it was found in, ``unreadable`` why the StackSet's TemplateBody could not be read."""
    rule = RULES_BY_ID[finding.rule_id]
    message = finding.message + (f", in {inside}" if inside else "")
    if unreadable is not None and finding.rule_id == STACK_SET_RULE.id and _in_template_body(finding):
        message += f" ({unreadable})"
    return PolicyViolation(
        rule_name=finding.rule_id,
        description=f"{rule.title}: {message}. {rule.explanation}",
        fix=finding.fix,
        severity=finding.severity.value,
        rule_metadata={"title": rule.title, "location": location},
        violating_resources=[
            PolicyViolatingResource(
                template_path=template_path,
                resource_logical_id=logical_id,
                construct_path=construct_path,
                locations=[location],
            )
        ],
    )


def _in_template_body(finding: Finding) -> bool:
    return ".".join(str(part) for part in finding.path[:2]) == TEMPLATE_BODY_LOCATION
