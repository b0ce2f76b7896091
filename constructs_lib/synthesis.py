"""Synthesize an app; when the validation plugins refuse it, end with a summary instead of a traceback.

CDK has already printed its full report to stderr by then; the summary adds the CloudFormation
logical id of each violating resource and where the report file is.
"""

from __future__ import annotations

import sys
from pathlib import Path

from aws_cdk import App, CfnElement, Stack

from eu_residency.assembly import VALIDATION_REPORT, ValidationFinding, load_validation_findings
from eu_residency.check_run.acknowledgement_audit import ProblemKind
from eu_residency.core.rule_model import PLUGIN_NAME

_VALIDATION_FAILED = ("ValidationFailed", "Validation failed")
# The rule names the plugin reports acknowledgement problems under (warnings, not findings).
PROBLEM_RULE_NAMES = frozenset(kind.value for kind in ProblemKind)


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


def summarize(app: App, report_path: Path) -> str:
    """The summary of the validation report at ``report_path``: one line per open finding, with the logical id
    of its resource, then the acknowledged ones with their reasons.
    """
    try:
        findings = load_validation_findings(report_path)
    except (OSError, ValueError) as error:
        return f"eu-residency: synthesis failed validation; the report {report_path} could not be read: {error}"
    problems = [finding for finding in findings if _is_acknowledgement_problem(finding)]
    violations = [f for f in findings if not f.acknowledged and not _is_acknowledgement_problem(f)]
    acknowledged = [finding for finding in findings if finding.acknowledged]
    lines = [f"eu-residency: synthesis stopped by {len(violations)} finding(s); full report: {report_path}"]
    lines += [_violation_line(app, finding) for finding in violations]
    if problems:
        lines.append(f"{len(problems)} acknowledgement(s) that acknowledge nothing or match no finding:")
        lines += [f"  WARNING {finding.description}" for finding in problems]
    if acknowledged:
        lines.append(f"{len(acknowledged)} finding(s) acknowledged, with their reasons:")
        lines += [
            f"  ACKNOWLEDGED {finding.rule} at {finding.construct_label}: {finding.reason or '(no reason)'}"
            for finding in acknowledged
        ]
    lines.append("Fix each finding, or acknowledge it on the narrowest construct with a reason (README.md).")
    return "\n".join(lines)


def _is_acknowledgement_problem(finding: ValidationFinding) -> bool:
    return finding.plugin == PLUGIN_NAME and finding.rule in PROBLEM_RULE_NAMES


def _violation_line(app: App, finding: ValidationFinding) -> str:
    """``  ERROR   EU-KEY-001 at Data/Bucket/Resource (logical id Bucket in stack Data), Properties.X``."""
    where = finding.construct_label
    logical_id, stack = _logical_id(app, finding.construct_path) if finding.construct_path else (None, None)
    if logical_id:
        where += f" (logical id {logical_id} in stack {stack})"
    if finding.location:
        where += f", {finding.location}"
    return f"  {finding.severity.upper():7} {finding.rule} at {where}"


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
    # A nested stack's name is chosen by CloudFormation at deploy time: name it by its construct path.
    name = stack.node.path if stack.nested else stack.stack_name
    return str(stack.resolve(construct.logical_id)), name
