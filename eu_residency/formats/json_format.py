"""JSON for CI to assert on: a check run's path, region, verdict and findings per template, or a whole audit
report (``AuditReport.as_dict``, which ``AuditReport.from_dict`` reads back).
"""

from __future__ import annotations

import json
from typing import Any

from eu_residency.audit.audit_report import AuditReport
from eu_residency.check_run.results import CheckRun


def document(run: CheckRun) -> dict[str, Any]:
    return {
        "summary": run.summary(),
        "exit_code": run.exit_code,
        "allowed_regions": sorted(run.settings.allowed_regions),
        "key_control": run.settings.key_control.value,
        "templates": [
            {
                "path": result.path,
                "region": result.region,
                "verdict": result.verdict,
                "error": result.error,
                "resources": result.resources,
                "findings": [item.as_dict() for item in result.findings],
                "acknowledgement_problems": [
                    {**problem.as_dict(), "line": problem.acknowledgement.line}
                    for problem in result.acknowledgement_problems
                ],
            }
            for result in run.results
        ],
    }


def render(run: CheckRun) -> str:
    return json.dumps(document(run), indent=2) + "\n"


def render_audit(report: AuditReport) -> str:
    return json.dumps(report.as_dict(), indent=2) + "\n"
