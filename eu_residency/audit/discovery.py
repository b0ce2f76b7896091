"""Which regions to examine: every region enabled in the account (``--regions all``), or a checked list."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

from eu_residency.audit.errors import AuditOptionError, AuditUnavailableError
from eu_residency.audit.session import ClientFactory, describe_error
from eu_residency.core.regions import is_known_region

ALL = "all"
# DescribeRegions with AllRegions=False lists only enabled regions; a region that still says it is not
# opted in (some emulators list every region) is not enabled.
NOT_ENABLED = "not-opted-in"


def parse_regions(text: str) -> list[str] | None:
    """None for ``all``; else the listed regions, each one this tool knows (``eu_residency.core.regions``)."""
    if text.strip().lower() == ALL:
        return None
    regions = list(dict.fromkeys(region.strip() for region in text.split(",") if region.strip()))
    if not regions:
        raise AuditOptionError(f"--regions {text!r}: name at least one region, or use 'all'")
    unknown = [region for region in regions if not is_known_region(region)]
    if unknown:
        raise AuditOptionError(
            f"--regions {text!r}: {', '.join(unknown)} is not an AWS region this tool knows; use 'all' or regions "
            "such as eu-west-1,eu-central-1"
        )
    return regions


def enabled_regions(factory: ClientFactory) -> list[str]:
    """The account's enabled regions, from EC2 DescribeRegions (AllRegions=False)."""
    client = factory.client("ec2", factory.home_region)
    try:
        response = client.describe_regions(AllRegions=False)
    except (ClientError, BotoCoreError) as error:
        raise AuditUnavailableError(
            f"cannot list the account's enabled regions ({describe_error(error)}); allow ec2:DescribeRegions "
            "or name the regions with --regions"
        ) from None
    regions = sorted(
        str(region["RegionName"])
        for region in response.get("Regions", [])
        if region.get("RegionName") and region.get("OptInStatus") != NOT_ENABLED
    )
    if not regions:
        raise AuditUnavailableError("DescribeRegions listed no enabled region; name the regions with --regions")
    return regions
