"""Registers the synth-time checks on a CDK app: cdk-nag's AwsSolutions pack (our own pack joins it)."""

from __future__ import annotations

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks


def apply_guardrails(app: App) -> None:
    """Make every finding of the registered packs interrupt synthesis of ``app``."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
