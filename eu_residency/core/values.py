"""Reading resolved values: a property at a path through every branch of an undecided Fn::If, as text, as list
items, as a referent. Every rule family and the inventory read values with these; each fails closed, keeping
what the template does not decide as an ``Unknown``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from eu_residency.core.rule_model import PropertyPath
from eu_residency.core.template_view import NO_VALUE, ResourceRef, TemplateView, Unknown, options
from eu_residency.core.vocabulary import MAX_NESTING, SUB_VARIABLE

# A property that is absent reads as AWS::NoValue: falsy, like an empty value.
MISSING: Any = NO_VALUE


def get(properties: Mapping[str, Any], path: PropertyPath) -> Any:
    """The raw value at ``path`` under ``properties``, or MISSING."""
    value: Any = properties
    for part in path:
        if isinstance(part, int) and isinstance(value, list):
            if not 0 <= part < len(value):
                return MISSING
            value = value[part]
        elif isinstance(part, str) and isinstance(value, Mapping):
            if part not in value:
                return MISSING
            value = value[part]
        else:
            return MISSING
    return value


def values_at(view: TemplateView, properties: Mapping[str, Any], path: PropertyPath) -> list[Any]:
    """Every value the property at ``path`` (under Properties) may deploy with, resolved.

    Unlike ``get``, an intrinsic part-way down the path is followed: a decided Fn::If takes its branch, an
    undecided one gives the values of both. MISSING where the property or a level above it is absent or
    AWS::NoValue; an ``Unknown`` where a level is not decided by the template or not shaped as the path
    expects.
    """
    if not path or not isinstance(path[0], str):
        return [Unknown("a property path that does not start with a property name")]
    first = path[0]
    return descend(view.resolve(properties[first]) if first in properties else MISSING, path[1:])


def descend(value: Any, path: PropertyPath) -> list[Any]:
    """Like ``values_at``, below an already resolved value (``path`` empty: the value's options)."""
    found: list[Any] = []
    _descend(value, path, found)
    return found


def _descend(value: Any, rest: PropertyPath, found: list[Any]) -> None:
    for option in options(value):
        if not rest or option is MISSING or isinstance(option, Unknown):
            found.append(option)
            continue
        key, tail = rest[0], rest[1:]
        if isinstance(key, str) and isinstance(option, Mapping):
            _descend(option.get(key, MISSING), tail, found)
        elif isinstance(key, int) and isinstance(option, list):
            _descend(option[key] if 0 <= key < len(option) else MISSING, tail, found)
        else:
            expected = "a list" if isinstance(key, int) else "properties"
            found.append(Unknown(f"a {type(option).__name__} where {expected} were expected"))


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


def text_options(view: TemplateView, raw: Any) -> list[str | Unknown]:
    """Every text a property may take; unknown parts stay Unknown."""
    resolved = view.resolve(raw)
    result: list[str | Unknown] = []
    for option in options(resolved):
        if isinstance(option, (str, Unknown)):
            result.append(option)
        elif option is NO_VALUE:
            continue
        elif isinstance(option, (int, float)) and not isinstance(option, bool):
            result.append(str(option))
        else:
            result.append(Unknown(f"a {type(option).__name__} where text was expected"))
    return result


def referenced_ids(raw: Any) -> list[str]:
    """The logical ids a raw value refers to (Ref, Fn::GetAtt, Fn::Sub variables), pseudo parameters excluded."""
    found: list[str] = []
    if isinstance(raw, list):
        for item in raw:
            found += referenced_ids(item)
    elif isinstance(raw, Mapping):
        for key, value in raw.items():
            if key == "Ref" and isinstance(value, str) and not value.startswith("AWS::"):
                found.append(value)
            elif key == "Fn::GetAtt" and isinstance(value, list) and value and isinstance(value[0], str):
                found.append(value[0])
            elif key == "Fn::GetAtt" and isinstance(value, str):
                found.append(value.split(".", 1)[0])
            elif key == "Fn::Sub":
                template = value[0] if isinstance(value, list) and value else value
                if isinstance(template, str):
                    found += [name.split(".", 1)[0] for name in SUB_VARIABLE.findall(template) if "::" not in name]
                found += referenced_ids(value[1] if isinstance(value, list) and len(value) > 1 else None)
            else:
                found += referenced_ids(value)
    return found


def elements(value: Any) -> Iterator[tuple[int | None, Any]]:
    """The items a resolved list may hold, with their index; (None, Unknown) when the list itself is
    undecided. AWS::NoValue items are dropped, as CloudFormation drops them.
    """
    for option in options(value):
        if isinstance(option, Unknown):
            yield None, option
        elif isinstance(option, list):
            for index, item in enumerate(option):
                for item_option in options(item):
                    if item_option is not NO_VALUE:
                        yield index, item_option


def referent(value: Any) -> str | None:
    """The logical id a resolved ``Ref`` (not an attribute) points at, or None."""
    if isinstance(value, ResourceRef) and value.attribute is None:
        return value.logical_id
    return None


def written_texts(raw: Any, depth: int = 0) -> Iterator[str]:
    """Every string in a value as written, intrinsic functions and all (an Fn::Join's pieces, an Fn::Sub's
    template); nothing below MAX_NESTING levels.
    """
    if depth > MAX_NESTING:
        return
    if isinstance(raw, str):
        yield raw
    elif isinstance(raw, Mapping):
        for item in raw.values():
            yield from written_texts(item, depth + 1)
    elif isinstance(raw, list):
        for item in raw:
            yield from written_texts(item, depth + 1)
