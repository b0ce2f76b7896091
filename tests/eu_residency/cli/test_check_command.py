"""`eu-residency check`, `rules` and `explain`: pass, fail, every kind of bad input, and the formats."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from eu_residency.cli.main import main
from eu_residency.rules.registry import RULES
from eu_residency.template_loader import json_resource_lines
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "templates"
BAD_RDS = FIXTURES / "bad" / "EU-ENC-001.yaml"
GOOD_CLOUDFRONT_FREE = FIXTURES / "good" / "EU-RES-030.yaml"
ENCRYPTED_DATABASE = """
Resources:
  Parameters:
    Type: AWS::RDS::DBParameterGroup
    Properties:
      Family: postgres17
      Description: tls
      Parameters: {rds.force_ssl: "1"}
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      EngineVersion: "17.9"
      DBInstanceClass: db.t4g.medium
      StorageEncrypted: true
      DBParameterGroupName: !Ref Parameters
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_compliant_template_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", write(tmp_path, "db.yaml", ENCRYPTED_DATABASE))
    assert code == 0, out
    assert ": compliant, 2 resource(s)" in out
    assert out.rstrip().endswith("1 template(s) checked, 1 compliant, 0 finding(s) (0 fatal, 0 error), 0 acknowledged")


def test_noncompliant_template_exits_one_and_names_rule_resource_line_and_fix(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "check", BAD_RDS)
    assert code == 1
    line = next(
        number for number, text in enumerate(BAD_RDS.read_text().splitlines(), 1) if "FailUnencryptedByDefault:" in text
    )
    assert f"ERROR EU-ENC-001 {BAD_RDS}:{line} Resources.FailUnencryptedByDefault.Properties.StorageEncrypted" in out
    assert "fix: Set StorageEncrypted: true" in out


def test_many_templates_are_grouped_with_one_summary(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "check", BAD_RDS, write(tmp_path, "db.yaml", ENCRYPTED_DATABASE))
    assert code == 1
    assert out.index(str(BAD_RDS)) < out.index("db.yaml")
    assert out.count("eu-residency: ") == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.json", '{"Resources": {', "invalid JSON at line 1"),
        ("broken.yaml", "Resources:\n  A: [unclosed\n", "invalid YAML"),
        ("list.json", "[1, 2]", "not a CloudFormation template (the document is not a mapping)"),
        ("empty.yaml", "Description: nothing\n", "not a CloudFormation template (no Resources, AWSTemplate"),
        ("typeless.yaml", "Resources:\n  A: {Properties: {}}\n", "resource 'A' has no Type"),
        ("binary.json", "", "cannot be read as UTF-8 text"),
    ],
)
def test_bad_input_gets_one_line_and_exit_two_while_others_are_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: str, message: str
) -> None:
    bad = tmp_path / name
    if name == "binary.json":
        bad.write_bytes(b"AWSTemplate\xc3\x28 garbage")
    else:
        bad.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "check", bad, BAD_RDS)
    assert code == 2
    [error_line] = [line for line in err.splitlines() if str(bad) in line]
    assert message in error_line, error_line
    assert "Traceback" not in err
    assert "EU-ENC-001" in out  # the good input was still checked and reported


