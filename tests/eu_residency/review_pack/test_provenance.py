"""The pack's provenance block: the time, the git commit and dirty state, the tool and library versions as
the assembly records them, the settings and each template's SHA-256; never an exception.

The git cases run in temporary repositories made here (git init in tmp_path), one outside any repository
and one without git at all; the versions are read from a hand-made assembly and from the platform itself.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from eu_residency.core.product import tool_version
from eu_residency.core.settings import RuleSettings
from eu_residency.review_pack.provenance import (
    NOT_IN_REPOSITORY,
    analytics_versions,
    assembly_template_paths,
    expand_prefix_list,
    git_state,
    provenance,
)

STACK = "Provenance-Stack"
FIXED_TIME = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=timezone(timedelta(hours=2)))


def fixed_clock() -> datetime:
    return FIXED_TIME


def run_git(directory: Path, *args: str) -> str:
    """git in ``directory`` with no user or system configuration, as a test fixture (not the code under test)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    command = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-C", str(directory), *args]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30, check=True)
    return result.stdout.strip()


def analytics(text: str) -> str:
    """A CDKMetadata Analytics value, as aws-cdk-lib writes it: v2:deflate64: and the gzip of ``text``."""
    return "v2:deflate64:" + base64.b64encode(gzip.compress(text.encode())).decode()


def build_assembly(
    root: Path,
    *,
    tree: dict[str, Any] | None = None,
    manifest_extra: dict[str, Any] | None = None,
    analytics_text: str | None = None,
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    resources: dict[str, Any] = {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"SqsManagedSseEnabled": True}}}
    if analytics_text is not None:
        resources["CDKMetadata"] = {
            "Type": "AWS::CDK::Metadata",
            "Properties": {"Analytics": analytics(analytics_text)},
        }
    (root / f"{STACK}.template.json").write_text(json.dumps({"Resources": resources}), encoding="utf-8")
    manifest = {
        "version": "55.0.0",
        "minimumCliVersion": "2.1148.0",
        "artifacts": {
            STACK: {
                "type": "aws:cloudformation:stack",
                "environment": "aws://123456789012/eu-west-1",
                "properties": {"templateFile": f"{STACK}.template.json"},
            }
        },
        **(manifest_extra or {}),
    }
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    if tree is not None:
        (root / "tree.json").write_text(json.dumps({"version": "tree-0.1", "tree": tree}), encoding="utf-8")
    return root


def tree_of(*infos: tuple[str, str]) -> dict[str, Any]:
    """An App whose children carry the (fqn, version) constructInfos given."""
    return {
        "id": "App",
        "path": "",
        "constructInfo": {"fqn": "aws-cdk-lib.App", "version": "2.200.0"},
        "children": {
            f"C{index}": {"id": f"C{index}", "path": f"C{index}", "constructInfo": {"fqn": fqn, "version": version}}
            for index, (fqn, version) in enumerate(infos)
        },
    }


# -- the time, the settings, the hashes -----------------------------------------------------------------------


def test_generated_at_is_utc_to_the_second_from_the_clock_given(tmp_path: Path) -> None:
    assembly = build_assembly(tmp_path / "cdk.out")
    record = provenance(assembly, RuleSettings(), assembly_template_paths(assembly), clock=fixed_clock)
    assert record.generated_at == "2026-03-04T03:06:07Z"
    assert record.as_dict()["generated_at"] == "2026-03-04T03:06:07Z"


def test_the_default_clock_is_now_in_utc(tmp_path: Path) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    record = provenance(tmp_path, RuleSettings(), [])
    after = datetime.now(UTC)
    generated = datetime.fromisoformat(record.generated_at.replace("Z", "+00:00"))
    assert before <= generated <= after


