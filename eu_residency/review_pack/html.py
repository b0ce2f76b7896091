"""``eu-residency report``: the review pack for security of a cloud assembly.

One check run over the cdk.out (each stack in its own region), CDK's validation report (every plugin's
findings, and the findings people acknowledged, with their reasons) and the data inventory, written as
``report.html`` (one self-contained page: inline CSS and SVG, no script, nothing loaded from anywhere),
``report.md``, ``report.sarif`` and ``report.json``.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from importlib import metadata
from pathlib import Path
from typing import Any

from eu_residency.audit.model import AuditReport
from eu_residency.check_run.model import CheckedFinding, CheckRun, TemplateResult
from eu_residency.check_run.run import InputError, find_templates, run_check
from eu_residency.core.regions import EU_REGIONS, REGIONS_OUTSIDE_EU
from eu_residency.core.rule_model import Severity
from eu_residency.core.settings import RuleSettings
from eu_residency.formats import json_format, sarif
from eu_residency.inventory.builder import (
    SOURCE_TYPES,
    UNKNOWN_REGION,
    Endpoint,
    Flow,
    FlowKind,
    Inventory,
    build_inventory,
    short_name,
    stack_name,
)
from eu_residency.review_pack import audit_sections as audit_pack
from eu_residency.rules.registry import RULES_BY_ID
from eu_residency.template_loader import TemplateError, parse_template, read_template_text

VALIDATION_REPORT = "validation-report.json"
REPORT_FILES = ("report.md", "report.html", "report.sarif", "report.json")
TOOL_NAME = "eu-residency"
STACK = "(stack)"

EU_REGION_NAMES = {
    "eu-west-1": "Ireland",
    "eu-west-3": "Paris",
    "eu-central-1": "Frankfurt",
    "eu-north-1": "Stockholm",
    "eu-south-1": "Milan",
    "eu-south-2": "Spain",
    "eusc-de-east-1": "European Sovereign Cloud, Brandenburg",
}


# -- what the pack holds -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CdkFinding:
    """One entry of CDK's validation report for one construct: open, or acknowledged with a reason."""

    plugin: str
    rule: str
    severity: str
    description: str
    construct_path: str
    fix: str | None = None
    location: str | None = None
    template: str | None = None
    stack: str | None = None
    logical_id: str | None = None
    acknowledged: bool = False
    reason: str | None = None
    acknowledged_at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "plugin": self.plugin,
            "rule": self.rule,
            "severity": self.severity,
            "description": self.description,
            "construct_path": self.construct_path,
            "fix": self.fix,
            "location": self.location,
            "template": self.template,
            "stack": self.stack,
            "logical_id": self.logical_id,
            "acknowledged": self.acknowledged,
            "reason": self.reason,
            "acknowledged_at": self.acknowledged_at,
        }


@dataclass(frozen=True)
class CdkReport:
    """CDK's validation-report.json: ``path`` None when the assembly has none, ``error`` when unreadable."""

    path: str | None = None
    findings: tuple[CdkFinding, ...] = ()
    error: str | None = None

    @property
    def open(self) -> list[CdkFinding]:
        return [finding for finding in self.findings if not finding.acknowledged]

    @property
    def acknowledged(self) -> list[CdkFinding]:
        return [finding for finding in self.findings if finding.acknowledged]

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "error": self.error,
            "findings": [finding.as_dict() for finding in self.open],
            "acknowledged": [finding.as_dict() for finding in self.acknowledged],
        }


@dataclass(frozen=True)
class ReviewPack:
    run: CheckRun
    files: list[Path]
    inventory: Inventory
    cdk: CdkReport = field(default_factory=CdkReport)
    # The live account, beside the templates, when `eu-residency audit --format json` output is given.
    audit: AuditReport | None = None


def write_review_pack(
    cdk_out: Path, out_dir: Path, *, region: str, settings: RuleSettings, audit: AuditReport | None = None
) -> ReviewPack:
    """Check ``cdk_out``, read its validation report, build the inventory, and write the pack to ``out_dir``;
    with ``audit``, the live account's audit joins each file of the pack.
    """
    run = run_check([str(cdk_out)], region=region, settings=settings)
    templates = _templates(cdk_out, region)
    inventory = build_inventory(templates, settings=settings)
    cdk = read_cdk_report(cdk_out / VALIDATION_REPORT, templates)
    pack = ReviewPack(run=run, files=[], inventory=inventory, cdk=cdk, audit=audit)
    out_dir.mkdir(parents=True, exist_ok=True)
    title = f"EU residency review pack: {cdk_out}"
    contents = {
        "report.md": render_markdown(pack, title),
        "report.html": render_html(pack, title),
        "report.sarif": _sarif(pack),
        "report.json": json.dumps(document(pack), indent=2) + "\n",
    }
    for name in REPORT_FILES:
        path = out_dir / name
        path.write_text(contents[name], encoding="utf-8")
        pack.files.append(path)
    return pack


def document(pack: ReviewPack) -> dict[str, Any]:
    """report.json: the check run as ``--format json`` writes it, with the inventory, CDK's report, and the
    live account's audit when given.
    """
    result = json_format.document(pack.run)
    result["inventory"] = pack.inventory.as_dict()
    result["cdk_validation"] = pack.cdk.as_dict()
    if pack.audit is not None:
        result["live_audit"] = pack.audit.as_dict()
    return result


def _sarif(pack: ReviewPack) -> str:
    """The templates' SARIF run, and the live account's as a second run of the same log."""
    log: dict[str, Any] = json.loads(sarif.render(pack.run))
    if pack.audit is not None:
        log["runs"].append(audit_pack.sarif_run(pack.audit))
    return json.dumps(log, indent=2) + "\n"


def _templates(cdk_out: Path, region: str) -> list[tuple[str, dict[str, Any], str | None]]:
    """The assembly's templates, named as the check run names them; unreadable ones are the run's errors."""
    try:
        candidates, _ = find_templates([str(cdk_out)], region)
    except InputError:
        return []
    loaded = []
    for candidate in candidates:
        try:
            template = parse_template(read_template_text(candidate.path), str(candidate.path))
        except TemplateError:
            continue
        loaded.append((str(candidate.path), template, candidate.region))
    return loaded


def read_cdk_report(path: Path, templates: Sequence[tuple[str, Mapping[str, Any], str | None]]) -> CdkReport:
    """Every plugin's findings in CDK's validation report, each construct placed in its template."""
    if not path.is_file():
        return CdkReport()
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return CdkReport(path=str(path), error=f"{path}: not readable as JSON ({error})")
    places: dict[str, tuple[str, str]] = {}
    for name, template, _ in templates:
        resources = template.get("Resources")
        for logical_id, body in resources.items() if isinstance(resources, Mapping) else ():
            meta = body.get("Metadata") if isinstance(body, Mapping) else None
            construct_path = meta.get("aws:cdk:path") if isinstance(meta, Mapping) else None
            if isinstance(construct_path, str):
                places[construct_path] = (name, logical_id)
    findings: list[CdkFinding] = []
    plugins = report.get("pluginReports") if isinstance(report, Mapping) else None
    for plugin in plugins if isinstance(plugins, list) else []:
        if not isinstance(plugin, Mapping):
            continue
        for key, acknowledged in (("violations", False), ("suppressedViolations", True)):
            entries = plugin.get(key)
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, Mapping):
                    findings += _cdk_findings(str(plugin.get("pluginName", "?")), entry, acknowledged, places)
    return CdkReport(path=str(path), findings=tuple(findings))


def _cdk_findings(
    plugin: str, entry: Mapping[str, Any], acknowledged: bool, places: Mapping[str, tuple[str, str]]
) -> list[CdkFinding]:
    constructs = entry.get("violatingConstructs")
    paths = [
        str(item.get("constructPath", "?"))
        for item in (constructs if isinstance(constructs, list) else [])
        if isinstance(item, Mapping)
    ] or ["?"]
    rule_metadata = entry.get("ruleMetadata")
    location = rule_metadata.get("location") if isinstance(rule_metadata, Mapping) else None

    def text(key: str) -> str | None:
        value = entry.get(key)
        return str(value) if value is not None else None

    found = []
    for construct_path in paths:
        template, logical_id = places.get(construct_path, (None, None))
        found.append(
            CdkFinding(
                plugin=plugin,
                rule=str(entry.get("ruleName", "?")),
                severity=str(entry.get("severity", "error")),
                description=str(entry.get("description", "")),
                construct_path=construct_path,
                fix=text("suggestedFix") or text("fix"),
                location=str(location) if location is not None else None,
                template=template,
                stack=stack_name(template) if template else construct_path.split("/", 1)[0],
                logical_id=logical_id,
                acknowledged=acknowledged,
                reason=text("reason") if acknowledged else None,
                acknowledged_at=text("acknowledgedAt") if acknowledged else None,
            )
        )
    return found


