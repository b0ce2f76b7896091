"""The ``eu-residency`` command line: check, rules, explain (and report, audit).

Exit codes: 0 every template compliant, 1 a finding, 2 a bad input or bad option (one line each on
stderr; the other inputs are still checked and reported). Never a traceback for bad input. ``audit``
(a live account): 0 clean, 1 a finding or a part not audited, 2 nothing could be audited.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from eu_residency.core.regions import RegionError, is_known_region
from eu_residency.core.settings import RuleSettings

DEFAULT_REGION = "eu-west-1"
EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


class UsageError(ValueError):
    """A bad option value: one line, exit 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eu-residency",
        description="Prove that CloudFormation templates keep user data in the EU, encrypted and kept no longer "
        "than needed.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="check CloudFormation templates (JSON or YAML) and cdk.out folders")
    check.add_argument("templates", nargs="+", metavar="TEMPLATE", help="a template file, a folder, or a cdk.out")
    check.add_argument(
        "--region",
        default=DEFAULT_REGION,
        help=f"check as if deployed to this region (default {DEFAULT_REGION}; a cdk.out's stacks use their own)",
    )
    check.add_argument(
        "--allowed-regions", help="comma-separated regions data may be in; may only narrow the EU list (default)"
    )
    _allowlist_options(check)
    check.add_argument("--format", choices=("text", "json", "sarif", "markdown"), default="text")
    check.add_argument("--output", help="write the report to this file instead of standard output")

    report = commands.add_parser(
        "report", help="write the review pack for security (HTML, Markdown, SARIF) of a cloud assembly"
    )
    report.add_argument("cdk_out", nargs="?", default="cdk.out", metavar="CDK_OUT", help="default: cdk.out")
    report.add_argument("--out", default=None, help="folder for the pack (default: CDK_OUT/eu-residency-report)")
    report.add_argument("--region", default=DEFAULT_REGION, help="region of stacks the manifest gives none for")
    report.add_argument("--allowed-regions", help="comma-separated; may only narrow the EU list (default)")
    _allowlist_options(report)
    report.add_argument("--audit", help="the JSON output of `eu-residency audit`, to show the live account beside")

    audit = commands.add_parser(
        "audit", help="audit a live AWS account, read-only: which data stores are where, copied where, encrypted how"
    )
    audit.add_argument("--profile", help="AWS profile (default: the environment's credentials)")
    audit.add_argument(
        "--regions",
        default="all",
        help="'all' (default: every region enabled in the account) or comma-separated regions to examine",
    )
    audit.add_argument(
        "--allowed-regions", help="comma-separated regions data may be in; may only narrow the EU list (default)"
    )
    audit.add_argument("--format", choices=("text", "json", "sarif", "markdown"), default="text")
    audit.add_argument("--output", help="write the report to this file instead of standard output")

    commands.add_parser("rules", help="list the rule catalogue")
    explain = commands.add_parser("explain", help="print one rule in full")
    explain.add_argument("rule_id", metavar="ID")
    return parser


def _emit(report: str, output: str | None) -> None:
    """Write ``report`` to ``output``, or to standard output."""
    if not output:
        sys.stdout.write(report)
        return
    try:
        Path(output).write_text(report, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"--output {output!r}: cannot write it ({error.strerror})") from None


def _allowlist_options(parser: argparse.ArgumentParser) -> None:
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
        metavar="PREFIX",
        help="a URL prefix, e-mail domain (@example.eu) or phone prefix (+353) shown to be in the EU (repeatable)",
    )


def _settings(
    allowed_regions: str | None, destinations: Sequence[str] = (), endpoints: Sequence[str] = ()
) -> RuleSettings:
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
    return RuleSettings.build(allowed_regions=regions, replication_destinations=buckets, eu_endpoints=endpoints)


def _check(args: argparse.Namespace) -> int:
    from eu_residency.check_run.run import run_check  # noqa: PLC0415 - keeps `rules` and `--help` instant
    from eu_residency.formats import FORMATTERS  # noqa: PLC0415

    if not is_known_region(args.region):
        raise UsageError(f"--region {args.region!r}: not an AWS region this tool knows; use a region such as eu-west-1")
    settings = _settings(args.allowed_regions, args.replication_destination, args.eu_endpoint)
    run = run_check(args.templates, region=args.region, settings=settings)
    _emit(FORMATTERS[args.format](run), args.output)
    for result in run.results:
        if result.error is not None:
            print(f"eu-residency: {result.error}", file=sys.stderr)
    if args.output or args.format != "text":
        print(f"eu-residency: {run.summary()}", file=sys.stderr)
    return run.exit_code


