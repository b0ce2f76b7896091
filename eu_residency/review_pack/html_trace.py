"""The review pack's sections that trace the pack to what it stands on: the policy's promises, the rules behind
the findings, the provenance of the pack and what changed since the last signed one."""

from __future__ import annotations

from eu_residency.check_run.results import CheckRun
from eu_residency.review_pack.baseline import Comparison
from eu_residency.review_pack.contents import CdkValidation, ReviewPack
from eu_residency.review_pack.html_parts import badge, code_text, folded, html_table, rule_anchor
from eu_residency.review_pack.markup import e
from eu_residency.review_pack.promises import POLICY_HOME_REGIONS
from eu_residency.review_pack.provenance import Provenance
from eu_residency.review_pack.rows import (
    family_label,
    reported_rules,
    shorten,
)
from eu_residency.rules.catalogue import acknowledgement_text


def html_promises(pack: ReviewPack) -> str:
    """The policy's promises, each kept or not by the findings of its rules, with its evidence."""
    rows = []
    for evidence in pack.promises:
        promise = evidence.promise
        status = '<span class="badge v-ok">kept</span>' if evidence.kept else badge("open")
        found = "".join(
            f"<li><a href='#{e(item.finding.rule_id.lower())}'>{e(item.finding.rule_id)}</a> "
            f"{e(item.finding.logical_id or '(stack)')}: {e(shorten(item.finding.message, 160))}</li>"
            for item in evidence.open
        )
        acknowledged = "".join(
            f"<li>{e(item.finding.rule_id)} {e(item.finding.logical_id or '(stack)')}, acknowledged: "
            f"{e(item.acknowledgement.reason if item.acknowledgement else '')}</li>"
            for item in evidence.acknowledged
        )
        facts = "".join(f"<li>{e(line)}</li>" for line in evidence.inventory)
        evidence_html = (
            f"<p class='small'>{len(evidence.rules_run)} rule(s) ran; {len(evidence.open)} open, "
            f"{len(evidence.acknowledged)} acknowledged finding(s).</p>"
            + (f"<ul class='small'>{found}</ul>" if found else "")
            + (f"<ul class='small'>{acknowledged}</ul>" if acknowledged else "")
            + f"<ul class='small'>{facts}</ul>"
        )
        rows.append(
            f"<tr id='promise-{e(promise.key)}'><th scope='row'>{e(promise.policy)}</th>"
            f"<td data-label='Status'>{status}</td><td data-label='Evidence'>{evidence_html}</td>"
            f"<td class='small' data-label='Kept by'>{code_text(promise.kept_by)}</td>"
            f"<td class='small' data-label='Not checked by any rule'>{e(promise.not_checked)}</td></tr>"
        )
    table = html_table(
        "promises",
        ["Promise", "Status", "Evidence", "Kept by", "Not checked by any rule"],
        rows,
        "",
        caption="Each promise of the privacy policy, the findings of the rules that check it, and what no rule checks",
    )
    allowed = ", ".join(sorted(pack.run.settings.allowed_regions))
    home = ", ".join(sorted(POLICY_HOME_REGIONS))
    return (
        '<section id="promises"><h2>The privacy policy\'s promises</h2>'
        f"<p class='lead'>The rules allow these regions: <code>{e(allowed)}</code>. The policy is narrower: it says "
        f"the infrastructure is hosted in Ireland (<code>{e(home)}</code>); the first row shows where the data "
        "stores of these templates are.</p>"
        f"{table}</section>"
    )


def html_rules(run: CheckRun, cdk: CdkValidation) -> str:
    """The rules behind the findings (open or acknowledged), each with its explanation and fix: a finding's rule
    links here."""
    rows = [
        f"<tr id='{e(rule_anchor(rule.id))}'><th scope='row'>{e(rule.id)}<br>"
        f"<span class='small muted'>{e(family_label(rule.id))}</span></th><td data-label='Desired outcome and why'>"
        f"<b>{e(rule.title)}</b><br><span class='small'>{folded(rule.explanation)}</span></td>"
        f"<td class='small' data-label='Fix'>{folded(rule.fix)}</td>"
        f"<td class='small' data-label='Acknowledge'>{e(acknowledgement_text(rule))}</td></tr>"
        for rule in reported_rules(run)
    ]
    table = html_table(
        "rules",
        ["Rule|w-rule", "Desired outcome and why", "Fix", "Acknowledge"],
        rows,
        "No rule reported anything.",
        caption="Every rule with a finding in this pack, as the catalogue (docs/RULES.md) and eu-residency explain say",
    )
    return (
        '<section id="rules"><h2>Rules behind the findings</h2>'
        f"<p class='lead'>What each rule with a finding asks for, and why.</p>{table}</section>"
    )


def html_provenance(made: Provenance) -> str:
    """Where the pack came from: when, from which commit, with which versions and settings, over which files."""
    rows = [f"<tr><th scope='row'>{e(label)}</th><td>{e(text)}</td></tr>" for label, text in made.rows()]
    hashes = [
        f"<tr><td class='mono'>{e(name)}</td><td class='mono'>{e(digest)}</td></tr>"
        for name, digest in sorted(made.template_sha256.items())
    ] + [
        f"<tr><td class='mono'>{e(name)}</td><td>not hashed: {e(why)}</td></tr>"
        for name, why in sorted(made.unhashed.items())
    ]
    facts = html_table("provenance", ["What", "Value"], rows, "", caption="What produced this pack")
    files = html_table("template-hashes", ["Template", "SHA-256"], hashes, "No template.", caption="The templates read")
    return (
        '<section id="provenance"><h2>Provenance</h2>'
        "<p class='lead'>What a reviewer needs to reproduce this pack, and to tell it from another.</p>"
        f"{facts}<details><summary>SHA-256 of each template ({len(hashes)})</summary>{files}</details></section>"
    )


_CHANGE_CSS = ("", "", "mono", "mono", "mono", "")


def html_baseline(comparison: Comparison) -> str:
    """What is new, fixed or changed since the last signed pack, findings and acknowledgements."""
    rows = [
        "<tr>"
        + "".join(f"<td class='{css}'>{e(text)}</td>" for css, text in zip(_CHANGE_CSS, row, strict=True))
        + "</tr>"
        for row in comparison.rows()
    ]
    table = html_table(
        "baseline",
        ["Change|w-kind", "Source|w-src", "Rule|w-rule", "Template|w-path", "Logical id|w-id", "What"],
        rows,
        "Nothing changed since the baseline.",
        caption="Findings and acknowledgements since the baseline",
    )
    return (
        '<section id="baseline"><h2>Since the last signed pack</h2>'
        f"<p class='lead'>{e(comparison.summary())}.</p>{table}</section>"
    )
