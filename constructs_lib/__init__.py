"""Guardrails for the EU-resident platform: secure-by-default constructs and the residency rules.

``from constructs_lib import apply_guardrails`` registers the checks on any CDK app. The name is
loaded on first use, so that the rule core (``constructs_lib.rules``) imports without aws_cdk.
"""

from __future__ import annotations

from typing import Any

__all__ = ["apply_guardrails"]


def __getattr__(name: str) -> Any:
    if name == "apply_guardrails":
        from constructs_lib.guardrails import apply_guardrails  # noqa: PLC0415 - lazy on purpose

        return apply_guardrails
    raise AttributeError(f"module 'constructs_lib' has no attribute {name!r}")
