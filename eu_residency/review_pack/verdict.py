"""The review pack's verdict: what every source it read says, counted together.

A pack a reviewer signs is COMPLIANT only when nothing it lists is open: no open finding of the rules over the
templates, none of any plugin in CDK's validation report (cdk-nag's AwsSolutions as much as ours), no finding of
the live audit and no part of the account it could not examine (the audit fails closed on those). A source that
cannot be read makes the verdict an INPUT ERROR. The exit code of ``eu-residency report`` follows the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eu_residency.audit.audit_report import AuditReport
from eu_residency.check_run.results import CheckRun
from eu_residency.core.rule_model import PLUGIN_NAME

COMPLIANT = "COMPLIANT"
NON_COMPLIANT = "NON-COMPLIANT"
INPUT_ERROR = "INPUT ERROR"
EXIT_CODES = {COMPLIANT: 0, NON_COMPLIANT: 1, INPUT_ERROR: 2}


@dataclass(frozen=True)
class SourceRead:
    """One thing the verdict read: what it is, what it holds, and how many of its findings are open."""

    name: str
    detail: str
    open: int
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "detail": self.detail, "open": self.open, "error": self.error}


@dataclass(frozen=True)
class PluginCount:
    """One plugin of CDK's validation report: its open and its acknowledged findings."""

    plugin: str
    open: int
    acknowledged: int


@dataclass(frozen=True)
class PackVerdict:
    word: str
    sources: tuple[SourceRead, ...]

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.word]

    @property
    def sources_text(self) -> str:
        """``read: the EU-Residency rules over 7 templates (0 open); ...``: one sentence naming every source."""
        return "read: " + "; ".join(f"{source.name} ({source.detail})" for source in self.sources)

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.word,
            "exit_code": self.exit_code,
            "sources": [source.as_dict() for source in self.sources],
        }


def pack_verdict(
    run: CheckRun,
    *,
    validation_path: str | None,
    validation_error: str | None,
    plugins: tuple[PluginCount, ...],
    audit: AuditReport | None,
) -> PackVerdict:
    """The verdict over the check run, CDK's validation report (``validation_path`` None: the assembly has none;
    ``plugins``: each plugin it names, with its counts) and the live audit when given."""
    checked = sum(1 for result in run.results if result.error is None)
    failed = [result.path for result in run.results if result.error is not None]
    rules = SourceRead(
        f"the {PLUGIN_NAME} rules",
        f"{checked} template(s), {run.count()} open finding(s)"
        + (f", {len(failed)} input(s) that could not be read" if failed else ""),
        run.count(),
        error=f"{len(failed)} input(s) could not be read" if failed else None,
    )
    sources = [rules, _validation_source(validation_path, validation_error, plugins)]
    if audit is not None:
        sources.append(_audit_source(audit))
    if any(source.error for source in sources):
        word = INPUT_ERROR
    elif any(source.open for source in sources):
        word = NON_COMPLIANT
    else:
        word = COMPLIANT
    return PackVerdict(word, tuple(sources))


def _validation_source(path: str | None, error: str | None, plugins: tuple[PluginCount, ...]) -> SourceRead:
    name = "CDK's validation report"
    if error is not None:
        return SourceRead(name, error, 0, error=error)
    if path is None:
        # CDK writes validation-report.json only when a validation plugin ran at synthesis.
        return SourceRead(name, "none in the assembly: no validation plugin ran at synthesis", 0)
    if not plugins:
        return SourceRead(name, "no plugin reported anything", 0)
    counts = ", ".join(f"{plugin.plugin} {plugin.open} open, {plugin.acknowledged} acknowledged" for plugin in plugins)
    return SourceRead(name, counts, sum(plugin.open for plugin in plugins))


def _audit_source(audit: AuditReport) -> SourceRead:
    who = f"the live audit of account {audit.account or 'unknown'}"
    gaps = len(audit.not_audited)
    detail = f"{audit.count()} finding(s), {gaps} region/service part(s) not audited"
    if not audit.audited:
        return SourceRead(who, "nothing could be examined", 0, error="the audit examined nothing")
    # A part not examined is not shown compliant: it counts as the audit counts it, against the verdict.
    return SourceRead(who, detail, audit.count() + gaps)
