"""The output formats, one module each; every module renders a check run (``render``) and an audit (``render_audit``).

``FORMAT_MODULES`` is the one table of format names: the commands' ``--format`` choices and both renderer
lookups read it, and a lookup imports only the module of the format asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # for the annotations only: the table itself stays as light as the `--help` that reads it
    from eu_residency.audit.audit_report import AuditReport
    from eu_residency.check_run.results import CheckRun

# Format name -> the module that renders it; the order is the order `--format` lists them in.
FORMAT_MODULES: dict[str, str] = {
    "text": "eu_residency.formats.text",
    "json": "eu_residency.formats.json_format",
    "sarif": "eu_residency.formats.sarif",
    "markdown": "eu_residency.formats.markdown",
}
FORMAT_NAMES: tuple[str, ...] = tuple(FORMAT_MODULES)

Rendered = TypeVar("Rendered")


class Renderers(Mapping[str, Callable[[Rendered], str]]):
    """Format name -> one function of that format's module, the module imported when its name is looked up."""

    def __init__(self, function_name: str) -> None:
        self._function_name = function_name

    def __getitem__(self, format_name: str) -> Callable[[Rendered], str]:
        renderer: Callable[[Rendered], str] = getattr(
            importlib.import_module(FORMAT_MODULES[format_name]), self._function_name
        )
        return renderer

    def __iter__(self) -> Iterator[str]:
        return iter(FORMAT_MODULES)

    def __len__(self) -> int:
        return len(FORMAT_MODULES)


CHECK_RENDERERS: Renderers[CheckRun] = Renderers("render")
AUDIT_RENDERERS: Renderers[AuditReport] = Renderers("render_audit")
