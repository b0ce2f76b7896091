"""What a rule is, and what it finds: plain data, no CDK."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from eu_residency.core.resolved import Unknown
from eu_residency.core.settings import KeyControl
from eu_residency.core.template_view import Resource, TemplateView

PropertyPath = tuple[str | int, ...]

# The name the rules run under, at synthesis time and in reports; acknowledgements use PLUGIN_NAME::RULE-ID.
PLUGIN_NAME = "EU-Residency"


class Severity(Enum):
    """What a reviewer may do with a finding."""

    FATAL = "fatal"  # proven to break the policy: can never be acknowledged
    ERROR = "error"  # breaks or cannot be shown to keep the policy: fix, or acknowledge with a reason

    @property
    def acknowledgeable(self) -> bool:
        return self is not Severity.FATAL


class Family(Enum):
    RESIDENCY = "EU-RES"
    ENCRYPTION = "EU-ENC"  # encrypted at rest and in transit, with any key AWS or the customer manages
    KEY_CONTROL = "EU-KEY"  # who controls the key: off unless the key-control setting asks for it
    RETENTION = "EU-RET"


# A rule's id: its family's prefix and three digits (EU-RES-010).
RULE_ID = re.compile(rf"^(?:{'|'.join(family.value for family in Family)})-\d{{3}}$")


@dataclass(frozen=True)
class Violation:
    """What a check returns: where in the resource, and why (the rule supplies the fix)."""

    path: PropertyPath
    message: str
    # None: the rule's own severity, which is that of a proven violation; an ERROR when ``unknown`` is set.
    severity: Severity | None = None
    # What the templates do not decide that makes the outcome undecidable (None: the violation is proven).
    unknown: Unknown | None = None
    # The fix for this finding where it is narrower than the rule's (a table rule's entry for one type).
    fix: str | None = None


ResourceCheck = Callable[[Resource, TemplateView], Iterable[Violation]]
TemplateCheck = Callable[[TemplateView], Iterable[Violation]]


@dataclass(frozen=True)
class Rule:
    """A rule: data (id, desired outcome, why, fix, severity, types) plus a pure check function.

    A resource rule runs once per resource of ``resource_types`` (``*`` for every type); a template rule
    (``resource_types`` empty) runs once per template, for properties of the stack itself.
    """

    id: str
    title: str
    explanation: str
    fix: str
    severity: Severity
    resource_types: frozenset[str]
    check_resource: ResourceCheck | None = None
    check_template: TemplateCheck | None = None
    # Set when the rule can also report a lower severity (residency: proven outside is fatal, unprovable
    # is an error); documented in the catalogue.
    unprovable_severity: Severity | None = None
    # Set when the rule also reports, at ``unprovable_severity``, a template AWS would refuse to deploy (a
    # region-bound certificate or image of another region): no data moves, so it is not a proven violation.
    reports_undeployable: bool = False
    # A catch-all rule yields to the specific rules: where another rule already reports the same
    # resource at the same property path (or below/above it), the catch-all's finding is dropped.
    catch_all: bool = False

    @property
    def family(self) -> Family:
        return Family(self.id.rsplit("-", 1)[0])

    @property
    def enabled_by(self) -> KeyControl | None:
        """The key-control setting this rule needs to run (None: it always runs)."""
        return KeyControl.CUSTOMER_MANAGED if self.family is Family.KEY_CONTROL else None

    def applies_to(self, resource_type: str) -> bool:
        return "*" in self.resource_types or resource_type in self.resource_types


@dataclass(frozen=True)
class Finding:
    """One rule broken by one resource (or by the template itself, with no logical id)."""

    rule_id: str
    severity: Severity
    logical_id: str | None
    resource_type: str | None
    construct_path: str | None
    path: PropertyPath
    message: str
    fix: str
    # The value the templates do not decide that made this finding undecidable (None: it is proven).
    undecided: Unknown | None = None

    @property
    def undecidable(self) -> bool:
        return self.undecided is not None

    @property
    def location(self) -> str:
        """``Resources.Bucket.Properties.BucketEncryption``-style, as CDK and SARIF readers expect."""
        if self.logical_id is None:
            return ".".join(str(part) for part in self.path) or "(template)"
        return ".".join(["Resources", self.logical_id, *(str(part) for part in self.path)])

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "severity": self.severity.value,
            "logical_id": self.logical_id,
            "resource_type": self.resource_type,
            "construct_path": self.construct_path,
            "property_path": list(self.path),
            "message": self.message,
            "fix": self.fix,
            "undecided": self.undecided.as_dict() if self.undecided else None,
        }
