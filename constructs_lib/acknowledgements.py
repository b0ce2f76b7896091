"""Acknowledging a finding on one construct, with the reason a security reviewer reads."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct

from eu_residency.core.rule_model import PLUGIN_NAME

AWS_SOLUTIONS = "AwsSolutions"
EU_RESIDENCY = PLUGIN_NAME
# aws-cdk-lib's built-in template validation plugin, as CDK namespaces it.
CLOUDFORMATION_VALIDATE = "CloudFormation-Validate"

# A reason shorter than this cannot say why the finding is acceptable.
MINIMUM_REASON_LENGTH = 20


def acknowledge(construct: IConstruct, rule_id: str, reason: str, *, plugin: str = AWS_SOLUTIONS) -> None:
    """Acknowledge ``rule_id`` of ``plugin`` on ``construct`` and everything below it.

    CDK honours only the namespaced id (``PLUGIN::RULE``); a bare id is silently ignored, so this
    helper is the one way the project acknowledges anything.
    """
    if len(reason.strip()) < MINIMUM_REASON_LENGTH:
        raise ValueError(
            f"acknowledgement of {rule_id} on {construct.node.path}: the reason {reason!r} is too short; "
            "say why the finding is acceptable here"
        )
    Validations.of(construct).acknowledge(Acknowledgment(id=f"{plugin}::{rule_id}", reason=reason))
