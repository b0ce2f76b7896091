"""The review pack's page, ``report.html``: one self-contained file (the CSS inline, the pictures inline SVG, no
script, nothing loaded from anywhere) with the scope, the findings, CDK's report, the flows and the inventory.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import cache
from importlib import resources

from eu_residency.check_run.results import CheckRun
from eu_residency.core.product import TOOL_NAME, tool_version
from eu_residency.core.rule_model import Severity
from eu_residency.core.settings import key_control_text
from eu_residency.inventory.records import UNKNOWN_REGION, FlowKind, Inventory
from eu_residency.review_pack import audit_sections
from eu_residency.review_pack.charts import bar_chart
from eu_residency.review_pack.contents import CdkValidation, ReviewPack
from eu_residency.review_pack.flow_map import render_flow_map
from eu_residency.review_pack.html_parts import (
    Links,
    badge,
    classification,
    folded,
    html_table,
    rule_anchor,
    stores_in_order,
)
from eu_residency.review_pack.html_trace import html_baseline, html_promises, html_provenance, html_rules
from eu_residency.review_pack.markup import e
from eu_residency.review_pack.promises import GENERAL_PROMISES
from eu_residency.review_pack.rows import (
    STACK_LOGICAL_ID,
    acknowledged_count,
    construct_shown,
    counts_by_rule,
    counts_by_stack,
    endpoint_text,
    family_label,
    finding_rows,
    first_sentence,
    flow_status,
    flows_in_order,
    open_findings,
    property_path,
    region_status,
    rule_set_rows,
    rule_title,
    shorten,
    stack_label,
)
from eu_residency.review_pack.verdict import COMPLIANT, NON_COMPLIANT

STYLESHEET = "style.css"


@cache
def stylesheet() -> str:
    """The page's CSS, ``style.css`` beside this module, exactly as written."""
    return resources.files(__package__).joinpath(STYLESHEET).read_text(encoding="utf-8")


# A section as its renderer writes it: ``<section id="ANCHOR"...><h2>TITLE</h2>`` (our markup, never template text).
_SECTION_HEAD = re.compile(r'<section id="([a-z-]+)"([^>]*)><h2>([^<]+)</h2>')


def _numbered(sections: Sequence[str]) -> tuple[list[str], str]:
    """The sections numbered in order, and the table of contents linking to each."""
    numbered, entries = [], []
    for number, section in enumerate(sections, start=1):
        match = _SECTION_HEAD.match(section)
        if match is None:
            numbered.append(section)
            continue
        anchor, attributes, heading = match.groups()
        numbered.append(f'<section id="{anchor}"{attributes}><h2>{number}. {heading}</h2>' + section[match.end() :])
        entries.append(f'<li><a href="#{anchor}">{heading}</a></li>')
    return numbered, f'<nav id="contents" aria-label="Contents"><h2>Contents</h2><ol>{"".join(entries)}</ol></nav>'


def render_html(pack: ReviewPack, title: str) -> str:
    run, inventory = pack.run, pack.inventory
    links = Links(run, inventory)
    sections = [
        html_promises(pack),
        _html_scope(pack),
        _html_overview(run, pack.cdk),
        _html_findings(run, pack.cdk, links),
        _html_acknowledged(run, pack.cdk),
        _html_cdk(pack.cdk),
        _html_flows(inventory),
        _html_inventory(inventory, links),
        html_rules(run, pack.cdk),
        *([html_baseline(pack.comparison)] if pack.comparison is not None else []),
        *([html_provenance(pack.provenance)] if pack.provenance is not None else []),
        *([audit_sections.html_section(pack.audit)] if pack.audit is not None else []),
        _html_signoff(),
    ]
    sections, contents = _numbered(sections)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "img-src data:; base-uri 'none'; form-action 'none'\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{e(title)}</title><style>{stylesheet()}</style></head><body>"
        f"{_html_header(pack, title)}<main>{contents}{''.join(sections)}</main>"
        f"<footer>Written by {e(TOOL_NAME)} {e(tool_version())}. One self-contained file: no script, no font or "
        "image loaded from anywhere; it opens offline.</footer></body></html>\n"
    )


