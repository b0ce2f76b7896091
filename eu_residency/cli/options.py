"""What several commands share: their common options, the rule settings and output those options give, the
one-line usage error, and the exit codes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from eu_residency.core.endpoints import ENTRY_FORMS, EndpointEntryError
from eu_residency.core.regions import RegionError, is_known_region
from eu_residency.core.settings import KeyControl, RuleSettings
from eu_residency.formats import FORMAT_NAMES
from eu_residency.formats.escaping import terminal_text

DEFAULT_REGION = "eu-west-1"
DEFAULT_FORMAT = "text"
EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2
ALLOWED_REGIONS_HELP = "comma-separated regions data may be in; may only narrow the EU list (default)"


class UsageError(ValueError):
    """A bad option value: one line, exit 2."""


def add_region_option(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--region", default=DEFAULT_REGION, help=help_text)


def add_allowed_regions_option(parser: argparse.ArgumentParser, help_text: str = ALLOWED_REGIONS_HELP) -> None:
    parser.add_argument("--allowed-regions", help=help_text)


def add_allowlist_options(parser: argparse.ArgumentParser) -> None:
    """The allowlists the synth-time plugin reads from context, for templates checked on their own."""
    parser.add_argument(
        "--replication-destination",
        action="append",
        default=[],
        metavar="BUCKET=REGION",
        help="an S3 bucket outside the templates, with the EU region a person checked it is in (repeatable)",
    )
    parser.add_argument(
        "--eu-endpoint",
        action="append",
        default=[],
        metavar="ENTRY",
        help=f"an endpoint a person showed to be in the EU: {ENTRY_FORMS} (repeatable)",
    )
    add_key_control_option(parser)


def add_key_control_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--key-control",
        choices=[choice.value for choice in KeyControl],
        default=KeyControl.ANY.value,
        help="customer-managed: also run the EU-KEY rules (customer-managed KMS keys that rotate); default any",
    )


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """``--format`` (one of the formats' table) and ``--output``, for a command that prints a report."""
    parser.add_argument("--format", choices=FORMAT_NAMES, default=DEFAULT_FORMAT)
    parser.add_argument("--output", help="write the report to this file instead of standard output")


def require_known_region(region: str) -> None:
    if not is_known_region(region):
        raise UsageError(f"--region {region!r}: not an AWS region this tool knows; use a region such as eu-west-1")


def rule_settings(
    allowed_regions: str | None,
    destinations: Sequence[str] = (),
    endpoints: Sequence[str] = (),
    key_control: str = KeyControl.ANY.value,
) -> RuleSettings:
    """The settings ``--allowed-regions``, ``--replication-destination`` and ``--eu-endpoint`` give."""
    regions = None
    if allowed_regions is not None:
        regions = [region.strip() for region in allowed_regions.split(",") if region.strip()]
        try:
            RuleSettings.build(allowed_regions=regions)
        except RegionError as error:
            raise UsageError(f"--allowed-regions {allowed_regions!r}: {error}") from None
    buckets: dict[str, str] = {}
    for entry in destinations:
        bucket, _, region = entry.partition("=")
        if not bucket.strip() or not region.strip():
            raise UsageError(f"--replication-destination {entry!r}: expected BUCKET=REGION, e.g. backups=eu-central-1")
        try:
            RuleSettings.build(replication_destinations={bucket.strip(): region.strip()})
        except RegionError as error:
            raise UsageError(f"--replication-destination {entry!r}: {error}") from None
        buckets[bucket.strip()] = region.strip()
    try:
        return RuleSettings.build(
            allowed_regions=regions, replication_destinations=buckets, eu_endpoints=endpoints, key_control=key_control
        )
    except EndpointEntryError as error:
        raise UsageError(f"--eu-endpoint {error}") from None


def print_error(message: str) -> None:
    """One line on standard error, its control characters shown escaped (``formats.escaping.terminal_text``)."""
    print(f"eu-residency: {terminal_text(message)}", file=sys.stderr)


def emit(report: str, output: str | None) -> None:
    """Write ``report`` to ``output``, or to standard output."""
    if not output:
        sys.stdout.write(report)
        return
    try:
        Path(output).write_text(report, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"--output {output!r}: cannot write it ({error.strerror})") from None
