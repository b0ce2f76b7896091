"""The EU region list is exact, and the allowed set may narrow it but never widen it."""

from __future__ import annotations

import json
from pathlib import Path

import botocore
import pytest

from eu_residency.core.regions import (
    EU_REGIONS,
    REGIONS_OUTSIDE_EU,
    RegionError,
    is_eu_region,
    validate_allowed_regions,
)


def test_eu_regions_are_exactly_the_eu_members_regions() -> None:
    assert {
        "eu-west-1",
        "eu-west-3",
        "eu-central-1",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eusc-de-east-1",
    } == EU_REGIONS


@pytest.mark.parametrize("region", ["eu-west-2", "eu-central-2", "us-east-1", "il-central-1", ""])
def test_regions_outside_the_eu_are_not_eu(region: str) -> None:
    assert not is_eu_region(region)


def test_allowed_regions_may_narrow_the_eu_list() -> None:
    assert validate_allowed_regions(["eu-west-1"]) == {"eu-west-1"}


def test_allowed_regions_fail_when_they_leave_the_eu() -> None:
    with pytest.raises(RegionError, match=r"eu-west-2 \(London, United Kingdom, outside the EU\)"):
        validate_allowed_regions(["eu-west-1", "eu-west-2"])


def test_allowed_regions_fail_when_empty() -> None:
    with pytest.raises(RegionError, match="empty"):
        validate_allowed_regions([])


def _botocore_regions() -> set[str]:
    endpoints = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
    return {region for partition in endpoints["partitions"] for region in partition["regions"]}


def test_every_region_botocore_knows_is_classified() -> None:
    unclassified = _botocore_regions() - EU_REGIONS - set(REGIONS_OUTSIDE_EU)
    assert not unclassified, f"classify these regions in eu_residency/core/regions.py: {sorted(unclassified)}"
    assert not EU_REGIONS & set(REGIONS_OUTSIDE_EU)


def test_london_and_zurich_are_classified_outside_the_eu() -> None:
    assert "eu-west-2" in REGIONS_OUTSIDE_EU
    assert "eu-central-2" in REGIONS_OUTSIDE_EU
