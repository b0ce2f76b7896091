"""Shared by the rules on data sent outside AWS: an endpoint passes only when a person vetted it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eu_residency.core.rule_model import PropertyPath, Severity, Violation
from eu_residency.core.template_view import TemplateView, Unknown
from eu_residency.core.values import text_options
from eu_residency.rules.predicates import prop_path


def endpoint_violations(view: TemplateView, raw: Any, path: PropertyPath, what: str) -> Iterator[Violation]:
    """``what`` sends data to ``raw`` (a URL, address or number) outside AWS: the template cannot show where
    that is, so it fails unless it matches an entry of ``eu_endpoints`` (never fatal: unprovable, not proven).
    """
    for option in text_options(view, raw):
        if isinstance(option, Unknown):
            yield Violation(
                prop_path(*path), f"{what} cannot be shown to be in the EU: it is {option.reason}", Severity.ERROR
            )
        elif not view.settings.endpoint_is_vetted(option):
            yield Violation(
                prop_path(*path),
                f"{what} {option!r} is outside AWS and its location cannot be shown from the template; it is "
                "not in the eu-residency:eu-endpoints allowlist",
            )
