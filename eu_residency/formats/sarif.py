"""SARIF 2.1.0 for GitHub code scanning and other viewers: one result per finding of a check run or an audit.

A check run's log describes every rule of the registry; acknowledged findings are results with an external,
accepted suppression carrying the reason; templates that could not be checked are tool execution notifications,
and make the invocation unsuccessful. An audit's log describes the rules the audit can report and locates each
finding by the resource's ARN (a logical location: there is no file); parts of the account that could not be
audited are notifications, and the inventory is in the run's property bag. Result and notification messages are
plain text only (never ``message.markdown``), written through ``escaping.sarif_text`` so that no template or account
text becomes an embedded link.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from eu_residency.assembly import ValidationFinding
from eu_residency.audit.audit_report import AuditFinding, AuditReport
from eu_residency.check_run.acknowledgement_audit import AcknowledgementProblem, ProblemKind
from eu_residency.check_run.results import CheckedFinding, CheckRun
from eu_residency.core.product import TOOL_NAME, tool_version
from eu_residency.core.rule_model import PLUGIN_NAME, Rule, Severity
from eu_residency.core.settings import KEY_CONTROL_KEY, KeyControl, RuleSettings
from eu_residency.formats.escaping import sarif_text
from eu_residency.rules.catalogue import FAMILY_TITLES, acknowledgement_text, severity_text
from eu_residency.rules.engine import active_rules
from eu_residency.rules.registry import RULES, RULES_BY_ID

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
CHECK_FINGERPRINT = "euResidency/v1"
AUDIT_FINGERPRINT = "euResidencyAudit/v1"
STACK = "(stack)"
# Every rule id the audit's collectors report; a test keeps it in step with them.
AUDIT_RULE_IDS: tuple[str, ...] = (
    "EU-ENC-001",
    "EU-ENC-004",
    "EU-ENC-048",
    "EU-ENC-049",
    "EU-ENC-050",
    "EU-RES-019",
    "EU-ENC-005",
    "EU-ENC-009",
    "EU-KEY-002",
    "EU-ENC-011",
    "EU-KEY-001",
    "EU-ENC-021",
    "EU-ENC-022",
    "EU-ENC-023",
    "EU-KEY-010",
    "EU-KEY-003",
    "EU-KEY-004",
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


def _camel_case(text: str) -> str:
    return "".join(word[0].upper() + word[1:] for word in re.split(r"[^A-Za-z0-9]+", text) if word)


def _acknowledgeable(rule: Rule) -> bool:
    return rule.severity.acknowledgeable or (
        rule.unprovable_severity is not None and rule.unprovable_severity.acknowledgeable
    )


def enabled_by(rule: Rule) -> str | None:
    """``eu-residency:key-control=customer-managed``: the setting the rule runs only under (None: it always runs)."""
    return f"{KEY_CONTROL_KEY}={rule.enabled_by.value}" if rule.enabled_by else None


def _runs_text(rule: Rule) -> str | None:
    """When the rule runs, for a rule that runs only under a setting, as its help says it (the full description
    stays the rule's explanation, as the catalogue words it)."""
    if rule.enabled_by is None:
        return None
    value = rule.enabled_by.value
    return (
        f"Runs only with the setting {KEY_CONTROL_KEY}: {value} (cdk.json context, or --key-control {value} on "
        "eu-residency check, report and audit); off by default."
    )


def _help(rule: Rule) -> dict[str, str]:
    runs = _runs_text(rule)
    lines = [
        f"Family: {rule.family.value} ({FAMILY_TITLES[rule.family]})",
        *([runs] if runs else []),
        f"Severity: {severity_text(rule)}",
        f"Why: {rule.explanation}",
        f"Fix: {rule.fix}",
        f"Acknowledge: {acknowledgement_text(rule)}.",
    ]
    if _acknowledgeable(rule):
        lines.append(
            "How to acknowledge: with a reason, on the narrowest construct; in CDK "
            f'`Validations.of(construct).acknowledge(Acknowledgment(id="{PLUGIN_NAME}::{rule.id}", reason="..."))`, '
            "in a template the resource's Metadata (the template's, for the stack itself) "
            f'`{{"eu-residency": {{"acknowledgements": [{{"id": "{rule.id}", "reason": "..."}}]}}}}`.'
        )
    return {
        "text": f"{rule.title}.\n\n" + "\n".join(line.replace("`", "") for line in lines) + "\n",
        "markdown": f"**{rule.title}.**\n\n" + "\n".join(f"- {line}" for line in lines) + "\n",
    }


def rule_descriptor(rule: Rule, extra_tags: tuple[str, ...] = ()) -> dict[str, Any]:
    """The SARIF reportingDescriptor of a rule: shared by the template check and the live audit."""
    fatal_capable = Severity.FATAL in (rule.severity, rule.unprovable_severity)
    properties: dict[str, Any] = {
        "tags": ["security", rule.family.name.lower(), *extra_tags],
        "security-severity": "9.0" if fatal_capable else "7.0",
        "precision": "high",
        "family": rule.family.value,
        "familyTitle": FAMILY_TITLES[rule.family],
    }
    if setting := enabled_by(rule):
        properties["enabledBy"] = setting
    return {
        "id": rule.id,
        "name": _camel_case(rule.title) or _camel_case(rule.id.lower()),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.explanation},
        "help": _help(rule),
        "defaultConfiguration": {"level": "error"},  # fatal and error alike fail the check
        "properties": properties,
    }


