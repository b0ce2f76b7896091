"""``eu-residency report``: write the review pack of a cloud assembly, its four files, to a folder.

``report.html`` (one self-contained page), ``report.md``, ``report.sarif`` and ``report.json``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eu_residency.audit.audit_report import AuditReport
from eu_residency.core.settings import RuleSettings
from eu_residency.review_pack.contents import ReviewPack, assemble_review_pack, document, sarif_log
from eu_residency.review_pack.html_page import render_html
from eu_residency.review_pack.markdown_page import render_markdown

REPORT_FILES = ("report.md", "report.html", "report.sarif", "report.json")


def write_review_pack(
    cdk_out: Path,
    out_dir: Path,
    *,
    region: str,
    settings: RuleSettings,
    audit: AuditReport | None = None,
    baseline: Mapping[str, Any] | None = None,
) -> ReviewPack:
    """Check ``cdk_out``, read its validation report, build the inventory, and write the pack to ``out_dir``;
    with ``audit``, the live account's audit joins each file of the pack; with ``baseline`` (the last signed
    pack's report.json), what is new, fixed or changed since.
    """
    pack = assemble_review_pack(cdk_out, region=region, settings=settings, audit=audit, baseline=baseline)
    title = f"EU residency review pack: {cdk_out}"
    contents = {
        "report.md": render_markdown(pack, title),
        "report.html": render_html(pack, title),
        "report.sarif": sarif_log(pack),
        "report.json": json.dumps(document(pack), indent=2) + "\n",
    }
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in REPORT_FILES:
            path = out_dir / name
            path.write_text(contents[name], encoding="utf-8")
            pack.files.append(path)
    except OSError as error:
        reason = "it is a file" if out_dir.is_file() else (error.strerror or str(error)).lower()
        raise PackWriteError(f"{out_dir}: cannot write the review pack there ({reason})") from None
    return pack


class PackWriteError(ValueError):
    """The pack's folder cannot be made or written (the message is one line naming it)."""
