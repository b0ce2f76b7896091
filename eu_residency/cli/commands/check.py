"""``eu-residency check``: check templates, folders and cloud assemblies, and write the findings in one format."""

from __future__ import annotations

import argparse
import sys

from eu_residency.check_run.run import run_check
from eu_residency.cli.options import (
    DEFAULT_REGION,
    add_allowed_regions_option,
    add_allowlist_options,
    add_output_options,
    add_region_option,
    emit,
    print_error,
    require_known_region,
    rule_settings,
)
from eu_residency.formats import CHECK_RENDERERS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("templates", nargs="+", metavar="TEMPLATE", help="a template file, a folder, or a cdk.out")
    add_region_option(
        parser, f"check as if deployed to this region (default {DEFAULT_REGION}; a cdk.out's stacks use their own)"
    )
    add_allowed_regions_option(parser)
    add_allowlist_options(parser)
    add_output_options(parser)


def run(args: argparse.Namespace) -> int:
    """0 all compliant, 1 any finding, 2 any input that could not be checked (the others are still reported)."""
    require_known_region(args.region)
    settings = rule_settings(args.allowed_regions, args.replication_destination, args.eu_endpoint, args.key_control)
    checked = run_check(args.templates, region=args.region, settings=settings)
    emit(CHECK_RENDERERS[args.format](checked), args.output)
    for result in checked.results:
        if result.error is not None:
            print_error(result.error)
    if args.output or args.format != "text":
        print(f"eu-residency: {checked.summary()}", file=sys.stderr)
    return checked.exit_code
