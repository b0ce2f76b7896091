"""The bar charts of the review pack's page: open findings, fatal then error, one bar per rule or stack."""

from __future__ import annotations

import math
from collections.abc import Sequence

from eu_residency.review_pack.markup import e
from eu_residency.review_pack.rows import shorten

SEVERITY_COLORS = {"fatal": "#b71c1c", "error": "#ef6c00"}


def nice_ticks(peak: int, most: int = 6) -> list[int]:
    """Ticks from 0 past ``peak`` in one step of 1, 2 or 5 times a power of ten, at most ``most`` of them."""
    peak = max(peak, 1)
    step = 1
    while math.ceil(peak / step) + 1 > most:
        step = _next_step(step)
    top = math.ceil(peak / step) * step
    return list(range(0, top + 1, step))


def _next_step(step: int) -> int:
    """1, 2, 5, 10, 20, 50, ...: the next step after ``step``."""
    power = 1
    while power * 10 <= step:
        power *= 10
    return {1: 2, 2: 5}.get(step // power, 10) * power


def bar_chart(title: str, items: Sequence[tuple[str, int, int]]) -> str:
    """Horizontal bars, fatal then error, one per item; a clear empty state when there is nothing."""
    width, label_width, row, top = 640, 190, 26, 40
    if not items:
        height = 130
        return (
            f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{e(title)}: none">'
            f"<title>{e(title)}: none</title>"
            f'<text x="0" y="20" font-size="14" font-weight="700" fill="#102a43">{e(title)}</text>'
            f'<rect x="1" y="34" width="{width - 2}" height="{height - 36}" rx="8" fill="#f1f8f4" '
            'stroke="#a5d6a7" stroke-dasharray="6 4"/>'
            f'<circle cx="{width / 2 - 110}" cy="{34 + (height - 36) / 2}" r="15" fill="#2e7d32"/>'
            f'<path d="M{width / 2 - 118},{82} l6,6 l11,-12" stroke="#fff" stroke-width="3.2" fill="none" '
            'stroke-linecap="round" stroke-linejoin="round"/>'
            f'<text x="{width / 2 - 84}" y="88" font-size="15" font-weight="700" fill="#1b5e20">'
            "No open findings</text></svg>"
        )
    peak = max(fatal + error for _, fatal, error in items)
    ticks = nice_ticks(peak)
    scale = min((width - label_width - 50) / ticks[-1], 64.0)  # one finding is never a full-width bar
    height = top + row * len(items) + 26
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{e(title)}">',
        f"<title>{e(title)}</title>",
        f'<text x="0" y="20" font-size="14" font-weight="700" fill="#102a43">{e(title)}</text>',
    ]
    for tick in ticks:
        x = label_width + tick * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{top + row * len(items)}" stroke="#e4e7eb"/>'
            f'<text x="{x:.1f}" y="{top + row * len(items) + 16}" font-size="10.5" fill="#7b8794" '
            f'text-anchor="middle">{tick}</text>'
        )
    for index, (label, fatal, error) in enumerate(items):
        y = top + index * row
        shown = shorten(label, 26)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" font-size="12" text-anchor="end" fill="#243b53">'
            f"<title>{e(label)}</title>{e(shown)}</text>"
        )
        x = label_width
        for severity, count in (("fatal", fatal), ("error", error)):
            if count:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 3}" width="{count * scale:.1f}" height="{row - 8}" rx="2" '
                    f'fill="{SEVERITY_COLORS[severity]}"><title>{e(label)}: {count} {severity}</title></rect>'
                )
                x += count * scale
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y + 15}" font-size="11.5" font-weight="700" fill="#243b53">'
            f"{fatal + error}</text>"
        )
    legend_x = width - 110
    parts.append(
        f'<rect x="{legend_x}" y="9" width="11" height="11" rx="2" fill="{SEVERITY_COLORS["fatal"]}"/>'
        f'<text x="{legend_x + 15}" y="19" font-size="11" fill="#52606d">fatal</text>'
        f'<rect x="{legend_x + 56}" y="9" width="11" height="11" rx="2" fill="{SEVERITY_COLORS["error"]}"/>'
        f'<text x="{legend_x + 71}" y="19" font-size="11" fill="#52606d">error</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
