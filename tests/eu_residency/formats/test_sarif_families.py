"""SARIF rule descriptors carry their family and the setting they run under; each log records the settings of its
run (key control on or off), for the template check and the live audit alike.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from jsonschema.validators import validator_for

from eu_residency.audit.audit_report import AuditReport
from eu_residency.check_run.results import CheckRun
from eu_residency.check_run.run import run_check
from eu_residency.core.rule_model import Family, Rule
from eu_residency.core.settings import KEY_CONTROL_KEY, KeyControl, RuleSettings
from eu_residency.formats import sarif
from eu_residency.rules.catalogue import FAMILY_TITLES
from eu_residency.rules.registry import RULES, RULES_BY_ID

REPO = Path(__file__).resolve().parents[3]
SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
KEY_RULE_TEMPLATE = "tests/fixtures/templates/bad/EU-KEY-001.yaml"
ENABLED_BY = f"{KEY_CONTROL_KEY}=customer-managed"
RUNS_ONLY = f"Runs only with the setting {KEY_CONTROL_KEY}: customer-managed"


def _valid(log: dict[str, Any]) -> None:
    validator = validator_for(SCHEMA, default=Draft7Validator)(SCHEMA)
    errors = [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(log)]
    assert not errors, errors[:5]


def _descriptors(log: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_every_descriptor_names_its_family(rule: Rule) -> None:
    descriptor = sarif.rule_descriptor(rule)
    properties = descriptor["properties"]
    assert properties["family"] == rule.family.value == rule.id.rsplit("-", 1)[0]
    assert properties["familyTitle"] == FAMILY_TITLES[rule.family]
    family_line = f"Family: {rule.family.value} ({FAMILY_TITLES[rule.family]})"
    assert family_line in descriptor["help"]["text"]
    assert f"- {family_line}" in descriptor["help"]["markdown"]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_a_key_control_rule_says_the_setting_it_runs_under(rule: Rule) -> None:
    descriptor = sarif.rule_descriptor(rule)
    if rule.family is Family.KEY_CONTROL:
        assert descriptor["properties"]["enabledBy"] == ENABLED_BY
        assert RUNS_ONLY in descriptor["help"]["text"] and RUNS_ONLY in descriptor["help"]["markdown"]
        assert "--key-control customer-managed" in descriptor["help"]["text"]
        assert "cdk.json" in descriptor["help"]["text"]
    else:
        assert "enabledBy" not in descriptor["properties"]
        assert "Runs only" not in descriptor["help"]["text"]


def test_every_family_has_rules_in_the_log() -> None:
    log = sarif.document(CheckRun(results=()))
    _valid(log)
    assert {rule["properties"]["family"] for rule in _descriptors(log).values()} == {f.value for f in Family}


@pytest.mark.parametrize("key_control", list(KeyControl), ids=lambda setting: setting.value)
def test_a_check_log_records_whether_key_control_was_on(key_control: KeyControl) -> None:
    run = run_check([KEY_RULE_TEMPLATE], region="eu-west-1", settings=RuleSettings(key_control=key_control))
    log = sarif.document(run)
    _valid(log)
    (invocation,) = log["runs"][0]["invocations"]
    settings = invocation["properties"]["settings"]
    assert settings[KEY_CONTROL_KEY] == key_control.value
    assert ("EU-KEY" in settings["familiesRun"]) is (key_control is KeyControl.CUSTOMER_MANAGED)
    assert {"EU-RES", "EU-ENC", "EU-RET"} <= set(settings["familiesRun"])
    ruled = {result["ruleId"] for result in log["runs"][0]["results"]}
    assert ("EU-KEY-001" in ruled) is (key_control is KeyControl.CUSTOMER_MANAGED)
    # Every rule stays described (the result indexes do not move with the setting); the setting is in each one.
    assert _descriptors(log)["EU-KEY-001"]["properties"]["enabledBy"] == ENABLED_BY


@pytest.mark.parametrize("key_control", list(KeyControl), ids=lambda setting: setting.value)
def test_an_audit_log_describes_eu_key_rules_only_with_key_control(key_control: KeyControl) -> None:
    report = AuditReport(account="123456789012", regions=("eu-west-1",), allowed_regions=frozenset({"eu-west-1"}))
    log = sarif.audit_document(replace(report, key_control=key_control))
    _valid(log)
    descriptors = _descriptors(log)
    key_rules = {rule_id for rule_id in sarif.AUDIT_RULE_IDS if RULES_BY_ID[rule_id].family is Family.KEY_CONTROL}
    assert key_rules, "the audit reports some EU-KEY rules"
    if key_control is KeyControl.CUSTOMER_MANAGED:
        assert key_rules <= set(descriptors)
        assert {descriptors[rule_id]["properties"]["enabledBy"] for rule_id in key_rules} == {ENABLED_BY}
    else:
        assert not key_rules & set(descriptors)
        assert set(descriptors) == set(sarif.AUDIT_RULE_IDS) - key_rules
    assert log["runs"][0]["invocations"][0]["properties"]["settings"][KEY_CONTROL_KEY] == key_control.value
    assert all(rule["properties"]["family"] for rule in descriptors.values())