# -- what every format shows -------------------------------------------------------------------------------


def _version() -> str:
    try:
        return metadata.version(TOOL_NAME)
    except metadata.PackageNotFoundError:
        return "0.0.0"


def verdict(run: CheckRun) -> str:
    return {0: "COMPLIANT", 1: "NON-COMPLIANT"}.get(run.exit_code, "INPUT ERROR")


def _rows(run: CheckRun, *, acknowledged: bool) -> list[tuple[TemplateResult, CheckedFinding]]:
    return [
        (result, item)
        for result in run.results
        for item in (result.acknowledged if acknowledged else result.open_findings)
    ]


def _title(rule_id: str) -> str:
    rule = RULES_BY_ID.get(rule_id)
    return rule.title if rule is not None else ""


def _property_path(item: CheckedFinding) -> str:
    return ".".join(str(part) for part in item.finding.path) or "-"


def _construct(result: TemplateResult, item: CheckedFinding) -> str:
    return item.finding.construct_path or (stack_name(result.path) if item.finding.logical_id is None else "-")


def _describe_region(region: str, allowed: frozenset[str]) -> str:
    """``eu-west-1 (Ireland), in the EU`` / ``us-east-1 (N. Virginia), outside the EU``."""
    if region == UNKNOWN_REGION:
        return "region unknown: cannot be shown to be in the EU"
    place = EU_REGION_NAMES.get(region) or REGIONS_OUTSIDE_EU.get(region)
    named = f"{region} ({place})" if place else region
    if region in EU_REGIONS:
        return f"{named}, in the EU" + ("" if region in allowed else ", not in the allowed regions")
    return f"{named}, outside the EU"


def _counts_by_rule(run: CheckRun) -> list[tuple[str, int, int, int]]:
    """(rule, fatal, error, acknowledged) for every rule with a finding, most findings first."""
    counts: dict[str, list[int]] = {}
    for result in run.results:
        for item in result.findings:
            row = counts.setdefault(item.finding.rule_id, [0, 0, 0])
            if not item.open:
                row[2] += 1
            elif item.finding.severity is Severity.FATAL:
                row[0] += 1
            else:
                row[1] += 1
    rows = [(rule, fatal, error, ack) for rule, (fatal, error, ack) in counts.items()]
    return sorted(rows, key=lambda row: (-(row[1] + row[2]), -row[1], -row[3], row[0]))


def _counts_by_stack(run: CheckRun) -> list[tuple[TemplateResult, int, int, int]]:
    rows = []
    for result in run.results:
        open_ = result.open_findings
        fatal = sum(1 for item in open_ if item.finding.severity is Severity.FATAL)
        rows.append((result, fatal, len(open_) - fatal, len(result.acknowledged)))
    return rows


# -- HTML ----------------------------------------------------------------------------------------------------

CSS = """
:root { --ink:#1f2933; --muted:#52606d; --line:#d9e2ec; --bg:#f0f4f8; --fatal:#b71c1c; --error:#d84315;
  --ok:#2e7d32; --accent:#102a43; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font-size:14px; line-height:1.45;
  font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Liberation Sans","DejaVu Sans",
  sans-serif; }
header.top { background:var(--accent); color:#fff; padding:26px 40px 22px; }
header.top h1 { margin:0 0 4px; font-size:26px; letter-spacing:.2px; }
header.top .scope { color:#bcccdc; margin:0 0 16px; font-size:13px; }
header.top .scope code { color:#fff; }
.verdict { display:inline-block; font-size:20px; font-weight:800; padding:6px 18px; border-radius:6px;
  letter-spacing:.5px; margin-right:14px; vertical-align:middle; }
.verdict.v-ok { background:#2e7d32; } .verdict.v-bad { background:#c62828; } .verdict.v-err { background:#ef6c00; }
.summary { display:inline-block; vertical-align:middle; color:#d9e2ec; font-size:13px; max-width:900px; }
.cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(150px,1fr)); gap:10px; margin-top:18px; }
.card { background:rgba(255,255,255,.08); border:1px solid rgba(255,255,255,.18); border-radius:6px;
  padding:8px 14px; }
.card b { display:block; font-size:24px; line-height:1.2; }
.card span { font-size:12px; color:#bcccdc; }
.card.fatal b { color:#ff8a80; } .card.error b { color:#ffb74d; } .card.alert b { color:#ff8a80; }
main { max-width:1400px; margin:0 auto; padding:22px 40px 40px; }
section { background:#fff; border:1px solid var(--line); border-radius:8px; padding:18px 24px 20px; margin:0 0 20px; }
h2 { font-size:19px; margin:0 0 4px; color:var(--accent); }
h3 { font-size:15px; margin:18px 0 8px; color:var(--accent); }
p.lead { margin:0 0 14px; color:var(--muted); }
table { border-collapse:collapse; width:100%; font-size:12.5px; }
th { background:#f0f4f8; color:#334e68; text-align:left; padding:7px 8px; border-bottom:2px solid var(--line);
  font-weight:700; white-space:nowrap; }
td { padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; overflow-wrap:break-word; }
td.mono { overflow-wrap:anywhere; }
#findings, #acknowledged, #cdk-findings, #flows, #inventory { table-layout:fixed; }
th.w-sev { width:72px; } th.w-rule { width:180px; } th.w-stack { width:140px; } th.w-path { width:180px; }
th.w-id { width:130px; } th.w-prop { width:125px; } th.w-src { width:140px; } th.w-kind { width:96px; }
th.w-region { width:104px; } th.w-cls { width:104px; } th.w-enc { width:170px; } th.w-flows { width:auto; }
th.w-type { width:150px; } th.w-idpath { width:230px; } th.w-yes { width:150px; } th.w-end { width:250px; }
tbody tr:nth-child(even) td { background:#f8fafc; }
td.nowrap { white-space:nowrap; overflow-wrap:normal; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
td.empty { color:var(--muted); font-style:italic; text-align:center; padding:14px; }
code, .mono { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace;
  font-size:11.5px; }
.muted { color:var(--muted); } .small { font-size:11.5px; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-weight:700; font-size:11px;
  white-space:nowrap; }
.sev-fatal { background:#fdecea; color:var(--fatal); border:1px solid #f5b7b1; }
.sev-error { background:#fff3e0; color:var(--error); border:1px solid #ffcc80; }
.sev-ack { background:#eceff1; color:#455a64; border:1px solid #cfd8dc; }
.ok { color:var(--ok); font-weight:700; } .bad { color:#c62828; font-weight:700; }
.warn { color:#b45309; font-weight:700; }
.cls { display:inline-block; padding:0 7px; border-radius:9px; font-size:11px; font-weight:700; color:#fff; }
.cls-personal { background:#8e24aa; } .cls-internal { background:#1e88e5; } .cls-public { background:#43a047; }
.cls-unclassified { background:#9aa5b1; } .cls-unknown { background:#f9a825; color:#1f2933; }
.grid2 { display:grid; grid-template-columns:1fr 1fr; gap:22px; }
.grid3 { display:grid; grid-template-columns:1fr 1fr 1fr; gap:22px; align-items:start; }
.chart { width:100%; height:auto; display:block; }
.flows-picture { width:100%; height:auto; display:block; border:1px solid var(--line); border-radius:6px; }
.note { background:#fffbea; border:1px solid #f0d98c; border-radius:6px; padding:8px 12px; margin:10px 0; }
.signoff td { height:42px; }
footer { color:var(--muted); font-size:12px; text-align:center; padding:0 0 30px; }
@media print { body { background:#fff; } section { break-inside:avoid; border-color:#bbb; }
  header.top { -webkit-print-color-adjust:exact; print-color-adjust:exact; } }
"""

SEVERITY_COLORS = {"fatal": "#b71c1c", "error": "#ef6c00"}
KIND_COLORS = {
    FlowKind.LOG: "#7b8794",
    FlowKind.BACKUP: "#1565c0",
    FlowKind.BACKUP_COPY: "#1565c0",
    FlowKind.REPLICA: "#6a1b9a",
    FlowKind.REPLICATION: "#6a1b9a",
    FlowKind.DELIVERY: "#00838f",
    FlowKind.OUTBOUND: "#ef6c00",
}
OUTSIDE_COLOR = "#c62828"
CLASSIFICATION_COLORS = {
    "personal": "#8e24aa",
    "internal": "#1e88e5",
    "public": "#43a047",
    "unclassified": "#9aa5b1",
}


