"""``eu-residency explain ID``: one rule in full: its family, when it runs, severity, resource types, why, fix and
how to acknowledge it.
"""

from __future__ import annotations

import argparse

from eu_residency.cli.options import EXIT_OK, UsageError
from eu_residency.core.rule_model import Rule
from eu_residency.core.settings import KEY_CONTROL_KEY
from eu_residency.rules.catalogue import FAMILY_TITLES, acknowledgement_text, severity_text
from eu_residency.rules.registry import RULES_BY_ID


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rule_id", metavar="ID")


def runs_text(rule: Rule) -> str:
    """When the rule runs, and for a rule off by default how to turn it on."""
    if rule.enabled_by is None:
        return "Runs: always"
    value = rule.enabled_by.value
    return (
        f"Runs: only with the setting {KEY_CONTROL_KEY}: {value}; off by default. Turn it on with "
        f'"{KEY_CONTROL_KEY}": "{value}" in the context of cdk.json (synthesis), or --key-control {value} on '
        "eu-residency check, report and audit."
    )


def run(args: argparse.Namespace) -> int:
    rule = RULES_BY_ID.get(args.rule_id.upper())
    if rule is None:
        raise UsageError(f"explain {args.rule_id!r}: no such rule; `eu-residency rules` lists them")
    types = ", ".join(sorted(rule.resource_types)) or "the stack itself"
    print(
        f"{rule.id}: {rule.title}\n\nFamily: {rule.family.value} ({FAMILY_TITLES[rule.family]})\n{runs_text(rule)}\n\n"
        f"Severity: {severity_text(rule)}\nResource types: {types}\n\n"
        f"Why: {rule.explanation}\n\nFix: {rule.fix}\n\nAcknowledge: {acknowledgement_text(rule)}"
    )
    return EXIT_OK
