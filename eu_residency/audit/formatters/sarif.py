"""SARIF 2.1.0: one result per finding, located by the resource's ARN (a logical location: there is no file).

The rules are those the audit can report, with the template rules' ids, text and fixes. Parts of the account
that could not be audited are tool execution notifications and make the invocation unsuccessful; the
inventory is in the run's property bag.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from eu_residency.audit.model import AuditFinding, AuditReport
from eu_residency.formats.sarif import SCHEMA, tool
from eu_residency.rules.registry import RULES_BY_ID

FINGERPRINT = "euResidencyAudit/v1"
# Every rule id the collectors report; a test keeps it in step with them.
AUDIT_RULE_IDS: tuple[str, ...] = (
    "EU-ENC-001",
    "EU-ENC-005",
    "EU-ENC-009",
    "EU-ENC-010",
    "EU-ENC-011",
    "EU-ENC-020",
    "EU-ENC-021",
    "EU-ENC-022",
    "EU-ENC-023",
    "EU-ENC-025",
    "EU-ENC-026",
    "EU-ENC-027",
    "EU-ENC-028",
    "EU-ENC-040",
    "EU-ENC-044",
    "EU-ENC-045",
    "EU-ENC-047",
    "EU-RES-001",
    "EU-RES-010",
    "EU-RES-011",
    "EU-RES-012",
    "EU-RES-013",
    "EU-RES-014",
    "EU-RES-015",
    "EU-RES-017",
    "EU-RES-018",
    "EU-RES-020",
    "EU-RES-030",
    "EU-RES-031",
    "EU-RES-033",
    "EU-RET-001",
)


def _result(finding: AuditFinding, index: int) -> dict[str, Any]:
    name = finding.resource.rsplit(":", 1)[-1].rsplit("/", 1)[-1] or finding.resource
    fingerprint = hashlib.sha256("\x1f".join(finding.key).encode("utf-8")).hexdigest()[:32]
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": "error",
        "message": {"text": f"{finding.message}. Fix: {finding.fix}"},
        "locations": [
            {
                "logicalLocations": [
                    {"name": name, "fullyQualifiedName": finding.resource, "kind": "resource"},
                ],
                "properties": {"region": finding.region},
            }
        ],
        "partialFingerprints": {FINGERPRINT: fingerprint},
        "properties": {
            "severity": finding.severity.value,
            "region": finding.region,
            "resourceType": finding.resource_type,
        },
    }


def document(report: AuditReport) -> dict[str, Any]:
    rule_ids = sorted(set(AUDIT_RULE_IDS) | {finding.rule_id for finding in report.findings})
    rule_index = {rule_id: index for index, rule_id in enumerate(rule_ids)}
    notifications = [
        {
            "level": "error",
            "message": {"text": f"{entry.region} {entry.service}: not audited: {entry.reason}"},
            "properties": {"region": entry.region, "service": entry.service},
        }
        for entry in report.not_audited
    ]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": tool([RULES_BY_ID[rule_id] for rule_id in rule_ids], ("live-account",)),
                "automationDetails": {"id": f"eu-residency-audit/{report.account or 'unknown'}/"},
                "invocations": [
                    {
                        "executionSuccessful": not notifications,
                        "toolExecutionNotifications": notifications,
                        "properties": {"summary": report.summary()},
                    }
                ],
                "results": [_result(finding, rule_index[finding.rule_id]) for finding in report.findings],
                "properties": {
                    "account": report.account,
                    "allowedRegions": sorted(report.allowed_regions),
                    "regions": list(report.regions),
                    "coverage": [entry.as_dict() for entry in report.coverage],
                    "inventory": [item.as_dict() for item in report.inventory],
                },
            }
        ],
    }


def render(report: AuditReport) -> str:
    return json.dumps(document(report), indent=2) + "\n"