def test_each_template_file_is_hashed_by_its_name_in_the_assembly(tmp_path: Path) -> None:
    assembly = build_assembly(tmp_path / "cdk.out")
    nested = assembly / "assembly-Stage" / "Inner.template.json"
    nested.parent.mkdir()
    nested.write_bytes(b'{"Resources": {}}\n')
    template = assembly / f"{STACK}.template.json"
    record = provenance(assembly, RuleSettings(), [template, str(nested), template], clock=fixed_clock)
    assert record.template_sha256 == {
        "assembly-Stage/Inner.template.json": hashlib.sha256(b'{"Resources": {}}\n').hexdigest(),
        f"{STACK}.template.json": hashlib.sha256(template.read_bytes()).hexdigest(),
    }
    assert record.as_dict()["template_sha256"] == record.template_sha256
    assert assembly_template_paths(assembly) == [template]


def test_a_template_that_cannot_be_read_is_named_with_why(tmp_path: Path) -> None:
    assembly = build_assembly(tmp_path / "cdk.out")
    record = provenance(assembly, RuleSettings(), [assembly / "Gone.template.json", assembly], clock=fixed_clock)
    assert record.template_sha256 == {}
    assert record.unhashed == {"Gone.template.json": "no such file", ".": "is a directory, not a file"}


def test_the_settings_are_recorded_as_given(tmp_path: Path) -> None:
    settings = RuleSettings.build(
        allowed_regions=["eu-west-1", "eu-central-1"],
        replication_destinations={"archive-bucket": "eu-central-1"},
        eu_endpoints=["https://hooks.example.eu/chat", "http://hooks.example.eu:8080", "@example.eu", "+353"],
        key_control="customer-managed",
    )
    record = provenance(tmp_path, settings, [], clock=fixed_clock)
    assert record.as_dict()["settings"] == {
        "allowed_regions": ["eu-central-1", "eu-west-1"],
        "key_control": "customer-managed",
        "replication_destinations": {"archive-bucket": "eu-central-1"},
        "eu_endpoints": ["https://hooks.example.eu/chat", "http://hooks.example.eu:8080/", "@example.eu", "+353"],
    }
    rows = dict(record.rows())
    assert rows["Allowed regions"] == "eu-central-1, eu-west-1"
    assert rows["Replication destinations"] == "archive-bucket (eu-central-1)"
    assert rows["Key control"] == "customer-managed"


def test_the_tool_version_is_the_products(tmp_path: Path) -> None:
    record = provenance(tmp_path, RuleSettings(), [], clock=fixed_clock)
    assert record.as_dict()["tool"] == {"name": "eu-residency", "version": tool_version()}


