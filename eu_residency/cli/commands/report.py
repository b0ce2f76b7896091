"""``eu-residency report``: write the review pack of a cloud assembly, with a live audit beside it on request."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eu_residency.audit.audit_report import AuditFileError
from eu_residency.cli.options import (
    UsageError,
    add_allowed_regions_option,
    add_allowlist_options,
    add_region_option,
    print_error,
    require_known_region,
    rule_settings,
)
from eu_residency.review_pack.audit_sections import load_audit
from eu_residency.review_pack.baseline import BaselineError, load_baseline
from eu_residency.review_pack.files import PackWriteError, write_review_pack


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cdk_out", nargs="?", default="cdk.out", metavar="CDK_OUT", help="default: cdk.out")
    parser.add_argument("--out", default=None, help="folder for the pack (default: CDK_OUT/eu-residency-report)")
    add_region_option(parser, "region of stacks the manifest gives none for")
    add_allowed_regions_option(parser, "comma-separated; may only narrow the EU list (default)")
    add_allowlist_options(parser)
    parser.add_argument("--audit", help="the JSON output of `eu-residency audit`, to show the live account beside")
    parser.add_argument(
        "--baseline",
        metavar="PREVIOUS/report.json",
        help="the report.json of the last signed pack, to show what is new, fixed or changed since",
    )


def run(args: argparse.Namespace) -> int:
    """The exit code of the pack's verdict: 0 compliant, 1 non-compliant, 2 an input that cannot be read."""
    require_known_region(args.region)
    cdk_out = Path(args.cdk_out)
    if not (cdk_out / "manifest.json").is_file():
        raise UsageError(f"{args.cdk_out}: not a cloud assembly (no manifest.json); run cdk synth first")
    out_dir = Path(args.out) if args.out else cdk_out / "eu-residency-report"
    audit = None
    if args.audit:
        try:
            audit = load_audit(args.audit)
        except AuditFileError as error:
            raise UsageError(str(error)) from None
    # The baseline's report.json, read before anything is written (None without --baseline).
    args.baseline_report = None
    if args.baseline:
        try:
            args.baseline_report = load_baseline(args.baseline)
        except BaselineError as error:
            raise UsageError(str(error)) from None
    try:
        pack = write_review_pack(
            cdk_out,
            out_dir,
            region=args.region,
            settings=rule_settings(
                args.allowed_regions, args.replication_destination, args.eu_endpoint, args.key_control
            ),
            audit=audit,
            baseline=args.baseline_report,
        )
    except PackWriteError as error:
        raise UsageError(str(error)) from None
    for result in pack.run.results:
        if result.error is not None:  # each input that could not be checked, and why
            print_error(result.error)
    for path in pack.files:
        print(f"eu-residency: wrote {path}", file=sys.stderr)
    print(f"eu-residency: {pack.run.summary()}", file=sys.stderr)
    if pack.comparison is not None:
        print(f"eu-residency: {pack.comparison.summary()}", file=sys.stderr)
    judged = pack.verdict
    print(f"eu-residency: review pack {judged.word}; the verdict {judged.sources_text}", file=sys.stderr)
    return judged.exit_code
