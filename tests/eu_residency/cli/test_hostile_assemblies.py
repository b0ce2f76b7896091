"""Hostile cloud assemblies and output places: one line each and exit 2, never a traceback or exit 1; the
other inputs still checked, and the failing input named with its error, by `check` and by `report`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eu_residency.cli.main import main

TOPIC = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": "alias/aws/sns"}}}}


def _assembly(root: Path, artifacts: object, *, report: str | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "manifest.json").write_text(json.dumps({"version": "36.0.0", "artifacts": artifacts}), encoding="utf-8")
    (root / "Stack.template.json").write_text(json.dumps(TOPIC), encoding="utf-8")
    if report is not None:
        (root / "validation-report.json").write_text(report, encoding="utf-8")
    return root


STACK = {
    "Stack": {
        "type": "aws:cloudformation:stack",
        "environment": "aws://111111111111/eu-west-1",
        "properties": {"templateFile": "Stack.template.json"},
    }
}


def _run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("command", ["check", "report"])
@pytest.mark.parametrize(
    ("artifacts", "expected"),
    [
        ({"Self": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "."}}}, "no CloudFormation template"),
        ([1, 2], "not a readable cloud assembly manifest"),
        (
            {"S": {"type": "aws:cloudformation:stack", "environment": "aws://1/eu-west-1", "properties": {}}},
            "the stack S names no template file (templateFile)",
        ),
    ],
)
def test_a_broken_manifest_is_one_line_and_exit_two(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, artifacts: object, expected: str
) -> None:
    cdk_out = _assembly(tmp_path / "cdk.out", artifacts)
    if isinstance(artifacts, list):
        (cdk_out / "manifest.json").write_text("[1, 2]", encoding="utf-8")
    extra = ["--out", str(tmp_path / "pack")] if command == "report" else []
    code, _, err = _run(capsys, command, cdk_out, *extra)
    assert code == 2
    assert expected in err
    assert "Traceback" not in err


def test_a_nested_assembly_that_contains_itself_is_read_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    artifacts = {**STACK, "Loop": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "."}}}
    code, out, _ = _run(capsys, "check", _assembly(tmp_path / "cdk.out", artifacts))
    assert code == 0
    assert "1 template(s) checked" in out


@pytest.mark.parametrize("report", ["{not json", "[]", '"text"'])
def test_a_corrupt_validation_report_is_an_error_and_the_templates_are_still_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], report: str
) -> None:
    cdk_out = _assembly(tmp_path / "cdk.out", STACK, report=report)
    code, out, err = _run(capsys, "check", cdk_out)
    assert code == 2
    assert f"{cdk_out / 'validation-report.json'}: not a readable validation report (" in err
    assert "1 template(s) checked, 1 compliant" in out
    code, _, err = _run(capsys, "report", cdk_out, "--out", tmp_path / "pack")
    assert code == 2
    assert f"{cdk_out / 'validation-report.json'}: not a readable validation report (" in err


def test_report_names_each_input_it_could_not_check_and_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cdk_out = _assembly(tmp_path / "cdk.out", STACK)
    (cdk_out / "Stack.template.json").write_text('{"Resources": {"A": {"Type": "T::T::T"}, "A": {}}}', encoding="utf-8")
    code, _, err = _run(capsys, "report", cdk_out, "--out", tmp_path / "pack")
    assert code == 2
    assert f"eu-residency: {cdk_out / 'Stack.template.json'}: line 1: the key 'A' is written twice" in err


@pytest.mark.parametrize("place", ["a file", "below a file"])
def test_report_out_where_no_folder_can_be_is_one_line_and_exit_two(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], place: str
) -> None:
    cdk_out = _assembly(tmp_path / "cdk.out", STACK)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file", encoding="utf-8")
    out_dir = blocker if place == "a file" else blocker / "pack"
    code, _, err = _run(capsys, "report", cdk_out, "--out", out_dir)
    assert code == 2
    [line] = err.strip().splitlines()
    assert line.startswith(f"eu-residency: {out_dir}: cannot write the review pack there (")


def test_stdout_on_a_full_device_is_one_line_and_exit_two(tmp_path: Path) -> None:
    template = tmp_path / "t.json"
    template.write_text(json.dumps(TOPIC), encoding="utf-8")
    with Path("/dev/full").open("w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "eu_residency.cli.main", "check", str(template)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line == "eu-residency: cannot write the output (No space left on device)"


def test_integer_keys_and_ids_are_checked_as_text_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "t.yaml"
    template.write_text(
        "Resources:\n  1:\n    Type: AWS::S3::Bucket\n    Properties: {2: x, Tags: [{Key: 3, Value: 4}]}\n"
        "  2:\n    Type: AWS::SNS::Topic\n    Properties: {DisplayName: " + "9" * 5_000 + "}\n",
        encoding="utf-8",
    )
    code, out, err = _run(capsys, "check", template)
    assert code == 1, err  # findings (an unencrypted topic), not a crash
    assert "Traceback" not in out + err
    assert "Resources.2" in out
