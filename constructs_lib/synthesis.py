"""Synthesize an app; when the validation plugins refuse it, end with a summary instead of a traceback.

CDK has already printed its full report to stderr by then; the summary adds the CloudFormation
logical id of each violating resource and where the report file is.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import App, CfnElement, Stack

VALIDATION_REPORT = "validation-report.json"
_VALIDATION_FAILED = ("ValidationFailed", "Validation failed")


@dataclass(frozen=True)
class Violation:
    plugin: str
    rule: str
    severity: str
    construct_path: str
    logical_id: str | None
    stack: str | None
    location: str | None = None

    def line(self) -> str:
        where = f"{self.construct_path}"
        if self.logical_id:
            where += f" (logical id {self.logical_id} in stack {self.stack})"
        if self.location:
            where += f", {self.location}"
        return f"  {self.severity.upper():7} {self.rule} at {where}"


def synthesize_or_report(app: App) -> int:
    """Synthesize ``app``; return 0, or 1 after printing one line per violation."""
    try:
        app.synth()
    except RuntimeError as error:
        if not any(marker in str(error) for marker in _VALIDATION_FAILED):
            raise
        report_path = Path(app.outdir) / VALIDATION_REPORT
        print(summarize(app, report_path), file=sys.stderr)
        return 1
    return 0


def read_violations(app: App, report_path: Path) -> list[Violation]:
    report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
    violations = []
    for plugin_report in report.get("pluginReports", []):
        for violation in plugin_report.get("violations", []):
            for construct in violation.get("violatingConstructs", []):
                path = construct.get("constructPath", "")
                logical_id, stack = _logical_id(app, path)
                violations.append(
                    Violation(
                        plugin=plugin_report.get("pluginName", "?"),
                        rule=violation.get("ruleName", "?"),
                        severity=violation.get("severity", "error"),
                        construct_path=path,
                        logical_id=logical_id,
                        stack=stack,
                        location=(violation.get("ruleMetadata") or {}).get("location"),
                    )
                )
    return violations


def read_acknowledged(report_path: Path) -> list[str]:
    """One line per acknowledged finding, with the reason a person gave."""
    report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
    lines = []
    for plugin_report in report.get("pluginReports", []):
        for acknowledged in plugin_report.get("suppressedViolations", []):
            for construct in acknowledged.get("violatingConstructs", []):
                lines.append(
                    f"  ACKNOWLEDGED {acknowledged.get('ruleName', '?')} at {construct.get('constructPath', '?')}: "
                    f"{acknowledged.get('reason', '(no reason)')}"
                )
    return lines


def summarize(app: App, report_path: Path) -> str:
    try:
        violations = read_violations(app, report_path)
        acknowledged = read_acknowledged(report_path)
    except (OSError, ValueError) as error:
        return f"eu-residency: synthesis failed validation; the report {report_path} could not be read: {error}"
    lines = [f"eu-residency: synthesis stopped by {len(violations)} finding(s); full report: {report_path}"]
    lines += [violation.line() for violation in violations]
    if acknowledged:
        lines.append(f"{len(acknowledged)} finding(s) acknowledged, with their reasons:")
        lines += acknowledged
    lines.append("Fix each finding, or acknowledge it on the narrowest construct with a reason (README.md).")
    return "\n".join(lines)


def _logical_id(app: App, construct_path: str) -> tuple[str | None, str | None]:
    node = app.node
    construct = None
    for part in construct_path.split("/"):
        construct = node.try_find_child(part)
        if construct is None:
            return None, None
        node = construct.node
    if not isinstance(construct, CfnElement):
        return None, None
    stack = Stack.of(construct)
    return str(stack.resolve(construct.logical_id)), stack.stack_name
