"""``eu-residency explain ID`` names the rule's family and, for a key-control rule, the setting it needs and how to
turn it on (the cdk.json context key the platform reads, and ``--key-control``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eu_residency.cli.main import main
from eu_residency.core.rule_model import Family, Rule
from eu_residency.core.settings import KEY_CONTROL_KEY, KeyControl
from eu_residency.rules.catalogue import FAMILY_TITLES
from eu_residency.rules.registry import RULES

REPO = Path(__file__).resolve().parents[3]
KEY_RULES = [rule for rule in RULES if rule.family is Family.KEY_CONTROL]


def explain(capsys: pytest.CaptureFixture[str], rule_id: str) -> str:
    assert main(["explain", rule_id]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_explain_names_the_family_with_its_title(rule: Rule, capsys: pytest.CaptureFixture[str]) -> None:
    lines = explain(capsys, rule.id).splitlines()
    assert lines[0] == f"{rule.id}: {rule.title}"
    assert f"Family: {rule.family.value} ({FAMILY_TITLES[rule.family]})" in lines


@pytest.mark.parametrize("rule", KEY_RULES, ids=lambda rule: rule.id)
def test_a_key_control_rule_says_it_runs_only_with_the_setting(rule: Rule, capsys: pytest.CaptureFixture[str]) -> None:
    out = explain(capsys, rule.id.lower())
    [runs] = [line for line in out.splitlines() if line.startswith("Runs: ")]
    assert runs.startswith(f"Runs: only with the setting {KEY_CONTROL_KEY}: customer-managed; off by default.")
    assert f'"{KEY_CONTROL_KEY}": "customer-managed"' in runs and "cdk.json" in runs
    assert "--key-control customer-managed" in runs


def test_every_other_rule_runs_always(capsys: pytest.CaptureFixture[str]) -> None:
    for rule in RULES:
        if rule.family is not Family.KEY_CONTROL:
            assert "\nRuns: always\n" in explain(capsys, rule.id)


def test_the_advice_names_the_context_key_and_option_that_exist(capsys: pytest.CaptureFixture[str]) -> None:
    """What explain tells a person to write is what the platform's cdk.json and the check command accept."""
    context = json.loads((REPO / "cdk.json").read_text(encoding="utf-8"))["context"]
    assert context[KEY_CONTROL_KEY] in {choice.value for choice in KeyControl}
    assert main(["check", "--key-control", "customer-managed", "tests/fixtures/templates/bad/EU-KEY-001.yaml"]) == 1
    assert "EU-KEY-001" in capsys.readouterr().out
