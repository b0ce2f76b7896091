"""What changed since the last signed pack: two report.json documents compared, finding by finding and
acknowledgement by acknowledgement, for the rules' findings and for CDK's validation report alike.

A finding is the same finding in both when its source (eu-residency or the CDK plugin), rule, template,
logical id, property path and construct path agree; its message may differ (that is a change, not a new
finding). Templates are named relative to the folder their document's templates share, so two assemblies
synthesized into different folders compare.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eu_residency.assembly import read_json_file

RULES_SOURCE = "eu-residency"
REPORT_NAME = "report.json"
UNKNOWN_DATE = "unknown date"
# The fields whose difference makes a finding in both documents "changed"; a new acknowledgement reason is
# an acknowledgement change only.
COMPARED_FIELDS = ("severity", "message", "acknowledged")

# (new, fixed, changed, acknowledgements new, acknowledgements removed, reasons changed)
Counts = tuple[int, int, int, int, int, int]
Key = tuple[str, str, str | None, str | None, tuple[str, ...], str | None]


# Each kind of change a Delta holds (its attribute) and how the pages name it.
CHANGE_KINDS = (
    ("new", "new finding"),
    ("fixed", "fixed"),
    ("changed", "changed"),
    ("acknowledgements_new", "newly acknowledged"),
    ("acknowledgements_removed", "acknowledgement removed"),
    ("reasons_changed", "reason changed"),
)


class BaselineError(ValueError):
    """A baseline that cannot be read as a review pack's report.json (the message is one line naming it)."""


@dataclass(frozen=True)
class Entry:
    """One finding of a report.json, open or acknowledged, as the comparison sees it."""

    source: str  # RULES_SOURCE, or the CDK validation plugin that reported it
    rule: str
    template: str | None  # relative to the folder the document's templates share
    logical_id: str | None
    property_path: tuple[str, ...]
    construct_path: str | None
    severity: str
    message: str
    acknowledged: bool
    reason: str | None

    @property
    def key(self) -> Key:
        return (self.source, self.rule, self.template, self.logical_id, self.property_path, self.construct_path)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "rule": self.rule,
            "template": self.template,
            "logical_id": self.logical_id,
            "property_path": list(self.property_path),
            "construct_path": self.construct_path,
            "severity": self.severity,
            "message": self.message,
            "acknowledged": self.acknowledged,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Pair:
    """A finding before and after: None on one side when it is only in the other document."""

    before: Entry | None
    after: Entry | None
    changed: tuple[str, ...] = ()  # of COMPARED_FIELDS, and "reason"

    def as_dict(self) -> dict[str, Any]:
        return {
            "before": self.before.as_dict() if self.before else None,
            "after": self.after.as_dict() if self.after else None,
            "changed": list(self.changed),
        }


@dataclass(frozen=True)
class Delta:
    """The differences of one kind of finding (the rules' or CDK's validation report's)."""

    new: tuple[Entry, ...] = ()
    fixed: tuple[Entry, ...] = ()
    changed: tuple[Pair, ...] = ()
    # A finding acknowledged now and not before (``before`` None: a new finding, acknowledged already).
    acknowledgements_new: tuple[Pair, ...] = ()
    # Acknowledged before and not now (``after`` None: the finding is gone; else it is open again).
    acknowledgements_removed: tuple[Pair, ...] = ()
    reasons_changed: tuple[Pair, ...] = ()

    def counts(self) -> Counts:
        return (
            len(self.new),
            len(self.fixed),
            len(self.changed),
            len(self.acknowledgements_new),
            len(self.acknowledgements_removed),
            len(self.reasons_changed),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "new": [entry.as_dict() for entry in self.new],
            "fixed": [entry.as_dict() for entry in self.fixed],
            "changed": [pair.as_dict() for pair in self.changed],
            "acknowledgements": {
                "new": [pair.as_dict() for pair in self.acknowledgements_new],
                "removed": [pair.as_dict() for pair in self.acknowledgements_removed],
                "reason_changed": [pair.as_dict() for pair in self.reasons_changed],
            },
        }


