"""The table of commands and the table of formats: each entry loads, and a run loads only what it uses."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from eu_residency.cli.commands import COMMANDS
from eu_residency.formats import FORMAT_MODULES

REPO = Path(__file__).resolve().parents[3]
TEMPLATE = "tests/fixtures/templates/bad/EU-ENC-001.yaml"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_of_the_table_has_a_module_that_adds_its_arguments_and_runs(name: str) -> None:
    module = importlib.import_module(COMMANDS[name].module_path)
    assert module.__name__ == f"eu_residency.cli.commands.{name}"
    assert list(inspect.signature(module.add_arguments).parameters) == ["parser"]
    assert list(inspect.signature(module.run).parameters) == ["args"]


@pytest.mark.parametrize("name", list(FORMAT_MODULES))
def test_every_format_of_the_table_renders_a_check_run_and_an_audit(name: str) -> None:
    module = importlib.import_module(FORMAT_MODULES[name])
    assert callable(module.render) and callable(module.render_audit)


def test_check_in_json_imports_no_other_format_and_no_other_command() -> None:
    probe = (
        "import sys; from eu_residency.cli.main import main; main(['check', '--format', 'json', sys.argv[1]]); "
        "sys.stderr.write(repr(sorted(m for m in sys.modules if m.startswith(('eu_residency.formats.', "
        "'eu_residency.cli.commands.', 'boto3', 'botocore')))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe, TEMPLATE], cwd=REPO, capture_output=True, text=True, check=False
    )
    last_line = loaded.stderr.strip().splitlines()[-1]
    # formats.escaping is no format: the one-line errors of every command print through its terminal_text.
    expected = ["eu_residency.cli.commands.check", "eu_residency.formats.escaping", "eu_residency.formats.json_format"]
    assert last_line == repr(expected), loaded.stderr
