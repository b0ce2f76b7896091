"""Reading resolved values: a property at a path through every branch of an undecided Fn::If, as text, as list
items, as a referent. Every rule family and the inventory read values with these; each fails closed, keeping
what the template does not decide as an ``Unknown``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from eu_residency.core.resolved import OneOf, Piece, Text, text_of
from eu_residency.core.rule_model import PropertyPath
from eu_residency.core.template_view import NO_VALUE, ResourceRef, TemplateView, Unknown, options
from eu_residency.core.vocabulary import ENDPOINT_REGION, MAX_NESTING, split_sub

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
                    found += [name.split(".", 1)[0] for name in split_sub(template)[1::2] if "::" not in name]
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


# -- fields of texts with holes ------------------------------------------------------------------------

_HOLE = "\x00"


def split_text(value: str | Unknown, separator: str, maxsplit: int = -1) -> list[str | Unknown]:
    """``value`` split at ``separator`` as ``str.split`` does, reading a ``Text`` with holes too: each
    field is known text, a hole, or a ``Text`` of its own. A hole never holds a separator we rely on: a
    field that a hole ends or starts is read no further than the hole."""
    if isinstance(value, str):
        return list(value.split(separator, maxsplit))
    if not isinstance(value, Text):
        return [value]
    fields: list[list[Piece]] = [[]]
    splits = 0
    for part in value.parts:
        if isinstance(part, Unknown):
            fields[-1].append(part)
            continue
        pieces = part.split(separator, maxsplit - splits if maxsplit >= 0 else -1)
        fields[-1].append(pieces[0])
        for piece in pieces[1:]:
            fields.append([piece])
            splits += 1
    return [text_of(field) for field in fields]


@dataclass(frozen=True)
class ArnFields:
    """The fields of an ARN, each known text or what it depends on."""

    partition: str | Unknown
    service: str | Unknown
    region: str | Unknown
    account: str | Unknown
    resource: str | Unknown


def arn_fields(value: str | Unknown) -> ArnFields | None:
    """The fields of ``value`` read as an ARN (``arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE``) wherever
    they are known, or None when the known text shows it is no ARN. A text whose first field is itself
    unknown is no ARN we can read (None)."""
    fields = split_text(value, ":", 5)
    if len(fields) < 6 or fields[0] != "arn":
        return None
    partition, service, region, account, resource = fields[1:6]
    return ArnFields(partition, service, region, account, resource)


def named_region(value: str | Unknown) -> str | Unknown | None:
    """The region an ARN or a regional endpoint names: the region as text, what it depends on (an
    ``Unknown``), or None when the text names no region (a region-less ARN such as S3's or IAM's, a name).
    Every rule that reads a region from a text reads it here, so they agree whatever holes the text has.
    """
    fields = arn_fields(value)
    if fields is not None:
        region = fields.region
        return region if isinstance(region, Unknown) or region else None
    if isinstance(value, str):
        match = ENDPOINT_REGION.search(value)
        return match["region"] if match else None
    if isinstance(value, Text):
        known = value.segments(_HOLE)
        match = ENDPOINT_REGION.search(known)
        if match is not None:
            return match["region"]
        hole = _HOLE_ENDPOINT.search(known)
        if hole is not None:  # SERVICE.${Region}.amazonaws.com: the region is what that hole is
            return value.holes[known.count(_HOLE, 0, hole.start() + 1)]
    return None


_HOLE_ENDPOINT = re.compile(rf"\.{_HOLE}\.amazonaws\.com")


def resource_refs(value: Any, depth: int = 0) -> Iterator[ResourceRef]:
    """Every resource a resolved value refers to, anywhere inside it: the value itself, the holes of a text,
    list items, object values and the options of an undecided Fn::If; nothing below MAX_NESTING levels."""
    if depth > MAX_NESTING:
        return
    if isinstance(value, ResourceRef):
        yield value
    elif isinstance(value, Text):
        for hole in value.holes:
            yield from resource_refs(hole, depth + 1)
    elif isinstance(value, OneOf):
        for option in value.options:
            yield from resource_refs(option, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from resource_refs(item, depth + 1)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from resource_refs(item, depth + 1)
