"""Markdown for pull-request comments and reviews: a table per template of a check run, or an audit's findings,
what it did not audit, its coverage per region and its inventory.

``audit_section`` is the audit's content at any heading level, for the review pack of ``eu-residency report``.
Every value from a template, a file name or an account goes through ``escaping.markdown_text``.
"""

from __future__ import annotations

from eu_residency.audit.audit_report import GLOBAL, AuditReport
from eu_residency.check_run.results import CheckRun, TemplateResult
from eu_residency.core.settings import key_control_text
from eu_residency.formats.escaping import markdown_text as _cell
from eu_residency.rules.registry import RULES_BY_ID


def render(run: CheckRun) -> str:
    lines = ["# eu-residency check", "", _cell(run.summary()) + ".", ""]
    lines += [f"- Allowed regions: {_cell(', '.join(sorted(run.settings.allowed_regions)))}"]
    lines += [f"- {_cell(key_control_text(run.settings.key_control))}", ""]
    for result in run.results:
        if result.error is not None:
            lines += [f"## {_cell(result.path)}: input error", "", f"> {_cell(result.error)}", ""]
            continue
        lines += [f"## {_cell(result.path)} ({_cell(result.region or 'no region')}): {result.verdict}", ""]
        lines += _acknowledgement_problems(result)
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
            resource = _cell(finding.logical_id or "(stack)")
            where = _cell(".".join(map(str, finding.path)) or "-")
            lines.append(
                f"| {severity} | {finding.rule_id}: {_cell(rule.title)} | {resource} | {where} "
                f"| {_cell(finding.message)} | {_cell(finding.fix)} |"
            )
        lines.append("")
    return "\n".join(lines)


def _acknowledgement_problems(result: TemplateResult) -> list[str]:
    """The acknowledgements of the template that do not do what they say, one line each, before its findings."""
    if not result.acknowledgement_problems:
        return []
    lines = ["Acknowledgement problems (warnings):", ""]
    lines += [f"- {_cell(problem.text)}" for problem in result.acknowledgement_problems]
    return [*lines, ""]


def audit_section(report: AuditReport, level: int = 1) -> list[str]:
    top, sub = "#" * level, "#" * (level + 1)
    who = f"account {_cell(report.account or 'unknown')}"
    if report.profile:
        who += f" (profile {_cell(report.profile)})"
    lines = [
        f"{top} Live account audit",
        "",
        f"Audit of {who} on {_cell(report.generated_at or 'an unknown date')}: {_cell(report.summary())}.",
        "",
        f"- Allowed regions: {_cell(', '.join(sorted(report.allowed_regions)))}",
        # The audit's own setting: key control decides whether EU-KEY findings appear.
        f"- {_cell(key_control_text(report.key_control))}",
        f"- Regions examined: {_cell(', '.join(report.regions) or 'none')}, and the global services",
        "",
        f"{sub} Findings",
        "",
    ]
    if report.findings:
        lines += ["| Severity | Rule | Region | Resource | Why | Fix |", "|---|---|---|---|---|---|"]
        lines += [
            f"| {finding.severity.value} | {_cell(finding.rule_id)}: {_cell(finding.title)} | {_cell(finding.region)} "
            f"| {_cell(finding.resource)} | {_cell(finding.message)} | {_cell(finding.fix)} |"
            for finding in report.findings
        ]
    else:
        lines.append("No finding.")
    lines += ["", f"{sub} Not audited", ""]
    if report.not_audited:
        lines += ["| Region | Service | Reason |", "|---|---|---|"]
        lines += [
            f"| {_cell(entry.region)} | {_cell(entry.service)} | {_cell(entry.reason)} |"
            for entry in report.not_audited
        ]
    else:
        lines.append("Nothing: every region and service was read.")
    lines += ["", f"{sub} Coverage", "", "| Region | Audited | Not audited |", "|---|---|---|"]
    regions = list(dict.fromkeys([*report.regions, *(entry.region for entry in report.coverage)]))
    for region in sorted(regions, key=lambda name: (name == GLOBAL, name)):
        entries = [entry for entry in report.coverage if entry.region == region]
        audited = sorted({entry.service for entry in entries if entry.audited})
        missing = sorted({entry.service for entry in entries if not entry.audited})
        lines.append(f"| {_cell(region)} | {_cell(', '.join(audited) or '-')} | {_cell(', '.join(missing) or '-')} |")
    lines += ["", f"{sub} Inventory", ""]
    if not report.inventory:
        lines.append("No data store found.")
    for region in report.regions_in_inventory():
        lines += [
            f"**{_cell(region)}**",
            "",
            "| Type | Name | Encryption at rest | Classification | ARN |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {_cell(item.resource_type)} | {_cell(item.name)} | {_cell(item.encryption)} "
            f"| {_cell(item.classification or '-')} | {_cell(item.arn)} |"
            for item in report.inventory_in(region)
        ]
        lines.append("")
    return lines


def render_audit(report: AuditReport) -> str:
    return "\n".join(audit_section(report, level=1)).rstrip("\n") + "\n"