def _html_header(pack: ReviewPack, title: str) -> str:
    run, inventory = pack.run, pack.inventory
    judged = pack.verdict
    word = judged.word
    css = {COMPLIANT: "v-ok", NON_COMPLIANT: "v-bad"}.get(word, "v-err")
    acknowledged = acknowledged_count(run)
    outside = len(inventory.outside_flows)
    cards = [
        ("fatal", run.count(Severity.FATAL), "fatal findings (open)"),
        ("error", run.count(Severity.ERROR), "error findings (open)"),
        ("", acknowledged + len(pack.cdk.acknowledged), "acknowledged, with reasons (rules and CDK)"),
        ("", sum(1 for result in run.results if result.error is None), "templates checked"),
        ("", len(inventory.stores), "data-bearing resources"),
        ("alert" if outside else "", outside, "flows outside the allowed regions"),
        ("", len(inventory.paths_out), "paths out to the internet (routes, security groups)"),
        ("error" if pack.cdk.open else "", len(pack.cdk.open), "open CDK validation findings"),
    ]
    card_html = "".join(
        f'<div class="card {css_class if count else ""}"><b>{count}</b><span>{e(label)}</span></div>'
        for css_class, count, label in cards
    )
    allowed = ", ".join(sorted(run.settings.allowed_regions))
    made = pack.provenance
    made_line = (
        f'<p class="small" id="made">Generated at {e(made.generated_at)}; git: {e(made.git.text)}.</p>' if made else ""
    )
    return (
        f'<header class="top"><h1>{e(title.split(":", 1)[0])}</h1>'
        f'<p class="scope">Cloud assembly <code>{e(title.split(": ", 1)[-1])}</code> · allowed regions '
        f"<code>{e(allowed)}</code> · key control <code>{e(run.settings.key_control.value)}</code></p>"
        f'<span class="verdict {css}" id="verdict">{e(word)}</span>'
        f'<span class="summary">{e(run.summary())}.</span>'
        f'<p class="small" id="verdict-sources">The verdict {e(judged.sources_text)}.</p>'
        f"{made_line}"
        f'<div class="cards">{card_html}</div></header>'
    )


def _html_scope(pack: ReviewPack) -> str:
    run = pack.run
    allowed = run.settings.allowed_regions
    rows = []
    for result, fatal, error, acknowledged in counts_by_stack(run):
        word = result.verdict
        css = {"compliant": "ok", "non-compliant": "bad"}.get(word, "warn")
        region = result.region or UNKNOWN_REGION
        rows.append(
            f"<tr><td><b>{e(stack_label(result))}</b><br><span class='mono muted'>{e(result.path)}</span></td>"
            f"<td>{e(region_status(region, allowed))}</td><td class='{css}'>{e(word)}"
            + (f"<br><span class='small'>{e(result.error)}</span>" if result.error else "")
            + f"</td><td class='num'>{result.resources}</td><td class='num'>{fatal}</td><td class='num'>{error}</td>"
            f"<td class='num'>{acknowledged}</td></tr>"
        )
    table = html_table(
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
        '<section id="scope"><h2>Scope and verdict per stack</h2>'
        "<p class='lead'>Every stack of the assembly, checked together as one app, each in the region its "
        "environment names. Fatal findings prove data leaves the allowed regions and can never be acknowledged; "
        "errors break the policy or cannot be shown to keep it.</p>"
        f"{table}{cdk_line}{_html_rule_set(run)}</section>"
    )


def _html_rule_set(run: CheckRun) -> str:
    """The rules that ran, per family, and the setting that decides whether the EU-KEY rules do."""
    rows = [
        f'<tr data-family="{e(family)}" data-ran="{ran}"><td><b>{e(family)}</b></td><td>{e(title)}</td>'
        f"<td class='num'>{ran} of {total}</td><td>{e(status)}</td></tr>"
        for family, title, ran, total, status in rule_set_rows(run.settings)
    ]
    table = html_table("rule-set", ["Family", "Title", "Rules run", "Status"], rows, "")
    return (
        f"<h3>Rules run, per family</h3><p class='small' id=\"key-control\">"
        f"{e(key_control_text(run.settings.key_control))}.</p>{table}"
    )


