"""Markdown: a table per template, for pull-request comments and reviews."""

from __future__ import annotations

from eu_residency.check_run.model import CheckRun
from eu_residency.rules.registry import RULES_BY_ID


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(run: CheckRun) -> str:
    lines = ["# eu-residency check", "", run.summary() + ".", ""]
    for result in run.results:
        if result.error is not None:
            lines += [f"## `{result.path}`: input error", "", f"> {_cell(result.error)}", ""]
            continue
        lines += [f"## `{result.path}` ({result.region or 'no region'}): {result.verdict}", ""]
        if not result.findings:
            lines += ["No finding.", ""]
            continue
        lines += ["| Severity | Rule | Resource | Property | Why | Fix |", "|---|---|---|---|---|---|"]
        for item in result.findings:
            finding = item.finding
            severity = finding.severity.value
            if item.acknowledgement is not None:
                severity = f"acknowledged ({_cell(item.acknowledgement.reason)})"
            rule = RULES_BY_ID[finding.rule_id]
            lines.append(
                f"| {severity} | {finding.rule_id}: {_cell(rule.title)} | `{finding.logical_id or '(stack)'}` "
                f"| `{'.'.join(map(str, finding.path)) or '-'}` | {_cell(finding.message)} | {_cell(finding.fix)} |"
            )
        lines.append("")
    return "\n".join(lines)