# -- git --------------------------------------------------------------------------------------------------------


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A git work tree with one commit holding an assembly, in cdk.out/ under it."""
    root = tmp_path / "repo"
    root.mkdir()
    run_git(root, "init", "-q")
    build_assembly(root / "cdk.out")
    run_git(root, "add", ".")
    run_git(root, "commit", "-q", "-m", "assembly")
    return root


def test_a_clean_work_tree_gives_its_commit_and_no_changes(repository: Path) -> None:
    record = provenance(repository / "cdk.out", RuleSettings(), [], clock=fixed_clock)
    commit = run_git(repository, "rev-parse", "HEAD")
    assert record.git.commit == commit
    assert record.git.dirty is False
    assert record.git.text == f"commit {commit}, no uncommitted changes"
    assert record.as_dict()["git"] == {"commit": commit, "dirty": False, "text": record.git.text}


def test_a_changed_or_untracked_file_makes_the_tree_dirty(repository: Path) -> None:
    (repository / "cdk.out" / f"{STACK}.template.json").write_text("{}", encoding="utf-8")
    (repository / "new_stack.py").write_text("", encoding="utf-8")
    state = git_state(repository / "cdk.out")
    assert state.commit == run_git(repository, "rev-parse", "HEAD")
    assert state.dirty is True
    assert state.text.endswith(", dirty: 2 files changed or untracked")


def test_a_repository_without_a_commit_says_so(tmp_path: Path) -> None:
    run_git(tmp_path, "init", "-q")
    state = git_state(tmp_path)
    assert state.commit is None
    assert state.dirty is False
    assert state.text == "no commit yet, no uncommitted changes"


def test_a_folder_outside_any_repository_is_said_to_be(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # git looks no higher than the folder's parent: outside any repository on every machine.
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    record = provenance(build_assembly(tmp_path / "cdk.out"), RuleSettings(), [], clock=fixed_clock)
    assert record.git.as_dict() == {"commit": None, "dirty": None, "text": NOT_IN_REPOSITORY}


def test_a_repository_named_by_the_environment_is_not_the_folders(
    repository: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # outside any repository on every machine
    monkeypatch.setenv("GIT_DIR", str(repository / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(repository))
    assert git_state(outside).text == NOT_IN_REPOSITORY


def test_without_git_nothing_raises_and_the_record_says_why(tmp_path: Path) -> None:
    record = provenance(tmp_path, RuleSettings(), [], clock=fixed_clock, git=str(tmp_path / "no-such-git"))
    assert record.git.as_dict() == {"commit": None, "dirty": None, "text": "git is not installed: no commit recorded"}


def test_a_git_that_does_not_answer_is_given_up_on(tmp_path: Path) -> None:
    slow = tmp_path / "slow-git"
    slow.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(30)\n", encoding="utf-8")
    slow.chmod(slow.stat().st_mode | stat.S_IXUSR)
    state = git_state(tmp_path, git=str(slow), timeout=0.2)
    assert (state.commit, state.dirty) == (None, None)
    assert state.text == "git did not answer within 0.2 s: no commit recorded"


def test_a_missing_folder_is_in_no_repository_and_raises_nothing(tmp_path: Path) -> None:
    state = git_state(tmp_path / "missing")
    assert (state.commit, state.dirty) == (None, None)
    assert state.text == "not a folder, so in no git repository"


# -- library versions -------------------------------------------------------------------------------------------


def test_versions_recorded_in_tree_json_come_first(tmp_path: Path) -> None:
    tree = tree_of(("cdk-nag.NagPack", "3.0.1"), ("constructs.Construct", "10.8.1"))
    assembly = build_assembly(
        tmp_path / "cdk.out",
        tree=tree,
        manifest_extra={"runtime": {"libraries": {"aws-cdk-lib": "2.100.0"}}},
        analytics_text="2.50.0!aws-cdk-lib.Stack",
    )
    record = provenance(assembly, RuleSettings(), assembly_template_paths(assembly), clock=fixed_clock).as_dict()
    assert record["aws_cdk_lib"] == {"name": "aws-cdk-lib", "version": "2.200.0", "source": "recorded in tree.json"}
    assert record["cdk_nag"] == {"name": "cdk-nag", "version": "3.0.1", "source": "recorded in tree.json"}


def test_then_the_manifests_runtime_libraries(tmp_path: Path) -> None:
    assembly = build_assembly(
        tmp_path / "cdk.out",
        tree={"id": "App", "path": "", "constructInfo": {"fqn": "constructs.Construct", "version": "10.8.1"}},
        manifest_extra={"runtime": {"libraries": {"aws-cdk-lib": "2.100.0", "cdk-nag": "2.30.0"}}},
    )
    record = provenance(assembly, RuleSettings(), assembly_template_paths(assembly), clock=fixed_clock)
    assert (record.aws_cdk_lib.version, record.aws_cdk_lib.source) == ("2.100.0", "recorded in manifest.json")
    assert (record.cdk_nag.version, record.cdk_nag.source) == ("2.30.0", "recorded in manifest.json")


def test_then_the_templates_cdk_metadata(tmp_path: Path) -> None:
    # Two versions sharing the prefix "2.", grouped as aws-cdk-lib's prefix encoding groups them.
    text = '2.{275.0!aws-cdk-lib.{Stack,aws_s3.Bucket[{"versioned":true,"x":"a,b}"}]},9.0!cdk-nag.NagPack}'
    assembly = build_assembly(tmp_path / "cdk.out", analytics_text=text)
    record = provenance(assembly, RuleSettings(), assembly_template_paths(assembly), clock=fixed_clock)
    assert (record.aws_cdk_lib.version, record.aws_cdk_lib.source) == (
        "2.275.0",
        "recorded in the templates' CDKMetadata",
    )
    assert (record.cdk_nag.version, record.cdk_nag.source) == ("2.9.0", "recorded in the templates' CDKMetadata")


def test_else_the_installed_packages_saying_so(tmp_path: Path) -> None:
    assembly = build_assembly(tmp_path / "cdk.out")
    record = provenance(assembly, RuleSettings(), assembly_template_paths(assembly), clock=fixed_clock)
    assert record.aws_cdk_lib.version == metadata.version("aws-cdk-lib")
    assert record.cdk_nag.version == metadata.version("cdk-nag")
    assert record.cdk_nag.source == "the installed Python package; the assembly records none"


def test_the_cli_version_is_not_recorded_only_the_minimum_the_manifest_needs(tmp_path: Path) -> None:
    record = provenance(build_assembly(tmp_path / "cdk.out"), RuleSettings(), [], clock=fixed_clock).as_dict()
    assert record["cdk_cli"] == {
        "version": None,
        "minimum_version": "2.1148.0",
        "source": "not recorded; the manifest needs 2.1148.0 or later",
    }
    assert record["cloud_assembly_schema"] == "55.0.0"


def test_a_folder_that_is_no_assembly_still_gives_a_record(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "tree.json").write_text("[]", encoding="utf-8")
    record = provenance(tmp_path, RuleSettings(), assembly_template_paths(tmp_path), clock=fixed_clock)
    assert record.minimum_cli_version is None
    assert record.assembly_schema_version is None
    assert record.template_sha256 == {}
    assert json.loads(json.dumps(record.as_dict())) == record.as_dict()


@pytest.mark.parametrize(
    ("text", "entries"),
    [
        (
            "1.90.0!aws-cdk-lib.{Stack,Construct,service.Resource},0.42.1!x.New",
            [
                "1.90.0!aws-cdk-lib.Stack",
                "1.90.0!aws-cdk-lib.Construct",
                "1.90.0!aws-cdk-lib.service.Resource",
                "0.42.1!x.New",
            ],
        ),
        (
            '2.1.0!lib.{Bucket{[{"a":"}"}],[{"b":"]"}]},Queue}',
            ["2.1.0!lib.Bucket", "2.1.0!lib.Bucket", "2.1.0!lib.Queue"],
        ),
        ("", []),
        ("2.1.0!lib.{unclosed", ["2.1.0!lib.unclosed"]),
    ],
)
def test_the_prefix_encoded_list_expands(text: str, entries: list[str]) -> None:
    assert list(expand_prefix_list(text)) == entries


def test_analytics_that_cannot_be_read_give_no_version() -> None:
    for value in ("v2:deflate64:not base64!", "v2:deflate64:" + base64.b64encode(b"not gzip").decode(), 42, "v1:x"):
        template = {"Resources": {"CDKMetadata": {"Type": "AWS::CDK::Metadata", "Properties": {"Analytics": value}}}}
        assert analytics_versions(template, "aws-cdk-lib") == set()


# -- the platform -----------------------------------------------------------------------------------------------


def test_the_platforms_assembly_records_the_aws_cdk_lib_it_was_made_with(
    platform_assembly: Callable[[str], Path],
) -> None:
    outdir = platform_assembly("prod")
    paths = assembly_template_paths(outdir)
    record = provenance(outdir, RuleSettings(), paths, clock=fixed_clock)
    assert (record.aws_cdk_lib.version, record.aws_cdk_lib.source) == (
        metadata.version("aws-cdk-lib"),
        "recorded in tree.json",
    )
    assert len(record.template_sha256) == len(paths) > 1
    assert all(len(digest) == 64 for digest in record.template_sha256.values())
