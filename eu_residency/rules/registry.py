"""Every rule, in one tuple: the synth-time plugin, the command and the generated catalogue all read this list.

Rules are found, not listed by hand: each module of the residency, encryption, keys and retention packages
defines one ``RULE`` (modules whose names start with ``_`` hold shared helpers). The order is by id.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from eu_residency.core.rule_model import Rule
from eu_residency.rules import encryption, keys, residency, retention

FAMILIES: tuple[ModuleType, ...] = (residency, encryption, keys, retention)


def _discover() -> tuple[Rule, ...]:
    rules = []
    for family in FAMILIES:
        for module_info in pkgutil.iter_modules(family.__path__):
            if module_info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{family.__name__}.{module_info.name}")
            rule = getattr(module, "RULE", None)
            if not isinstance(rule, Rule):
                raise TypeError(f"rule module {module.__name__} defines no RULE")
            rules.append(rule)
    return tuple(sorted(rules, key=lambda rule: rule.id))


RULES: tuple[Rule, ...] = _discover()
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
