"""Every rule against its fixtures: the non-compliant one fails exactly its Fail* resources, the
compliant one passes, unresolvable values fail closed, and proven violations are fatal.
"""

from __future__ import annotations

import pytest

from eu_residency.core.rule_model import Rule, Severity
from eu_residency.rules.registry import RULES
from tests.eu_residency.rules.harness import expected_failures, failing_ids, fixtures, run_rule

BAD = [(rule, path) for rule in RULES for path in fixtures("bad", rule)]
GOOD = [(rule, path) for rule in RULES for path in fixtures("good", rule)]


def _id(case: tuple[Rule, object]) -> str:
    rule, path = case
    return f"{rule.id}:{path.name}"  # type: ignore[attr-defined]


@pytest.mark.parametrize("case", BAD, ids=_id)
def test_noncompliant_fixture_fails_exactly_its_fail_resources(case: tuple[Rule, object]) -> None:
    rule, path = case
    template, findings = run_rule(rule, path)  # type: ignore[arg-type]
    assert failing_ids(findings) == expected_failures(template)
    for finding in findings:
        assert finding.rule_id == rule.id
        assert finding.message and finding.fix  # the rule's fix, or a narrower one for this finding
        if finding.logical_id:
            assert (finding.path and finding.path[0] == "Properties") or finding.path == (), finding


@pytest.mark.parametrize("case", GOOD, ids=_id)
def test_compliant_fixture_passes(case: tuple[Rule, object]) -> None:
    rule, path = case
    template, findings = run_rule(rule, path)  # type: ignore[arg-type]
    assert findings == []
    assert all(logical_id.startswith("Pass") for logical_id in template["Resources"])


@pytest.mark.parametrize("case", BAD, ids=_id)
def test_unresolvable_values_fail_closed_as_errors(case: tuple[Rule, object]) -> None:
    rule, path = case
    _, findings = run_rule(rule, path)  # type: ignore[arg-type]
    for finding in findings:
        if (finding.logical_id or "").startswith("FailUnresolved"):
            assert finding.severity is Severity.ERROR, finding
            assert "cannot be shown" in finding.message, finding.message


@pytest.mark.parametrize("case", BAD, ids=_id)
def test_destinations_proven_outside_are_fatal(case: tuple[Rule, object]) -> None:
    rule, path = case
    _, findings = run_rule(rule, path)  # type: ignore[arg-type]
    outside = {f.logical_id for f in findings if (f.logical_id or "").startswith("FailOutside")}
    for logical_id in outside:
        assert any(f.severity is Severity.FATAL for f in findings if f.logical_id == logical_id), logical_id