@dataclass(frozen=True)
class Comparison:
    baseline_generated_at: str | None  # from the baseline's provenance; None when it records none
    findings: Delta
    cdk_validation: Delta

    @property
    def unchanged(self) -> bool:
        return not any(self.counts())

    def counts(self) -> Counts:
        """The rules' and CDK's findings together."""
        return _sum(self.findings.counts(), self.cdk_validation.counts())

    def summary(self) -> str:
        """``3 new, 1 fixed, 0 changed since the baseline of 2026-12-06T22:27:17Z; acknowledgements: 1 new,
        0 removed, 0 with another reason`` (the rules' and CDK's findings together)."""
        new, fixed, changed, ack_new, ack_removed, reasons = self.counts()
        since = self.baseline_generated_at or UNKNOWN_DATE
        return (
            f"{new} new, {fixed} fixed, {changed} changed since the baseline of {since}; "
            f"acknowledgements: {ack_new} new, {ack_removed} removed, {reasons} with another reason"
        )

    def rows(self) -> list[tuple[str, str, str, str, str, str]]:
        """(change, source, rule, template, logical id, what) for every change, as the pages list them."""
        rows = []
        for delta in (self.findings, self.cdk_validation):
            for attribute, label in CHANGE_KINDS:
                for change in getattr(delta, attribute):
                    shown = change if isinstance(change, Entry) else (change.after or change.before)
                    detail = shown.message + (f" (reason: {shown.reason})" if shown.reason else "")
                    if isinstance(change, Pair) and change.changed:
                        detail = f"{', '.join(change.changed)} changed: {detail}"
                    rows.append(
                        (label, shown.source, shown.rule, shown.template or "-", shown.logical_id or "-", detail)
                    )
        return rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "baseline_generated_at": self.baseline_generated_at,
            "summary": self.summary(),
            "findings": self.findings.as_dict(),
            "cdk_validation": self.cdk_validation.as_dict(),
        }


def _sum(first: Counts, second: Counts) -> Counts:
    new, fixed, changed, ack_new, ack_removed, reasons = (x + y for x, y in zip(first, second, strict=True))
    return new, fixed, changed, ack_new, ack_removed, reasons


def load_baseline(path: str | Path) -> Mapping[str, Any]:
    """The report.json at ``path`` (or in the folder ``path``); BaselineError when it is not one."""
    file = Path(path)
    if file.is_dir() and (file / REPORT_NAME).is_file():
        file = file / REPORT_NAME
    shown = f"baseline {str(file)!r}"
    if file.is_dir():
        raise BaselineError(f"{shown}: a folder without a {REPORT_NAME}; give the pack's {REPORT_NAME}")
    try:
        document = read_json_file(file)
    except json.JSONDecodeError as error:
        raise BaselineError(f"{shown}: not JSON ({error})") from None
    except ValueError as error:  # not found, a folder, too large, not UTF-8, nested too deeply
        raise BaselineError(f"{shown}: {error}") from None
    except OSError as error:
        raise BaselineError(f"{shown}: cannot be read ({error.strerror or error})") from None
    problem = _not_a_report(document)
    if problem:
        raise BaselineError(f"{shown}: not the report.json of a review pack ({problem})")
    result: Mapping[str, Any] = document
    return result


def _not_a_report(document: Any) -> str | None:
    if not isinstance(document, Mapping):
        return "not a JSON object"
    templates = document.get("templates")
    if not isinstance(templates, list):
        return "no templates list"
    for template in templates:
        if not isinstance(template, Mapping) or not isinstance(template.get("findings"), list):
            return "a template without a findings list"
    cdk = document.get("cdk_validation")
    if cdk is not None and not isinstance(cdk, Mapping):
        return "cdk_validation is not an object"
    return None


def compare(previous: Mapping[str, Any], current: Mapping[str, Any]) -> Comparison:
    """What is new, fixed or changed in ``current`` since ``previous`` (both report.json documents)."""
    provenance = previous.get("provenance")
    generated_at = provenance.get("generated_at") if isinstance(provenance, Mapping) else None
    return Comparison(
        baseline_generated_at=generated_at if isinstance(generated_at, str) and generated_at else None,
        findings=delta(list(rule_entries(previous)), list(rule_entries(current))),
        cdk_validation=delta(list(cdk_entries(previous)), list(cdk_entries(current))),
    )


def delta(before: Sequence[Entry], after: Sequence[Entry]) -> Delta:
    previous = _by_key(before)
    current = _by_key(after)
    new: list[Entry] = []
    fixed: list[Entry] = []
    pairs: list[Pair] = []
    for key in sorted(previous.keys() | current.keys(), key=_sort_key):
        old, now = _without_equal(previous.get(key, []), current.get(key, []))
        pairs += [Pair(a, b, _differences(a, b)) for a, b in zip(old, now, strict=False)]
        fixed += old[len(now) :]
        new += now[len(old) :]
    return Delta(
        new=tuple(new),
        fixed=tuple(fixed),
        changed=tuple(pair for pair in pairs if set(pair.changed) & set(COMPARED_FIELDS)),
        acknowledgements_new=tuple(
            [Pair(None, entry) for entry in new if entry.acknowledged]
            + [
                pair
                for pair in pairs
                if pair.after and pair.after.acknowledged and pair.before and not pair.before.acknowledged
            ]
        ),
        acknowledgements_removed=tuple(
            [Pair(entry, None) for entry in fixed if entry.acknowledged]
            + [
                pair
                for pair in pairs
                if pair.before and pair.before.acknowledged and pair.after and not pair.after.acknowledged
            ]
        ),
        reasons_changed=tuple(pair for pair in pairs if "reason" in pair.changed),
    )


