"""``eu-residency audit --key-control``: the EU-KEY findings of a live account appear only with key control on.

Served by moto (server mode, 127.0.0.1), as the other audit tests: the compliant platform of
``seed_compliant`` in eu-west-1, plus an SSE-S3 bucket that no log delivery needs (EU-KEY-001), a log group
with a retention period but no KMS key (EU-KEY-010) and one with neither (EU-KEY-010 and EU-RET-001).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from eu_residency.audit.audit_report import AuditReport
from eu_residency.core.rule_model import Family
from eu_residency.core.settings import KEY_CONTROL_KEY, KeyControl
from eu_residency.formats import sarif
from eu_residency.rules.registry import RULES_BY_ID
from tests.eu_residency.audit.conftest import EU, Moto, run_audit_command, seed_compliant, tls_only_statement

SSE_S3_BUCKET = "chat-exports-sse-s3"
KEYLESS_GROUP = "/chat/keyless"
FOREVER_GROUP = "/chat/forever"
Findings = set[tuple[str, str]]


@pytest.fixture(scope="module")
def account(moto: Moto) -> dict[str, str]:
    moto.reset()
    arns = seed_compliant(moto)
    s3 = moto.client("s3", EU)
    s3.create_bucket(Bucket=SSE_S3_BUCKET, CreateBucketConfiguration={"LocationConstraint": EU})
    s3.put_bucket_encryption(
        Bucket=SSE_S3_BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    policy = {"Version": "2012-10-17", "Statement": [tls_only_statement(SSE_S3_BUCKET)]}
    s3.put_bucket_policy(Bucket=SSE_S3_BUCKET, Policy=json.dumps(policy))
    logs = moto.client("logs", EU)
    logs.create_log_group(logGroupName=KEYLESS_GROUP)
    logs.put_retention_policy(logGroupName=KEYLESS_GROUP, retentionInDays=30)
    logs.create_log_group(logGroupName=FOREVER_GROUP)
    return arns


def _audit(key_control: KeyControl) -> tuple[int, AuditReport, dict[str, Any]]:
    run = run_audit_command(["--regions", EU, "--format", "json", "--key-control", key_control.value])
    report = AuditReport.from_dict(run.json())
    return run.code, report, json.loads(sarif.render_audit(report))


@pytest.fixture(scope="module")
def audits(account: dict[str, str]) -> dict[KeyControl, tuple[int, AuditReport, dict[str, Any]]]:
    """The account audited once with each setting."""
    return {setting: _audit(setting) for setting in KeyControl}


def _findings(report: AuditReport) -> Findings:
    return {(finding.rule_id, finding.resource.rsplit(":", 1)[-1]) for finding in report.findings}


def test_without_key_control_no_eu_key_finding_appears(audits: dict[KeyControl, Any]) -> None:
    code, report, _ = audits[KeyControl.ANY]
    assert code == 1
    assert report.key_control is KeyControl.ANY
    assert _findings(report) == {("EU-RET-001", FOREVER_GROUP)}


def test_with_key_control_the_eu_key_findings_appear(audits: dict[KeyControl, Any]) -> None:
    _, report, _ = audits[KeyControl.CUSTOMER_MANAGED]
    assert report.key_control is KeyControl.CUSTOMER_MANAGED
    assert _findings(report) == {
        ("EU-KEY-001", SSE_S3_BUCKET),
        ("EU-KEY-010", KEYLESS_GROUP),
        ("EU-KEY-010", FOREVER_GROUP),
        ("EU-RET-001", FOREVER_GROUP),
    }


def test_the_setting_only_removes_the_eu_key_findings(audits: dict[KeyControl, Any]) -> None:
    without = audits[KeyControl.ANY][1]
    with_key_control = audits[KeyControl.CUSTOMER_MANAGED][1]
    kept = {
        finding
        for finding in with_key_control.findings
        if RULES_BY_ID[finding.rule_id].family is not Family.KEY_CONTROL
    }
    assert set(without.findings) == kept
    assert without.inventory == with_key_control.inventory  # what is stored is read alike either way


def test_the_sarif_log_describes_eu_key_rules_only_when_they_could_report(audits: dict[KeyControl, Any]) -> None:
    for setting, (_, _, log) in audits.items():
        run = log["runs"][0]
        families = {rule["properties"]["family"] for rule in run["tool"]["driver"]["rules"]}
        assert ("EU-KEY" in families) is (setting is KeyControl.CUSTOMER_MANAGED)
        assert run["invocations"][0]["properties"]["settings"][KEY_CONTROL_KEY] == setting.value


def test_the_json_output_keeps_the_setting_and_an_older_file_reads_as_any(audits: dict[KeyControl, Any]) -> None:
    _, report, _ = audits[KeyControl.CUSTOMER_MANAGED]
    document = report.as_dict()
    assert document["key_control"] == "customer-managed"
    assert AuditReport.from_dict(document) == report
    del document["key_control"]
    assert AuditReport.from_dict(document).key_control is KeyControl.ANY


def test_a_bad_key_control_value_is_a_usage_error(moto: Moto) -> None:
    run = run_audit_command(["--regions", EU, "--key-control", "hsm"])
    assert run.code == 2
    assert "--key-control" in run.stderr and "customer-managed" in run.stderr
