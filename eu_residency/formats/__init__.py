"""One formatter per module; each turns a CheckRun into text for a file or a terminal."""

from __future__ import annotations

from collections.abc import Callable

from eu_residency.check_run.model import CheckRun
from eu_residency.formats import json_format, markdown, sarif, text

FORMATTERS: dict[str, Callable[[CheckRun], str]] = {
    "text": text.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "markdown": markdown.render,
}
