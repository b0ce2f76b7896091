"""The building blocks of the review pack's page: tables, badges, folded text and the page's cross-references
(a data store's inventory row, the findings on it, a rule's explanation)."""

from __future__ import annotations

from collections.abc import Sequence

from eu_residency.check_run.results import CheckRun
from eu_residency.inventory.records import DataStore, Inventory
from eu_residency.review_pack.markup import CLASSIFICATION_COLORS, e
from eu_residency.review_pack.rows import (
    STACK_LOGICAL_ID,
    first_sentence,
    open_findings,
)


def badge(severity: str) -> str:
    css = {"fatal": "sev-fatal", "error": "sev-error", "open": "sev-error"}.get(severity, "sev-ack")
    return f'<span class="badge {css}">{e(severity)}</span>'


def classification(value: str) -> str:
    css = value if value in CLASSIFICATION_COLORS else "unknown"
    return f'<span class="cls cls-{e(css)}">{e(value)}</span>'


# Each table's caption, by its id, where the call gives none: what a row of it is.
CAPTIONS = {
    "stacks": "Each stack of the assembly, its region and its verdict",
    "rule-set": "The rule families and how many of their rules ran under the settings",
    "by-severity": "Findings by severity",
    "by-rule": "Findings by rule",
    "by-stack": "Findings by stack",
    "findings": "Open findings, grouped by the promise they break",
    "acknowledged": "Acknowledged findings and the reasons given",
    "cdk-findings": "Open findings of CDK's validation report, every plugin",
    "flows": "Every flow of data and every path in and out of the networks",
    "inventory": "Every data-bearing resource",
    "signoff": "Sign-off",
}


def html_table(
    table_id: str | None,
    headers: Sequence[str],
    rows: Sequence[str],
    empty: str,
    numeric: int = 0,
    *,
    caption: str | None = None,
) -> str:
    """A table in a box that scrolls sideways on a narrow screen; ``rows`` are finished ``<tr>`` elements; the last
    ``numeric`` columns are right-aligned. A header ``Name|w-path`` gives its column the width class ``w-path``.
    """
    ident = f' id="{e(table_id)}"' if table_id else ""
    cells = []
    for index, header in enumerate(headers):
        name, _, width = header.partition("|")
        classes = " ".join(part for part in (width, "num" if index >= len(headers) - numeric else "") if part)
        css = f' class="{e(classes)}"' if classes else ""
        cells.append(f'<th scope="col"{css}>{e(name)}</th>')
    head = "".join(cells)
    body = "".join(rows) or f'<tr><td class="empty" colspan="{len(headers)}">{e(empty)}</td></tr>'
    caption = caption or CAPTIONS.get(table_id or "")
    shown = f"<caption>{e(caption)}</caption>" if caption else ""
    return (
        f'<div class="table-box"><table{ident}>{shown}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
    )


def code_text(markdown: str) -> str:
    """Our own Markdown with `code` spans, as HTML: escaped, each span in <code>."""
    parts = markdown.split("`")
    return "".join(f"<code>{e(part)}</code>" if index % 2 else e(part) for index, part in enumerate(parts))


# A fix longer than this is folded: its first sentence shows, the rest opens on a click (no script).
FOLD_AFTER = 180


def folded(text: str) -> str:
    """``text``, escaped; when long, in a <details> whose summary is its first sentence."""
    if len(text) <= FOLD_AFTER:
        return e(text)
    return f"<details><summary>{e(first_sentence(text, 120))}</summary>{e(text)}</details>"


def rule_anchor(rule_id: str) -> str:
    return f"rule-{rule_id.lower()}"


class Links:
    """The page's cross-references: each data store's inventory row, and the open findings on each store."""

    def __init__(self, run: CheckRun, inventory: Inventory) -> None:
        self._stores = {
            (store.template, store.logical_id): f"store-{index}"
            for index, store in enumerate(stores_in_order(inventory))
        }
        self._findings: dict[tuple[str, str], list[tuple[int, str]]] = {}
        for index, (result, item) in enumerate(open_findings(run)):
            key = (result.path, item.finding.logical_id or "")
            self._findings.setdefault(key, []).append((index, item.finding.rule_id))

    def store_anchor(self, template: str, logical_id: str) -> str:
        return self._stores[(template, logical_id)]

    def store_link(self, template: str, logical_id: str) -> str:
        """The logical id, linked to its inventory row when it is a data store."""
        shown = e(logical_id or STACK_LOGICAL_ID)
        anchor = self._stores.get((template, logical_id))
        return f"<a href='#{anchor}'>{shown}</a>" if anchor else shown

    def findings_of(self, template: str, logical_id: str) -> str:
        """Links to the open findings on one resource; empty when it has none."""
        found = self._findings.get((template, logical_id), [])
        return ", ".join(f"<a href='#finding-{index}'>{e(rule)}</a>" for index, rule in found)


def stores_in_order(inventory: Inventory) -> list[DataStore]:
    return sorted(inventory.stores, key=lambda store: (store.stack, store.type_label, store.logical_id))
