"""Meta-tests that guard the catalogue: ids, one module per rule, fixtures for every rule, generated docs."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

from eu_residency.core.rule_model import RULE_ID, Family, Rule, Severity
from eu_residency.rules import catalogue
from eu_residency.rules.registry import RULES
from tests.conftest import REPO
from tests.eu_residency.rules.harness import fixtures, run_rule

# Rules whose violation is the resource (or stack) itself: there is no value to leave unresolved.
NOTHING_TO_RESOLVE = {
    "EU-RES-030": "a CloudFront distribution is the violation, whatever its properties",
    "EU-RES-031": "a Global Accelerator is the violation, whatever its properties",
    "EU-RES-001": "the stack's region comes from its environment, not from a template value",
    "EU-RES-035": "AWS binds every certificate property to one region: a value the template does not decide is there",
}
# Residency rules that can never prove a destination outside: the endpoint is outside AWS, unlocatable.
NEVER_PROVEN_OUTSIDE = {
    "EU-RES-002": "a nested template that is not checked is unseen, never proven outside",
    "EU-RES-050": "an endpoint outside AWS has no region; it is vetted or it fails as unprovable",
    "EU-RES-051": "an endpoint outside AWS has no region; it is vetted or it fails as unprovable",
    "EU-RES-052": "an endpoint outside AWS has no region; it is vetted or it fails as unprovable",
}


def test_rule_ids_are_unique_and_well_formed() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    for rule_id in ids:
        assert RULE_ID.match(rule_id), rule_id


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_rule_carries_its_metadata(rule: Rule) -> None:
    assert rule.title and not rule.title.endswith(".") and rule.title[0].isupper()
    assert len(rule.explanation) >= 60
    assert len(rule.fix) >= 30
    assert (rule.check_resource is None) != (rule.check_template is None)
    assert bool(rule.resource_types) == (rule.check_resource is not None)
    if rule.family is not Family.RESIDENCY:
        assert rule.severity is Severity.ERROR, "encryption and retention findings are errors"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_each_rule_lives_in_a_module_of_its_own_named_for_it(rule: Rule) -> None:
    check = rule.check_resource or rule.check_template
    module = inspect.getmodule(check)
    assert module is not None and module.__doc__ is not None
    assert module.__doc__.startswith(f"{rule.id}: "), module.__name__
    assert (
        module.__name__.split(".")[-2]
        == {"EU-RES": "residency", "EU-ENC": "encryption", "EU-KEY": "keys", "EU-RET": "retention"}[rule.family.value]
    )
    owners = [other.id for other in RULES if inspect.getmodule(other.check_resource or other.check_template) is module]
    assert owners == [rule.id]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_every_rule_has_a_compliant_and_a_noncompliant_fixture(rule: Rule) -> None:
    assert fixtures("good", rule), f"add tests/fixtures/templates/good/{rule.id}.yaml"
    assert fixtures("bad", rule), f"add tests/fixtures/templates/bad/{rule.id}.yaml"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_every_rule_shows_it_fails_closed_on_an_unresolvable_value(rule: Rule) -> None:
    if rule.id in NOTHING_TO_RESOLVE:
        return
    unresolved = [
        finding
        for path in fixtures("bad", rule)
        for finding in run_rule(rule, path)[1]
        if (finding.logical_id or "").startswith("FailUnresolved")
    ]
    assert unresolved, f"add a FailUnresolved* resource (a Parameter or import) to bad/{rule.id}.yaml"


@pytest.mark.parametrize("rule", [rule for rule in RULES if rule.family is Family.RESIDENCY], ids=lambda r: r.id)
def test_every_residency_rule_shows_a_destination_proven_outside(rule: Rule) -> None:
    if rule.id in NEVER_PROVEN_OUTSIDE:
        assert rule.severity is Severity.ERROR
        return
    assert rule.severity is Severity.FATAL
    fatal = [
        finding
        for path in fixtures("bad", rule)
        for finding in run_rule(rule, path)[1]
        if finding.severity is Severity.FATAL
    ]
    assert fatal, f"add a FailOutside* case to bad/{rule.id}.yaml"


def test_rule_catalogue_in_docs_is_generated_from_the_rules() -> None:
    committed = (REPO / "docs" / "RULES.md").read_text(encoding="utf-8")
    assert committed == catalogue.render(RULES), "docs/RULES.md is stale: run `make docs`"


def test_every_rule_is_in_the_catalogue() -> None:
    text = catalogue.render(RULES)
    for rule in RULES:
        assert f"### {rule.id}" in text


def test_rule_core_imports_nothing_from_aws_cdk_or_jsii() -> None:
    code = (
        "import sys, eu_residency.rules.registry, eu_residency.template_loader; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('aws_cdk', 'jsii', 'cdk_nag', 'boto3')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
