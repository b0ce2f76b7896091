"""The HTML markup the page, the flow map and the charts share: escaping, and the classification colours."""

from __future__ import annotations

from html import escape

CLASSIFICATION_COLORS = {
    "personal": "#8e24aa",
    "internal": "#1e88e5",
    "public": "#43a047",
    "unclassified": "#9aa5b1",
}


def e(value: object) -> str:
    """Every text that reaches the page goes through here."""
    return escape(str(value), quote=True)
