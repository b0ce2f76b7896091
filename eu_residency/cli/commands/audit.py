"""``eu-residency audit``: audit a live AWS account, read-only, and write the report in one format.

This command's module is the only one of the command line that loads boto3 (through ``eu_residency.audit.runner``).
"""

from __future__ import annotations

import argparse
import sys

from eu_residency.audit.errors import AuditError
from eu_residency.audit.runner import run_audit
from eu_residency.cli.options import (
    EXIT_BAD_INPUT,
    UsageError,
    add_allowed_regions_option,
    add_key_control_option,
    add_output_options,
    emit,
    print_error,
    rule_settings,
)
from eu_residency.formats import AUDIT_RENDERERS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", help="AWS profile (default: the environment's credentials)")
    parser.add_argument(
        "--regions",
        default="all",
        help="'all' (default: every region enabled in the account) or comma-separated regions to examine",
    )
    add_allowed_regions_option(parser)
    add_key_control_option(parser)
    add_output_options(parser)


def run(args: argparse.Namespace) -> int:
    """0 clean, 1 a finding or a part not audited, 2 nothing could be audited."""
    settings = rule_settings(args.allowed_regions, key_control=args.key_control)
    try:
        audit = run_audit(profile=args.profile, regions=args.regions, settings=settings)
    except AuditError as error:  # no credentials, an invalid profile, no endpoint, a bad --regions
        raise UsageError(str(error)) from None
    emit(AUDIT_RENDERERS[args.format](audit), args.output)
    if audit.exit_code == EXIT_BAD_INPUT:
        first = audit.not_audited[0] if audit.not_audited else None
        reason = f" (first: {first.region} {first.service}: {first.reason})" if first else ""
        print_error(f"nothing could be audited{reason}")
    elif args.output or args.format != "text":
        print(f"eu-residency: {audit.summary()}", file=sys.stderr)
    return audit.exit_code
