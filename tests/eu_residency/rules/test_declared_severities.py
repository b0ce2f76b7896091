"""Every finding a rule yields on its non-compliant fixtures has a severity the rule declares: its own (a proven
violation) or its ``unprovable_severity`` (what the template does not decide, or cannot deploy), so that the
catalogue, which shows both, says what the rule can report."""

from __future__ import annotations

import pytest

from eu_residency.core.rule_model import Rule, Severity
from eu_residency.rules.registry import RULES
from tests.eu_residency.rules.harness import fixtures, run_rule

BAD = [(rule, path) for rule in RULES for path in fixtures("bad", rule)]


def _id(case: tuple[Rule, object]) -> str:
    rule, path = case
    return f"{rule.id}:{path.name}"  # type: ignore[attr-defined]


@pytest.mark.parametrize("case", BAD, ids=_id)
def test_every_finding_has_a_severity_its_rule_declares(case: tuple[Rule, object]) -> None:
    rule, path = case
    _, findings = run_rule(rule, path)  # type: ignore[arg-type]
    declared = {rule.severity, rule.unprovable_severity}
    undeclared = [
        (finding.logical_id, finding.severity.value) for finding in findings if finding.severity not in declared
    ]
    assert not undeclared, f"{rule.id} declares {sorted(s.value for s in declared if s)}, reports {undeclared}"


UNDEPLOYABLE = "cannot deploy"


@pytest.mark.parametrize("case", BAD, ids=_id)
def test_a_rule_that_reports_templates_that_cannot_deploy_declares_it(case: tuple[Rule, object]) -> None:
    """The catalogue says which rules report, as errors, a template AWS would refuse (``reports_undeployable``)."""
    rule, path = case
    _, findings = run_rule(rule, path)  # type: ignore[arg-type]
    undeployable = [finding.logical_id for finding in findings if UNDEPLOYABLE in finding.message]
    assert not undeployable or rule.reports_undeployable, f"{rule.id} reports {undeployable} as cannot deploy"
    if rule.reports_undeployable:
        assert rule.unprovable_severity is Severity.ERROR
        assert all(finding.severity is Severity.ERROR for finding in findings if UNDEPLOYABLE in finding.message)
