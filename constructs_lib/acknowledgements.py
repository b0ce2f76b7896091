"""Acknowledging a finding on one construct, with the reason a security reviewer reads; and reading back the
acknowledgements CDK keeps where no stack's metadata holds them (on the app and its stages)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct

from eu_residency.check_run.acknowledgement_audit import NAMESPACE_SEPARATOR, looks_like_ours, rule_problem
from eu_residency.check_run.cdk_metadata import ACKNOWLEDGED_RULES, PATH_SEPARATOR, RecordedAcknowledgement
from eu_residency.core.rule_model import PLUGIN_NAME

AWS_SOLUTIONS = "AwsSolutions"
EU_RESIDENCY = PLUGIN_NAME
# aws-cdk-lib's built-in template validation plugin, as CDK namespaces it.
CLOUDFORMATION_VALIDATE = "CloudFormation-Validate"

# A reason shorter than this cannot say why the finding is acceptable.
MINIMUM_REASON_LENGTH = 20


def acknowledge(construct: IConstruct, rule_id: str, reason: str, *, plugin: str | None = None) -> None:
    """Acknowledge ``rule_id`` of ``plugin`` on ``construct`` and everything below it.

    ``plugin`` defaults to EU-Residency for an id of its own (``EU-ENC-022``), else to AwsSolutions (cdk-nag).
    CDK honours only the namespaced id (``PLUGIN::RULE``); a bare id is filed under ``Annotation::`` and
    acknowledges nothing, so this helper is the one way the project acknowledges anything. It refuses a short
    reason, and an id of EU-Residency that names no rule or is given to another plugin.
    """
    if plugin is None:
        plugin = EU_RESIDENCY if looks_like_ours(rule_id) else AWS_SOLUTIONS
    if len(reason.strip()) < MINIMUM_REASON_LENGTH:
        raise ValueError(
            f"acknowledgement of {rule_id} on {construct.node.path}: the reason {reason!r} is too short; "
            "say why the finding is acceptable here"
        )
    qualified = f"{plugin}{NAMESPACE_SEPARATOR}{rule_id}"
    if plugin == EU_RESIDENCY or looks_like_ours(rule_id):
        wrong = rule_problem(qualified, bare_is_ours=False)
        if wrong is not None:
            _, problem, action, _ = wrong
            raise ValueError(f"{construct.node.path}: the acknowledgement '{qualified}' {problem}; {action}")
    Validations.of(construct).acknowledge(Acknowledgment(id=qualified, reason=reason))


def acknowledgements_outside_stacks(app: IConstruct, stack_paths: Iterable[str]) -> list[RecordedAcknowledgement]:
    """The acknowledgements CDK recorded on ``app`` and on the constructs above the stacks at ``stack_paths``
    (stages, groups): no stack's metadata holds them. A few calls across jsii, one per such construct."""
    above = {""}
    for stack_path in stack_paths:
        parts = stack_path.split(PATH_SEPARATOR)
        above.update(PATH_SEPARATOR.join(parts[:length]) for length in range(1, len(parts)))
    found: list[RecordedAcknowledgement] = []
    for path in sorted(above):
        construct = _find(app, path)
        for entry in construct.node.metadata if construct is not None else ():
            if entry.type == ACKNOWLEDGED_RULES and isinstance(entry.data, dict):
                found += [_recorded(path, rule_id, reason) for rule_id, reason in entry.data.items()]
    return found


def _recorded(path: str, rule_id: Any, reason: Any) -> RecordedAcknowledgement:
    return RecordedAcknowledgement(path, str(rule_id), reason if isinstance(reason, str) else None)


def _find(app: IConstruct, path: str) -> IConstruct | None:
    construct: IConstruct | None = app
    for part in path.split(PATH_SEPARATOR) if path else ():
        construct = construct.node.try_find_child(part) if construct is not None else None
    return construct
