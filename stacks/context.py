"""Context for ``python app.py``: what the CDK CLI would have passed from cdk.json and ``-c`` flags."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from stacks.config import ConfigError

CDK_JSON = Path(__file__).resolve().parent.parent / "cdk.json"
# Set by the CDK CLI when it runs the app; the CLI has then already merged cdk.json and -c flags.
CLI_CONTEXT_VARIABLE = "CDK_CONTEXT_JSON"
# What the CDK CLI adds to every synth by default, so that both ways give byte-identical templates
# (construct paths in resource metadata, asset metadata, the AWS::CDK::Metadata resource).
CLI_DEFAULT_CONTEXT = {
    "aws:cdk:enable-path-metadata": True,
    "aws:cdk:enable-asset-metadata": True,
    "aws:cdk:version-reporting": True,
    "aws:cdk:bundling-stacks": ["**"],
}


def direct_run_context(argv: list[str], cdk_json: Path = CDK_JSON) -> dict[str, Any] | None:
    """The context to give App(): None under the CDK CLI, else cdk.json's context plus ``-c KEY=VALUE``."""
    if CLI_CONTEXT_VARIABLE in os.environ:
        if argv:
            raise ConfigError(f"arguments {' '.join(argv)!r}: under the CDK CLI pass context as cdk synth -c KEY=VALUE")
        return None
    try:
        context = json.loads(cdk_json.read_text(encoding="utf-8")).get("context", {})
    except (OSError, ValueError, AttributeError) as error:
        raise ConfigError(f"file {cdk_json}: cannot read its context ({error}); restore cdk.json from git") from error
    if not isinstance(context, dict):
        raise ConfigError(f"file {cdk_json}: 'context' must be an object; restore cdk.json from git")
    context = {**CLI_DEFAULT_CONTEXT, **context}
    args = iter(argv)
    for arg in args:
        pair = next(args, None) if arg in ("-c", "--context") else None
        if pair is None or "=" not in pair:
            raise ConfigError(f"argument {arg!r}: expected -c KEY=VALUE, e.g. python app.py -c env=prod")
        key, value = pair.split("=", 1)
        context[key] = value
    return context
