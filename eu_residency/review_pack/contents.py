"""What the review pack holds: one check run over a cloud assembly, its inventory, CDK's validation report
placed in the templates, and the live account's audit when given; and the pack's JSON and SARIF.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from eu_residency.assembly import (
    VALIDATION_REPORT,
    AssemblyError,
    StackTemplate,
    ValidationFinding,
    ValidationReport,
    read_stacks,
    read_templates,
    read_validation_report,
)
from eu_residency.audit.audit_report import AuditReport
from eu_residency.check_run.results import CheckRun
from eu_residency.check_run.run import run_check
from eu_residency.core.settings import RuleSettings
from eu_residency.core.vocabulary import CDK_PATH_METADATA
from eu_residency.formats import json_format, sarif
from eu_residency.inventory.builder import build_inventory
from eu_residency.inventory.records import Inventory, stack_name
from eu_residency.review_pack import audit_sections
from eu_residency.review_pack.baseline import Comparison, compare
from eu_residency.review_pack.promises import POLICY_HOME_REGIONS, PromiseEvidence, trace_promises
from eu_residency.review_pack.provenance import Provenance, assembly_template_paths, provenance
from eu_residency.review_pack.rows import reported_rules, rule_set_rows
from eu_residency.review_pack.verdict import PackVerdict, PluginCount, pack_verdict
from eu_residency.rules.engine import active_rules


@dataclass(frozen=True)
class PlacedFinding:
    """A finding of CDK's validation report, placed in the template and resource its construct became."""

    finding: ValidationFinding
    construct_path: str  # "?" when the report names none
    stack: str
    template: str | None = None
    logical_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        finding = self.finding
        return {
            "plugin": finding.plugin,
            "rule": finding.rule,
            "severity": finding.severity,
            "description": finding.description,
            "construct_path": self.construct_path,
            "fix": finding.fix,
            "location": finding.location,
            "template": self.template,
            "stack": self.stack,
            "logical_id": self.logical_id,
            "acknowledged": finding.acknowledged,
            "reason": finding.reason,
            "acknowledged_at": finding.acknowledged_at,
        }


@dataclass(frozen=True)
class CdkValidation:
    """CDK's validation report as the pack shows it: ``path`` None when the assembly has none, ``error``
    when it cannot be read, each finding placed in its template.
    """

    path: str | None = None
    findings: tuple[PlacedFinding, ...] = ()
    error: str | None = None
    plugins: tuple[str, ...] = ()  # every plugin the report names, also those with nothing to report

    def plugin_counts(self) -> tuple[PluginCount, ...]:
        """Each plugin's open and acknowledged findings, in the report's order."""
        names = dict.fromkeys([*self.plugins, *(placed.finding.plugin for placed in self.findings)])
        return tuple(
            PluginCount(
                name,
                sum(1 for placed in self.open if placed.finding.plugin == name),
                sum(1 for placed in self.acknowledged if placed.finding.plugin == name),
            )
            for name in names
        )

    @property
    def open(self) -> list[PlacedFinding]:
        return [placed for placed in self.findings if not placed.finding.acknowledged]

    @property
    def acknowledged(self) -> list[PlacedFinding]:
        return [placed for placed in self.findings if placed.finding.acknowledged]

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "error": self.error,
            "findings": [placed.as_dict() for placed in self.open],
            "acknowledged": [placed.as_dict() for placed in self.acknowledged],
        }


@dataclass(frozen=True)
class ReviewPack:
    run: CheckRun
    files: list[Path]
    inventory: Inventory
    cdk: CdkValidation = field(default_factory=CdkValidation)
    # The live account, beside the templates, when `eu-residency audit --format json` output is given.
    audit: AuditReport | None = None
    provenance: Provenance | None = None
    # What changed since the last signed pack, when its report.json is given (--baseline).
    comparison: Comparison | None = None

    @property
    def promises(self) -> tuple[PromiseEvidence, ...]:
        """The privacy policy's promises, each with the findings of the rules that ran for it."""
        ran = [rule.id for rule in active_rules(self.run.settings)]
        return trace_promises(self.run, self.inventory, ran)

    @property
    def verdict(self) -> PackVerdict:
        """What every source the pack read says, counted together."""
        return pack_verdict(
            self.run,
            validation_path=self.cdk.path,
            validation_error=self.cdk.error,
            plugins=self.cdk.plugin_counts(),
            audit=self.audit,
        )


