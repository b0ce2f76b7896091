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
    rows = "".join(
        f"<tr><td>{escape(finding.severity.value)}</td><td>{escape(finding.rule_id)}</td>"
        f"<td>{escape(finding.region)}</td><td><code>{escape(finding.resource)}</code></td>"
        f"<td>{escape(finding.message)}</td><td>{escape(finding.fix)}</td></tr>"
        for finding in report.findings
    )
    gaps = "".join(
        f"<tr><td>{escape(entry.region)}</td><td>{escape(entry.service)}</td><td>{escape(entry.reason)}</td></tr>"
        for entry in report.not_audited
    )
    stores = "".join(
        f"<tr><td>{escape(item.region)}</td><td>{escape(item.resource_type)}</td><td>{escape(item.name)}</td>"
        f"<td>{escape(item.encryption)}</td><td>{escape(item.classification or '-')}</td></tr>"
        for item in report.inventory
    )
    account = escape(report.account or "unknown")
    return (
        '<section id="live-audit"><h2>Live account audit</h2>'
        f"<p>Account <code>{account}</code>, {escape(report.generated_at)}: {escape(report.summary())}.</p>"
        f"<p>Allowed regions: {escape(', '.join(sorted(report.allowed_regions)))}. Regions examined: "
        f"{escape(', '.join(report.regions))}, and the global services.</p>"
        f"<p class='small' id='audit-key-control'>{escape(key_control_text(report.key_control))}.</p>"
        "<h3>Findings</h3>"
        + (
            "<table><tr><th>Severity</th><th>Rule</th><th>Region</th><th>Resource</th><th>Why</th><th>Fix</th></tr>"
            f"{rows}</table>"
            if rows
            else "<p>No finding.</p>"
        )
        + "<h3>Not audited</h3>"
        + (
            f"<table><tr><th>Region</th><th>Service</th><th>Reason</th></tr>{gaps}</table>"
            if gaps
            else "<p>Nothing: every region and service was read.</p>"
        )
        + "<h3>Inventory</h3>"
        + (
            "<table><tr><th>Region</th><th>Type</th><th>Name</th><th>Encryption at rest</th>"
            f"<th>Classification</th></tr>{stores}</table>"
            if stores
            else "<p>No data store found.</p>"
        )
        + "</section>\n"
    )
