"""The audit in the review pack: ``eu-residency report --audit FILE`` reads an audit's JSON output and puts
the live account beside the templates.

``load_audit`` reads the file (one-line AuditFileError when it cannot); ``markdown_section`` and
``html_section`` are what the pack's Markdown and HTML pages include, and ``sarif_run`` is a second SARIF
run for the pack's SARIF log.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from eu_residency.audit.audit_report import AuditFileError, AuditReport
from eu_residency.core.settings import key_control_text
from eu_residency.formats import markdown, sarif
from eu_residency.review_pack.html_parts import folded, html_table


def load_audit(path: str | Path) -> AuditReport:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise AuditFileError(f"--audit {str(path)!r}: cannot read it ({error.strerror})") from None
    except ValueError as error:
        raise AuditFileError(f"--audit {str(path)!r}: not JSON ({error})") from None
    if not isinstance(document, dict):
        raise AuditFileError(f"--audit {str(path)!r}: not the JSON output of `eu-residency audit --format json`")
    return AuditReport.from_dict(document, source=f"--audit {str(path)!r}")


def markdown_section(report: AuditReport, level: int = 2) -> str:
    lines = markdown.audit_section(report, level=level)
    return "\n".join(lines).rstrip("\n") + "\n"


def sarif_run(report: AuditReport) -> dict[str, Any]:
    run: dict[str, Any] = sarif.audit_document(report)["runs"][0]
    return run


def html_section(report: AuditReport) -> str:
    """A self-contained ``<section>``: findings, parts not audited, and the inventory per region."""
    rows = [
        f"<tr><td>{escape(finding.severity.value)}</td><td>{escape(finding.rule_id)}</td>"
        f"<td>{escape(finding.region)}</td><td><code>{escape(finding.resource)}</code></td>"
        f"<td>{escape(finding.message)}</td><td>{folded(finding.fix)}</td></tr>"
        for finding in report.findings
    ]
    gaps = [
        f"<tr><td>{escape(entry.region)}</td><td>{escape(entry.service)}</td><td>{escape(entry.reason)}</td></tr>"
        for entry in report.not_audited
    ]
    stores = [
        f"<tr><td>{escape(item.region)}</td><td>{escape(item.resource_type)}</td><td>{escape(item.name)}</td>"
        f"<td>{escape(item.encryption)}</td><td>{escape(item.classification or '-')}</td></tr>"
        for item in report.inventory
    ]
    account = escape(report.account or "unknown")
    findings = html_table(
        "audit-findings",
        ["Severity", "Rule", "Region", "Resource", "Why", "Fix"],
        rows,
        "No finding.",
        caption="What the audit found in the account",
    )
    not_audited = html_table(
        "audit-gaps",
        ["Region", "Service", "Reason"],
        gaps,
        "Nothing: every region and service was read.",
        caption="What the audit could not examine, and why",
    )
    inventory = html_table(
        "audit-inventory",
        ["Region", "Type", "Name", "Encryption at rest", "Classification"],
        stores,
        "No data store found.",
        caption="The data stores of the account, by region",
    )
    return (
        '<section id="live-audit"><h2>Live account audit</h2>'
        f"<p>Account <code>{account}</code>, {escape(report.generated_at)}: {escape(report.summary())}.</p>"
        f"<p>Allowed regions: {escape(', '.join(sorted(report.allowed_regions)))}. Regions examined: "
        f"{escape(', '.join(report.regions))}, and the global services.</p>"
        f"<p class='small' id='audit-key-control'>{escape(key_control_text(report.key_control))}.</p>"
        f"<h3>Findings</h3>{findings}<h3>Not audited</h3>{not_audited}<h3>Inventory</h3>{inventory}</section>\n"
    )
