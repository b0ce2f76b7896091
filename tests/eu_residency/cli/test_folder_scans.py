"""A folder scan reads every file with a template's suffix, in any case: one that fails to load is a line and
exit 2 (the others still checked); one that is plainly something else is skipped and counted; hidden folders
are left out only below the folder given."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eu_residency.cli.main import main

GOOD = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties: {KmsMasterKeyId: alias/aws/sns}\n"


def _check(capsys: pytest.CaptureFixture[str], *paths: Path | str) -> tuple[int, str, str]:
    code = main(["check", *(str(path) for path in paths)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_every_broken_template_is_a_line_and_exit_two_and_the_rest_is_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "UPPER.YAML").write_text("Resources: [broken\n", encoding="utf-8")
    (tmp_path / "wide.Template").write_text(GOOD, encoding="utf-16")
    (tmp_path / "dupe.json").write_text('{"Resources": {"A": {"Type": "T::T::T"}, "A": {"Type": "T::T::T"}}}')
    code, out, err = _check(capsys, tmp_path)
    assert code == 2
    errors = [line for line in err.splitlines() if "summary" not in line and not line.startswith("eu-residency: 1 ")]
    assert any("UPPER.YAML: invalid YAML" in line for line in errors)
    assert any("wide.Template: is UTF-16" in line for line in errors)
    assert any("dupe.json: line 1: the key 'A' is written twice" in line for line in errors)
    assert "good.yaml [" in out  # still checked
    assert "1 template(s) checked" in out and "3 input(s) could not be checked" in out


def test_files_that_are_plainly_not_templates_are_skipped_and_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "package.json").write_text('{"name": "app", "version": "1.0.0"}', encoding="utf-8")
    (tmp_path / "workflow.yml").write_text("on: push\njobs: {}\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not even a candidate", encoding="utf-8")
    code, out, _ = _check(capsys, tmp_path)
    assert code == 0
    assert "1 template(s) checked, 1 compliant" in out
    assert "2 file(s) skipped (not templates)" in out


def test_a_folder_of_only_other_files_has_no_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "package.json").write_text('{"name": "app"}', encoding="utf-8")
    code, _, err = _check(capsys, tmp_path)
    assert code == 2
    assert (
        f"{tmp_path}: no CloudFormation template in it (1 file(s) with a template's suffix are something else)" in err
    )


def test_a_folder_of_only_broken_templates_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.yaml").write_text("Resources:\n  A: {Type: T::T::T}\n  A: {Type: T::T::T}\n", encoding="utf-8")
    (tmp_path / "b.json").write_text("{", encoding="utf-8")
    code, out, err = _check(capsys, tmp_path)
    assert code == 2
    assert "2 input(s) could not be checked" in out
    assert len(err.splitlines()) == 2


def test_hidden_folders_are_left_out_only_below_the_folder_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = tmp_path / ".jenkins" / "workspace"
    (workspace / ".git").mkdir(parents=True)
    (workspace / "app").mkdir()
    (workspace / "app" / "stack.yaml").write_text(GOOD, encoding="utf-8")
    (workspace / ".git" / "hidden.yaml").write_text("Resources: [broken\n", encoding="utf-8")
    code, out, err = _check(capsys, workspace)
    assert code == 0, err
    assert "stack.yaml" in out and "hidden.yaml" not in out + err
    climbing = workspace / "app" / ".." / "app"
    code, out, _ = _check(capsys, climbing)
    assert code == 0 and "stack.yaml" in out


def test_a_fifo_or_a_device_named_like_a_template_is_a_line_not_a_hang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.yaml")
    code, _, err = _check(capsys, tmp_path, "/dev/zero")
    assert code == 2
    assert "pipe.yaml: is a named pipe (FIFO), not a file" in err
    assert "/dev/zero: is a character device, not a file" in err
