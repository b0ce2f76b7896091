#!/usr/bin/env python3
"""The CDK app: config -> stacks -> guardrails -> synth.

Run by the CDK CLI (``npx cdk synth -c env=prod``) or directly (``python app.py -c env=prod``); run
directly, it reads cdk.json's context itself, as the CLI would.
"""

from __future__ import annotations

import sys

from aws_cdk import App

from constructs_lib.guardrails import GuardrailError, apply_guardrails
from constructs_lib.synthesis import synthesize_or_report
from stacks.config import ConfigError, load_config
from stacks.context import direct_run_context
from stacks.platform import build_platform


def main(argv: list[str]) -> int:
    try:
        app = App(context=direct_run_context(argv))
        config = load_config(app.node.try_get_context)
    except ConfigError as error:
        print(f"eu-residency: configuration error: {error}", file=sys.stderr)
        return 2
    try:
        build_platform(app, config)  # with -c governance=true it reads the guardrails' allowed regions
        apply_guardrails(app)
    except GuardrailError as error:
        print(f"eu-residency: configuration error: {error}", file=sys.stderr)
        return 2
    return synthesize_or_report(app)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
