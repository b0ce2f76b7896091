"""Plain text for a terminal: findings grouped per template, with why and fix, and a summary line."""

from __future__ import annotations

from eu_residency.check_run.model import CheckedFinding, CheckRun
from eu_residency.rules.registry import RULES_BY_ID


def _finding(item: CheckedFinding, path: str) -> list[str]:
    finding = item.finding
    where = finding.location
    if finding.construct_path:
        where += f" ({finding.construct_path})"
    head = f"  {finding.severity.value.upper():5} {finding.rule_id} {path}:{item.line or 1} {where}"
    lines = [head, f"        {RULES_BY_ID[finding.rule_id].title}: {finding.message}", f"        fix: {finding.fix}"]
    if item.acknowledgement is not None:
        lines[0] = head.replace(finding.severity.value.upper(), "ACK  ", 1)
        lines.append(f"        acknowledged ({item.acknowledgement.source}): {item.acknowledgement.reason}")
    return lines


def render(run: CheckRun) -> str:
    lines: list[str] = []
    for result in run.results:
        if result.error is not None:
            lines.append(f"{result.path}: ERROR {result.error}")
            continue
        region = result.region or "no region (environment-agnostic)"
        lines.append(f"{result.path} [{region}]: {result.verdict}, {result.resources} resource(s)")
        for item in result.open_findings + result.acknowledged:
            lines += _finding(item, result.path)
    lines.append(f"eu-residency: {run.summary()}")
    return "\n".join(lines) + "\n"
