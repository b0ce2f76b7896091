"""Messages a reviewer reads in one breath: every finding on the non-compliant fixtures says what is wrong here
within MESSAGE_LENGTH_LIMIT characters, and does not restate its rule's title (the catalogue and explain hold
the title and the explanation)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eu_residency.core.rule_model import Rule
from eu_residency.core.vocabulary import MESSAGE_LENGTH_LIMIT
from eu_residency.rules.registry import RULES
from tests.eu_residency.rules.harness import fixtures, run_rule

BAD = [(rule, path) for rule in RULES for path in fixtures("bad", rule)]


@pytest.mark.parametrize(("rule", "path"), BAD, ids=[f"{rule.id}:{path.name}" for rule, path in BAD])
def test_every_message_is_short_and_not_the_title(rule: Rule, path: Path) -> None:
    _, findings = run_rule(rule, path)
    long = [(finding.logical_id, len(finding.message)) for finding in findings]
    assert all(length <= MESSAGE_LENGTH_LIMIT for _, length in long), f"over {MESSAGE_LENGTH_LIMIT}: {long}"
    assert not [finding for finding in findings if finding.message.lower().startswith(rule.title.lower())]