def e(value: object) -> str:
    """Every text that reaches the page goes through here."""
    return escape(str(value), quote=True)


def _badge(severity: str) -> str:
    css = {"fatal": "sev-fatal", "error": "sev-error", "open": "sev-error"}.get(severity, "sev-ack")
    return f'<span class="badge {css}">{e(severity)}</span>'


def _classification(value: str) -> str:
    css = value if value in CLASSIFICATION_COLORS else "unknown"
    return f'<span class="cls cls-{e(css)}">{e(value)}</span>'


def _table(table_id: str | None, headers: Sequence[str], rows: Sequence[str], empty: str, numeric: int = 0) -> str:
    """A table; ``rows`` are finished ``<tr>`` elements; the last ``numeric`` columns are right-aligned. A
    header ``Name|w-path`` gives its column the width class ``w-path``.
    """
    ident = f' id="{e(table_id)}"' if table_id else ""
    cells = []
    for index, header in enumerate(headers):
        name, _, width = header.partition("|")
        classes = " ".join(part for part in (width, "num" if index >= len(headers) - numeric else "") if part)
        cells.append(f'<th class="{e(classes)}">{e(name)}</th>' if classes else f"<th>{e(name)}</th>")
    head = "".join(cells)
    body = "".join(rows) or f'<tr><td class="empty" colspan="{len(headers)}">{e(empty)}</td></tr>'
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(pack: ReviewPack, title: str) -> str:
    run, inventory = pack.run, pack.inventory
    sections = [
        _html_scope(pack),
        _html_overview(run, pack.cdk),
        _html_findings(run, pack.cdk),
        _html_acknowledged(run, pack.cdk),
        _html_cdk(pack.cdk),
        _html_flows(inventory),
        _html_inventory(inventory),
        *([audit_pack.html_section(pack.audit)] if pack.audit is not None else []),
        _html_signoff(),
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "img-src data:; base-uri 'none'; form-action 'none'\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{e(title)}</title><style>{CSS}</style></head><body>"
        f"{_html_header(pack, title)}<main>{''.join(sections)}</main>"
        f"<footer>Written by {e(TOOL_NAME)} {e(_version())}. One self-contained file: no script, no font or "
        "image loaded from anywhere; it opens offline.</footer></body></html>\n"
    )


def _html_header(pack: ReviewPack, title: str) -> str:
    run, inventory = pack.run, pack.inventory
    word = verdict(run)
    css = {"COMPLIANT": "v-ok", "NON-COMPLIANT": "v-bad"}.get(word, "v-err")
    acknowledged = sum(len(result.acknowledged) for result in run.results)
    outside = len(inventory.outside_flows)
    cards = [
        ("fatal", run.count(Severity.FATAL), "fatal findings (open)"),
        ("error", run.count(Severity.ERROR), "error findings (open)"),
        ("", acknowledged + len(pack.cdk.acknowledged), "acknowledged, with reasons (rules and CDK)"),
        ("", sum(1 for result in run.results if result.error is None), "templates checked"),
        ("", len(inventory.stores), "data-bearing resources"),
        ("alert" if outside else "", outside, "flows outside the allowed regions"),
        ("error" if pack.cdk.open else "", len(pack.cdk.open), "open CDK validation findings"),
    ]
    card_html = "".join(
        f'<div class="card {css_class if count else ""}"><b>{count}</b><span>{e(label)}</span></div>'
        for css_class, count, label in cards
    )
    allowed = ", ".join(sorted(run.settings.allowed_regions))
    return (
        f'<header class="top"><h1>{e(title.split(":", 1)[0])}</h1>'
        f'<p class="scope">Cloud assembly <code>{e(title.split(": ", 1)[-1])}</code> · allowed regions '
        f"<code>{e(allowed)}</code></p>"
        f'<span class="verdict {css}" id="verdict">{e(word)}</span>'
        f'<span class="summary">{e(run.summary())}.</span>'
        f'<div class="cards">{card_html}</div></header>'
    )


def _html_scope(pack: ReviewPack) -> str:
    run = pack.run
    allowed = run.settings.allowed_regions
    rows = []
    for result, fatal, error, acknowledged in _counts_by_stack(run):
        word = result.verdict
        css = {"compliant": "ok", "non-compliant": "bad"}.get(word, "warn")
        region = result.region or UNKNOWN_REGION
        rows.append(
            f"<tr><td><b>{e(stack_name(result.path))}</b><br><span class='mono muted'>{e(result.path)}</span></td>"
            f"<td>{e(_describe_region(region, allowed))}</td><td class='{css}'>{e(word)}"
            + (f"<br><span class='small'>{e(result.error)}</span>" if result.error else "")
            + f"</td><td class='num'>{result.resources}</td><td class='num'>{fatal}</td><td class='num'>{error}</td>"
            f"<td class='num'>{acknowledged}</td></tr>"
        )
    table = _table(
        "stacks",
        ["Stack / template", "Region", "Verdict", "Resources", "Fatal", "Error", "Acknowledged"],
        rows,
        "No template was found in the assembly.",
        numeric=4,
    )
    cdk = pack.cdk
    if cdk.error:
        cdk_line = f"<p class='note'>CDK's validation report could not be read: {e(cdk.error)}</p>"
    elif cdk.path is None:
        cdk_line = "<p class='note'>The assembly has no CDK validation report (validation-report.json).</p>"
    else:
        cdk_line = (
            f"<p class='muted small'>CDK validation report: <code>{e(cdk.path)}</code>, "
            f"{len(cdk.open)} open and {len(cdk.acknowledged)} acknowledged finding(s).</p>"
        )
    return (
        '<section id="scope"><h2>1. Scope and verdict per stack</h2>'
        "<p class='lead'>Every stack of the assembly, checked together as one app, each in the region its "
        "environment names. Fatal findings prove data leaves the allowed regions and can never be acknowledged; "
        "errors break the policy or cannot be shown to keep it.</p>"
        f"{table}{cdk_line}</section>"
    )


def _html_overview(run: CheckRun, cdk: CdkReport) -> str:
    by_rule = _counts_by_rule(run)
    rule_rows = [
        f"<tr><td><b>{e(rule)}</b> <span class='muted'>{e(_title(rule))}</span></td>"
        f"<td class='num'>{fatal}</td><td class='num'>{error}</td><td class='num'>{ack}</td></tr>"
        for rule, fatal, error, ack in by_rule
    ]
    stack_rows = [
        f"<tr><td>{e(stack_name(result.path))}</td><td class='num'>{fatal}</td><td class='num'>{error}</td>"
        f"<td class='num'>{ack}</td></tr>"
        for result, fatal, error, ack in _counts_by_stack(run)
    ]
    acknowledged = sum(len(result.acknowledged) for result in run.results)
    severity_rows = [
        f"<tr><td>{_badge('fatal')}</td><td class='num'>{run.count(Severity.FATAL)}</td></tr>",
        f"<tr><td>{_badge('error')}</td><td class='num'>{run.count(Severity.ERROR)}</td></tr>",
        f"<tr><td>{_badge('acknowledged')} <span class='small muted'>rules, in the templates</span></td>"
        f"<td class='num'>{acknowledged}</td></tr>",
        f"<tr><td>{_badge('open')} <span class='small muted'>CDK validation report</span></td>"
        f"<td class='num'>{len(cdk.open)}</td></tr>",
        f"<tr><td>{_badge('acknowledged')} <span class='small muted'>CDK validation report</span></td>"
        f"<td class='num'>{len(cdk.acknowledged)}</td></tr>",
    ]
    rule_chart = _bar_chart(
        "Open findings by rule", [(rule, fatal, error) for rule, fatal, error, _ in by_rule if fatal + error]
    )
    stack_chart = _bar_chart(
        "Open findings by stack",
        [(stack_name(result.path), fatal, error) for result, fatal, error, _ in _counts_by_stack(run) if fatal + error],
    )
    return (
        '<section id="overview"><h2>2. Findings at a glance</h2>'
        "<p class='lead'>Open findings count against the verdict; acknowledged ones were accepted by a person "
        "with a reason (section 4).</p>"
        f'<div class="grid2"><div>{rule_chart}</div><div>{stack_chart}</div></div>'
        '<div class="grid3">'
        f"<div><h3>By severity</h3>{_table('by-severity', ['Severity', 'Count'], severity_rows, '', 1)}</div>"
        f"<div><h3>By rule</h3>"
        f"{_table('by-rule', ['Rule', 'Fatal', 'Error', 'Ack.'], rule_rows, 'No finding.', 3)}</div>"
        f"<div><h3>By stack</h3>"
        f"{_table('by-stack', ['Stack', 'Fatal', 'Error', 'Ack.'], stack_rows, 'No stack.', 3)}</div>"
        "</div></section>"
    )


