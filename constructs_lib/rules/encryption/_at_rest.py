"""Helpers shared by the at-rest encryption rules EU-ENC-002 to EU-ENC-012.

``checks.require_true`` reads the raw property at a path, so an intrinsic function part-way down the path
(``SSESpecification: !If [...]``) reads as "not set". These helpers resolve every level of the path
instead, following each option of an undecided ``Fn::If``, and still fail closed on what the template
does not decide.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from constructs_lib.rules.checks import unresolved
from constructs_lib.rules.model import PropertyPath, Resource, Violation
from constructs_lib.rules.template import NO_VALUE, OneOf, TemplateView, Unknown, options

# What ``values_at`` returns where the property is absent (or AWS::NoValue): the same object as
# ``checks.MISSING``.
ABSENT: Any = NO_VALUE


def dotted(path: PropertyPath) -> str:
    return ".".join(str(part) for part in path)


def values_at(view: TemplateView, properties: Mapping[str, Any], path: PropertyPath) -> list[Any]:
    """Every value the property at ``path`` (under Properties) may take, resolved.

    ABSENT where the property, or any level above it, is absent or AWS::NoValue; an ``Unknown`` where a
    level is not decided by the template (a parameter, an import) or is not shaped as the path expects.
    """
    if not path:
        return [properties]
    first, rest = path[0], path[1:]
    if not isinstance(first, str):
        return [Unknown("a property path that does not start with a property name")]
    found: list[Any] = []
    _walk(view.resolve(properties[first]) if first in properties else ABSENT, rest, found)
    return found


def _walk(value: Any, rest: PropertyPath, found: list[Any]) -> None:
    for option in options(value):
        if option is ABSENT or not rest or isinstance(option, Unknown):
            found.append(option)
        else:
            key, tail = rest[0], rest[1:]
            if isinstance(key, str) and isinstance(option, Mapping):
                _walk(option.get(key, ABSENT), tail, found)
            elif isinstance(key, int) and isinstance(option, list):
                _walk(option[key] if 0 <= key < len(option) else ABSENT, tail, found)
            else:
                shape = "a list" if isinstance(key, int) else "properties"
                found.append(Unknown(f"a {type(option).__name__} where {shape} were expected"))


def judge_true(
    view: TemplateView, leaves: list[Any], path: PropertyPath, what: str, *, absent: str | None = None
) -> Iterator[Violation]:
    """``what`` is on when every value in ``leaves`` (from ``values_at``) is true; absent means off.

    ``path`` is under Properties; ``absent`` replaces the message when the property is not set.
    """
    truths: list[bool] = []
    for leaf in leaves:
        if isinstance(leaf, Unknown):
            yield unresolved(path, what, leaf)
            return
        if leaf is ABSENT:
            truths.append(False)
            continue
        truth = view.truth(leaf)
        if truth is None:
            yield unresolved(path, what, Unknown(f"{leaf!r:.80}, which is neither true nor false"))
            return
        truths.append(truth)
    if all(truths):
        return
    if True in truths:  # an undecided Fn::If: one branch on, another off
        yield unresolved(path, what, OneOf(()))
    elif any(leaf is not ABSENT for leaf in leaves):
        yield Violation(("Properties", *path), f"{what} is turned off ({dotted(path)} is false)")
    else:
        message = absent or f"{what} is not turned on ({dotted(path)} is not set)"
        yield Violation(("Properties", *path), message)


def require_on(
    resource: Resource, view: TemplateView, path: PropertyPath, what: str, *, absent: str | None = None
) -> Iterator[Violation]:
    """``what`` must be on: the boolean at ``path`` (under Properties, any depth) is true everywhere it
    may deploy. An absent property is off (the AWS default for every rule that uses this); ``absent``
    replaces the message for that case.
    """
    yield from judge_true(view, values_at(view, resource.properties, path), path, what, absent=absent)


def may_be_set(view: TemplateView, properties: Mapping[str, Any], path: PropertyPath) -> bool:
    """True when the property at ``path`` is given (not AWS::NoValue) in at least one option."""
    return any(value is not ABSENT for value in values_at(view, properties, path))


def inherited(
    view: TemplateView, properties: Mapping[str, Any], sources: tuple[str, ...], prop: str, what: str
) -> str | None:
    """The message for an absent ``prop`` when the resource is restored from a snapshot or a source given
    in one of ``sources``: its encryption is then inherited, which the template cannot show. None when
    no source is given.
    """
    for source in sources:
        if may_be_set(view, properties, (source,)):
            return (
                f"{what} cannot be shown from the template: without {prop}: true it is inherited from "
                f"the snapshot or source named in {source} (fails closed)"
            )
    return None
