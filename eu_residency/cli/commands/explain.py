"""``eu-residency explain ID``: one rule in full: severity, resource types, why, fix and how to acknowledge it."""

from __future__ import annotations

import argparse

from eu_residency.cli.options import EXIT_OK, UsageError
from eu_residency.rules.catalogue import acknowledgement_text, severity_text
from eu_residency.rules.registry import RULES_BY_ID


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rule_id", metavar="ID")


def run(args: argparse.Namespace) -> int:
    rule = RULES_BY_ID.get(args.rule_id.upper())
    if rule is None:
        raise UsageError(f"explain {args.rule_id!r}: no such rule; `eu-residency rules` lists them")
    types = ", ".join(sorted(rule.resource_types)) or "the stack itself"
    print(
        f"{rule.id}: {rule.title}\n\nSeverity: {severity_text(rule)}\nResource types: {types}\n\n"
        f"Why: {rule.explanation}\n\nFix: {rule.fix}\n\nAcknowledge: {acknowledgement_text(rule)}"
    )
    return EXIT_OK
