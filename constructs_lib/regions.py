"""The EU region list: the one place that says which AWS regions are inside the European Union.

Imports nothing from aws_cdk so that every front end (config, rule core, command) can use it cheaply.
"""

from __future__ import annotations

from collections.abc import Iterable

EU_REGIONS: frozenset[str] = frozenset(
    {
        "eu-west-1",  # Ireland
        "eu-west-3",  # Paris
        "eu-central-1",  # Frankfurt
        "eu-north-1",  # Stockholm
        "eu-south-1",  # Milan
        "eu-south-2",  # Spain
        "eusc-de-east-1",  # European Sovereign Cloud, Brandenburg
    }
)

# European, but outside the European Union: data stored there has left the EU.
EUROPEAN_REGIONS_OUTSIDE_EU: dict[str, str] = {
    "eu-west-2": "London, United Kingdom",
    "eu-central-2": "Zurich, Switzerland",
}


class RegionError(ValueError):
    """A region that is unknown or not allowed by the residency policy."""


def is_eu_region(region: str) -> bool:
    return region in EU_REGIONS


def describe_outside_eu(region: str) -> str:
    where = EUROPEAN_REGIONS_OUTSIDE_EU.get(region)
    return f"{region} ({where}) is outside the EU" if where else f"{region} is not an EU region"


def validate_allowed_regions(regions: Iterable[str]) -> frozenset[str]:
    """Return the allowed set; it may narrow the EU list but never widen it."""
    allowed = frozenset(regions)
    if not allowed:
        raise RegionError("the allowed-region set is empty; name at least one EU region")
    outside = sorted(r for r in allowed if not is_eu_region(r))
    if outside:
        reasons = "; ".join(describe_outside_eu(r) for r in outside)
        raise RegionError(
            f"allowed regions must all be in the EU: {reasons}; use only {', '.join(sorted(EU_REGIONS))}"
        )
    return allowed
