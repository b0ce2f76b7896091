"""Helpers shared by the retention rules: a number of days that must be set, and shown."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from eu_residency.core.resolved import Cause, scalar
from eu_residency.core.rule_model import PropertyPath, Violation
from eu_residency.core.template_view import TemplateView, Unknown, options
from eu_residency.core.values import MISSING
from eu_residency.rules.predicates import dotted, prop_path, unresolved


def days(value: Any) -> int | Unknown | None:
    """A resolved leaf as a whole number of days; None when absent; an Unknown when undecided or not a
    positive whole number (which CloudFormation would refuse).
    """
    text = scalar(value)
    if text is None or isinstance(text, Unknown):
        return text
    if isinstance(value, bool) or not text.strip().isdigit() or int(text) <= 0:
        return Unknown(f"{text!r}, which is not a positive number of days")
    return int(text)


def days_violations(value: Any, path: PropertyPath, what: str, forever: str) -> Iterator[Violation]:
    """``what`` (a resolved value at ``path`` under Properties) must be a number of days in every option.

    ``forever`` says what happens when it is absent (e.g. "the log events are kept forever").
    """
    for option in options(value):
        number = days(option)
        if number is None:
            verb = "is not set" if value is MISSING else "can be left unset"
            state = "is missing" if value is MISSING else "can be AWS::NoValue"
            yield Violation(prop_path(*path), f"{what} {verb} ({dotted(path)} {state}): {forever}")
        elif isinstance(number, Unknown):
            yield unresolved(path, what, number)


def parameter_days(view: TemplateView, raw: Any) -> list[int] | None:
    """The numbers of days a ``Ref`` to a parameter of this template may take: its AllowedValues (CloudFormation
    refuses any other value, from a console, a command or a parent stack alike), when every one is a positive
    whole number; None otherwise (not a parameter, no AllowedValues, or one that is not a number of days)."""
    if not (isinstance(raw, Mapping) and len(raw) == 1 and isinstance(raw.get("Ref"), str)):
        return None
    resolved = view.resolve(raw)
    if not isinstance(resolved, Unknown) or resolved.cause is not Cause.PARAMETER:
        return None  # decided (a parent passes a value it shows), or not a parameter
    parameters = view.template.get("Parameters")
    body = parameters.get(raw["Ref"]) if isinstance(parameters, Mapping) else None
    allowed = body.get("AllowedValues") if isinstance(body, Mapping) else None
    if not isinstance(allowed, list) or not allowed:
        return None
    numbers = [days(value) for value in allowed]
    return (
        [number for number in numbers if isinstance(number, int)] if all(isinstance(n, int) for n in numbers) else None
    )
