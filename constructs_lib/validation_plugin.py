"""The synth-time front end of the rule core: a CDK policy-validation plugin over the synthesized templates.

Registered with ``Validations.of(app).add_plugins`` beside cdk-nag's AwsSolutionsChecks, it is reported
and acknowledged the same way (``Validations.of(construct).acknowledge(Acknowledgment(id="EU-Residency::
EU-ENC-001", ...))``). What is wrong with an acknowledgement (``check_run.acknowledgement_audit``) it reports as a
warning on the construct that holds it, in the command's words; a finding whose acknowledgement has no reason it
reports so that CDK keeps it open. It crosses the jsii bridge once per synthesis (``validate``) and once per finding,
and reads the templates in Python: see README.md, "Why a validation plugin, not a NagPack", for the numbers.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsii
from aws_cdk import (
    IPolicyValidationContext,
    IPolicyValidationPlugin,
    PolicyValidationPluginReport,
    PolicyViolatingResource,
    PolicyViolation,
)

from constructs_lib.acknowledgements import acknowledgements_outside_stacks
from eu_residency.assembly import AssemblyError, StackArtifact, manifest_stacks, nested_stacks
from eu_residency.check_run.acknowledgement_audit import (
    CDK_SOURCE,
    NAMESPACE_SEPARATOR,
    Acknowledgeable,
    AcknowledgementProblem,
    WrittenAcknowledgement,
    audit_acknowledgements,
)
from eu_residency.check_run.cdk_metadata import (
    CdkMetadata,
    RecordedAcknowledgement,
    is_within,
    read_cdk_metadata,
    scopes_of,
)
from eu_residency.check_run.construct_fixes import ConstructFixes
from eu_residency.core.product import tool_version
from eu_residency.core.rule_model import PLUGIN_NAME, Finding
from eu_residency.core.settings import RuleSettings
from eu_residency.core.vocabulary import TEMPLATE_BODY
from eu_residency.rules.engine import TemplateInput, active_rules, check_templates
from eu_residency.rules.registry import RULES, RULES_BY_ID
from eu_residency.rules.residency.stack_set_regions import RULE as STACK_SET_RULE
from eu_residency.template_loader.stack_set_instances import StackSetInstance, stack_set_instances

# Where a StackSet holds the template its instances deploy, as a finding's location names it.
TEMPLATE_BODY_LOCATION = f"Properties.{TEMPLATE_BODY}"
# Besides a fatal one, the one violation CDK never suppresses: an error its annotation plugin converted, which
# it marks with this rule metadata (isSuppressibleViolation, aws-cdk-lib core/lib/validation/private/report.js).
# A finding whose nearest acknowledgement has no reason is marked so: it stays open, as in the command.
KEPT_OPEN_MARK = "cdk:annotation"
# The severity of an acknowledgement problem in CDK's report: shown, never failing synthesis by itself.
PROBLEM_SEVERITY = "warning"
APP_LABEL = "(app)"


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
        acknowledgements = _Acknowledgements(context)
        violations: list[PolicyViolation] = []
        acknowledgeable: list[Acknowledgeable] = []
        construct_fixes = ConstructFixes()  # CDK writes tree.json before it runs the plugins
        for template_path, template_findings in findings.items():
            for finding in template_findings:
                placed_in = instances.get(template_path)
                if placed_in is not None:
                    construct_path = acknowledgements.construct_path(
                        placed_in.parent, placed_in.nested_as, placed_in.construct_path
                    )
                else:
                    given = finding.construct_path if finding.logical_id else stack_paths[template_path]
                    construct_path = acknowledgements.construct_path(template_path, finding.logical_id, given)
                # CDK suppresses a finding with its nearest acknowledgement, whatever its reason: one without a
                # reason acknowledges nothing here, as in the command, so its finding is reported as one CDK keeps.
                kept_open = acknowledgements.nearest_has_no_reason(finding.rule_id, construct_path)
                if placed_in is not None:
                    violations.append(_instance_violation(finding, placed_in, kept_open=kept_open))
                else:
                    fix = construct_fixes.fix(finding, construct_path, Path(template_path).parent)
                    violations.append(
                        _violation(
                            replace(finding, fix=fix),
                            template_path=template_path,
                            logical_id=finding.logical_id,
                            construct_path=given,
                            location=_location(finding),
                            unreadable=unreadable.get((template_path, finding.logical_id or "")),
                            kept_open=kept_open,
                        )
                    )
                places = scopes_of(construct_path) if construct_path is not None else frozenset()
                acknowledgeable.append(Acknowledgeable(finding, places))
        rules_run = {rule.id for rule in active_rules(self._settings)}
        problems = audit_acknowledgements(acknowledgements.written(), acknowledgeable, rules_run=rules_run)
        success = not violations
        violations += [_problem_violation(problem) for problem in problems]
        return PolicyValidationPluginReport(success=success, violations=violations, plugin_version=self.version)


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


def _instance_violation(finding: Finding, instance: StackSetInstance, *, kept_open: bool = False) -> PolicyViolation:
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
        kept_open=kept_open,
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
    kept_open: bool = False,
) -> PolicyViolation:
    """The finding as CDK reports it, on ``logical_id`` of ``template_path``; ``inside`` names the StackSet's
    instance it was found in, ``unreadable`` why the StackSet's TemplateBody could not be read; ``kept_open``
    that its nearest acknowledgement has no reason, so CDK must not suppress it."""
    rule = RULES_BY_ID[finding.rule_id]
    message = finding.message + (f", in {inside}" if inside else "")
    if unreadable is not None and finding.rule_id == STACK_SET_RULE.id and _in_template_body(finding):
        message += f" ({unreadable})"
    metadata = {"title": rule.title, "location": location}
    if kept_open:
        metadata[KEPT_OPEN_MARK] = "true"
        message += " (its acknowledgement has no reason, so the finding stays open)"
    return PolicyViolation(
        rule_name=finding.rule_id,
        # What is wrong here, in one breath; the title and the explanation are the catalogue's and explain's.
        description=f"{message} (eu-residency explain {rule.id})",
        fix=finding.fix,
        severity=finding.severity.value,
        rule_metadata=metadata,
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


def _problem_violation(problem: AcknowledgementProblem) -> PolicyViolation:
    """An acknowledgement problem as CDK reports it: a warning on the construct that holds the acknowledgement."""
    written = problem.acknowledgement
    return PolicyViolation(
        rule_name=problem.kind.value,
        description=problem.text,
        fix=problem.action,
        severity=PROBLEM_SEVERITY,
        rule_metadata={"title": problem.kind.title, "acknowledgement": written.id},
        violating_resources=[
            PolicyViolatingResource(
                construct_path=written.place or None,
                template_path=written.template,
                locations=[f"acknowledgement {written.id}"],
            )
        ],
    )


class _Acknowledgements:
    """The acknowledgements CDK recorded for the app being validated: the stacks' (from the metadata CDK wrote
    into the assembly, read once per assembly) and the app's and stages' (from the construct tree)."""

    def __init__(self, context: IPolicyValidationContext) -> None:
        directories = dict.fromkeys(Path(stack.template_path).parent for stack in context.stack_templates)
        self._metadata: dict[Path, CdkMetadata] = {directory: read_cdk_metadata(directory) for directory in directories}
        stack_paths = [stack.stack_construct_path for stack in context.stack_templates]
        self.recorded: list[RecordedAcknowledgement] = [
            *(acknowledgement for metadata in self._metadata.values() for acknowledgement in metadata.acknowledgements),
            *acknowledgements_outside_stacks(context.app_construct, stack_paths),
        ]

    def construct_path(self, template_path: str, logical_id: str | None, given: str | None) -> str | None:
        """``given``, else the construct path CDK recorded for ``logical_id`` of the template (a template
        synthesized without path metadata names none; CDK finds it from the tree, as this does from the assembly)."""
        if given is not None:
            return given
        metadata = self._metadata.get(Path(template_path).parent)
        return metadata.construct_path(template_path, logical_id) if metadata else None

    def nearest_has_no_reason(self, rule_id: str, construct_path: str | None) -> bool:
        """Whether the acknowledgement CDK applies to ``rule_id`` at ``construct_path`` (the nearest, the last
        recorded on one construct) has no reason."""
        if construct_path is None:
            return False
        qualified = f"{PLUGIN_NAME}{NAMESPACE_SEPARATOR}{rule_id}"
        nearest: RecordedAcknowledgement | None = None
        for acknowledgement in self.recorded:
            reaches = acknowledgement.id == qualified and is_within(construct_path, acknowledgement.construct_path)
            if reaches and (nearest is None or len(acknowledgement.construct_path) >= len(nearest.construct_path)):
                nearest = acknowledgement
        return nearest is not None and not (nearest.reason or "").strip()

    def written(self) -> list[WrittenAcknowledgement]:
        return [
            WrittenAcknowledgement(
                id=acknowledgement.id,
                reason=acknowledgement.reason,
                where=acknowledgement.construct_path or APP_LABEL,
                place=acknowledgement.construct_path,
                source=CDK_SOURCE,
                template=self._template_of(acknowledgement.construct_path),
            )
            for acknowledgement in self.recorded
        ]

    def _template_of(self, construct_path: str) -> str | None:
        for directory, metadata in self._metadata.items():
            name = metadata.template_of(construct_path)
            if name is not None:
                return str(directory / name)
        return None
