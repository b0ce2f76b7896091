"""The ``eu-residency`` command line: parse, run the chosen command (``eu_residency.cli.commands``), exit.

Exit codes: 0 every template compliant, 1 a finding, 2 a bad input or bad option (one line each on
stderr; the other inputs are still checked and reported). Never a traceback for bad input. ``audit``
(a live account): 0 clean, 1 a finding or a part not audited, 2 nothing could be audited.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from eu_residency.cli.commands import COMMANDS, Command, load_command
from eu_residency.cli.options import EXIT_BAD_INPUT, EXIT_OK, UsageError, print_error

DESCRIPTION = "Prove that CloudFormation templates keep user data in the EU, encrypted and kept no longer than needed."


def _command_named(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names: its first argument that is not an option (the top level takes only -h)."""
    name = next((argument for argument in argv if not argument.startswith("-")), None)
    return name if name in COMMANDS else None


def _parser(name: str | None, command: Command | None) -> argparse.ArgumentParser:
    """Every command with its summary; the arguments of the chosen ``command`` only, the others are not loaded."""
    parser = argparse.ArgumentParser(prog="eu-residency", description=DESCRIPTION)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for command_name, info in COMMANDS.items():
        command_parser = subparsers.add_parser(command_name, help=info.summary)
        if command is not None and command_name == name:
            command.add_arguments(command_parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    name = _command_named(arguments)
    command = load_command(name) if name is not None else None
    try:
        args = _parser(name, command).parse_args(arguments)
    except SystemExit as exit_:  # argparse has printed its one-line usage error
        return EXIT_BAD_INPUT if exit_.code not in (0, None) else EXIT_OK
    if command is None:  # argparse requires a command and knows only those of the table
        return EXIT_BAD_INPUT
    try:
        code = command.run(args)
        sys.stdout.flush()
    except UsageError as error:
        print_error(str(error))
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # the reader left (| head): what it wanted, it has
        _silence_stdout()
        return EXIT_OK
    except OSError as error:  # stdout cannot be written (a full device): the output is lost, say so
        _silence_stdout()
        print_error(f"cannot write the output ({error.strerror or error})")
        return EXIT_BAD_INPUT
    return code


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush at exit does not fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (captured in tests): nothing will be flushed there
        pass


if __name__ == "__main__":
    sys.exit(main())
