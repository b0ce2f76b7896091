"""Helpers shared by the at-rest encryption rules EU-ENC-002 to EU-KEY-010.

The generic readers (``values_at``, ``require_true``) live in ``checks``; what is here is particular to
resources restored from snapshots and sources.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eu_residency.core.rule_model import PropertyPath
from eu_residency.core.template_view import TemplateView
from eu_residency.core.values import MISSING, values_at


def may_be_set(view: TemplateView, properties: Mapping[str, Any], path: PropertyPath) -> bool:
    """True when the property at ``path`` is given (not AWS::NoValue) in at least one option."""
    return any(value is not MISSING for value in values_at(view, properties, path))


def inherited(
    view: TemplateView, properties: Mapping[str, Any], sources: tuple[str, ...], prop: str, what: str
) -> str | None:
    """The message for an absent ``prop`` when the resource is restored from a snapshot or a source given
    in one of ``sources``: its encryption is then inherited, which the template cannot show. None when
    no source is given.
    """
    for source in sources:
        if may_be_set(view, properties, (source,)):
            return (
                f"{what} cannot be shown from the template: without {prop}: true it is inherited from "
                f"the snapshot or source named in {source} (fails closed)"
            )
    return None
