"""What a check run produces, for every formatter: per template, its findings, acknowledged or not."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eu_residency.core.rule_model import Finding, Severity
from eu_residency.core.settings import RuleSettings


@dataclass(frozen=True)
class Acknowledgement:
    """A finding a person accepted, with their reason, and where the template said so."""

    rule_id: str
    reason: str
    source: str  # "eu-residency metadata", "cdk-nag metadata"


@dataclass(frozen=True)
class CheckedFinding:
    finding: Finding
    acknowledgement: Acknowledgement | None = None
    line: int | None = None  # of the resource in the template file, 1-based

    @property
    def open(self) -> bool:
        return self.acknowledgement is None

    def as_dict(self) -> dict[str, Any]:
        result = self.finding.as_dict()
        result["line"] = self.line
        result["acknowledged"] = self.acknowledgement is not None
        if self.acknowledgement is not None:
            result["acknowledgement"] = {
                "reason": self.acknowledgement.reason,
                "source": self.acknowledgement.source,
            }
        return result


@dataclass(frozen=True)
class TemplateResult:
    """One template: its findings, or the one-line error that kept it from being checked."""

    path: str
    region: str | None
    findings: tuple[CheckedFinding, ...] = ()
    error: str | None = None
    resources: int = 0

    @property
    def verdict(self) -> str:
        if self.error is not None:
            return "error"
        return "non-compliant" if any(item.open for item in self.findings) else "compliant"

    @property
    def open_findings(self) -> list[CheckedFinding]:
        return [item for item in self.findings if item.open]

    @property
    def acknowledged(self) -> list[CheckedFinding]:
        return [item for item in self.findings if not item.open]


@dataclass(frozen=True)
class CheckRun:
    results: tuple[TemplateResult, ...]
    settings: RuleSettings = field(default_factory=RuleSettings)

    @property
    def exit_code(self) -> int:
        """0 all compliant, 1 any finding, 2 any bad input (the others are still checked and reported)."""
        if any(result.error for result in self.results):
            return 2
        return 1 if any(result.open_findings for result in self.results) else 0

    def count(self, severity: Severity | None = None) -> int:
        return sum(
            1
            for result in self.results
            for item in result.open_findings
            if severity is None or item.finding.severity is severity
        )

    def summary(self) -> str:
        checked = [result for result in self.results if result.error is None]
        compliant = sum(1 for result in checked if result.verdict == "compliant")
        acknowledged = sum(len(result.acknowledged) for result in checked)
        bad = len(self.results) - len(checked)
        parts = [
            f"{len(checked)} template(s) checked",
            f"{compliant} compliant",
            f"{self.count()} finding(s) ({self.count(Severity.FATAL)} fatal, {self.count(Severity.ERROR)} error)",
            f"{acknowledged} acknowledged",
        ]
        if bad:
            parts.append(f"{bad} input(s) could not be checked")
        return ", ".join(parts)