def settings_properties(key_control: KeyControl) -> dict[str, Any]:
    """The settings a run used, for its invocation's property bag: which families ran under them."""
    ran = {rule.family.value for rule in active_rules(RuleSettings(key_control=key_control))}
    return {KEY_CONTROL_KEY: key_control.value, "familiesRun": sorted(ran)}


def tool(rules: Sequence[Rule], extra_tags: tuple[str, ...] = ()) -> dict[str, Any]:
    """The SARIF ``tool`` of a run: this command, with the rules it reports on."""
    return {
        "driver": {
            "name": TOOL_NAME,
            "semanticVersion": tool_version(),
            "rules": [rule_descriptor(rule, extra_tags) for rule in rules],
        }
    }


def _artifact_location(path: str) -> dict[str, Any]:
    """``path`` relative to the working directory (with %SRCROOT%) when inside it, else a file: URI."""
    target = Path(path).resolve()
    try:
        relative = target.relative_to(Path.cwd().resolve())
    except ValueError:
        return {"uri": target.as_uri()}
    return {"uri": quote(relative.as_posix()), "uriBaseId": SRCROOT}


def _names_an_input(path: str, error: str) -> bool:
    """Whether an input error's path is a file the person named (a bad cloud assembly has none of its own)."""
    return error.startswith(f"{path}:") or Path(path).exists()


def _message(text: str) -> dict[str, str]:
    """A result's or notification's message: plain text in which nothing is an embedded link (SARIF §3.11.6)."""
    return {"text": sarif_text(text)}


def _fingerprint(finding_key: tuple[str, ...]) -> str:
    return hashlib.sha256("\x1f".join(finding_key).encode("utf-8")).hexdigest()[:32]


def _check_result(
    item: CheckedFinding, location: dict[str, Any], rule_index: dict[str, int], fingerprint: str
) -> dict[str, Any]:
    finding = item.finding
    result: dict[str, Any] = {"ruleId": finding.rule_id}
    if finding.rule_id in rule_index:
        result["ruleIndex"] = rule_index[finding.rule_id]
    result.update(
        {
            "level": "error",
            "message": _message(f"{finding.message}. Fix: {finding.fix}"),
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": location,
                        "region": {"startLine": max(item.line or 1, 1)},
                    },
                    "logicalLocations": [
                        {
                            "name": finding.logical_id or STACK,
                            "fullyQualifiedName": finding.location,
                            "kind": "resource",
                        }
                    ],
                }
            ],
            "partialFingerprints": {CHECK_FINGERPRINT: fingerprint},
            "properties": {
                "severity": finding.severity.value,
                "constructPath": finding.construct_path,
                "propertyPath": ".".join(str(part) for part in finding.path),
                "resourceType": finding.resource_type,
                # Set when the templates do not decide the outcome: what is not known, and why.
                "undecided": finding.undecided.as_dict() if finding.undecided else None,
            },
        }
    )
    if item.acknowledgement is not None:
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": item.acknowledgement.reason,
                "properties": {"source": item.acknowledgement.source},
            }
        ]
    return result


