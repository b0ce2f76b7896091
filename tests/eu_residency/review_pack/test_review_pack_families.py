"""The review pack shows the rule set that ran, per family, and whether key control was on for the run; every
list of rules in it names each rule's family. A small cloud assembly built by hand: one stack in eu-west-1 with
a bucket encrypted with SSE-S3 (EU-KEY-001 with key control on) and a queue without encryption (EU-ENC-021).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eu_residency.audit.audit_report import AuditReport
from eu_residency.core.settings import KEY_CONTROL_KEY, KeyControl, RuleSettings
from eu_residency.review_pack.audit_sections import html_section, markdown_section
from eu_residency.review_pack.files import write_review_pack
from eu_residency.review_pack.rows import family_label, rule_set_rows
from eu_residency.rules.engine import active_rules
from eu_residency.rules.registry import RULES

STACK = "Families-Eu"
KEY_OFF = f"Key control: off ({KEY_CONTROL_KEY}: any): the EU-KEY rules did not run"
KEY_ON = f"Key control: on ({KEY_CONTROL_KEY}: customer-managed): the EU-KEY rules ran"


def build_assembly(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    manifest = {
        "version": "48.0.0",
        "artifacts": {
            STACK: {
                "type": "aws:cloudformation:stack",
                "environment": "aws://123456789012/eu-west-1",
                "properties": {"templateFile": f"{STACK}.template.json"},
                "displayName": STACK,
            }
        },
    }
    bucket = {
        "BucketEncryption": {
            "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
        "VersioningConfiguration": {"Status": "Enabled"},
    }
    template = {
        "Resources": {
            "Exports": {
                "Type": "AWS::S3::Bucket",
                "Properties": bucket,
                "Metadata": {"aws:cdk:path": f"{STACK}/Exports"},
            },
            "Jobs": {
                "Type": "AWS::SQS::Queue",
                "Properties": {"SqsManagedSseEnabled": False},
                "Metadata": {"aws:cdk:path": f"{STACK}/Jobs/Resource"},
            },
        }
    }
    (root / f"{STACK}.template.json").write_text(json.dumps(template), encoding="utf-8")
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


Pack = dict[str, Any]


def _pack(tmp_path: Path, key_control: KeyControl) -> Pack:
    assembly = build_assembly(tmp_path / "cdk.out")
    settings = RuleSettings(key_control=key_control)
    pack = write_review_pack(assembly, tmp_path / key_control.value, region="eu-west-1", settings=settings)
    return {path.name: path.read_text(encoding="utf-8") for path in pack.files}


@pytest.fixture(params=list(KeyControl), ids=lambda setting: setting.value)
def pack(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[KeyControl, Pack]:
    setting: KeyControl = request.param
    return setting, _pack(tmp_path, setting)


def test_report_json_records_the_settings_and_the_rule_set(pack: tuple[KeyControl, Pack]) -> None:
    key_control, files = pack
    document = json.loads(files["report.json"])
    settings = document["settings"]
    assert settings["key_control"] == key_control.value
    rule_set = {row["family"]: row for row in settings["rule_set"]}
    assert list(rule_set) == ["EU-RES", "EU-ENC", "EU-KEY", "EU-RET"]
    ran = active_rules(RuleSettings(key_control=key_control))
    assert sum(row["rules_run"] for row in rule_set.values()) == len(ran)
    assert sum(row["rules"] for row in rule_set.values()) == len(RULES)
    key_row = rule_set["EU-KEY"]
    assert key_row["title"] == "Key control: customer-managed KMS keys that rotate"
    if key_control is KeyControl.CUSTOMER_MANAGED:
        assert key_row["rules_run"] == key_row["rules"] > 0 and key_row["status"] == "ran"
    else:
        assert key_row["rules_run"] == 0
        assert key_row["status"] == f"did not run; needs {KEY_CONTROL_KEY}: customer-managed"
    found = {finding["rule_id"] for template in document["templates"] for finding in template["findings"]}
    assert "EU-ENC-021" in found
    assert ("EU-KEY-001" in found) is (key_control is KeyControl.CUSTOMER_MANAGED)


def test_markdown_shows_key_control_the_rule_set_and_each_rules_family(pack: tuple[KeyControl, Pack]) -> None:
    key_control, files = pack
    markdown = files["report.md"]
    assert (KEY_ON if key_control is KeyControl.CUSTOMER_MANAGED else KEY_OFF) in markdown
    assert "### Rules run, per family" in markdown
    assert "| Family | Title | Rules run | Status |" in markdown
    for family, title, ran, total, _ in rule_set_rows(RuleSettings(key_control=key_control)):
        assert f"| {family} | {title} | {ran} of {total} |" in markdown
    assert "| Rule | Family | Title | Fatal | Error | Acknowledged |" in markdown
    assert "| EU-ENC-021 | EU-ENC (Encryption) |" in markdown
    assert ("| EU-KEY-001 | EU-KEY (Key control) |" in markdown) is (key_control is KeyControl.CUSTOMER_MANAGED)
    assert "| EU-ENC-021: SQS queues encrypt messages at rest; family EU-ENC (Encryption) |" in markdown  # a finding


def test_the_page_shows_key_control_the_rule_set_and_each_rules_family(pack: tuple[KeyControl, Pack]) -> None:
    key_control, files = pack
    html = files["report.html"]
    assert f"key control <code>{key_control.value}</code>" in html
    assert "<p class='small' id=\"key-control\">" in html
    assert (KEY_ON if key_control is KeyControl.CUSTOMER_MANAGED else KEY_OFF) in html
    assert '<table id="rule-set">' in html
    for family, _, ran, _, _ in rule_set_rows(RuleSettings(key_control=key_control)):
        assert f'<tr data-family="{family}" data-ran="{ran}">' in html
    assert html.count("<span class='small muted'>EU-ENC (Encryption)</span>") >= 2  # by rule, and the finding


def test_the_sarif_log_records_the_settings(pack: tuple[KeyControl, Pack]) -> None:
    key_control, files = pack
    log = json.loads(files["report.sarif"])
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["properties"]["settings"][KEY_CONTROL_KEY] == key_control.value
    families = {rule["id"]: rule["properties"]["family"] for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert families["EU-KEY-001"] == "EU-KEY"


@pytest.mark.parametrize("key_control", list(KeyControl), ids=lambda setting: setting.value)
def test_the_audit_section_says_whether_key_control_was_on(key_control: KeyControl) -> None:
    report = AuditReport(
        account="123456789012",
        regions=("eu-west-1",),
        allowed_regions=frozenset({"eu-west-1"}),
        key_control=key_control,
    )
    expected = KEY_ON if key_control is KeyControl.CUSTOMER_MANAGED else KEY_OFF
    lines = markdown_section(report).splitlines()
    allowed = next(index for index, line in enumerate(lines) if line.startswith("- Allowed regions"))
    assert lines[allowed + 1].startswith(f"- {expected}")
    assert expected in html_section(report)


def test_family_label_is_empty_for_another_plugins_rule() -> None:
    assert family_label("EU-RET-001") == "EU-RET (Retention)"
    assert family_label("AwsSolutions-S1") == ""