def _html_overview(run: CheckRun, cdk: CdkValidation) -> str:
    by_rule = counts_by_rule(run)
    rule_rows = [
        f"<tr><td><a href='#{e(rule_anchor(rule))}'><b>{e(rule)}</b></a> <span class='muted'>{e(rule_title(rule))}"
        f"</span><br><span class='small muted'>{e(family_label(rule))}</span></td>"
        f"<td class='num'>{fatal}</td><td class='num'>{error}</td><td class='num'>{ack}</td></tr>"
        for rule, fatal, error, ack in by_rule
    ]
    stack_rows = [
        f"<tr><td>{e(stack_label(result))}</td><td class='num'>{fatal}</td><td class='num'>{error}</td>"
        f"<td class='num'>{ack}</td></tr>"
        for result, fatal, error, ack in counts_by_stack(run)
    ]
    acknowledged = acknowledged_count(run)
    severity_rows = [
        f"<tr><td>{badge('fatal')}</td><td class='num'>{run.count(Severity.FATAL)}</td></tr>",
        f"<tr><td>{badge('error')}</td><td class='num'>{run.count(Severity.ERROR)}</td></tr>",
        f"<tr><td>{badge('acknowledged')} <span class='small muted'>rules, in the templates</span></td>"
        f"<td class='num'>{acknowledged}</td></tr>",
        f"<tr><td>{badge('open')} <span class='small muted'>CDK validation report</span></td>"
        f"<td class='num'>{len(cdk.open)}</td></tr>",
        f"<tr><td>{badge('acknowledged')} <span class='small muted'>CDK validation report</span></td>"
        f"<td class='num'>{len(cdk.acknowledged)}</td></tr>",
    ]
    rule_chart = bar_chart(
        "Open findings by rule", [(rule, fatal, error) for rule, fatal, error, _ in by_rule if fatal + error]
    )
    stack_chart = bar_chart(
        "Open findings by stack",
        [(stack_label(result), fatal, error) for result, fatal, error, _ in counts_by_stack(run) if fatal + error],
    )
    return (
        '<section id="overview"><h2>Findings at a glance</h2>'
        "<p class='lead'>Open findings count against the verdict; acknowledged ones were accepted by a person "
        "with a reason (<a href='#acknowledged-findings'>Acknowledged findings</a>).</p>"
        f'<div class="grid2"><div>{rule_chart}</div><div>{stack_chart}</div></div>'
        '<div class="grid3">'
        f"<div><h3>By severity</h3>{html_table('by-severity', ['Severity', 'Count'], severity_rows, '', 1)}</div>"
        f"<div><h3>By rule</h3>"
        f"{html_table('by-rule', ['Rule', 'Fatal', 'Error', 'Ack.'], rule_rows, 'No finding.', 3)}</div>"
        f"<div><h3>By stack</h3>"
        f"{html_table('by-stack', ['Stack', 'Fatal', 'Error', 'Ack.'], stack_rows, 'No stack.', 3)}</div>"
        "</div></section>"
    )


def _html_findings(run: CheckRun, cdk: CdkValidation, links: Links) -> str:
    rows = []
    findings = open_findings(run)
    for promise in GENERAL_PROMISES:
        group = [
            (index, result, item)
            for index, (result, item) in enumerate(findings)
            if item.finding.rule_id in {rule.id for rule in promise.rules}
        ]
        if not group:
            continue
        rows.append(
            f"<tr class='group'><th colspan='8' scope='colgroup'><a href='#promise-{e(promise.key)}'>"
            f"{e(promise.policy)}</a>: {len(group)} open finding(s)</th></tr>"
        )
        for index, result, item in group:
            finding = item.finding
            logical_id = finding.logical_id or ""
            rows.append(
                f'<tr id="finding-{index}" data-rule="{e(finding.rule_id)}" data-logical-id="{e(logical_id)}" '
                f'data-template="{e(result.path)}" data-severity="{e(finding.severity.value)}">'
                f"<td>{badge(finding.severity.value)}</td>"
                f"<td><a href='#{e(rule_anchor(finding.rule_id))}'><b>{e(finding.rule_id)}</b></a><br>"
                f"<span class='small'>{e(rule_title(finding.rule_id))}</span>"
                f"<br><span class='small muted'>{e(family_label(finding.rule_id))}</span></td>"
                f"<td class='nowrap'>{e(stack_label(result))}</td>"
                f"<td class='mono'>{e(construct_shown(result, item))}</td>"
                f"<td class='mono'>{links.store_link(result.path, logical_id)}</td>"
                f"<td class='mono'>{e(property_path(item))}</td>"
                f"<td>{e(finding.message)}</td><td class='small'>{folded(finding.fix)}</td></tr>"
            )
    table = html_table(
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
        '<section id="open-findings"><h2>Open findings</h2>'
        "<p class='lead'>What breaks the residency, encryption or retention policy, or cannot be shown to keep "
        "it, with where and how to fix it, grouped by the promise it breaks; fatal first in each group. A rule "
        f"links to its explanation, a data store to its row in the inventory.</p>{table}</section>"
    )


