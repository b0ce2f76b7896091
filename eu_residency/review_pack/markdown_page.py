"""The review pack's Markdown page, ``report.md``: the sections of the HTML page as tables, without pictures; every
value in it is written through ``formats.escaping.markdown_text``, the one Markdown escaper."""

from __future__ import annotations

from collections.abc import Sequence

from eu_residency.core.product import TOOL_NAME, tool_version
from eu_residency.core.rule_model import Severity
from eu_residency.core.settings import key_control_text
from eu_residency.formats.escaping import markdown_text as _cell
from eu_residency.inventory.records import UNKNOWN_REGION, FlowKind
from eu_residency.review_pack import audit_sections
from eu_residency.review_pack.baseline import Comparison
from eu_residency.review_pack.contents import ReviewPack
from eu_residency.review_pack.promises import GENERAL_PROMISES, POLICY_HOME_REGIONS
from eu_residency.review_pack.rows import (
    STACK_LOGICAL_ID,
    acknowledged_count,
    construct_shown,
    counts_by_rule,
    counts_by_stack,
    endpoint_text,
    family_label,
    finding_rows,
    flow_status,
    flows_in_order,
    open_findings,
    property_path,
    region_status,
    reported_rules,
    rule_set_rows,
    rule_title,
    shorten,
    stack_label,
)
from eu_residency.rules.catalogue import acknowledgement_text


class _Markup(str):
    """A cell this page writes in Markdown itself, from escaped parts: the table leaves it as it is."""

    __slots__ = ()


def _table_cell(value: object) -> str:
    return str(value) if isinstance(value, _Markup) else _cell(value)


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[object]], empty: str) -> list[str]:
    if not rows:
        return [f"_{_cell(empty)}_", ""]
    lines = ["| " + " | ".join(_cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_table_cell(value) for value in row) + " |" for row in rows]
    return [*lines, ""]


