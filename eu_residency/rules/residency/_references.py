"""Finding literal region references (ARNs, endpoints, region properties) anywhere in a resource, as the
core's resolver reads its values."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from eu_residency.core.messages import arn_in, host_in, shortened
from eu_residency.core.resolved import OneOf, Text, options
from eu_residency.core.rule_model import PropertyPath
from eu_residency.core.template_view import TemplateView
from eu_residency.core.vocabulary import ENDPOINT_REGION, MAX_NESTING, MAX_TEMPLATE_BYTES, REGION_SHAPE, REGIONAL_ARN

_REGION_KEY = re.compile(r"region$", re.IGNORECASE)


@dataclass(frozen=True)
class RegionReference:
    path: PropertyPath
    region: str
    kind: str  # "arn", "endpoint" or "property"
    text: str  # the whole ARN, the endpoint's host, or the region property's name, shortened for a message
    service: str | None = None


@dataclass(frozen=True)
class RegionProperty:
    """A ``*Region`` property whose value is an intrinsic: resolve it to know the region."""

    path: PropertyPath
    value: Any


def region_references(view: TemplateView, value: Any, path: PropertyPath = ()) -> Iterator[RegionReference]:
    """Every literal region reference in ``value`` as the template resolves it: inside strings (so inside
    JSON documents carried as strings too), in the known segments of a text with holes (an Fn::Join's
    pieces, an Fn::Sub's template, a mapping's value), and as the value of keys named ``*Region``.
    ``${AWS::Region}`` and region-less ARNs (``arn:aws:s3:::bucket``, IAM) name no region and pass; a
    branch of an Fn::If the template rules out is not read.
    """
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from region_references(view, item, (*path, index))
    elif isinstance(value, Mapping) and _is_intrinsic(value):
        yield from _resolved_references(view.resolve(value), path)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and _REGION_KEY.search(key):
                if isinstance(item, str) and REGION_SHAPE.match(item):
                    yield RegionReference((*path, key), item, "property", key)
                if isinstance(item, str) or (isinstance(item, Mapping) and _is_intrinsic(item)):
                    continue  # a literal name, or an intrinsic: region_properties reads it
            yield from region_references(view, item, (*path, key))
    else:
        yield from _text_references(value, path)


def _is_intrinsic(value: Mapping[str, Any]) -> bool:
    if len(value) != 1:
        return False
    (key,) = value
    return key in ("Ref", "Condition") or (isinstance(key, str) and key.startswith("Fn::"))


def _resolved_references(value: Any, path: PropertyPath, depth: int = 0) -> Iterator[RegionReference]:
    """The references in an intrinsic's resolved value: each option of an undecided Fn::If, the items of a
    list, the values of an object, the known segments of a text with holes."""
    if depth > MAX_NESTING:
        return
    if isinstance(value, OneOf):
        for option in options(value):
            yield from _resolved_references(option, path, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _resolved_references(item, (*path, index), depth + 1)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and _REGION_KEY.search(key) and isinstance(item, str) and REGION_SHAPE.match(item):
                yield RegionReference((*path, key), item, "property", key)
            else:
                yield from _resolved_references(item, (*path, key), depth + 1)
    else:
        yield from _text_references(value, path)


def _text_references(value: Any, path: PropertyPath, depth: int = 0) -> Iterator[RegionReference]:
    if isinstance(value, Text):
        text = value.shown  # holes as written (${AWS::AccountId}): a hole never completes a region's name
    elif isinstance(value, str):
        text = value
    else:
        return
    document = _json_document(text) if depth <= MAX_NESTING else None
    if document is not None:  # a policy, a state machine, an AwsCustomResource call: read key by key
        yield from _document_references(document, path, depth + 1)
        return
    for match in REGIONAL_ARN.finditer(text):
        yield RegionReference(path, match["region"], "arn", shortened(arn_in(text, match.start())), match["service"])
    for match in ENDPOINT_REGION.finditer(text):
        yield RegionReference(path, match["region"], "endpoint", shortened(host_in(text, match.start(), match.end())))


def _json_document(text: str) -> dict[str, Any] | list[Any] | None:
    """``text`` parsed as a JSON object or array, when it is one (a hole left as ``${Name}`` inside a JSON
    string keeps it one); None otherwise, or when it is longer than a template can be."""
    stripped = text.strip()
    if stripped[:1] not in ("{", "[") or len(stripped) > MAX_TEMPLATE_BYTES:
        return None
    try:
        document = json.loads(stripped)
    except (ValueError, RecursionError):
        return None
    return document if isinstance(document, (dict, list)) else None


def _document_references(value: Any, path: PropertyPath, depth: int) -> Iterator[RegionReference]:
    """The references in a parsed JSON document: ``*Region`` keys (``ReplicaRegion``, an AwsCustomResource's
    ``region``) naming a region, and the texts of its values; the finding stays on the property that holds it."""
    if depth > MAX_NESTING:
        return
    if isinstance(value, list):
        for item in value:
            yield from _document_references(item, path, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            if _REGION_KEY.search(key) and isinstance(item, str) and REGION_SHAPE.match(item):
                yield RegionReference(path, item, "property", f"{key} (in its JSON text)")
            else:
                yield from _document_references(item, path, depth + 1)
    else:
        yield from _text_references(value, path, depth + 1)


def region_properties(value: Any, path: PropertyPath = ()) -> Iterator[RegionProperty]:
    """Every ``*Region`` property whose value is not a literal (a Ref, Fn::If, Fn::Select, ...)."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from region_properties(item, (*path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and _REGION_KEY.search(key) and isinstance(item, dict):
                yield RegionProperty((*path, key), item)
            else:
                yield from region_properties(item, (*path, key))


__all__ = ["RegionProperty", "RegionReference", "region_properties", "region_references"]