def _problem_descriptor(kind: ProblemKind) -> dict[str, Any]:
    """The notification descriptor of one kind of acknowledgement problem (``tool.driver.notifications``)."""
    return {
        "id": kind.value,
        "name": _camel_case(kind.value),
        "shortDescription": {"text": kind.title},
        "defaultConfiguration": {"level": "warning"},
    }


def _acknowledgement_notification(
    problem: AcknowledgementProblem, location: dict[str, Any], rule_index: dict[str, int]
) -> dict[str, Any]:
    """An acknowledgement problem as a tool configuration notification at the acknowledgement's resource."""
    written = problem.acknowledgement
    notification: dict[str, Any] = {
        "descriptor": {"id": problem.kind.value, "index": list(ProblemKind).index(problem.kind)},
        "level": "warning",
        "message": _message(problem.text),
        "locations": [
            {
                "physicalLocation": {"artifactLocation": location, "region": {"startLine": max(written.line or 1, 1)}},
                "logicalLocations": [{"name": written.where, "kind": "resource"}],
            }
        ],
        "properties": {"acknowledgement": written.id, "source": written.source},
    }
    if problem.rule_id in rule_index:
        notification["associatedRule"] = {"id": problem.rule_id, "index": rule_index[problem.rule_id]}
    return notification


def document(run: CheckRun) -> dict[str, Any]:
    rule_index = {rule.id: index for index, rule in enumerate(RULES)}
    artifacts: list[dict[str, Any]] = []
    artifact_index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    configuration: list[dict[str, Any]] = []
    occurrences: dict[str, int] = {}
    for template in run.results:
        location = _artifact_location(template.path)
        if template.error is not None:
            notification: dict[str, Any] = {"level": "error", "message": _message(template.error)}
            if _names_an_input(template.path, template.error):
                notification["locations"] = [{"physicalLocation": {"artifactLocation": location}}]
            notifications.append(notification)
            continue
        uri = location["uri"]
        if uri not in artifact_index:
            artifact_index[uri] = len(artifacts)
            artifacts.append({"location": dict(location), "roles": ["analysisTarget"]})
        indexed = {**location, "index": artifact_index[uri]}
        for item in template.findings:
            finding = item.finding
            key = _fingerprint((finding.rule_id, uri, finding.logical_id or "", json.dumps(list(finding.path))))
            # Two findings with the same key (same rule, resource and property) still get distinct fingerprints.
            occurrences[key] = occurrences.get(key, 0) + 1
            results.append(_check_result(item, indexed, rule_index, f"{key}:{occurrences[key]}"))
        configuration += [
            _acknowledgement_notification(problem, indexed, rule_index) for problem in template.acknowledgement_problems
        ]
    driver = tool(RULES)
    driver["driver"]["notifications"] = [_problem_descriptor(kind) for kind in ProblemKind]
    return {
        "$schema": SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": driver,
                "invocations": [
                    {
                        "executionSuccessful": not notifications,
                        "toolExecutionNotifications": notifications,
                        # Acknowledgements are the person's configuration of the check: what is wrong with one is a
                        # warning about that configuration, not a result (it never fails the check by itself).
                        "toolConfigurationNotifications": configuration,
                        "properties": {"settings": settings_properties(run.settings.key_control)},
                    }
                ],
                "artifacts": artifacts,
                "results": results,
            }
        ],
    }


# CDK's validation report: one run whose driver is CDK's policy validation and whose extensions are its plugins.
VALIDATION_DRIVER = "aws-cdk policy validation"
VALIDATION_LEVELS = {"error": "error", "fatal": "error", "critical": "error", "high": "error", "warning": "warning"}


@dataclass(frozen=True)
class PlacedValidationFinding:
    """A finding of CDK's validation report and where it lies: its template (None: not placed) and logical id."""

    finding: ValidationFinding
    template: str | None
    logical_id: str | None


