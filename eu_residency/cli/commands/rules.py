"""``eu-residency rules``: the rule catalogue, one line per rule."""

from __future__ import annotations

import argparse

from eu_residency.cli.options import EXIT_OK
from eu_residency.rules.catalogue import severity_text
from eu_residency.rules.registry import RULES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command takes no argument."""


def run(args: argparse.Namespace) -> int:
    for rule in RULES:
        print(f"{rule.id}  {severity_text(rule):40}  {rule.title}")
    print(f"{len(RULES)} rules; `eu-residency explain ID` prints one in full")
    return EXIT_OK
