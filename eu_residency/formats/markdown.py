"""Markdown for pull-request comments and reviews: a table per template of a check run, or an audit's findings,
what it did not audit, its coverage per region and its inventory.

``audit_section`` is the audit's content at any heading level, for the review pack of ``eu-residency report``.
"""

from __future__ import annotations

from eu_residency.audit.audit_report import GLOBAL, AuditReport
from eu_residency.check_run.results import CheckRun
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


def audit_section(report: AuditReport, level: int = 1) -> list[str]:
    top, sub = "#" * level, "#" * (level + 1)
    who = f"account `{report.account or 'unknown'}`" + (f" (profile `{report.profile}`)" if report.profile else "")
    lines = [
        f"{top} Live account audit",
        "",
        f"Audit of {who} on {report.generated_at or 'an unknown date'}: {report.summary()}.",
        "",
        f"- Allowed regions: {', '.join(sorted(report.allowed_regions))}",
        f"- Regions examined: {', '.join(report.regions) or 'none'}, and the global services",
        "",
        f"{sub} Findings",
        "",
    ]
    if report.findings:
        lines += ["| Severity | Rule | Region | Resource | Why | Fix |", "|---|---|---|---|---|---|"]
        lines += [
            f"| {finding.severity.value} | {finding.rule_id}: {_cell(finding.title)} | {finding.region} "
            f"| `{_cell(finding.resource)}` | {_cell(finding.message)} | {_cell(finding.fix)} |"
            for finding in report.findings
        ]
    else:
        lines.append("No finding.")
    lines += ["", f"{sub} Not audited", ""]
    if report.not_audited:
        lines += ["| Region | Service | Reason |", "|---|---|---|"]
        lines += [f"| {entry.region} | {entry.service} | {_cell(entry.reason)} |" for entry in report.not_audited]
    else:
        lines.append("Nothing: every region and service was read.")
    lines += ["", f"{sub} Coverage", "", "| Region | Audited | Not audited |", "|---|---|---|"]
    regions = list(dict.fromkeys([*report.regions, *(entry.region for entry in report.coverage)]))
    for region in sorted(regions, key=lambda name: (name == GLOBAL, name)):
        entries = [entry for entry in report.coverage if entry.region == region]
        audited = sorted({entry.service for entry in entries if entry.audited})
        missing = sorted({entry.service for entry in entries if not entry.audited})
        lines.append(f"| {region} | {', '.join(audited) or '-'} | {', '.join(missing) or '-'} |")
    lines += ["", f"{sub} Inventory", ""]
    if not report.inventory:
        lines.append("No data store found.")
    for region in report.regions_in_inventory():
        lines += [
            f"**{region}**",
            "",
            "| Type | Name | Encryption at rest | Classification | ARN |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {item.resource_type} | {_cell(item.name)} | {_cell(item.encryption)} | {item.classification or '-'} "
            f"| `{_cell(item.arn)}` |"
            for item in report.inventory_in(region)
        ]
        lines.append("")
    return lines


def render_audit(report: AuditReport) -> str:
    return "\n".join(audit_section(report, level=1)).rstrip("\n") + "\n"