def render_markdown(pack: ReviewPack, title: str) -> str:
    run, inventory, cdk = pack.run, pack.inventory, pack.cdk
    allowed = run.settings.allowed_regions
    acknowledged = acknowledged_count(run)
    lines = [
        f"# {_cell(title)}",
        "",
        f"**Verdict: {pack.verdict.word}.** {_cell(run.summary())}.",
        "",
        f"The verdict {_cell(pack.verdict.sources_text)}.",
        "",
        f"Allowed regions: {_cell(', '.join(sorted(allowed)))}. Open findings: {run.count(Severity.FATAL)} fatal, "
        f"{run.count(Severity.ERROR)} error; {acknowledged} acknowledged. Data-bearing resources: "
        f"{len(inventory.stores)}; flows outside the allowed regions: {len(inventory.outside_flows)}; paths out "
        f"to the internet: {len(inventory.paths_out)}; open CDK validation findings: {len(cdk.open)}.",
        "",
        f"{_cell(key_control_text(run.settings.key_control))}.",
        "",
        *_md_promises(pack),
        "## Scope and verdict per stack",
        "",
    ]
    lines += _md_table(
        ["Stack", "Template", "Region", "Verdict", "Resources", "Fatal", "Error", "Acknowledged"],
        [
            (
                stack_label(result),
                result.path,
                region_status(result.region or UNKNOWN_REGION, allowed),
                result.verdict + (f" ({result.error})" if result.error else ""),
                result.resources,
                fatal,
                error,
                ack,
            )
            for result, fatal, error, ack in counts_by_stack(run)
        ],
        "No template was found in the assembly.",
    )
    lines += ["### Rules run, per family", ""]
    lines += _md_table(
        ["Family", "Title", "Rules run", "Status"],
        [
            (family, title, f"{ran} of {total}", status)
            for family, title, ran, total, status in rule_set_rows(run.settings)
        ],
        "",
    )
    lines += ["## Findings at a glance", "", "### By severity", ""]
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
        ["Rule", "Family", "Title", "Fatal", "Error", "Acknowledged"],
        [
            (rule, family_label(rule), rule_title(rule), fatal, error, ack)
            for rule, fatal, error, ack in counts_by_rule(run)
        ],
        "No finding.",
    )
    lines += ["### By stack", ""]
    lines += _md_table(
        ["Stack", "Fatal", "Error", "Acknowledged"],
        [(stack_label(result), fatal, error, ack) for result, fatal, error, ack in counts_by_stack(run)],
        "No stack.",
    )
    lines += ["## Open findings", ""]
    findings = open_findings(run)
    if not findings:
        lines += ["_No open finding: every template keeps the policy._", ""]
    for promise in GENERAL_PROMISES:
        ids = {rule.id for rule in promise.rules}
        group = [(result, item) for result, item in findings if item.finding.rule_id in ids]
        if not group:
            continue
        lines += [f"### {_cell(promise.policy)}: {len(group)} open finding(s)", ""]
        lines += _md_table(
            ["Severity", "Rule", "Stack", "Construct path", "Logical id", "Property", "Why", "Fix"],
            [
                (
                    item.finding.severity.value,
                    f"{item.finding.rule_id}: {rule_title(item.finding.rule_id)}; "
                    f"family {family_label(item.finding.rule_id)}",
                    stack_label(result),
                    construct_shown(result, item),
                    item.finding.logical_id or STACK_LOGICAL_ID,
                    property_path(item),
                    item.finding.message,
                    item.finding.fix,
                )
                for result, item in group
            ],
            "",
        )
    lines += ["## Acknowledged findings", ""]
    ours = [
        (
            item.acknowledgement.source if item.acknowledgement else "",
            item.finding.rule_id,
            stack_label(result),
            construct_shown(result, item),
            item.finding.logical_id or STACK_LOGICAL_ID,
            item.acknowledgement.reason if item.acknowledgement else "",
        )
        for result, item in finding_rows(run, acknowledged=True)
    ]
    theirs = [
        (
            f"CDK validation report ({placed.finding.plugin})",
            placed.finding.rule,
            placed.stack,
            placed.construct_path,
            placed.logical_id or "-",
            placed.finding.reason or "",
        )
        for placed in cdk.acknowledged
    ]
    lines += _md_table(
        ["Source", "Rule", "Stack", "Construct path", "Logical id", "Reason given"],
        ours + theirs,
        "Nothing was acknowledged.",
    )
    lines += ["## CDK validation report: open findings of every plugin", ""]
    lines += _md_table(
        ["Severity", "Plugin", "Rule", "Stack", "Construct path", "Logical id", "Description", "Fix"],
        [
            (
                placed.finding.severity,
                placed.finding.plugin,
                placed.finding.rule,
                placed.stack,
                placed.construct_path,
                placed.logical_id or "-",
                shorten(placed.finding.description, 400),
                placed.finding.fix or "",
            )
            for placed in cdk.open
        ],
        "No CDK validation report." if cdk.path is None else "No open finding in CDK's validation report.",
    )
    lines += ["## Where data can go", ""]
    lines += _md_table(
        ["From", "Flow", "To", "Region", "In the allowed set", "What in the template says so"],
        [
            (
                endpoint_text(flow.source),
                flow.kind,
                endpoint_text(flow.destination),
                flow.region,
                _Markup(
                    ("yes" if flow.inside else "path" if flow.kind in FlowKind.PATHS else "**NO**")
                    + f" ({_cell(flow_status(flow))})"
                ),
                flow.detail,
            )
            for flow in flows_in_order(inventory)
        ],
        "The templates show no flow of data between resources.",
    )
    lines += ["## Data inventory", ""]
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
    lines += ["## Rules behind the findings", ""]
    lines += _md_table(
        ["Rule", "Family", "Desired outcome", "Why", "Fix", "Acknowledge"],
        [
            (rule.id, family_label(rule.id), rule.title, rule.explanation, rule.fix, acknowledgement_text(rule))
            for rule in reported_rules(run)
        ],
        "No rule reported anything.",
    )
    if pack.comparison is not None:
        lines += _md_baseline(pack.comparison)
    if pack.provenance is not None:
        lines += ["## Provenance", ""]
        lines += _md_table(["What", "Value"], pack.provenance.rows(), "")
        lines += _md_table(
            ["Template", "SHA-256"],
            sorted(pack.provenance.template_sha256.items())
            + [(name, f"not hashed: {why}") for name, why in sorted(pack.provenance.unhashed.items())],
            "No template.",
        )
    if pack.audit is not None:
        lines += [audit_sections.markdown_section(pack.audit), ""]
    lines += ["## Sign-off", ""]
    lines += _md_table(
        ["Role", "Name", "Decision", "Date", "Signature"],
        [("Security reviewer", "", "", "", ""), ("Data protection officer", "", "", "", "")],
        "",
    )
    lines.append(f"_Written by {TOOL_NAME} {tool_version()}._")
    return "\n".join(_numbered(lines)) + "\n"