def _html_acknowledged(run: CheckRun, cdk: CdkValidation) -> str:
    rows = []
    for result, item in finding_rows(run, acknowledged=True):
        finding = item.finding
        assert item.acknowledgement is not None
        rows.append(
            f'<tr data-rule="{e(finding.rule_id)}" data-logical-id="{e(finding.logical_id or "")}" '
            f'data-template="{e(result.path)}" data-source="template">'
            f"<td>{e(item.acknowledgement.source)}</td>"
            f"<td><b>{e(finding.rule_id)}</b><br><span class='small'>{e(rule_title(finding.rule_id))}</span>"
            f"<br><span class='small muted'>{e(family_label(finding.rule_id))}</span></td>"
            f"<td>{e(stack_label(result))}</td><td class='mono'>{e(construct_shown(result, item))}</td>"
            f"<td class='mono'>{e(finding.logical_id or STACK_LOGICAL_ID)}</td>"
            f"<td>{e(item.acknowledgement.reason)}</td></tr>"
        )
    for placed in cdk.acknowledged:
        suppressed = placed.finding
        rows.append(
            f'<tr data-rule="{e(suppressed.rule)}" data-logical-id="{e(placed.logical_id or "")}" '
            f'data-template="{e(placed.template or "")}" data-source="cdk">'
            f"<td>CDK validation report ({e(suppressed.plugin)})</td>"
            f"<td><b>{e(suppressed.rule)}</b><br>"
            f"<span class='small muted'>{e(first_sentence(suppressed.description))}</span></td>"
            f"<td class='nowrap'>{e(placed.stack)}</td><td class='mono'>{e(placed.construct_path)}</td>"
            f"<td class='mono'>{e(placed.logical_id or '-')}</td>"
            f"<td>{e(suppressed.reason or '')}"
            + (
                f"<br><span class='small muted'>acknowledged at {e(suppressed.acknowledged_at)}</span>"
                if suppressed.acknowledged_at
                else ""
            )
            + "</td></tr>"
        )
    table = html_table(
        "acknowledged",
        ["Source|w-src", "Rule|w-rule", "Stack|w-stack", "Construct path|w-path", "Logical id|w-id", "Reason given"],
        rows,
        "Nothing was acknowledged.",
    )
    return (
        '<section id="acknowledged-findings"><h2>Acknowledged findings</h2>'
        "<p class='lead'>Findings a person accepted, each with the reason they gave: the rules' acknowledgements "
        "in the templates' metadata, and the suppressions in CDK's validation report (cdk-nag and the other "
        f"plugins). Fatal findings can never be acknowledged.</p>{table}</section>"
    )


