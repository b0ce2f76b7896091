"""Synthesize an app; when the policy-validation plugins refuse it, say which resource broke which rule."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from aws_cdk import App

VALIDATION_REPORT = "validation-report.json"


def synthesize_or_report(app: App) -> int:
    """Synthesize ``app``; return 0, or 1 after printing the validation report's violations."""
    try:
        app.synth()
    except RuntimeError as error:
        if "Validation failed" not in str(error) and "ValidationFailed" not in str(error):
            raise
        report_path = Path(app.outdir) / VALIDATION_REPORT
        print(format_violations(report_path), file=sys.stderr)
        return 1
    return 0


def format_violations(report_path: Path) -> str:
    try:
        report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return f"eu-residency: synthesis failed validation, and {report_path} could not be read: {error}"
    return json.dumps(report, indent=2)[:5000]