def validation_run(findings: Sequence[PlacedValidationFinding], plugins: Sequence[str]) -> dict[str, Any]:
    """CDK's validation report as a SARIF run: each plugin a tool component (``tool.extensions``) with the rules
    it reported, each finding a result naming its rule in its plugin's component, an acknowledged one suppressed
    with its reason."""
    names = list(dict.fromkeys([*plugins, *(placed.finding.plugin for placed in findings)]))
    rules: dict[str, dict[str, int]] = {name: {} for name in names}
    results = []
    for placed in findings:
        finding = placed.finding
        component = names.index(finding.plugin)
        index = rules[finding.plugin].setdefault(finding.rule, len(rules[finding.plugin]))
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "rule": {"id": finding.rule, "index": index, "toolComponent": {"index": component}},
            "level": VALIDATION_LEVELS.get(finding.severity.lower(), "note"),
            "message": _message(finding.description + (f" Fix: {finding.fix}" if finding.fix else "")),
            "properties": {"plugin": finding.plugin, "severity": finding.severity},
        }
        location: dict[str, Any] = {
            "logicalLocations": [{"fullyQualifiedName": finding.construct_label, "kind": "construct"}]
        }
        if placed.template is not None:
            location["physicalLocation"] = {"artifactLocation": _artifact_location(placed.template)}
            location["logicalLocations"].append({"name": placed.logical_id, "kind": "resource"})
        result["locations"] = [location]
        if finding.acknowledged:
            result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": finding.reason or ""}]
        results.append(result)
    extensions = [
        {"name": name, "rules": [{"id": rule} for rule in sorted(rules[name], key=rules[name].__getitem__)]}
        for name in names
    ]
    return {
        "tool": {"driver": {"name": VALIDATION_DRIVER}, "extensions": extensions},
        "results": results,
    }


def render(run: CheckRun) -> str:
    return json.dumps(document(run), indent=2) + "\n"


def _audit_result(finding: AuditFinding, index: int) -> dict[str, Any]:
    name = finding.resource.rsplit(":", 1)[-1].rsplit("/", 1)[-1] or finding.resource
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": "error",
        "message": _message(f"{finding.message}. Fix: {finding.fix}"),
        "locations": [
            {
                "logicalLocations": [
                    {"name": name, "fullyQualifiedName": finding.resource, "kind": "resource"},
                ],
                "properties": {"region": finding.region},
            }
        ],
        "partialFingerprints": {AUDIT_FINGERPRINT: _fingerprint(finding.key)},
        "properties": {
            "severity": finding.severity.value,
            "region": finding.region,
            "resourceType": finding.resource_type,
        },
    }


def audit_document(report: AuditReport) -> dict[str, Any]:
    # The rules the audit could report under its settings (no EU-KEY rule without key control), and any it did.
    could_report = active_rules(
        RuleSettings(key_control=report.key_control), [RULES_BY_ID[rule_id] for rule_id in AUDIT_RULE_IDS]
    )
    rule_ids = sorted({rule.id for rule in could_report} | {finding.rule_id for finding in report.findings})
    rule_index = {rule_id: index for index, rule_id in enumerate(rule_ids)}
    notifications = [
        {
            "level": "error",
            "message": _message(f"{entry.region} {entry.service}: not audited: {entry.reason}"),
            "properties": {"region": entry.region, "service": entry.service},
        }
        for entry in report.not_audited
    ]
    return {
        "$schema": SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": tool([RULES_BY_ID[rule_id] for rule_id in rule_ids], ("live-account",)),
                "automationDetails": {"id": f"eu-residency-audit/{report.account or 'unknown'}/"},
                "invocations": [
                    {
                        "executionSuccessful": not notifications,
                        "toolExecutionNotifications": notifications,
                        "properties": {
                            "summary": report.summary(),
                            "settings": settings_properties(report.key_control),
                        },
                    }
                ],
                "results": [_audit_result(finding, rule_index[finding.rule_id]) for finding in report.findings],
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


def render_audit(report: AuditReport) -> str:
    return json.dumps(audit_document(report), indent=2) + "\n"