def _html_cdk(cdk: CdkValidation) -> str:
    rows = []
    for placed in cdk.open:
        finding = placed.finding
        rows.append(
            f'<tr data-rule="{e(finding.rule)}" data-logical-id="{e(placed.logical_id or "")}" '
            f'data-template="{e(placed.template or "")}" data-plugin="{e(finding.plugin)}">'
            f"<td>{badge(finding.severity)}</td><td>{e(finding.plugin)}</td><td><b>{e(finding.rule)}</b></td>"
            f"<td class='nowrap'>{e(placed.stack)}</td><td class='mono'>{e(placed.construct_path)}</td>"
            f"<td class='mono'>{e(placed.logical_id or '-')}</td><td>{e(shorten(finding.description, 400))}</td>"
            f"<td class='small'>{e(finding.fix or '')}</td></tr>"
        )
    if cdk.path is None and not cdk.error:
        empty = "The assembly has no CDK validation report."
    else:
        empty = "No open finding in CDK's validation report."
    table = html_table(
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
        '<section id="cdk-validation"><h2>CDK validation report: open findings of every plugin</h2>'
        "<p class='lead'>What the policy-validation plugins (AwsSolutions, EU-Residency, ...) reported at "
        f"synthesis and nobody acknowledged.</p>{table}</section>"
    )


def _html_flows(inventory: Inventory) -> str:
    rows = []
    ordered = flows_in_order(inventory)
    for flow in ordered:
        path = flow.kind in FlowKind.PATHS
        css = "ok" if flow.inside else "warn" if path else "bad"
        rows.append(
            f'<tr data-kind="{e(flow.kind)}" data-region="{e(flow.region)}" data-inside="{str(flow.inside).lower()}">'
            f"<td>{e(endpoint_text(flow.source))}</td><td>{e(flow.kind)}</td>"
            f"<td>{e(endpoint_text(flow.destination))}</td><td>{e(flow.region)}</td>"
            f"<td class='{css}'>{'yes' if flow.inside else 'path' if path else 'NO'}<br><span class='small'>"
            f"{e(flow_status(flow))}</span></td><td class='small'>{e(flow.detail)}</td></tr>"
        )
    table = html_table(
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
        '<section id="data-flows"><h2>Where data can go</h2>'
        "<p class='lead'>Each data store as a box in its region; each arrow a way its data can leave it: "
        "replicas, backups and their copies, replication, logs and deliveries, and sends outside AWS; the "
        "application's reads and writes (from its roles' policies and its environment); the ways into and out of "
        "the networks: the internet's way in to load balancers and APIs, VPC endpoints to AWS services in the "
        "region, and the paths out to the internet (routes through internet and NAT gateways, security groups "
        "open to the world), which are paths, not traffic: what uses them is for the security groups and the "
        "application to decide. Destinations outside the allowed regions, or whose region the templates cannot "
        f"show, are drawn in red.</p>{render_flow_map(inventory)}<h3>Every flow</h3>{table}</section>"
    )


def _html_inventory(inventory: Inventory, links: Links) -> str:
    rows = []
    allowed = inventory.allowed_regions
    for store in stores_in_order(inventory):
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
        found = links.findings_of(store.template, store.logical_id)
        found_html = f"<br><span class='small'>open findings: {found}</span>" if found else ""
        rows.append(
            f'<tr id="{links.store_anchor(store.template, store.logical_id)}" data-logical-id="{e(store.logical_id)}" '
            f'data-template="{e(store.template)}" '
            f'data-region="{e(store.region)}" data-classification="{e(store.classification)}">'
            f"<td class='nowrap'>{e(store.stack)}</td>"
            f"<td class='mono'><b>{e(store.logical_id)}</b><br><span class='muted'>"
            f"{e(store.construct_path or '')}</span>{found_html}</td>"
            f"<td>{e(store.type_label)}<br><span class='mono muted'>{e(store.type)}</span>{description}</td>"
            f"<td{region_css}>{e(store.region)}<br><span class='small muted'>"
            f"{e(region_status(store.region, allowed).split(', ', 1)[-1])}</span></td>"
            f"<td>{classification(store.classification)}</td>"
            f"<td>{e(store.at_rest.text)}</td><td>{e(store.in_transit.text)}</td><td class='small'>{flows}</td></tr>"
        )
    table = html_table(
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
        '<section id="data-inventory"><h2>Data inventory</h2>'
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
        '<section id="sign-off" class="signoff"><h2>Sign-off</h2>'
        "<p class='lead'>Approved for deployment when every open finding is fixed or acknowledged with a reason, "
        "and no flow leaves the allowed regions.</p>"
        + html_table("signoff", ["Role", "Name", "Decision", "Date", "Signature"], rows, "")
        + "</section>"
    )