def _md_baseline(comparison: Comparison) -> list[str]:
    rows = comparison.rows()
    return [
        "## Since the last signed pack",
        "",
        f"{_cell(comparison.summary())}.",
        "",
        *_md_table(
            ["Change", "Source", "Rule", "Template", "Logical id", "What"], rows, "Nothing changed since the baseline."
        ),
    ]


SECTION_PREFIX = "## "


def _numbered(lines: list[str]) -> list[str]:
    """The page's sections numbered in order, and a table of contents before the first, linking to each as GitHub
    names a heading's anchor."""
    lines = "\n".join(lines).split("\n")  # a section written whole (the audit's) is several lines
    headings = [index for index, line in enumerate(lines) if line.startswith(SECTION_PREFIX)]
    contents = ["## Contents", ""]
    for number, index in enumerate(headings, start=1):
        heading = f"{number}. {lines[index].removeprefix(SECTION_PREFIX)}"
        lines[index] = SECTION_PREFIX + heading
        contents.append(f"{number}. [{heading.split('. ', 1)[1]}](#{_anchor(heading)})")
    if not headings:
        return lines
    return [*lines[: headings[0]], *contents, "", *lines[headings[0] :]]


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    kept = "".join(char for char in heading.lower() if char.isalnum() or char in " -")
    return kept.replace(" ", "-")


def _md_promises(pack: ReviewPack) -> list[str]:
    """The policy's promises, each kept or not by the findings of its rules, with its evidence."""
    allowed = ", ".join(sorted(pack.run.settings.allowed_regions))
    home = ", ".join(sorted(POLICY_HOME_REGIONS))
    lines = [
        "## The privacy policy's promises",
        "",
        f"The rules allow these regions: {_cell(allowed)}. The policy is narrower: it says the infrastructure is "
        f"hosted in Ireland ({_cell(home)}); the first row shows where the data stores of these templates are.",
        "",
    ]
    rows = []
    for evidence in pack.promises:
        findings = [
            f"{item.finding.rule_id} {item.finding.logical_id or '(stack)'}: {shorten(item.finding.message, 160)}"
            for item in evidence.open
        ] + [
            f"{item.finding.rule_id} {item.finding.logical_id or '(stack)'} acknowledged: "
            f"{item.acknowledgement.reason if item.acknowledgement else ''}"
            for item in evidence.acknowledged
        ]
        summary = (
            f"{len(evidence.rules_run)} rule(s) ran; {len(evidence.open)} open, {len(evidence.acknowledged)} "
            "acknowledged finding(s)"
        )
        rows.append(
            (
                evidence.promise.policy,
                "kept" if evidence.kept else "open",
                "; ".join([summary, *findings, *evidence.inventory]),
                evidence.promise.kept_by.replace("`", ""),
                evidence.promise.not_checked,
            )
        )
    lines += _md_table(["Promise", "Status", "Evidence", "Kept by", "Not checked by any rule"], rows, "")
    return lines
