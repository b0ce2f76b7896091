"""The review pack's verdict counts every source it lists: the rules over the templates, every plugin of CDK's
validation report, and the live audit; `eu-residency report` exits by it, and SARIF carries CDK's findings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eu_residency.audit.audit_report import AuditFinding, AuditReport, Coverage
from eu_residency.cli.main import main
from eu_residency.core.rule_model import Severity
from eu_residency.formats import json_format
from eu_residency.review_pack.verdict import COMPLIANT, INPUT_ERROR, NON_COMPLIANT

STACK = "Verdict-Eu"
# A stack the rules find nothing in: an SNS topic encrypted with its AWS-managed key.
TEMPLATE = {
    "Resources": {
        "Alerts": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"KmsMasterKeyId": "alias/aws/sns"},
            "Metadata": {"aws:cdk:path": f"{STACK}/Alerts/Resource"},
        }
    }
}
OPEN_NAG = {
    "ruleName": "AwsSolutions-SNS3",
    "description": "The SNS Topic does not require publishers to use SSL.",
    "severity": "error",
    "violatingConstructs": [{"constructPath": f"{STACK}/Alerts/Resource"}],
}
ACKNOWLEDGED_NAG = {**OPEN_NAG, "reason": "Only AWS services publish to it.", "acknowledgedAt": f"{STACK}/Alerts"}


def _assembly(root: Path, report: dict[str, Any] | str | None) -> Path:
    root.mkdir(parents=True)
    manifest = {
        "version": "48.0.0",
        "artifacts": {
            STACK: {
                "type": "aws:cloudformation:stack",
                "environment": "aws://123456789012/eu-west-1",
                "properties": {"templateFile": f"{STACK}.template.json"},
            }
        },
    }
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (root / f"{STACK}.template.json").write_text(json.dumps(TEMPLATE), encoding="utf-8")
    if report is not None:
        text = report if isinstance(report, str) else json.dumps(report)
        (root / "validation-report.json").write_text(text, encoding="utf-8")
    return root


def _nag(violations: list[dict[str, Any]], suppressed: list[dict[str, Any]]) -> dict[str, Any]:
    plugin = {"pluginName": "AwsSolutions", "violations": violations, "suppressedViolations": suppressed}
    return {"version": "55.0.0", "title": "Validation Report", "pluginReports": [plugin]}


def _report(tmp_path: Path, assembly: Path, *extra: str) -> tuple[int, dict[str, Any], dict[str, Any]]:
    out = tmp_path / "pack"
    code = main(["report", str(assembly), "--out", str(out), *extra])
    document = json.loads((out / "report.json").read_text(encoding="utf-8"))
    sarif_log = json.loads((out / "report.sarif").read_text(encoding="utf-8"))
    return code, document, sarif_log


def test_an_open_cdk_finding_makes_the_pack_non_compliant(tmp_path: Path) -> None:
    code, document, _ = _report(tmp_path, _assembly(tmp_path / "cdk.out", _nag([OPEN_NAG], [])))
    assert document["summary"].startswith("1 template(s) checked, 1 compliant")  # the rules find nothing
    assert document["verdict"]["verdict"] == NON_COMPLIANT and code == 1 == document["verdict"]["exit_code"]
    [validation] = [source for source in document["verdict"]["sources"] if source["name"] == "CDK's validation report"]
    assert validation == {
        "name": "CDK's validation report",
        "detail": "AwsSolutions 1 open, 0 acknowledged",
        "open": 1,
        "error": None,
    }
    html = (tmp_path / "pack" / "report.html").read_text(encoding="utf-8")
    assert ">NON-COMPLIANT<" in html and "AwsSolutions 1 open, 0 acknowledged" in html
    assert "**Verdict: NON-COMPLIANT.**" in (tmp_path / "pack" / "report.md").read_text(encoding="utf-8")


def test_acknowledged_cdk_findings_leave_the_pack_compliant(tmp_path: Path) -> None:
    code, document, _ = _report(tmp_path, _assembly(tmp_path / "cdk.out", _nag([], [ACKNOWLEDGED_NAG])))
    assert (document["verdict"]["verdict"], code) == (COMPLIANT, 0)
    assert "AwsSolutions 0 open, 1 acknowledged" in json.dumps(document["verdict"])


def test_the_verdict_says_when_the_assembly_has_no_validation_report(tmp_path: Path) -> None:
    code, document, sarif_log = _report(tmp_path, _assembly(tmp_path / "cdk.out", None))
    assert (document["verdict"]["verdict"], code) == (COMPLIANT, 0)
    assert "no validation plugin ran at synthesis" in json.dumps(document["verdict"])
    assert len(sarif_log["runs"]) == 1  # no CDK run without a report


def test_a_validation_report_that_cannot_be_read_is_an_input_error(tmp_path: Path) -> None:
    code, document, _ = _report(tmp_path, _assembly(tmp_path / "cdk.out", "{not json"))
    assert (document["verdict"]["verdict"], code) == (INPUT_ERROR, 2)


def _audit(findings: tuple[AuditFinding, ...], coverage: tuple[Coverage, ...]) -> AuditReport:
    return AuditReport(
        account="123456789012",
        regions=("eu-west-1",),
        allowed_regions=frozenset({"eu-west-1"}),
        findings=findings,
        coverage=coverage,
    )


AUDITED = (Coverage("eu-west-1", "s3", "audited"),)
US_BUCKET = AuditFinding(
    "EU-RES-001",
    Severity.FATAL,
    "us-east-1",
    "arn:aws:s3:::forgotten-export",
    "AWS::S3::Bucket",
    "the bucket is in us-east-1 (N. Virginia, outside the EU)",
)


@pytest.mark.parametrize(
    ("audit", "expected", "exit_code"),
    [
        (_audit((), AUDITED), COMPLIANT, 0),
        (_audit((US_BUCKET,), AUDITED), NON_COMPLIANT, 1),
        # A part of the account not examined is not shown compliant: the audit fails closed, and so does the pack.
        (_audit((), (*AUDITED, Coverage("eu-west-1", "rds", "not audited", "AccessDenied"))), NON_COMPLIANT, 1),
        (_audit((), (Coverage("eu-west-1", "s3", "not audited", "AccessDenied"),)), INPUT_ERROR, 2),
    ],
    ids=["clean", "finding", "part-not-audited", "nothing-audited"],
)
def test_the_live_audit_counts_in_the_verdict(
    tmp_path: Path, audit: AuditReport, expected: str, exit_code: int
) -> None:
    audit_file = tmp_path / "audit.json"
    audit_file.write_text(json_format.render_audit(audit), encoding="utf-8")
    assembly = _assembly(tmp_path / "cdk.out", _nag([], [ACKNOWLEDGED_NAG]))
    code, document, _ = _report(tmp_path, assembly, "--audit", str(audit_file))
    assert (document["verdict"]["verdict"], code) == (expected, exit_code)
    assert any(source["name"] == "the live audit of account 123456789012" for source in document["verdict"]["sources"])


def test_sarif_carries_cdk_findings_with_their_plugin_as_the_tool_component(tmp_path: Path) -> None:
    _, _, sarif_log = _report(tmp_path, _assembly(tmp_path / "cdk.out", _nag([OPEN_NAG], [ACKNOWLEDGED_NAG])))
    [validation] = [run for run in sarif_log["runs"] if run["tool"]["driver"]["name"] == "aws-cdk policy validation"]
    assert [extension["name"] for extension in validation["tool"]["extensions"]] == ["AwsSolutions"]
    assert validation["tool"]["extensions"][0]["rules"] == [{"id": "AwsSolutions-SNS3"}]
    open_result, acknowledged_result = validation["results"]
    for result in (open_result, acknowledged_result):
        assert result["rule"] == {"id": "AwsSolutions-SNS3", "index": 0, "toolComponent": {"index": 0}}
        assert result["locations"][0]["logicalLocations"][1] == {"name": "Alerts", "kind": "resource"}
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(f"{STACK}.template.json")
    assert "suppressions" not in open_result and open_result["level"] == "error"
    assert acknowledged_result["suppressions"][0]["justification"] == "Only AWS services publish to it."


def test_the_pack_records_its_provenance_in_every_form(tmp_path: Path) -> None:
    _, document, _ = _report(tmp_path, _assembly(tmp_path / "cdk.out", None))
    made = document["provenance"]
    assert list(made["template_sha256"]) == [f"{STACK}.template.json"]
    assert len(made["template_sha256"][f"{STACK}.template.json"]) == 64
    assert made["settings"]["key_control"] == "any" and made["generated_at"].endswith("Z")
    html = (tmp_path / "pack" / "report.html").read_text(encoding="utf-8")
    assert '<section id="provenance">' in html and 'id="made"' in html
    assert made["template_sha256"][f"{STACK}.template.json"] in html
    assert "Provenance" in (tmp_path / "pack" / "report.md").read_text(encoding="utf-8")


def test_a_baseline_shows_what_is_new_and_fixed_since_the_last_signed_pack(tmp_path: Path) -> None:
    signed = tmp_path / "signed"
    _report(signed, _assembly(signed / "cdk.out", _nag([OPEN_NAG], [])))
    baseline = signed / "pack" / "report.json"
    now = tmp_path / "now"
    code, document, _ = _report(
        now, _assembly(now / "cdk.out", _nag([], [ACKNOWLEDGED_NAG])), "--baseline", str(baseline)
    )
    assert code == 0  # the verdict is today's: the one CDK finding is acknowledged now
    summary = document["baseline"]["summary"]
    assert summary.startswith("0 new, 0 fixed, 1 changed since the baseline of 20"), summary
    assert "acknowledgements: 1 new, 0 removed" in summary
    html = (now / "pack" / "report.html").read_text(encoding="utf-8")
    assert '<section id="baseline">' in html and "newly acknowledged" in html
    assert "Since the last signed pack" in (now / "pack" / "report.md").read_text(encoding="utf-8")
