"""The CDK side of eu-residency: secure-by-default constructs, the synth-time validation plugin, ``apply_guardrails``.

``from constructs_lib import apply_guardrails`` registers the checks on any CDK app. This package imports
``eu_residency`` (the rule core); ``eu_residency`` never imports it.
"""

from constructs_lib.guardrails import apply_guardrails

__all__ = ["apply_guardrails"]
