"""Run one rule over a fixture template, the way the command and the pack run all of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eu_residency.core.rule_model import Finding, Rule
from eu_residency.core.settings import RuleSettings
from eu_residency.rules.engine import TemplateInput, check_templates
from eu_residency.template_loader import load_template
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "templates"
FIXTURE_METADATA = "EuResidencyFixture"
DEFAULT_REGION = "eu-west-1"
TEMPLATE_LEVEL = "(template)"


def fixtures(kind: str, rule: Rule) -> list[Path]:
    """``good/RULE.yaml``, ``bad/RULE.yaml`` and variants ``bad/RULE.variant.yaml``."""
    folder = FIXTURES / kind
    return sorted([*folder.glob(f"{rule.id}.yaml"), *folder.glob(f"{rule.id}.*.yaml")])


def fixture_metadata(template: dict[str, Any]) -> dict[str, Any]:
    metadata = template.get("Metadata", {}).get(FIXTURE_METADATA, {})
    assert isinstance(metadata, dict)
    return metadata


def run_rule(rule: Rule, path: Path) -> tuple[dict[str, Any], list[Finding]]:
    """The template and the findings of ``rule`` on it; the fixture's metadata may set the region
    (``region: null`` for an environment-agnostic stack) and the settings.
    """
    template = load_template(path)
    metadata = fixture_metadata(template)
    region = metadata.get("region", DEFAULT_REGION)
    settings = RuleSettings.build(**metadata.get("settings", {}))
    item = TemplateInput(name=path.name, template=template, region=region, account="123456789012")
    return template, check_templates([item], settings, rules=[rule])[path.name]


def expected_failures(template: dict[str, Any]) -> set[str]:
    failing = {logical_id for logical_id in template["Resources"] if logical_id.startswith("Fail")}
    if fixture_metadata(template).get("expect_template_finding"):
        failing.add(TEMPLATE_LEVEL)
    return failing


def failing_ids(findings: list[Finding]) -> set[str]:
    return {finding.logical_id or TEMPLATE_LEVEL for finding in findings}
