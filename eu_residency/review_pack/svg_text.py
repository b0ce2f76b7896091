"""Text in the review pack's SVG pictures: how wide a text is drawn, and a <text> cut to the width it has."""

from __future__ import annotations

from eu_residency.review_pack.markup import e

ELLIPSIS = "\u2026"
# Widths of characters in ems, on the wide side of the sans-serif fonts the page names (DejaVu Sans is widest).
_NARROW = frozenset("fijlrtI.,:;|!'()[]/ -")
_WIDE = frozenset("MWmw@%")


def _ems(char: str) -> float:
    if char in _NARROW:
        return 0.36
    if char in _WIDE:
        return 0.95
    if char.isupper() or char in "\u2026\u2014\u2192":
        return 0.76
    return 0.64


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """An estimate, never short by much, of how wide ``text`` is drawn at ``size`` pixels."""
    return sum(_ems(char) for char in text) * size * (1.1 if bold else 1.0)


def fit(text: str, width: float, size: float, *, bold: bool = False) -> str:
    """``text``, cut with an ellipsis to fit ``width`` at ``size`` pixels; a path (``Stack/Part/Name``) loses its
    first parts first, so that the name stays. Linear in the text's length.
    """
    scale = size * (1.1 if bold else 1.0)
    if text_width(text, size, bold=bold) <= width:
        return text
    parts = text.split("/")
    # tails[i]: how wide "…/" + parts[i:] is drawn, every part measured once (summed from the end).
    tails = [0.0] * (len(parts) + 1)
    for index in range(len(parts) - 1, 0, -1):
        tails[index] = tails[index + 1] + (sum(_ems(char) for char in parts[index]) + _ems("/")) * scale
    for index in range(1, len(parts)):  # the longest tail that fits
        if tails[index] + _ems(ELLIPSIS) * scale <= width:
            return ELLIPSIS + "/" + "/".join(parts[index:])
    # The longest prefix that fits beside the ellipsis.
    room = width - _ems(ELLIPSIS) * scale
    used, cut = 0.0, 0
    for char in text:
        used += _ems(char) * scale
        if used > room:
            break
        cut += 1
    return text[:cut].rstrip() + ELLIPSIS


def svg_text(x: float, y: float, text: str, width: float, *, attributes: str, size: float, bold: bool = False) -> str:
    """A ``<text>`` cut to ``width``; when cut, its whole text is its tooltip."""
    shown = fit(text, width, size, bold=bold)
    title = f"<title>{e(text)}</title>" if shown != text else ""
    weight = ' font-weight="700"' if bold else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}"{weight} {attributes}>{title}{e(shown)}</text>'