def _bar_chart(title: str, items: Sequence[tuple[str, int, int]]) -> str:
    """Horizontal bars, fatal then error, one per item; a clear empty state when there is nothing."""
    width, label_width, row, top = 640, 190, 26, 40
    if not items:
        height = 130
        return (
            f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{e(title)}: none">'
            f"<title>{e(title)}: none</title>"
            f'<text x="0" y="20" font-size="14" font-weight="700" fill="#102a43">{e(title)}</text>'
            f'<rect x="1" y="34" width="{width - 2}" height="{height - 36}" rx="8" fill="#f1f8f4" '
            'stroke="#a5d6a7" stroke-dasharray="6 4"/>'
            f'<circle cx="{width / 2 - 110}" cy="{34 + (height - 36) / 2}" r="15" fill="#2e7d32"/>'
            f'<path d="M{width / 2 - 118},{82} l6,6 l11,-12" stroke="#fff" stroke-width="3.2" fill="none" '
            'stroke-linecap="round" stroke-linejoin="round"/>'
            f'<text x="{width / 2 - 84}" y="88" font-size="15" font-weight="700" fill="#1b5e20">'
            "No open findings</text></svg>"
        )
    peak = max(fatal + error for _, fatal, error in items)
    scale = min((width - label_width - 50) / max(peak, 1), 64.0)  # one finding is never a full-width bar
    height = top + row * len(items) + 26
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{e(title)}">',
        f"<title>{e(title)}</title>",
        f'<text x="0" y="20" font-size="14" font-weight="700" fill="#102a43">{e(title)}</text>',
    ]
    ticks = sorted({0, peak, *(round(peak * step / 4) for step in range(1, 4))})
    for tick in ticks:
        x = label_width + tick * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{top + row * len(items)}" stroke="#e4e7eb"/>'
            f'<text x="{x:.1f}" y="{top + row * len(items) + 16}" font-size="10.5" fill="#7b8794" '
            f'text-anchor="middle">{tick}</text>'
        )
    for index, (label, fatal, error) in enumerate(items):
        y = top + index * row
        shown = label if len(label) <= 26 else label[:25] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" font-size="12" text-anchor="end" fill="#243b53">'
            f"<title>{e(label)}</title>{e(shown)}</text>"
        )
        x = label_width
        for severity, count in (("fatal", fatal), ("error", error)):
            if count:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 3}" width="{count * scale:.1f}" height="{row - 8}" rx="2" '
                    f'fill="{SEVERITY_COLORS[severity]}"><title>{e(label)}: {count} {severity}</title></rect>'
                )
                x += count * scale
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y + 15}" font-size="11.5" font-weight="700" fill="#243b53">'
            f"{fatal + error}</text>"
        )
    legend_x = width - 110
    parts.append(
        f'<rect x="{legend_x}" y="9" width="11" height="11" rx="2" fill="{SEVERITY_COLORS["fatal"]}"/>'
        f'<text x="{legend_x + 15}" y="19" font-size="11" fill="#52606d">fatal</text>'
        f'<rect x="{legend_x + 56}" y="9" width="11" height="11" rx="2" fill="{SEVERITY_COLORS["error"]}"/>'
        f'<text x="{legend_x + 71}" y="19" font-size="11" fill="#52606d">error</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _open_findings(run: CheckRun) -> list[tuple[TemplateResult, CheckedFinding]]:
    """Fatal first, then by stack, rule and resource."""
    return sorted(
        _rows(run, acknowledged=False),
        key=lambda row: (
            row[1].finding.severity is not Severity.FATAL,
            stack_name(row[0].path),
            row[1].finding.rule_id,
            row[1].finding.logical_id or "",
        ),
    )


def _html_findings(run: CheckRun, cdk: CdkReport) -> str:
    rows = []
    for result, item in _open_findings(run):
        finding = item.finding
        logical_id = finding.logical_id or ""
        rows.append(
            f'<tr data-rule="{e(finding.rule_id)}" data-logical-id="{e(logical_id)}" data-template="{e(result.path)}" '
            f'data-severity="{e(finding.severity.value)}">'
            f"<td>{_badge(finding.severity.value)}</td>"
            f"<td><b>{e(finding.rule_id)}</b><br><span class='small'>{e(_title(finding.rule_id))}</span></td>"
            f"<td class='nowrap'>{e(stack_name(result.path))}</td>"
            f"<td class='mono'>{e(_construct(result, item))}</td>"
            f"<td class='mono'>{e(logical_id or STACK)}</td>"
            f"<td class='mono'>{e(_property_path(item))}</td>"
            f"<td>{e(finding.message)}</td><td class='small'>{e(finding.fix)}</td></tr>"
        )
    table = _table(
        "findings",
        [
            "Severity|w-sev",
            "Rule|w-rule",
            "Stack|w-stack",
            "Construct path|w-path",
            "Logical id|w-id",
            "Property|w-prop",
            "Why",
            "Fix",
        ],
        rows,
        "No open finding: every template keeps the policy.",
    )
    return (
        '<section id="open-findings"><h2>3. Open findings</h2>'
        "<p class='lead'>What breaks the residency, encryption or retention policy, or cannot be shown to keep "
        f"it, with where and how to fix it. Fatal first.</p>{table}</section>"
    )


def _html_acknowledged(run: CheckRun, cdk: CdkReport) -> str:
    rows = []
    for result, item in _rows(run, acknowledged=True):
        finding = item.finding
        assert item.acknowledgement is not None
        rows.append(
            f'<tr data-rule="{e(finding.rule_id)}" data-logical-id="{e(finding.logical_id or "")}" '
            f'data-template="{e(result.path)}" data-source="template">'
            f"<td>{e(item.acknowledgement.source)}</td>"
            f"<td><b>{e(finding.rule_id)}</b><br><span class='small'>{e(_title(finding.rule_id))}</span></td>"
            f"<td>{e(stack_name(result.path))}</td><td class='mono'>{e(_construct(result, item))}</td>"
            f"<td class='mono'>{e(finding.logical_id or STACK)}</td>"
            f"<td>{e(item.acknowledgement.reason)}</td></tr>"
        )
    for suppressed in cdk.acknowledged:
        rows.append(
            f'<tr data-rule="{e(suppressed.rule)}" data-logical-id="{e(suppressed.logical_id or "")}" '
            f'data-template="{e(suppressed.template or "")}" data-source="cdk">'
            f"<td>CDK validation report ({e(suppressed.plugin)})</td>"
            f"<td><b>{e(suppressed.rule)}</b><br>"
            f"<span class='small muted'>{e(_first_sentence(suppressed.description))}</span></td>"
            f"<td class='nowrap'>{e(suppressed.stack or '')}</td><td class='mono'>{e(suppressed.construct_path)}</td>"
            f"<td class='mono'>{e(suppressed.logical_id or '-')}</td>"
            f"<td>{e(suppressed.reason or '')}"
            + (
                f"<br><span class='small muted'>acknowledged at {e(suppressed.acknowledged_at)}</span>"
                if suppressed.acknowledged_at
                else ""
            )
            + "</td></tr>"
        )
    table = _table(
        "acknowledged",
        ["Source|w-src", "Rule|w-rule", "Stack|w-stack", "Construct path|w-path", "Logical id|w-id", "Reason given"],
        rows,
        "Nothing was acknowledged.",
    )
    return (
        '<section id="acknowledged-findings"><h2>4. Acknowledged findings</h2>'
        "<p class='lead'>Findings a person accepted, each with the reason they gave: the rules' acknowledgements "
        "in the templates' metadata, and the suppressions in CDK's validation report (cdk-nag and the other "
        f"plugins). Fatal findings can never be acknowledged.</p>{table}</section>"
    )


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _first_sentence(text: str, limit: int = 110) -> str:
    sentence = text.split(". ", 1)[0].rstrip(".")
    return _short(sentence + ("." if sentence else ""), limit)


def _html_cdk(cdk: CdkReport) -> str:
    rows = [
        f'<tr data-rule="{e(finding.rule)}" data-logical-id="{e(finding.logical_id or "")}" '
        f'data-template="{e(finding.template or "")}" data-plugin="{e(finding.plugin)}">'
        f"<td>{_badge(finding.severity)}</td><td>{e(finding.plugin)}</td><td><b>{e(finding.rule)}</b></td>"
        f"<td class='nowrap'>{e(finding.stack or '')}</td><td class='mono'>{e(finding.construct_path)}</td>"
        f"<td class='mono'>{e(finding.logical_id or '-')}</td><td>{e(_short(finding.description, 400))}</td>"
        f"<td class='small'>{e(finding.fix or '')}</td></tr>"
        for finding in cdk.open
    ]
    if cdk.path is None and not cdk.error:
        empty = "The assembly has no CDK validation report."
    else:
        empty = "No open finding in CDK's validation report."
    table = _table(
        "cdk-findings",
        [
            "Severity|w-sev",
            "Plugin|w-kind",
            "Rule|w-rule",
            "Stack|w-stack",
            "Construct path|w-path",
            "Logical id|w-id",
            "Description",
            "Fix",
        ],
        rows,
        empty,
    )
    return (
        '<section id="cdk-validation"><h2>5. CDK validation report: open findings of every plugin</h2>'
        "<p class='lead'>What the policy-validation plugins (AwsSolutions, EU-Residency, ...) reported at "
        f"synthesis and nobody acknowledged.</p>{table}</section>"
    )


def _flow_label(flow: Flow) -> str:
    if flow.inside:
        return "inside the allowed regions" if not flow.destination.outside_aws else "vetted EU endpoint"
    if flow.destination.outside_aws:
        return "outside AWS: cannot be shown to be in the EU"
    if flow.region == UNKNOWN_REGION:
        return "region unknown: treated as outside the EU"
    if flow.region in EU_REGIONS:
        return "in the EU, but not in the allowed regions"
    return "outside the EU"


def _endpoint_text(endpoint: Endpoint) -> str:
    if endpoint.logical_id is not None:
        return f"{endpoint.label} ({endpoint.logical_id}, {endpoint.stack})"
    return endpoint.label


def _html_flows(inventory: Inventory) -> str:
    rows = []
    ordered = sorted(inventory.flows, key=lambda flow: (flow.inside, flow.source.label, flow.kind))
    for flow in ordered:
        css = "ok" if flow.inside else "bad"
        rows.append(
            f'<tr data-kind="{e(flow.kind)}" data-region="{e(flow.region)}" data-inside="{str(flow.inside).lower()}">'
            f"<td>{e(_endpoint_text(flow.source))}</td><td>{e(flow.kind)}</td>"
            f"<td>{e(_endpoint_text(flow.destination))}</td><td>{e(flow.region)}</td>"
            f"<td class='{css}'>{'yes' if flow.inside else 'NO'}<br><span class='small'>"
            f"{e(_flow_label(flow))}</span></td><td class='small'>{e(flow.detail)}</td></tr>"
        )
    table = _table(
        "flows",
        [
            "From|w-end",
            "Flow|w-kind",
            "To|w-end",
            "Region|w-region",
            "In the allowed set|w-yes",
            "What in the template says so",
        ],
        rows,
        "The templates show no flow of data between resources.",
    )
    return (
        '<section id="data-flows"><h2>6. Where data can go</h2>'
        "<p class='lead'>Each data store as a box in its region; each arrow a way its data can leave it: "
        "replicas, backups and their copies, replication, logs and deliveries, and sends outside AWS. "
        "Destinations outside the allowed regions, or whose region the templates cannot show, are drawn in "
        f"red.</p>{render_flow_map(inventory)}<h3>Every flow</h3>{table}</section>"
    )


def _html_inventory(inventory: Inventory) -> str:
    rows = []
    allowed = inventory.allowed_regions
    for store in sorted(inventory.stores, key=lambda store: (store.stack, store.type_label, store.logical_id)):
        flows = (
            "<br>".join(
                f"<span class='{'ok' if flow.inside else 'bad'}'>{'✓' if flow.inside else '✗'}</span> "
                f"{e(flow.kind)} → {e(flow.destination.label)} ({e(flow.region)})"
                for flow in store.flows
            )
            or "<span class='muted'>none shown</span>"
        )
        description = f"<br><span class='small muted'>{e(store.description)}</span>" if store.description else ""
        region_css = " class='nowrap'" if store.inside else " class='nowrap bad'"
        rows.append(
            f'<tr data-logical-id="{e(store.logical_id)}" data-template="{e(store.template)}" '
            f'data-region="{e(store.region)}" data-classification="{e(store.classification)}">'
            f"<td class='nowrap'>{e(store.stack)}</td>"
            f"<td class='mono'><b>{e(store.logical_id)}</b><br><span class='muted'>"
            f"{e(store.construct_path or '')}</span></td>"
            f"<td>{e(store.type_label)}<br><span class='mono muted'>{e(store.type)}</span>{description}</td>"
            f"<td{region_css}>{e(store.region)}<br><span class='small muted'>"
            f"{e(_describe_region(store.region, allowed).split(', ', 1)[-1])}</span></td>"
            f"<td>{_classification(store.classification)}</td>"
            f"<td>{e(store.at_rest.text)}</td><td>{e(store.in_transit.text)}</td><td class='small'>{flows}</td></tr>"
        )
    table = _table(
        "inventory",
        [
            "Stack|w-stack",
            "Logical id / construct path|w-idpath",
            "Type|w-type",
            "Region|w-region",
            "Classification|w-cls",
            "Encryption at rest|w-enc",
            "In transit|w-enc",
            "Data flows|w-flows",
        ],
        rows,
        "No data-bearing resource in the templates.",
    )
    counts = Counter(store.classification for store in inventory.stores)
    tally = ", ".join(f"{count} {name}" for name, count in sorted(counts.items())) or "none"
    return (
        '<section id="data-inventory"><h2>7. Data inventory</h2>'
        f"<p class='lead'>Every data-bearing resource ({len(inventory.stores)}: {e(tally)}), classified by its "
        "<code>data-classification</code> tag, with the key that encrypts it at rest and what the template proves "
        f"about encryption in transit.</p>{table}</section>"
    )


def _html_signoff() -> str:
    rows = [
        "<tr><td>Security reviewer</td><td></td><td></td><td></td><td></td></tr>",
        "<tr><td>Data protection officer</td><td></td><td></td><td></td><td></td></tr>",
        "<tr><td>Service owner</td><td></td><td></td><td></td><td></td></tr>",
    ]
    return (
        '<section id="sign-off" class="signoff"><h2>8. Sign-off</h2>'
        "<p class='lead'>Approved for deployment when every open finding is fixed or acknowledged with a reason, "
        "and no flow leaves the allowed regions.</p>"
        + _table(None, ["Role", "Name", "Decision", "Date", "Signature"], rows, "")
        + "</section>"
    )


# -- the picture of where data can go -------------------------------------------------------------------------

NODE_WIDTH, NODE_HEIGHT, NODE_GAP = 244, 44, 10
LAYER_GAP, GRID_GAP, PAD, BAND_HEAD = 90, 14, 18, 40
PICTURE_WIDTH = 1400
LABEL_CHARS, SUB_CHARS = int((NODE_WIDTH - 22) / 7.4), int((NODE_WIDTH - 22) / 6.1)
PICTURE_TYPES = {
    "AWS::Logs::LogGroup": "log group",
    "AWS::ElastiCache::ReplicationGroup": "ElastiCache group",
    "AWS::ElastiCache::CacheCluster": "ElastiCache cluster",
    "AWS::SecretsManager::Secret": "secret",
    "AWS::KinesisFirehose::DeliveryStream": "Firehose",
    "AWS::Kinesis::Stream": "Kinesis stream",
    "AWS::RDS::DBInstance": "RDS instance",
    "AWS::RDS::DBCluster": "RDS cluster",
    "AWS::OpenSearchService::Domain": "OpenSearch",
    "AWS::DynamoDB::GlobalTable": "DynamoDB global table",
}
GENERIC_TAILS = ("LogGroup", "Bucket", "Key", "Resource", "Default")
MAX_LAYER = 5


@dataclass
class _Node:
    key: tuple[str, str, str]
    label: str
    sub: str
    region: str
    tooltip: str
    classification: str | None = None
    store: bool = False
    outside: bool = False
    dashed: bool = False
    logical_id: str | None = None
    template: str | None = None
    column: int = 0
    x: float = 0.0
    y: float = 0.0


def _nodes(inventory: Inventory) -> dict[tuple[str, str, str], _Node]:
    allowed = inventory.allowed_regions
    nodes: dict[tuple[str, str, str], _Node] = {}
    for store in inventory.stores:
        key = (store.template, store.logical_id, "")
        nodes[key] = _Node(
            key=key,
            label=_picture_label(store.name),
            sub=f"{PICTURE_TYPES.get(store.type, store.type_label)} · {store.stack}",
            region=store.region,
            tooltip=f"{store.name} ({store.logical_id}, {store.stack}): {store.type_label}, "
            f"{store.classification}, {store.region}; at rest: {store.at_rest.text}",
            classification=store.classification,
            store=True,
            outside=not store.inside,
            logical_id=store.logical_id,
            template=store.template,
        )
    for flow in inventory.flows:
        for endpoint in (flow.source, flow.destination):
            if endpoint.key in nodes:
                continue
            if endpoint.logical_id is not None:
                kind = SOURCE_TYPES.get(endpoint.type or "", endpoint.type or "resource")
                sub = f"{kind} · {endpoint.stack}"
            elif endpoint.outside_aws:
                sub = "outside AWS"
            else:
                sub = "kept by AWS, not a template resource"
            outside = endpoint.outside_aws or endpoint.region not in allowed
            nodes[endpoint.key] = _Node(
                key=endpoint.key,
                label=endpoint.label,
                sub=sub,
                region=endpoint.region,
                tooltip=f"{_endpoint_text(endpoint)}: {sub}, {endpoint.region}",
                outside=outside,
                dashed=True,
                logical_id=endpoint.logical_id,
                template=endpoint.template,
            )
    return nodes


def _picture_label(name: str) -> str:
    """``Chat/ApplicationLogs/LogGroup`` -> ``Chat/ApplicationLogs``: the box says it is a log group."""
    parts = name.split("/")
    while len(parts) > 1 and parts[-1] in GENERIC_TAILS:
        parts.pop()
    return "/".join(parts)


def _region_order(nodes: Iterable[_Node], allowed: frozenset[str]) -> list[str]:
    counts = Counter(node.region for node in nodes)

    def rank(region: str) -> tuple[int, int, str]:
        if region == UNKNOWN_REGION:
            group = 4
        elif region in allowed:
            group = 0
        elif region in EU_REGIONS:
            group = 2
        else:
            group = 3
        return (group, -counts[region], region)

    return sorted(counts, key=rank)


def _layers(nodes: Mapping[tuple[str, str, str], _Node], edges: Sequence[Flow]) -> set[tuple[str, str, str]]:
    """Longest-path columns (capped); returns the keys of nodes without any flow."""
    linked = {flow.source.key for flow in edges} | {flow.destination.key for flow in edges}
    for _ in range(len(nodes) + 1):
        changed = False
        for flow in edges:
            source, target = nodes[flow.source.key], nodes[flow.destination.key]
            wanted = min(source.column + 1, MAX_LAYER)
            if source.key != target.key and target.column < wanted:
                target.column = wanted
                changed = True
        if not changed:
            break
    return {key for key in nodes if key not in linked}


def render_flow_map(inventory: Inventory) -> str:
    """Inline SVG: regions as bands, data stores as boxes in them, one arrow per flow, red when outside."""
    allowed = inventory.allowed_regions
    nodes = _nodes(inventory)
    if not nodes:
        return (
            '<svg class="flows-picture" viewBox="0 0 800 90" role="img" aria-label="No data store">'
            '<rect x="1" y="1" width="798" height="88" rx="8" fill="#f8fafc" stroke="#d9e2ec"/>'
            '<text x="400" y="50" font-size="15" text-anchor="middle" fill="#52606d">'
            "No data-bearing resource and no flow in the templates</text></svg>"
        )
    flows = list(inventory.flows)
    isolated = _layers(nodes, flows)
    layered_columns = max((node.column for key, node in nodes.items() if key not in isolated), default=-1) + 1
    layered_width = layered_columns * (NODE_WIDTH + LAYER_GAP)
    grid_columns = max(1, (PICTURE_WIDTH - 2 * PAD - 16 - layered_width + GRID_GAP) // (NODE_WIDTH + GRID_GAP))
    width = max(PICTURE_WIDTH, 2 * PAD + 16 + layered_width + grid_columns * (NODE_WIDTH + GRID_GAP))
    regions = _region_order(nodes.values(), allowed)
    predecessors: dict[tuple[str, str, str], list[tuple[str, str, str]]] = {}
    successors: dict[tuple[str, str, str], list[tuple[str, str, str]]] = {}
    for flow in flows:
        predecessors.setdefault(flow.destination.key, []).append(flow.source.key)
        successors.setdefault(flow.source.key, []).append(flow.destination.key)

    bands: list[tuple[str, float, float]] = []
    y: float = PAD
    x0 = PAD + 16
    for region in regions:
        members = [node for node in nodes.values() if node.region == region]
        columns = [
            sorted(
                (node for node in members if node.key not in isolated and node.column == column),
                key=lambda node: (node.sub, node.label),
            )
            for column in range(layered_columns)
        ]
        _order(columns, predecessors, successors)
        rows = 0
        for column, in_column in enumerate(columns):
            for index, node in enumerate(in_column):
                node.x = x0 + column * (NODE_WIDTH + LAYER_GAP)
                node.y = y + BAND_HEAD + index * (NODE_HEIGHT + NODE_GAP)
            rows = max(rows, len(in_column))
        alone = sorted((node for node in members if node.key in isolated), key=lambda node: (node.sub, node.label))
        for index, node in enumerate(alone):
            node.x = x0 + layered_width + (index % grid_columns) * (NODE_WIDTH + GRID_GAP)
            node.y = y + BAND_HEAD + (index // grid_columns) * (NODE_HEIGHT + NODE_GAP)
        rows = max(rows, math.ceil(len(alone) / grid_columns))
        band_height = BAND_HEAD + rows * (NODE_HEIGHT + NODE_GAP) + 8.0
        bands.append((region, y, band_height))
        y += band_height + 16
    legend_y = y + 4
    total_height = legend_y + 58

    parts = [
        f'<svg class="flows-picture" id="flow-map" viewBox="0 0 {width} {total_height:.0f}" role="img" '
        'aria-label="Where data can go: data stores by region and the flows between them">',
        "<title>Where data can go</title>",
        _markers(),
    ]
    titles = []
    for region, top, height in bands:
        background, title = _band(
            region,
            top,
            height,
            width=width,
            allowed=allowed,
            grid_x=layered_width if isolated else None,
            nodes=nodes,
            isolated=isolated,
        )
        parts.append(background)
        titles.append(title)
    lines, labels = _edges(flows, nodes)
    parts += lines
    parts += titles
    parts += [_node_svg(node) for node in nodes.values()]
    parts += labels
    parts.append(_legend(legend_y))
    parts.append("</svg>")
    return "".join(parts)


def _order(
    columns: list[list[_Node]],
    predecessors: Mapping[tuple[str, str, str], list[tuple[str, str, str]]],
    successors: Mapping[tuple[str, str, str], list[tuple[str, str, str]]],
) -> None:
    """Order each column of one band by the mean position of its neighbours (a few sweeps each way), so
    that arrows cross as little as they can.
    """
    position: dict[tuple[str, str, str], int] = {}

    def place(column: list[_Node]) -> None:
        for index, node in enumerate(column):
            position[node.key] = index

    def mean(keys: list[tuple[str, str, str]]) -> float:
        found = [position[key] for key in keys if key in position]
        return sum(found) / len(found) if found else math.inf

    for column in columns:
        place(column)
    for _ in range(4):
        for column in columns[1:]:
            column.sort(key=lambda node: mean(predecessors.get(node.key, [])))
            place(column)
        for column in reversed(columns[:-1]):
            column.sort(key=lambda node: mean(successors.get(node.key, [])))
            place(column)


def _markers() -> str:
    colors = {**{kind.replace(" ", "-"): color for kind, color in KIND_COLORS.items()}, "outside": OUTSIDE_COLOR}
    markers = "".join(
        f'<marker id="arrow-{e(name)}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
        f'markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>'
        for name, color in colors.items()
    )
    return f"<defs>{markers}</defs>"


def _band(
    region: str,
    top: float,
    height: float,
    *,
    width: float,
    allowed: frozenset[str],
    grid_x: float | None,
    nodes: Mapping[Any, _Node],
    isolated: set[Any],
) -> tuple[str, str]:
    """The band of one region (drawn first) and its title (drawn over the arrows, with a halo)."""
    inside = region in allowed
    if inside:
        fill, stroke, ink, status = "#f1f8f4", "#81c784", "#1b5e20", "in the EU"
    elif region in EU_REGIONS:
        fill, stroke, ink, status = "#fff8e1", "#ffb300", "#8d5a00", "in the EU, not in the allowed regions"
    elif region == UNKNOWN_REGION:
        fill, stroke, ink, status = "#fdecea", OUTSIDE_COLOR, "#b71c1c", "outside the EU (cannot be shown)"
    else:
        fill, stroke, ink, status = "#fdecea", OUTSIDE_COLOR, "#b71c1c", "outside the EU"
    place = EU_REGION_NAMES.get(region) or REGIONS_OUTSIDE_EU.get(region)
    name = "Region unknown or outside AWS" if region == UNKNOWN_REGION else region + (f" · {place}" if place else "")
    dash = ' stroke-dasharray="8 5"' if region == UNKNOWN_REGION else ""
    halo = f'stroke="{fill}" stroke-width="6" paint-order="stroke" stroke-linejoin="round"'
    background = (
        f'<g class="region {"region-inside" if inside else "region-outside"}" data-region="{e(region)}">'
        f'<rect x="{PAD}" y="{top:.0f}" width="{width - 2 * PAD}" height="{height:.0f}" rx="10" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="{1.5 if inside else 2.5}"{dash}/></g>'
    )
    title = [
        f'<g class="region-title" data-region="{e(region)}">'
        f'<text x="{PAD + 16}" y="{top + 25:.0f}" font-size="15" font-weight="800" fill="{ink}" {halo}>{e(name)}'
        f'<tspan font-weight="600" font-size="13" dx="10">— {e(status)}</tspan></text>'
    ]
    if grid_x is not None and any(node.region == region and node.key in isolated for node in nodes.values()):
        title.append(
            f'<text x="{PAD + 16 + grid_x:.0f}" y="{top + 25:.0f}" font-size="11" fill="#7b8794" '
            f'font-style="italic" {halo}>no flow shown in the templates</text>'
        )
    title.append("</g>")
    return background, "".join(title)


def _edges(flows: Sequence[Flow], nodes: Mapping[Any, _Node]) -> tuple[list[str], list[str]]:
    outgoing: dict[Any, list[Flow]] = {}
    incoming: dict[Any, list[Flow]] = {}
    for flow in flows:
        outgoing.setdefault(flow.source.key, []).append(flow)
        incoming.setdefault(flow.destination.key, []).append(flow)

    def offset(group: list[Flow], flow: Flow) -> float:
        if len(group) < 2:
            return 0.0
        step = min(7.0, (NODE_HEIGHT - 14) / (len(group) - 1))
        return (group.index(flow) - (len(group) - 1) / 2) * step

    for group in outgoing.values():
        group.sort(key=lambda flow: nodes[flow.destination.key].y)
    for group in incoming.values():
        group.sort(key=lambda flow: nodes[flow.source.key].y)
    lines: list[str] = []
    labels: list[str] = []
    labelled: set[tuple[Any, str]] = set()
    stacks: dict[Any, int] = {}
    for index, flow in enumerate(flows):
        source, target = nodes[flow.source.key], nodes[flow.destination.key]
        x1 = source.x + NODE_WIDTH
        y1 = source.y + NODE_HEIGHT / 2 + offset(outgoing[source.key], flow)
        y2 = target.y + NODE_HEIGHT / 2 + offset(incoming[target.key], flow)
        if target.x > source.x + 1:
            x2 = target.x
            bend = max(36.0, (x2 - x1) / 2)
            c1, c2 = (x1 + bend, y1), (x2 - bend, y2)
        else:  # same column or backwards: loop around the right side
            x2 = target.x + NODE_WIDTH
            bend = 34.0 + (index % 4) * 9
            c1, c2 = (x1 + bend, y1), (x2 + bend, y2)
        color = KIND_COLORS.get(flow.kind, "#7b8794") if flow.inside else OUTSIDE_COLOR
        marker = "outside" if not flow.inside else flow.kind.replace(" ", "-")
        dash = ' stroke-dasharray="5 4"' if flow.kind == FlowKind.LOG and flow.inside else ""
        weight = 1.6 if flow.inside else 2.8
        css = "flow flow-inside" if flow.inside else "flow flow-outside"
        title = f"{flow.kind}: {_endpoint_text(flow.source)} → {_endpoint_text(flow.destination)} ({flow.region}); "
        title += _flow_label(flow)
        lines.append(
            f'<path class="{css}" data-kind="{e(flow.kind)}" data-region="{e(flow.region)}" '
            f'data-source="{e(flow.source.logical_id or flow.source.label)}" '
            f'data-destination="{e(flow.destination.logical_id or flow.destination.label)}" '
            f'd="M{x1:.1f},{y1:.1f} C{c1[0]:.1f},{c1[1]:.1f} {c2[0]:.1f},{c2[1]:.1f} {x2:.1f},{y2:.1f}" '
            f'fill="none" stroke="{color}" stroke-width="{weight}"{dash} marker-end="url(#arrow-{e(marker)})">'
            f"<title>{e(title)}</title></path>"
        )
        if not flow.inside or source.region != target.region:
            where = "region unknown" if flow.region == UNKNOWN_REGION else flow.region
            text = f"{flow.kind} → {where}"
            if not flow.inside:
                text += ": " + ("outside AWS" if flow.destination.outside_aws else _flow_label(flow))
            ink = OUTSIDE_COLOR if not flow.inside else "#243b53"
            key = (target.key, text)
            if key in labelled:
                continue
            labelled.add(key)
            stacked = stacks[target.key] = stacks.get(target.key, -1) + 1
            backwards = x2 > target.x + 1
            anchor = "start" if backwards else "end"
            label_x = x2 + 8 if backwards else x2 - 10
            labels.append(
                f'<text class="flow-label" x="{label_x:.1f}" y="{target.y + 12 + 14 * stacked:.1f}" '
                f'font-size="11.5" font-weight="700" text-anchor="{anchor}" fill="{ink}" stroke="#fff" '
                f'stroke-width="4" paint-order="stroke" stroke-linejoin="round">{e(text)}</text>'
            )
    return lines, labels


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _node_svg(node: _Node) -> str:
    stroke = OUTSIDE_COLOR if node.outside else ("#9fb3c8" if node.dashed else "#829ab1")
    dash = ' stroke-dasharray="5 3"' if node.dashed else ""
    fill = "#ffffff" if node.store else "#f8fafc"
    strip = CLASSIFICATION_COLORS.get(node.classification or "", "#f9a825") if node.store else "#d9e2ec"
    attributes = f' data-logical-id="{e(node.logical_id)}"' if node.logical_id else ""
    attributes += f' data-template="{e(node.template)}"' if node.template else ""
    css = "node node-store" if node.store else "node node-other"
    return (
        f'<g class="{css}"{attributes} data-region="{e(node.region)}"><title>{e(node.tooltip)}</title>'
        f'<rect x="{node.x:.1f}" y="{node.y:.1f}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="6" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="{2 if node.outside else 1.2}"{dash}/>'
        f'<rect x="{node.x + 1:.1f}" y="{node.y + 1:.1f}" width="5" height="{NODE_HEIGHT - 2}" rx="2" fill="{strip}"/>'
        f'<text x="{node.x + 13:.1f}" y="{node.y + 18:.1f}" font-size="12" font-weight="700" '
        f'fill="{"#b71c1c" if node.outside else "#102a43"}">{e(_clip(node.label, LABEL_CHARS))}</text>'
        f'<text x="{node.x + 13:.1f}" y="{node.y + 34:.1f}" font-size="10.5" fill="#52606d">'
        f"{e(_clip(node.sub, SUB_CHARS))}</text></g>"
    )


def _legend(top: float) -> str:
    entries = [
        ("log", KIND_COLORS[FlowKind.LOG], True),
        ("backup / backup copy", KIND_COLORS[FlowKind.BACKUP], False),
        ("replica / replication", KIND_COLORS[FlowKind.REPLICA], False),
        ("delivery", KIND_COLORS[FlowKind.DELIVERY], False),
        ("outbound (outside AWS)", KIND_COLORS[FlowKind.OUTBOUND], False),
        ("outside the allowed regions", OUTSIDE_COLOR, False),
    ]
    parts = [f'<g class="legend"><text x="{PAD}" y="{top + 12:.0f}" font-size="11.5" font-weight="700" ']
    parts.append('fill="#243b53">Flows</text>')
    x: float = PAD + 48
    for label, color, dashed in entries:
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        weight = 2.8 if color == OUTSIDE_COLOR else 1.8
        parts.append(
            f'<line x1="{x}" y1="{top + 8:.0f}" x2="{x + 30}" y2="{top + 8:.0f}" stroke="{color}" '
            f'stroke-width="{weight}"{dash}/>'
            f'<text x="{x + 36}" y="{top + 12:.0f}" font-size="11" fill="#52606d">{e(label)}</text>'
        )
        x += 46 + len(label) * 6.2
    parts.append(
        f'<text x="{PAD}" y="{top + 36:.0f}" font-size="11.5" font-weight="700" fill="#243b53">Classification</text>'
    )
    x = PAD + 96.0
    for name, color in [*CLASSIFICATION_COLORS.items(), ("unknown", "#f9a825")]:
        parts.append(
            f'<rect x="{x}" y="{top + 26:.0f}" width="10" height="12" rx="2" fill="{color}"/>'
            f'<text x="{x + 15}" y="{top + 36:.0f}" font-size="11" fill="#52606d">{e(name)}</text>'
        )
        x += 30 + len(name) * 6.5
    parts.append(
        f'<text x="{x + 20}" y="{top + 36:.0f}" font-size="11" fill="#52606d">Dashed box: not a data store '
        "(a resource that sends data, or a destination outside the templates).</text>"
    )
    parts.append("</g>")
    return "".join(parts)


# -- Markdown --------------------------------------------------------------------------------------------------


def _cell(text: object) -> str:
    """One Markdown table cell: pipes and newlines neutralised, HTML escaped (renderers pass raw HTML)."""
    return escape(str(text), quote=False).replace("|", "\\|").replace("\n", " ").replace("`", "'")


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[object]], empty: str) -> list[str]:
    if not rows:
        return [f"_{_cell(empty)}_", ""]
    lines = ["| " + " | ".join(_cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return [*lines, ""]


def render_markdown(pack: ReviewPack, title: str) -> str:
    run, inventory, cdk = pack.run, pack.inventory, pack.cdk
    allowed = run.settings.allowed_regions
    acknowledged = sum(len(result.acknowledged) for result in run.results)
    lines = [
        f"# {_cell(title)}",
        "",
        f"**Verdict: {verdict(run)}.** {_cell(run.summary())}.",
        "",
        f"Allowed regions: {_cell(', '.join(sorted(allowed)))}. Open findings: {run.count(Severity.FATAL)} fatal, "
        f"{run.count(Severity.ERROR)} error; {acknowledged} acknowledged. Data-bearing resources: "
        f"{len(inventory.stores)}; flows outside the allowed regions: {len(inventory.outside_flows)}; open CDK "
        f"validation findings: {len(cdk.open)}.",
        "",
        "## 1. Scope and verdict per stack",
        "",
    ]
    lines += _md_table(
        ["Stack", "Template", "Region", "Verdict", "Resources", "Fatal", "Error", "Acknowledged"],
        [
            (
                stack_name(result.path),
                result.path,
                _describe_region(result.region or UNKNOWN_REGION, allowed),
                result.verdict + (f" ({result.error})" if result.error else ""),
                result.resources,
                fatal,
                error,
                ack,
            )
            for result, fatal, error, ack in _counts_by_stack(run)
        ],
        "No template was found in the assembly.",
    )
    lines += ["## 2. Findings at a glance", "", "### By severity", ""]
    lines += _md_table(
        ["Severity", "Count"],
        [
            ("fatal", run.count(Severity.FATAL)),
            ("error", run.count(Severity.ERROR)),
            ("acknowledged (rules, in the templates)", acknowledged),
            ("open (CDK validation report)", len(cdk.open)),
            ("acknowledged (CDK validation report)", len(cdk.acknowledged)),
        ],
        "",
    )
    lines += ["### By rule", ""]
    lines += _md_table(
        ["Rule", "Title", "Fatal", "Error", "Acknowledged"],
        [(rule, _title(rule), fatal, error, ack) for rule, fatal, error, ack in _counts_by_rule(run)],
        "No finding.",
    )
    lines += ["### By stack", ""]
    lines += _md_table(
        ["Stack", "Fatal", "Error", "Acknowledged"],
        [(stack_name(result.path), fatal, error, ack) for result, fatal, error, ack in _counts_by_stack(run)],
        "No stack.",
    )
    lines += ["## 3. Open findings", ""]
    lines += _md_table(
        ["Severity", "Rule", "Stack", "Construct path", "Logical id", "Property", "Why", "Fix"],
        [
            (
                item.finding.severity.value,
                f"{item.finding.rule_id}: {_title(item.finding.rule_id)}",
                stack_name(result.path),
                _construct(result, item),
                item.finding.logical_id or STACK,
                _property_path(item),
                item.finding.message,
                item.finding.fix,
            )
            for result, item in _open_findings(run)
        ],
        "No open finding: every template keeps the policy.",
    )
    lines += ["## 4. Acknowledged findings", ""]
    ours = [
        (
            item.acknowledgement.source if item.acknowledgement else "",
            item.finding.rule_id,
            stack_name(result.path),
            _construct(result, item),
            item.finding.logical_id or STACK,
            item.acknowledgement.reason if item.acknowledgement else "",
        )
        for result, item in _rows(run, acknowledged=True)
    ]
    theirs = [
        (
            f"CDK validation report ({finding.plugin})",
            finding.rule,
            finding.stack or "",
            finding.construct_path,
            finding.logical_id or "-",
            finding.reason or "",
        )
        for finding in cdk.acknowledged
    ]
    lines += _md_table(
        ["Source", "Rule", "Stack", "Construct path", "Logical id", "Reason given"],
        ours + theirs,
        "Nothing was acknowledged.",
    )
    lines += ["## 5. CDK validation report: open findings of every plugin", ""]
    lines += _md_table(
        ["Severity", "Plugin", "Rule", "Stack", "Construct path", "Logical id", "Description", "Fix"],
        [
            (
                finding.severity,
                finding.plugin,
                finding.rule,
                finding.stack or "",
                finding.construct_path,
                finding.logical_id or "-",
                _short(finding.description, 400),
                finding.fix or "",
            )
            for finding in cdk.open
        ],
        "No CDK validation report." if cdk.path is None else "No open finding in CDK's validation report.",
    )
    lines += ["## 6. Where data can go", ""]
    lines += _md_table(
        ["From", "Flow", "To", "Region", "In the allowed set", "What in the template says so"],
        [
            (
                _endpoint_text(flow.source),
                flow.kind,
                _endpoint_text(flow.destination),
                flow.region,
                ("yes" if flow.inside else "**NO**") + f" ({_flow_label(flow)})",
                flow.detail,
            )
            for flow in sorted(inventory.flows, key=lambda flow: (flow.inside, flow.source.label, flow.kind))
        ],
        "The templates show no flow of data between resources.",
    )
    lines += ["## 7. Data inventory", ""]
    lines += _md_table(
        [
            "Stack",
            "Logical id",
            "Construct path",
            "Type",
            "Region",
            "Classification",
            "Encryption at rest",
            "In transit",
        ],
        [
            (
                store.stack,
                store.logical_id,
                store.construct_path or "",
                store.type_label + (f" ({store.description})" if store.description else ""),
                store.region,
                store.classification,
                store.at_rest.text,
                store.in_transit.text,
            )
            for store in inventory.stores
        ],
        "No data-bearing resource in the templates.",
    )
    if pack.audit is not None:
        lines += [audit_pack.markdown_section(pack.audit), ""]
    lines += ["## 8. Sign-off", ""]
    lines += _md_table(
        ["Role", "Name", "Decision", "Date", "Signature"],
        [("Security reviewer", "", "", "", ""), ("Data protection officer", "", "", "", "")],
        "",
    )
    lines.append(f"_Written by {TOOL_NAME} {_version()}._")
    return "\n".join(lines) + "\n"


__all__ = [
    "CdkFinding",
    "CdkReport",
    "ReviewPack",
    "document",
    "read_cdk_report",
    "render_flow_map",
    "render_html",
    "render_markdown",
    "short_name",
    "write_review_pack",
]