def test_missing_file_and_empty_folder_are_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = run(capsys, "check", tmp_path / "missing.yaml", tmp_path / "empty")
    assert code == 2
    assert "missing.yaml: no such file or directory" in err
    assert "empty: no CloudFormation template in it" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "--region", "mars-north-1", "x.yaml"], "--region 'mars-north-1': not an AWS region"),
        (
            ["check", "--allowed-regions", "eu-west-1,eu-west-2", "x.yaml"],
            "eu-west-2 (London, United Kingdom, outside the EU)",
        ),
        (["explain", "EU-XXX-999"], "no such rule"),
    ],
)
def test_bad_options_get_one_line_and_exit_two(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_usage_errors_exit_two(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check")
    assert code == 2 and "usage:" in err


def test_region_outside_the_eu_makes_every_template_fail_fatally(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--region", "us-east-1", "--format", "json", GOOD_CLOUDFRONT_FREE)
    assert code == 1
    [template] = json.loads(out)["templates"]
    assert [(f["rule_id"], f["severity"]) for f in template["findings"]] == [("EU-RES-001", "fatal")]


def test_allowed_regions_narrow_the_eu(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    frankfurt = write(tmp_path, "db.yaml", ENCRYPTED_DATABASE)
    assert run(capsys, "check", "--region", "eu-central-1", frankfurt)[0] == 0
    assert run(capsys, "check", "--region", "eu-central-1", "--allowed-regions", "eu-west-1", frankfurt)[0] == 1


def test_json_format_carries_path_region_verdict_and_findings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "--format", "json", BAD_RDS)
    document: dict[str, Any] = json.loads(out)
    assert code == document["exit_code"] == 1
    [template] = document["templates"]
    assert (template["path"], template["region"], template["verdict"]) == (str(BAD_RDS), "eu-west-1", "non-compliant")
    finding = template["findings"][0]
    assert set(finding) >= {
        "rule_id", "severity", "logical_id", "resource_type", "property_path", "message", "fix", "line", "acknowledged"
    }  # fmt: skip
    assert "template(s) checked" in err


def test_markdown_format_is_a_table_per_template(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "check", "--format", "markdown", BAD_RDS)
    assert out.startswith("# eu-residency check")
    assert "| Severity | Rule | Resource | Property | Why | Fix |" in out
    assert "| FailUnencryptedByDefault |" in out


def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.json"
    code, out, _ = run(capsys, "check", "--format", "json", "--output", target, BAD_RDS)
    assert code == 1 and out == ""
    assert json.loads(target.read_text())["templates"][0]["verdict"] == "non-compliant"


def test_unwritable_output_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "--output", tmp_path / "no" / "such" / "dir.txt", BAD_RDS)
    assert code == 2 and "--output" in err


ACKNOWLEDGED = """
Metadata:
  eu-residency:
    acknowledgements: []
Resources:
  OwnForm:
    Type: AWS::SNS::Topic
    Metadata:
      eu-residency:
        acknowledgements:
          - {id: EU-ENC-022, reason: Alarms only; no user data is ever published here.}
  CdkNagForm:
    Type: AWS::SNS::Topic
    Metadata:
      cdk_nag:
        rules_to_suppress:
          - {id: "EU-Residency::EU-ENC-022", reason: Reviewed by security on 2026-11-20.}
  NoReason:
    Type: AWS::SNS::Topic
    Metadata:
      eu-residency:
        acknowledgements:
          - {id: EU-ENC-022, reason: ""}
  Accelerated:
    Type: AWS::S3::Bucket
    Properties:
      AccelerateConfiguration: {AccelerationStatus: Enabled}
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: aws:kms, KMSMasterKeyID: alias/chat}
            BucketKeyEnabled: true
    Metadata:
      eu-residency:
        acknowledgements:
          - {id: EU-RES-033, reason: Trying to acknowledge a fatal finding.}
"""


def test_acknowledgements_in_the_template_are_honoured_with_reasons_but_never_for_fatal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "check", "--format", "json", write(tmp_path, "acks.yaml", ACKNOWLEDGED))
    findings = json.loads(out)["templates"][0]["findings"]
    by_resource = {(f["logical_id"], f["rule_id"]): f for f in findings}
    assert by_resource[("OwnForm", "EU-ENC-022")]["acknowledgement"] == {
        "reason": "Alarms only; no user data is ever published here.",
        "source": "eu-residency metadata",
    }
    assert by_resource[("CdkNagForm", "EU-ENC-022")]["acknowledgement"]["source"] == "cdk-nag metadata"
    assert by_resource[("NoReason", "EU-ENC-022")]["acknowledged"] is False
    assert by_resource[("Accelerated", "EU-RES-033")]["acknowledged"] is False
    assert code == 1


def test_a_cdk_out_folder_is_checked_with_each_stack_in_its_own_region(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assembly = tmp_path / "cdk.out"
    assembly.mkdir()
    shutil.copy(BAD_RDS, assembly / "Ireland.template.json")
    (assembly / "Ireland.template.json").write_text(json.dumps({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}))
    (assembly / "London.template.json").write_text(json.dumps({"Resources": {"T": {"Type": "AWS::SQS::Queue"}}}))
    (assembly / "tree.json").write_text('{"version": "tree-0.1"}')
    manifest = {
        "version": "43.0.0",
        "artifacts": {
            name: {
                "type": "aws:cloudformation:stack",
                "environment": f"aws://123456789012/{region}",
                "properties": {"templateFile": f"{name}.template.json"},
            }
            for name, region in (("Ireland", "eu-west-1"), ("London", "eu-west-2"))
        },
    }
    (assembly / "manifest.json").write_text(json.dumps(manifest))
    code, out, _ = run(capsys, "check", "--format", "json", assembly)
    regions = {Path(t["path"]).name: (t["region"], t["verdict"]) for t in json.loads(out)["templates"]}
    assert regions == {
        "Ireland.template.json": ("eu-west-1", "non-compliant"),  # an unencrypted topic
        "London.template.json": ("eu-west-2", "non-compliant"),
    }
    assert code == 1


def test_a_folder_of_templates_skips_files_that_are_not_templates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "db.yaml", ENCRYPTED_DATABASE)
    write(tmp_path, "package.json", '{"name": "not-a-template"}')
    code, out, _ = run(capsys, "check", tmp_path)
    assert code == 0, out
    assert "1 template(s) checked" in out


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0
    for rule in RULES:
        assert rule.id in out


def test_explain_prints_one_rule_in_full(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "eu-res-033")
    assert code == 0
    assert out.startswith("EU-RES-033: S3 buckets keep Transfer Acceleration off")
    assert "Why: " in out and "Fix: " in out and "Acknowledge: " in out


def test_console_script_is_installed_and_starts_without_aws_cdk() -> None:
    script = Path(sys.executable).parent / "eu-residency"
    result = subprocess.run([str(script), "check", str(BAD_RDS)], capture_output=True, text=True, check=False)
    assert result.returncode == 1 and "EU-ENC-001" in result.stdout
    probe = (
        "import sys; from eu_residency.cli.main import main; main(['check', sys.argv[1]]); "
        "sys.stderr.write(str(sorted(m for m in sys.modules if m.split('.')[0] in ('aws_cdk', 'jsii'))))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe, str(BAD_RDS)], capture_output=True, text=True, check=False)
    assert loaded.stderr.strip().endswith("[]")


def test_pre_commit_hook_runs_the_check_command() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert [hook["id"] for hook in hooks] == ["eu-residency", "eu-residency-sarif"]
    for hook in hooks:
        assert hook["entry"].startswith("eu-residency check")
        assert hook["language"] == "python"


def test_a_template_named_twice_is_checked_once(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--format", "json", BAD_RDS, f"{BAD_RDS.parent}/./{BAD_RDS.name}")
    assert code == 1
    assert len(json.loads(out)["templates"]) == 1


def test_an_unreadable_cloud_assembly_is_named_in_its_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "manifest.json").write_text("{not json")
    code, _, err = run(capsys, "check", tmp_path)
    assert code == 2
    assert f"{tmp_path}/manifest.json: not a readable cloud assembly manifest" in err


def test_resource_lines_of_json_ignore_braces_inside_strings() -> None:
    text = "\n".join(
        [
            "{",
            '  "Resources": {',
            '    "A": {"Type": "T", "Properties": {"Name": "x{[\\\\\\"q"}},',
            '    "B": {',
            '      "Type": "T"}',
            "  }",
            "}",
        ]
    )
    assert json.loads(text)["Resources"]["A"]["Properties"]["Name"] == 'x{[\\"q'
    assert json_resource_lines(text) == {"A": 3, "B": 4}


def test_cdk_acknowledgements_of_a_cloud_assembly_are_honoured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assembly = tmp_path / "cdk.out"
    assembly.mkdir()
    topic = {"Type": "AWS::SNS::Topic", "Metadata": {"aws:cdk:path": "App/Alarms/Resource"}}
    (assembly / "App.template.json").write_text(json.dumps({"Resources": {"Alarms": topic}}))
    manifest = {
        "version": "43.0.0",
        "artifacts": {
            "App": {
                "type": "aws:cloudformation:stack",
                "environment": "aws://123456789012/eu-west-1",
                "properties": {"templateFile": "App.template.json"},
            }
        },
    }
    (assembly / "manifest.json").write_text(json.dumps(manifest))
    suppressed = {
        "ruleName": "EU-ENC-022",
        "reason": "Alarm names only.",
        "violatingConstructs": [{"constructPath": "App/Alarms/Resource"}],
    }
    report = {"pluginReports": [{"pluginName": "EU-Residency", "violations": [], "suppressedViolations": [suppressed]}]}
    (assembly / "validation-report.json").write_text(json.dumps(report))
    code, out, _ = run(capsys, "check", "--format", "json", assembly)
    [finding] = json.loads(out)["templates"][0]["findings"]
    assert finding["acknowledgement"] == {"reason": "Alarm names only.", "source": "CDK acknowledgement"}
    assert code == 0


REPLICATING_BUCKET = """
Resources:
  Source:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration: {Status: Enabled}
      ReplicationConfiguration:
        Role: arn:aws:iam::123456789012:role/replication
        Rules:
          - Status: Enabled
            Destination: {Bucket: "arn:aws:s3:::partner-archive"}
"""


def test_a_replication_destination_can_be_vouched_for_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = write(tmp_path, "replicating.yaml", REPLICATING_BUCKET)

    def replication_findings(*options: str) -> list[str]:
        _, out, _ = run(capsys, "check", "--format", "json", *options, template)
        return [f["severity"] for f in json.loads(out)["templates"][0]["findings"] if f["rule_id"] == "EU-RES-010"]

    assert replication_findings() == ["error"]
    assert replication_findings("--replication-destination", "partner-archive=eu-central-1") == []
    narrowed = ("--allowed-regions", "eu-west-1", "--replication-destination", "partner-archive=eu-central-1")
    assert replication_findings(*narrowed) == ["fatal"]


def test_allowlists_can_be_given_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    endpoints = FIXTURES / "good" / "EU-RES-051.yaml"  # vetted in its fixture metadata, not for the command
    assert run(capsys, "check", "--format", "json", endpoints)[0] == 1
    assert run(capsys, "check", "--eu-endpoint", "https://crm.example.eu/", endpoints)[0] == 0
    code, _, err = run(capsys, "check", "--replication-destination", "no-region-given", BAD_RDS)
    assert code == 2 and "expected BUCKET=REGION" in err
    code, _, err = run(capsys, "check", "--replication-destination", "b=us-east-1", BAD_RDS)
    assert code == 2 and "us-east-1" in err
