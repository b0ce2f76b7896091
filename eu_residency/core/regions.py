"""The EU region list: the one place that says which AWS regions are inside the European Union.

Imports nothing from aws_cdk so that every front end (config, rule core, command) can use it cheaply.
"""

from __future__ import annotations

from collections.abc import Iterable

# Each EU region, with the place a reader knows it by.
EU_REGION_PLACES: dict[str, str] = {
    "eu-west-1": "Ireland",
    "eu-west-3": "Paris",
    "eu-central-1": "Frankfurt",
    "eu-north-1": "Stockholm",
    "eu-south-1": "Milan",
    "eu-south-2": "Spain",
    "eusc-de-east-1": "European Sovereign Cloud, Brandenburg",
}
EU_REGIONS: frozenset[str] = frozenset(EU_REGION_PLACES)
# The European Sovereign Cloud's regions are in a partition of their own.
SOVEREIGN_CLOUD_PREFIX = "eusc-"
SOVEREIGN_CLOUD_PARTITION = "aws-eusc"
STANDARD_PARTITION = "aws"

# European, but outside the European Union: data stored there has left the EU.
EUROPEAN_REGIONS_OUTSIDE_EU: dict[str, str] = {
    "eu-west-2": "London, United Kingdom",
    "eu-central-2": "Zurich, Switzerland",
}


# Every other region AWS publishes, classified: a test fails when botocore knows one that is in neither list.
REGIONS_OUTSIDE_EU: dict[str, str] = {
    **EUROPEAN_REGIONS_OUTSIDE_EU,
    "af-south-1": "Cape Town",
    "ap-east-1": "Hong Kong",
    "ap-east-2": "Taipei",
    "ap-northeast-1": "Tokyo",
    "ap-northeast-2": "Seoul",
    "ap-northeast-3": "Osaka",
    "ap-south-1": "Mumbai",
    "ap-south-2": "Hyderabad",
    "ap-southeast-1": "Singapore",
    "ap-southeast-2": "Sydney",
    "ap-southeast-3": "Jakarta",
    "ap-southeast-4": "Melbourne",
    "ap-southeast-5": "Malaysia",
    "ap-southeast-6": "New Zealand",
    "ap-southeast-7": "Thailand",
    "ca-central-1": "Canada Central",
    "ca-west-1": "Calgary",
    "il-central-1": "Tel Aviv",
    "me-central-1": "UAE",
    "me-south-1": "Bahrain",
    "mx-central-1": "Mexico",
    "sa-east-1": "Sao Paulo",
    "us-east-1": "N. Virginia",
    "us-east-2": "Ohio",
    "us-west-1": "N. California",
    "us-west-2": "Oregon",
    "cn-north-1": "Beijing",
    "cn-northwest-1": "Ningxia",
    "us-gov-east-1": "GovCloud US-East",
    "us-gov-west-1": "GovCloud US-West",
    "us-iso-east-1": "US ISO East",
    "us-iso-west-1": "US ISO West",
    "us-isob-east-1": "US ISOB East",
    "us-isob-west-1": "US ISOB West",
    "us-isof-east-1": "US ISOF East",
    "us-isof-south-1": "US ISOF South",
    # An isolated partition for European governments; not one of the EU regions this policy names.
    "eu-isoe-west-1": "EU ISOE West, an isolated partition outside the policy's EU list",
}


class RegionError(ValueError):
    """A region that is unknown or not allowed by the residency policy."""


def is_eu_region(region: str) -> bool:
    return region in EU_REGIONS


def is_known_region(region: str) -> bool:
    return region in EU_REGIONS or region in REGIONS_OUTSIDE_EU


def place(region: str) -> str | None:
    """The place a region is known by (``Ireland``, ``N. Virginia``), or None for a name no list holds."""
    return EU_REGION_PLACES.get(region) or REGIONS_OUTSIDE_EU.get(region)


def partition_of(region: str | None) -> str:
    """The partition of a region, for the ARNs of the stack's own resources."""
    if region and region.startswith(SOVEREIGN_CLOUD_PREFIX):
        return SOVEREIGN_CLOUD_PARTITION
    return STANDARD_PARTITION


def describe_region(region: str, allowed: frozenset[str] | None = None) -> str:
    """Where a region is, for a finding: ``us-east-1 (N. Virginia, outside the EU)``, ``eu-south-2 (in the EU
    but not in the allowed regions)``; with ``allowed``, the allowed regions are named. A name that neither
    list holds (``na-east-1``) is said to be one that AWS does not have.
    """
    if region in REGIONS_OUTSIDE_EU:
        return f"{region} ({REGIONS_OUTSIDE_EU[region]}, outside the EU)"
    if region in EU_REGIONS:
        if allowed is None:
            return f"{region} (in the EU but not in the allowed regions)"
        return f"{region} (in the EU but not one of the allowed regions: {', '.join(sorted(allowed))})"
    return f"{region}, which is not a region AWS has"


def validate_allowed_regions(regions: Iterable[str]) -> frozenset[str]:
    """Return the allowed set; it may narrow the EU list but never widen it."""
    allowed = frozenset(regions)
    if not allowed:
        raise RegionError("the allowed-region set is empty; name at least one EU region")
    outside = sorted(r for r in allowed if not is_eu_region(r))
    if outside:
        reasons = "; ".join(describe_region(r) for r in outside)
        raise RegionError(f"allowed regions must all be in the EU: {reasons}; use only {', '.join(sorted(EU_REGIONS))}")
    return allowed
