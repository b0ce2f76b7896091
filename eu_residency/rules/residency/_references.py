"""Finding literal region references (ARNs, endpoints, region properties) anywhere in a resource."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from eu_residency.core.rule_model import PropertyPath
from eu_residency.core.vocabulary import ENDPOINT_REGION, REGION_SHAPE, REGIONAL_ARN

_REGION_KEY = re.compile(r"region$", re.IGNORECASE)


@dataclass(frozen=True)
class RegionReference:
    path: PropertyPath
    region: str
    kind: str  # "arn", "endpoint" or "property"
    text: str
    service: str | None = None


@dataclass(frozen=True)
class RegionProperty:
    """A ``*Region`` property whose value is an intrinsic: resolve it to know the region."""

    path: PropertyPath
    value: Any


def region_references(value: Any, path: PropertyPath = ()) -> Iterator[RegionReference]:
    """Every literal region reference in ``value``: inside strings (so inside JSON documents carried as
    strings too), Fn::Join pieces and Fn::Sub templates, and as the value of keys named ``*Region``.
    ``${AWS::Region}`` and region-less ARNs (``arn:aws:s3:::bucket``, IAM) name no region and pass.
    """
    if isinstance(value, str):
        for match in REGIONAL_ARN.finditer(value):
            yield RegionReference(path, match["region"], "arn", _excerpt(value, match), match["service"])
        for match in ENDPOINT_REGION.finditer(value):
            yield RegionReference(path, match["region"], "endpoint", _excerpt(value, match))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from region_references(item, (*path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and _REGION_KEY.search(key) and isinstance(item, str) and REGION_SHAPE.match(item):
                yield RegionReference((*path, key), item, "property", item)
                continue
            yield from region_references(item, (*path, key))


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


def _excerpt(text: str, match: re.Match[str]) -> str:
    end = min(len(text), match.end() + 40)
    return text[match.start() : end].split('"', maxsplit=1)[0].split(maxsplit=1)[0]


__all__ = ["RegionProperty", "RegionReference", "region_properties", "region_references"]
