"""What a resolved value can be: the one vocabulary every rule, the inventory and the review pack read.

A value the template decides is plain data (text, numbers, booleans, lists, objects). What it does not
decide is typed:

- ``Unknown``: a value the template does not give, with its ``cause`` (data) and its ``reason`` (words);
- ``ResourceRef``: a Ref or Fn::GetAtt to a resource of the app (which template, which logical id, which
  attribute): unknown as text, known as a referent;
- ``Text``: text with holes, its known segments kept beside its unknown parts, so that the fields of an ARN
  or a URL are read wherever they are known, whatever else is unknown;
- ``OneOf``: the options of an undecided ``Fn::If``, each with the conditions it assumes;
- ``NO_VALUE``: AWS::NoValue, which is also what an absent property reads as.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from eu_residency.core.messages import shortened

# The conditions an option assumes: (condition name, its value) pairs.
Assumptions = frozenset[tuple[str, bool]]
NO_ASSUMPTIONS: Assumptions = frozenset()


class Cause(Enum):
    """Why a value is not known: what severity, inventory and reports read, never the wording."""

    PARAMETER = "parameter"  # a parameter, chosen at deploy time
    STACK_REGION = "stack-region"  # AWS::Region of an environment-agnostic stack
    STACK_ACCOUNT = "stack-account"  # AWS::AccountId of a stack whose account is not set
    PSEUDO = "pseudo-parameter"  # another pseudo parameter known only at deploy time
    CONDITION = "condition"  # a condition decided at deploy time
    OTHER_STACK = "other-stack"  # a value of a stack that is not among the templates checked
    RESOURCE = "resource"  # what a resource returns (its Ref or an attribute)
    TEXT = "text"  # text with holes
    FUNCTION = "function"  # the result of a function worked out only at deploy time
    MALFORMED = "malformed"  # an intrinsic or property not shaped as CloudFormation requires
    LIMIT = "limit"  # nested too deeply or with too many combinations to read


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be known from the templates. ``reason`` is a noun phrase for the message ("the
    parameter Env, chosen at deploy time"); ``label`` is how the value is written inside a text (``${Env}``).
    """

    reason: str
    cause: Cause = Cause.MALFORMED
    label: str = field(default="${?}", compare=False)

    def as_dict(self) -> dict[str, str]:
        """As reports carry it: the cause (for machines) and the reason (for people)."""
        return {"cause": self.cause.value, "reason": self.reason}


@dataclass(frozen=True)
class ResourceRef(Unknown):
    """A Ref or Fn::GetAtt to a resource: of this template (``stack`` None) or of another template of the
    app, which deploys to ``stack_region`` (None: environment-agnostic)."""

    logical_id: str = ""
    attribute: str | None = None
    stack: str | None = None
    stack_region: str | None = None

    @property
    def local(self) -> bool:
        return self.stack is None


Piece = str | Unknown  # a known segment, or a hole


@dataclass(frozen=True)
class Text(Unknown):
    """Text with holes: known segments and unknown parts, in order (never two segments side by side)."""

    parts: tuple[Piece, ...] = ()

    @property
    def holes(self) -> tuple[Unknown, ...]:
        return tuple(part for part in self.parts if isinstance(part, Unknown))

    @property
    def shown(self) -> str:
        """The text with each hole written as it is in the template (``${Env}``)."""
        return "".join(part if isinstance(part, str) else part.label for part in self.parts)

    def segments(self, hole: str = "\x00") -> str:
        """The text with each hole as ``hole``: for reading fields that are known."""
        return "".join(part if isinstance(part, str) else hole for part in self.parts)


def scalar(value: Any) -> str | Unknown | None:
    """A resolved leaf as text (numbers and booleans as CloudFormation passes them); None when absent or
    not a scalar.
    """
    if isinstance(value, (str, Unknown)):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return None


