"""What a check run produces, for every formatter: per template, its findings, acknowledged or not."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, NamedTuple

from eu_residency.check_run.acknowledgement_audit import AcknowledgementProblem
from eu_residency.core.rule_model import Finding, Severity
from eu_residency.core.settings import RuleSettings
from eu_residency.rules.engine import TemplateInput


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
class Candidate:
    """A template to check: where it is, and where it would deploy."""

    path: Path
    region: str | None
    # From a directory scan: a file that turns out not to be a template is skipped, not an error.
    optional: bool = False
    # From a cloud assembly: what CDK acknowledged at synthesis, (rule id, construct path) -> reason.
    cdk_acknowledgements: tuple[tuple[str, str, str], ...] = ()
    # A nested stack: the name of its parent's template, and the logical id of the stack resource there.
    parent: str | None = None
    nested_as: str | None = None
    # The deployed stack's name (for Fn::GetStackOutput); None when not known.
    stack_name: str | None = None
    # Read from a cloud assembly, which lists its nested stacks itself.
    from_assembly: bool = False
    # The name it is checked under in the app, when not its path: a file nested by two parents deploys two
    # stacks, each a template of the app of its own.
    instance: str | None = None

    @property
    def name(self) -> str:
        return self.instance or str(self.path)


class NestingKind(Enum):
    """What deploys a template inside another stack's; each output words it (a stack instance:
    ``template_loader.stack_set_instances.instance_label``)."""

    NESTED_STACK = "nested-stack"  # an AWS::CloudFormation::Stack: one stack, in its parent's region
    STACK_SET_INSTANCE = "stack-set-instance"  # an AWS::CloudFormation::StackSet: one stack per region


class Nesting(NamedTuple):
    """Where a template deploys inside another: the template of the top-level stack it deploys with, its path
    under that stack (the construct path CDK records, or the logical ids of the resources leading to it), and
    what deploys it."""

    top: str
    path: str
    kind: NestingKind = NestingKind.NESTED_STACK


@dataclass(frozen=True)
class TemplateResult:
    """One template: its findings, or the one-line error that kept it from being checked."""

    path: str
    region: str | None
    findings: tuple[CheckedFinding, ...] = ()
    error: str | None = None
    resources: int = 0
    # A nested stack or a stack instance of a StackSet: where it deploys (None: a top-level stack).
    nested_in: Nesting | None = None
    # The acknowledgements written in this template (or recorded by CDK for its stack) that do not do what they
    # say: warnings, which never change the verdict (the finding they fail to acknowledge stays open).
    acknowledgement_problems: tuple[AcknowledgementProblem, ...] = ()

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
    # The templates as the rule core was given them (one app): the inventory reads the same app.
    inputs: tuple[TemplateInput, ...] = ()
    # Files a folder scan found with a template's suffix that are plainly something else (package.json).
    skipped: tuple[str, ...] = ()

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

    @property
    def acknowledgement_problems(self) -> list[AcknowledgementProblem]:
        return [problem for result in self.results for problem in result.acknowledgement_problems]

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
        if problems := len(self.acknowledgement_problems):
            parts.append(f"{problems} acknowledgement problem(s)")
        if bad:
            parts.append(f"{bad} input(s) could not be checked")
        if self.skipped:
            parts.append(f"{len(self.skipped)} file(s) skipped (not templates)")
        return ", ".join(parts)