def assemble_review_pack(
    cdk_out: Path,
    *,
    region: str,
    settings: RuleSettings,
    audit: AuditReport | None = None,
    baseline: Mapping[str, Any] | None = None,
) -> ReviewPack:
    """Check ``cdk_out``, read its templates and validation report, build the inventory, record where it all
    came from, and compare it with ``baseline`` (the report.json of the last signed pack) when given."""
    run = run_check([str(cdk_out)], region=region, settings=settings)
    try:
        templates = read_templates(read_stacks(cdk_out))
    except AssemblyError:  # the check run reports it
        templates = []
    inventory = build_inventory(run.inputs, settings=settings)
    cdk = place_validation_report(read_validation_report(cdk_out / VALIDATION_REPORT), templates)
    made = provenance(cdk_out, settings, assembly_template_paths(cdk_out))
    pack = ReviewPack(run=run, files=[], inventory=inventory, cdk=cdk, audit=audit, provenance=made)
    if baseline is not None:
        pack = replace(pack, comparison=compare(baseline, document(pack)))
    return pack


def place_validation_report(report: ValidationReport, templates: Sequence[StackTemplate]) -> CdkValidation:
    """Every plugin's findings in CDK's validation report, each construct placed in its template."""
    places: dict[str, tuple[str, str]] = {}
    for loaded in templates:
        resources = loaded.template.get("Resources")
        for logical_id, body in resources.items() if isinstance(resources, Mapping) else ():
            meta = body.get("Metadata") if isinstance(body, Mapping) else None
            construct_path = meta.get(CDK_PATH_METADATA) if isinstance(meta, Mapping) else None
            if isinstance(construct_path, str):
                places[construct_path] = (loaded.name, logical_id)
    return CdkValidation(
        path=report.path,
        findings=tuple(_placed(finding, places) for finding in report.findings),
        error=report.error,
        plugins=report.plugins,
    )


def _placed(finding: ValidationFinding, places: Mapping[str, tuple[str, str]]) -> PlacedFinding:
    construct_path = finding.construct_label
    if construct_path not in places:
        return PlacedFinding(finding, construct_path, stack=construct_path.split("/", 1)[0])
    template, logical_id = places[construct_path]
    return PlacedFinding(finding, construct_path, stack=stack_name(template), template=template, logical_id=logical_id)


def document(pack: ReviewPack) -> dict[str, Any]:
    """report.json: the check run as ``--format json`` writes it, with the inventory, CDK's report, and the
    live account's audit when given.
    """
    result = json_format.document(pack.run)
    result["verdict"] = pack.verdict.as_dict()
    result["rules_reported"] = [
        {"id": rule.id, "title": rule.title, "explanation": rule.explanation, "fix": rule.fix}
        for rule in reported_rules(pack.run)
    ]
    result["promises"] = {
        "policy_home_regions": sorted(POLICY_HOME_REGIONS),
        "allowed_regions": sorted(pack.run.settings.allowed_regions),
        "traced": [evidence.as_dict() for evidence in pack.promises],
    }
    result["settings"] = settings_document(pack.run.settings)
    result["inventory"] = pack.inventory.as_dict()
    result["cdk_validation"] = pack.cdk.as_dict()
    if pack.audit is not None:
        result["live_audit"] = pack.audit.as_dict()
    if pack.provenance is not None:
        result["provenance"] = pack.provenance.as_dict()
    if pack.comparison is not None:
        result["baseline"] = pack.comparison.as_dict()
    return result


def settings_document(settings: RuleSettings) -> dict[str, Any]:
    """The settings the run used, and the rules that ran under them per family."""
    return {
        "key_control": settings.key_control.value,
        "rule_set": [
            {"family": family, "title": title, "rules_run": ran, "rules": total, "status": status}
            for family, title, ran, total, status in rule_set_rows(settings)
        ],
    }


def sarif_log(pack: ReviewPack) -> str:
    """report.sarif: the templates' SARIF run, CDK's validation report as a run whose tool components are its
    plugins, and the live account's as a further run of the same log."""
    log: dict[str, Any] = json.loads(sarif.render(pack.run))
    if pack.cdk.path is not None:
        placed = [
            sarif.PlacedValidationFinding(item.finding, item.template, item.logical_id) for item in pack.cdk.findings
        ]
        log["runs"].append(sarif.validation_run(placed, pack.cdk.plugins))
    if pack.audit is not None:
        log["runs"].append(audit_sections.sarif_run(pack.audit))
    return json.dumps(log, indent=2) + "\n"
