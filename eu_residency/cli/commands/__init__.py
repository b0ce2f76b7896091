"""The table of commands: each command's module and the summary ``eu-residency --help`` shows for it.

As pip's ``commands_dict`` and ``create_command`` do, the table serves the help, the dispatch and the loading:
only the module of the command being run is imported, so ``--help`` loads no command and ``rules`` no check.
Every command module has ``add_arguments(parser)`` and ``run(args) -> exit code``.
"""

from __future__ import annotations

import argparse
import importlib
from typing import NamedTuple, Protocol, cast


class CommandInfo(NamedTuple):
    module_path: str
    summary: str


# The order is the order `eu-residency --help` lists them in.
COMMANDS: dict[str, CommandInfo] = {
    "check": CommandInfo(
        "eu_residency.cli.commands.check", "check CloudFormation templates (JSON or YAML) and cdk.out folders"
    ),
    "report": CommandInfo(
        "eu_residency.cli.commands.report",
        "write the review pack for security (HTML, Markdown, SARIF) of a cloud assembly",
    ),
    "audit": CommandInfo(
        "eu_residency.cli.commands.audit",
        "audit a live AWS account, read-only: which data stores are where, copied where, encrypted how",
    ),
    "rules": CommandInfo("eu_residency.cli.commands.rules", "list the rule catalogue"),
    "explain": CommandInfo("eu_residency.cli.commands.explain", "print one rule in full"),
}


class Command(Protocol):
    """What a command module provides."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def load_command(name: str) -> Command:
    """The module of command ``name``, imported now (KeyError for a name not in the table)."""
    return cast(Command, importlib.import_module(COMMANDS[name].module_path))