def text_of(parts: list[Piece] | tuple[Piece, ...]) -> str | Unknown:
    """The value of ``parts`` put side by side: known text, the hole alone, or a ``Text`` with holes."""
    merged: list[Piece] = []
    known: list[str] = []  # the text since the last hole, joined once (adding to a string is quadratic)
    for part in parts:
        for piece in part.parts if isinstance(part, Text) else (part,):
            if isinstance(piece, str):
                known.append(piece)
                continue
            if any(known):
                merged.append("".join(known))
            known.clear()
            merged.append(piece)
    if any(known):
        merged.append("".join(known))
    if not merged:
        return ""
    if len(merged) == 1:
        return merged[0]
    holes = [part for part in merged if isinstance(part, Unknown)]
    if not holes:
        return "".join(part for part in merged if isinstance(part, str))
    shown = "".join(part if isinstance(part, str) else part.label for part in merged)
    distinct = list(dict.fromkeys((hole.label, hole.reason) for hole in holes))
    described = _and(
        [f"{label} is {reason}" for label, reason in distinct[:3]]
        + ([f"{len(distinct) - 3} more parts are not known"] if len(distinct) > 3 else [])
    )
    return Text(f"the text {shortened(shown)!r}, where {described}", Cause.TEXT, shown, tuple(merged))


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@dataclass(frozen=True)
class OneOf:
    """An ``Fn::If`` whose condition the template does not decide: any of the options may deploy.
    ``assumptions[i]`` are the conditions option ``i`` assumes (empty: none is known)."""

    options: tuple[Any, ...]
    assumptions: tuple[Assumptions, ...] = ()
    # How many values the options flatten to (options that are OneOf count theirs): kept, not recounted.
    size: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        count = sum(option.size if isinstance(option, OneOf) else 1 for option in self.options)
        object.__setattr__(self, "size", count)

    def choices(self) -> Iterator[tuple[Assumptions, Any]]:
        for index, option in enumerate(self.options):
            yield (self.assumptions[index] if index < len(self.assumptions) else NO_ASSUMPTIONS), option


class _NoValue:
    """AWS::NoValue, and (as values.MISSING) a property that is absent: falsy, like an empty value."""

    def __repr__(self) -> str:
        return "AWS::NoValue"

    def __bool__(self) -> bool:
        return False


NO_VALUE = _NoValue()


def contradicts(assumptions: Assumptions) -> bool:
    """Whether ``assumptions`` hold a condition both true and false."""
    return any((name, not value) in assumptions for name, value in assumptions)


def cases(value: Any, base: Assumptions = NO_ASSUMPTIONS) -> list[tuple[Assumptions, Any]]:
    """Every value a resolved value may take, with the conditions it assumes; options that assume a
    condition both true and false are left out (``TemplateView.cases`` also prunes what the template's
    conditions make impossible)."""
    if not isinstance(value, OneOf):
        return [(base, value)]
    found: list[tuple[Assumptions, Any]] = []
    for assumed, option in value.choices():
        merged = base | assumed
        if not contradicts(merged):
            found += cases(option, merged)
    return found


def options(value: Any) -> list[Any]:
    """Every value a resolved value may take: the options of an undecided Fn::If, flattened."""
    return [option for _, option in cases(value)]


def relocated(value: Any, stack: str, region: str | None, depth: int = 0) -> Any:
    """A value resolved in the template ``stack`` (deploying to ``region``), as another template sees it:
    its references name that template; the conditions its options assume are that template's, so dropped."""
    if depth > 64:
        return Unknown("a value nested too deeply to read", Cause.LIMIT)
    if isinstance(value, ResourceRef):
        if not value.local:
            return value
        return ResourceRef(
            f"{value.reason} of the stack {stack}",
            Cause.RESOURCE,
            value.label,
            value.logical_id,
            value.attribute,
            stack,
            region,
        )
    if isinstance(value, Text):
        parts = tuple(relocated(part, stack, region, depth + 1) for part in value.parts)
        return text_of(parts)
    if isinstance(value, OneOf):
        return OneOf(tuple(relocated(option, stack, region, depth + 1) for option in value.options))
    if isinstance(value, list):
        return [relocated(item, stack, region, depth + 1) for item in value]
    if isinstance(value, dict):
        return {key: relocated(item, stack, region, depth + 1) for key, item in value.items()}
    return value
