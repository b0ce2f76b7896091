"""One formatter per module; each turns a CheckRun into text for a file or a terminal."""

from __future__ import annotations

from collections.abc import Callable

from constructs_lib.cli.formatters import json_format, markdown, sarif, text
from constructs_lib.cli.model import CheckRun

FORMATTERS: dict[str, Callable[[CheckRun], str]] = {
    "text": text.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "markdown": markdown.render,
}
