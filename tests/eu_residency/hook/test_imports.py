"""The hook's function ships the standard library and the rule core only: importing the handler loads nothing else."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import eu_residency.hook

REPO = Path(__file__).resolve().parents[3]
ALLOWED_PACKAGES = ("eu_residency.core", "eu_residency.rules", "eu_residency.hook")
LOADED = "import json, sys; {imports}print(json.dumps(sorted(sys.modules)))"


def _modules(imports: str) -> set[str]:
    """The modules a fresh interpreter has loaded after ``imports``."""
    done = subprocess.run(
        [sys.executable, "-c", LOADED.format(imports=imports)], cwd=REPO, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout))


def test_the_handler_imports_only_the_standard_library_and_the_core() -> None:
    before = _modules("")  # what the interpreter loads at start-up (site, the venv's .pth files)
    after = _modules("import eu_residency.hook; from eu_residency.hook import handler; ")
    outside = sorted(
        name
        for name in after - before
        if name.split(".")[0] not in sys.stdlib_module_names
        and name != "eu_residency"
        and not name.startswith(tuple(f"{package}." for package in ALLOWED_PACKAGES) + ALLOWED_PACKAGES)
    )
    assert outside == []
    assert "eu_residency.rules.registry" in after  # the rules are really loaded


def test_the_handler_is_what_the_handler_string_names() -> None:
    assert callable(eu_residency.hook.handler)
    assert eu_residency.hook.handler.__module__ == "eu_residency.hook.handler"