def _by_key(entries: Iterable[Entry]) -> dict[Key, list[Entry]]:
    grouped: dict[Key, list[Entry]] = {}
    for entry in entries:
        grouped.setdefault(entry.key, []).append(entry)
    return {key: sorted(group, key=lambda entry: (entry.message, entry.severity)) for key, group in grouped.items()}


def _without_equal(before: list[Entry], after: list[Entry]) -> tuple[list[Entry], list[Entry]]:
    """Both lists without the entries found unchanged in the other."""
    remaining = list(after)
    old = []
    for entry in before:
        if entry in remaining:
            remaining.remove(entry)
        else:
            old.append(entry)
    return old, remaining


def _differences(before: Entry, after: Entry) -> tuple[str, ...]:
    changed = [name for name in COMPARED_FIELDS if getattr(before, name) != getattr(after, name)]
    if before.acknowledged and after.acknowledged and before.reason != after.reason:
        changed.append("reason")
    return tuple(changed)


def _sort_key(key: Key) -> tuple[str, ...]:
    source, rule, template, logical_id, path, construct_path = key
    return (source, template or "", rule, logical_id or "", ".".join(path), construct_path or "")


# -- reading a report.json -------------------------------------------------------------------------------------


def rule_entries(document: Mapping[str, Any]) -> Iterator[Entry]:
    """Every finding of the rules in ``document``, open and acknowledged."""
    templates = [item for item in _list(document.get("templates")) if isinstance(item, Mapping)]
    root = template_root(document)
    for template in templates:
        name = _relative(_text(template.get("path")), root)
        for finding in _list(template.get("findings")):
            if not isinstance(finding, Mapping):
                continue
            acknowledgement = finding.get("acknowledgement")
            reason = acknowledgement.get("reason") if isinstance(acknowledgement, Mapping) else None
            yield Entry(
                source=RULES_SOURCE,
                rule=_text(finding.get("rule_id")) or "?",
                template=name,
                logical_id=_text(finding.get("logical_id")),
                property_path=tuple(str(part) for part in _list(finding.get("property_path"))),
                construct_path=_text(finding.get("construct_path")),
                severity=_text(finding.get("severity")) or "",
                message=_text(finding.get("message")) or "",
                acknowledged=finding.get("acknowledged") is True,
                reason=_text(reason),
            )


def cdk_entries(document: Mapping[str, Any]) -> Iterator[Entry]:
    """Every finding of CDK's validation report in ``document``, open and acknowledged."""
    cdk = document.get("cdk_validation")
    if not isinstance(cdk, Mapping):
        return
    root = template_root(document)
    for key in ("findings", "acknowledged"):
        for finding in _list(cdk.get(key)):
            if not isinstance(finding, Mapping):
                continue
            template = _text(finding.get("template"))
            yield Entry(
                source=_text(finding.get("plugin")) or "?",
                rule=_text(finding.get("rule")) or "?",
                template=_relative(template, root) if template else _text(finding.get("stack")),
                logical_id=_text(finding.get("logical_id")),
                property_path=(),
                construct_path=_text(finding.get("construct_path")),
                severity=_text(finding.get("severity")) or "",
                message=_text(finding.get("description")) or "",
                acknowledged=key == "acknowledged" or finding.get("acknowledged") is True,
                reason=_text(finding.get("reason")),
            )


def template_root(document: Mapping[str, Any]) -> str:
    """The folder (with its trailing slash) every template path of ``document`` starts with; "" for none."""
    paths = [
        path
        for template in _list(document.get("templates"))
        if isinstance(template, Mapping) and (path := _text(template.get("path")))
    ]
    if not paths:
        return ""
    # By characters, not path parts: a stack instance's name goes on after its template's path.
    common = os.path.commonprefix(paths)  # noqa: RUF071
    return common[: common.rfind("/") + 1]


def _relative(path: str | None, root: str) -> str | None:
    if path is None:
        return None
    return path[len(root) :] if root and path.startswith(root) else path


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