def _report(args: argparse.Namespace) -> int:
    from eu_residency.review_pack.html import write_review_pack  # noqa: PLC0415

    if not is_known_region(args.region):
        raise UsageError(f"--region {args.region!r}: not an AWS region this tool knows; use a region such as eu-west-1")
    cdk_out = Path(args.cdk_out)
    if not (cdk_out / "manifest.json").is_file():
        raise UsageError(f"{args.cdk_out}: not a cloud assembly (no manifest.json); run cdk synth first")
    out_dir = Path(args.out) if args.out else cdk_out / "eu-residency-report"
    audit = None
    if args.audit:
        from eu_residency.audit.model import AuditFileError  # noqa: PLC0415
        from eu_residency.review_pack.audit_sections import load_audit  # noqa: PLC0415

        try:
            audit = load_audit(args.audit)
        except AuditFileError as error:
            raise UsageError(str(error)) from None
    pack = write_review_pack(
        cdk_out,
        out_dir,
        region=args.region,
        settings=_settings(args.allowed_regions, args.replication_destination, args.eu_endpoint),
        audit=audit,
    )
    for path in pack.files:
        print(f"eu-residency: wrote {path}", file=sys.stderr)
    print(f"eu-residency: {pack.run.summary()}", file=sys.stderr)
    return pack.run.exit_code


def _audit(args: argparse.Namespace) -> int:
    from eu_residency.audit.errors import AuditError  # noqa: PLC0415
    from eu_residency.audit.formatters import FORMATTERS as AUDIT_FORMATTERS  # noqa: PLC0415
    from eu_residency.audit.runner import run_audit  # noqa: PLC0415 - boto3 loads for this command only

    settings = _settings(args.allowed_regions)
    try:
        audit = run_audit(profile=args.profile, regions=args.regions, settings=settings)
    except AuditError as error:  # no credentials, an invalid profile, no endpoint, a bad --regions
        raise UsageError(str(error)) from None
    _emit(AUDIT_FORMATTERS[args.format](audit), args.output)
    if audit.exit_code == EXIT_BAD_INPUT:
        first = audit.not_audited[0] if audit.not_audited else None
        reason = f" (first: {first.region} {first.service}: {first.reason})" if first else ""
        print(f"eu-residency: nothing could be audited{reason}", file=sys.stderr)
    elif args.output or args.format != "text":
        print(f"eu-residency: {audit.summary()}", file=sys.stderr)
    return audit.exit_code


def _rules() -> int:
    from eu_residency.rules.catalogue import severity_text  # noqa: PLC0415
    from eu_residency.rules.registry import RULES  # noqa: PLC0415

    for rule in RULES:
        print(f"{rule.id}  {severity_text(rule):40}  {rule.title}")
    print(f"{len(RULES)} rules; `eu-residency explain ID` prints one in full")
    return EXIT_OK


def _explain(rule_id: str) -> int:
    from eu_residency.rules.catalogue import acknowledgement_text, severity_text  # noqa: PLC0415
    from eu_residency.rules.registry import RULES_BY_ID  # noqa: PLC0415

    rule = RULES_BY_ID.get(rule_id.upper())
    if rule is None:
        raise UsageError(f"explain {rule_id!r}: no such rule; `eu-residency rules` lists them")
    types = ", ".join(sorted(rule.resource_types)) or "the stack itself"
    print(
        f"{rule.id}: {rule.title}\n\nSeverity: {severity_text(rule)}\nResource types: {types}\n\n"
        f"Why: {rule.explanation}\n\nFix: {rule.fix}\n\nAcknowledge: {acknowledgement_text(rule)}"
    )
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has printed its one-line usage error
        return EXIT_BAD_INPUT if exit_.code not in (0, None) else EXIT_OK
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "report":
            return _report(args)
        if args.command == "audit":
            return _audit(args)
        if args.command == "rules":
            return _rules()
        return _explain(args.rule_id)
    except UsageError as error:
        print(f"eu-residency: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
