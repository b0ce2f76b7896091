"""JSON: the whole report (``AuditReport.as_dict``), which ``AuditReport.from_dict`` reads back."""

from __future__ import annotations

import json

from eu_residency.audit.model import AuditReport


def render(report: AuditReport) -> str:
    return json.dumps(report.as_dict(), indent=2) + "\n"
