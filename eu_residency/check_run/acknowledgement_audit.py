"""What is wrong with the acknowledgements of a check, in the same words at synthesis and in the command.

An acknowledgement acknowledges nothing when it names no rule of EU-Residency (a typo), names one under another
plugin's prefix (``AwsSolutions::EU-ENC-022``, or CDK's ``Annotation::`` for an id written without one), has
no reason, or names a fatal finding; and it is stale when it matches no finding where it is. Each of these is
an ``AcknowledgementProblem``, a warning: it never fails a synthesis or a check by itself, because the finding
it fails to acknowledge stays open and fails them (a stale one has no finding to protect).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from eu_residency.core.rule_model import PLUGIN_NAME, Finding
from eu_residency.rules.registry import RULES_BY_ID

NAMESPACE_SEPARATOR = "::"
# The source of an acknowledgement CDK recorded (Validations.of(construct).acknowledge).
CDK_SOURCE = "CDK acknowledgement"
# The namespace CDK's Validations.acknowledge gives an id written without one.
CDK_DEFAULT_NAMESPACE = "Annotation"
# An id that reads as one of ours in any spelling (eu-enc-22, EU_RES_010, EUENC020): what a typo of ours looks like.
_LOOKS_LIKE_OURS = re.compile(r"^eu[-_ ]?[a-z]{2,4}[-_ ]?[0-9o]{1,4}$", re.IGNORECASE)
_SPELLED = re.compile(r"^EU-?([A-Z]{3})-?([0-9]{1,3})$")
# How close a near-miss must be to be named (difflib's ratio): EU-ENC-02 and EU-ENC-0022 are, EU-ENC is not.
_CLOSE_ENOUGH = 0.8


class ProblemKind(Enum):
    """What is wrong with an acknowledgement; the value is the id SARIF and CDK's report give it."""

    OTHER_PLUGIN = "acknowledgement-other-plugin"
    UNKNOWN_RULE = "acknowledgement-unknown-rule"
    NO_REASON = "acknowledgement-no-reason"
    FATAL_FINDING = "acknowledgement-fatal-finding"
    STALE = "acknowledgement-stale"

    @property
    def title(self) -> str:
        return _TITLES[self]


_TITLES = {
    ProblemKind.OTHER_PLUGIN: "An acknowledgement of an EU-Residency rule is under the EU-Residency prefix",
    ProblemKind.UNKNOWN_RULE: "An acknowledgement names a rule of EU-Residency",
    ProblemKind.NO_REASON: "An acknowledgement says why its finding is acceptable",
    ProblemKind.FATAL_FINDING: "An acknowledgement names no fatal finding, which nothing can acknowledge",
    ProblemKind.STALE: "An acknowledgement matches a finding where it is",
}


@dataclass(frozen=True)
class WrittenAcknowledgement:
    """An acknowledgement as it was written: in CDK (with the namespace CDK recorded) or in a template's Metadata.

    ``place`` is what it acknowledges, matched against the places of each finding (``Acknowledgeable``);
    ``where`` is how a person finds it: a construct path, a logical id, ``(template)``.
    """

    id: str
    reason: str | None  # None: no reason given, or one that is not text
    where: str
    place: str
    source: str  # "CDK acknowledgement", "eu-residency metadata", "cdk-nag metadata"
    # The template that holds it (for the command: its file; at synthesis: the stack's template) and the
    # resource whose Metadata holds it, when it is one.
    template: str | None = None
    logical_id: str | None = None
    line: int | None = None  # of that resource in the template file, 1-based (the command's)
    # Every entry of the block is meant for EU-Residency (our own Metadata block), not only the EU-* ones.
    own_block: bool = False

    @property
    def has_reason(self) -> bool:
        return bool(self.reason and self.reason.strip())


@dataclass(frozen=True)
class Acknowledgeable:
    """A finding and the places an acknowledgement of its rule would acknowledge it from."""

    finding: Finding
    places: frozenset[str]


@dataclass(frozen=True)
class AcknowledgementProblem:
    """One acknowledgement that does not do what it says: where it is, the id as written, what is wrong, what to do."""

    acknowledgement: WrittenAcknowledgement
    kind: ProblemKind
    problem: str
    action: str
    rule_id: str | None = None  # the rule of ours it names or most likely means

    @property
    def message(self) -> str:
        return f"the acknowledgement '{self.acknowledgement.id}' {self.problem}; {self.action}"

    @property
    def text(self) -> str:
        """The one line every front end prints: ``Data/Bucket: the acknowledgement 'X' ...; ...``."""
        return f"{self.acknowledgement.where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "where": self.acknowledgement.where,
            "id": self.acknowledgement.id,
            "source": self.acknowledgement.source,
            "rule_id": self.rule_id,
            "problem": self.problem,
            "action": self.action,
            "message": self.message,
        }


def split_id(written: str) -> tuple[str | None, str]:
    """``EU-Residency::EU-ENC-022`` -> (``EU-Residency``, ``EU-ENC-022``); a bare id has no namespace. The
    namespace is spelt as CDK normalizes it (blanks become dashes)."""
    namespace, separator, rule = written.strip().partition(NAMESPACE_SEPARATOR)
    if not separator:
        return None, namespace
    return namespace.strip().replace(" ", "-"), rule.strip()


