"""One formatter per module; each turns an AuditReport into text for a file or a terminal."""

from __future__ import annotations

from collections.abc import Callable

from eu_residency.audit.formatters import json_format, markdown, sarif, text
from eu_residency.audit.model import AuditReport

FORMATTERS: dict[str, Callable[[AuditReport], str]] = {
    "text": text.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "markdown": markdown.render,
}