def looks_like_ours(rule: str) -> bool:
    """Whether a rule id (without its prefix) reads as one of EU-Residency's, however it is spelt."""
    return bool(_LOOKS_LIKE_OURS.match(rule.strip()))


def names_ours(acknowledgement: WrittenAcknowledgement) -> bool:
    """Whether the acknowledgement is meant for EU-Residency: our block, our prefix, or an id that reads as ours."""
    namespace, rule = split_id(acknowledgement.id)
    return acknowledgement.own_block or namespace == PLUGIN_NAME or looks_like_ours(rule)


def closest_rule(rule: str) -> str | None:
    """The known rule id ``rule`` most likely means: the same id spelt otherwise (case, separators, padding,
    the letter O for a zero), else the nearest by spelling; None when nothing is near."""
    spelt = rule.strip().upper().replace("_", "-").replace(" ", "-")
    if match := _SPELLED.match(re.sub(r"(?<=[0-9-])O|O(?=[0-9])", "0", spelt)):
        padded = f"EU-{match.group(1)}-{int(match.group(2)):03d}"
        if padded in RULES_BY_ID:
            return padded
    near = difflib.get_close_matches(spelt, list(RULES_BY_ID), n=1, cutoff=_CLOSE_ENOUGH)
    return near[0] if near else None


def rule_problem(written: str, *, bare_is_ours: bool) -> tuple[ProblemKind, str, str, str | None] | None:
    """What is wrong with the id itself (its prefix, its rule), as (kind, problem, action, rule meant); None
    when it names a rule of ours the way the place it is written in reads it."""
    namespace, rule = split_id(written)
    if namespace is not None and namespace != PLUGIN_NAME:
        meant = rule if rule in RULES_BY_ID else closest_rule(rule)
        if namespace == CDK_DEFAULT_NAMESPACE:
            problem = (
                f"has no plugin prefix, so CDK files it under {CDK_DEFAULT_NAMESPACE}:: and it acknowledges nothing"
            )
        else:
            problem = f"is under the prefix of another plugin ({namespace}::), so it acknowledges nothing"
        return ProblemKind.OTHER_PLUGIN, problem, f"use {PLUGIN_NAME}{NAMESPACE_SEPARATOR}{meant or rule}", meant
    if namespace is None and not bare_is_ours:
        meant = rule if rule in RULES_BY_ID else closest_rule(rule)
        problem = "has no plugin prefix, so it acknowledges nothing"
        return ProblemKind.OTHER_PLUGIN, problem, f"use {PLUGIN_NAME}{NAMESPACE_SEPARATOR}{meant or rule}", meant
    if rule in RULES_BY_ID:
        return None
    meant = closest_rule(rule)
    prefix = f"{namespace}{NAMESPACE_SEPARATOR}" if namespace else ""
    action = f"use {prefix}{meant} if that is the rule meant" if meant else "`eu-residency rules` lists the rules"
    return ProblemKind.UNKNOWN_RULE, "names no rule of EU-Residency, so it acknowledges nothing", action, meant


def audit_acknowledgements(
    acknowledgements: Iterable[WrittenAcknowledgement],
    findings: Sequence[Acknowledgeable],
    *,
    rules_run: Collection[str] | None = None,
) -> list[AcknowledgementProblem]:
    """The problems of ``acknowledgements`` (those meant for EU-Residency) against ``findings``, at most one
    each, in the order given. ``rules_run`` are the rules that ran (None: all): an acknowledgement of a rule that
    did not run (a key-control rule with the setting off) is not stale, it waits for the rule.
    """
    problems = []
    for acknowledgement in dict.fromkeys(acknowledgements):  # one entry twice (SAM copies Metadata) is one
        if names_ours(acknowledgement):
            problem = _problem(acknowledgement, findings, rules_run)
            if problem is not None:
                problems.append(problem)
    return problems


def _problem(
    acknowledgement: WrittenAcknowledgement, findings: Sequence[Acknowledgeable], rules_run: Collection[str] | None
) -> AcknowledgementProblem | None:
    wrong_id = rule_problem(acknowledgement.id, bare_is_ours=acknowledgement.source != CDK_SOURCE)
    if wrong_id is not None:
        kind, problem, action, meant = wrong_id
        return AcknowledgementProblem(acknowledgement, kind, problem, action, meant)
    rule_id = split_id(acknowledgement.id)[1]
    covered = [
        item.finding for item in findings if item.finding.rule_id == rule_id and acknowledgement.place in item.places
    ]
    if not acknowledgement.has_reason:
        problem = "has no reason, so it acknowledges nothing" + (": the finding stays open" if covered else "")
        action = "say why the finding is acceptable here" if covered else "remove it"
        return AcknowledgementProblem(acknowledgement, ProblemKind.NO_REASON, problem, action, rule_id)
    if any(not finding.severity.acknowledgeable for finding in covered):
        problem = "names a fatal finding, which no acknowledgement can accept: it stays open"
        action = f"fix the resource (`eu-residency explain {rule_id}` says how)"
        return AcknowledgementProblem(acknowledgement, ProblemKind.FATAL_FINDING, problem, action, rule_id)
    if not covered and (rules_run is None or rule_id in rules_run):
        problem = f"matches no finding of {rule_id} here"
        action = "remove it, or move it to where the finding is"
        return AcknowledgementProblem(acknowledgement, ProblemKind.STALE, problem, action, rule_id)
    return None
