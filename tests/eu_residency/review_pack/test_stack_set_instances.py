"""The review pack names a StackSet's stack instance by its stack, the StackSet and the instance's region, never
as a nested stack; a cloud assembly written by hand, as CDK writes one with path metadata."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eu_residency.check_run.results import NestingKind
from eu_residency.check_run.run import run_check
from eu_residency.core.settings import RuleSettings
from eu_residency.review_pack.files import write_review_pack
from eu_residency.review_pack.rows import stack_label
from eu_residency.template_loader.stack_set_instances import UNDECIDED_REGION
from tests.eu_residency.stack_set_templates import stack_set_resource


def _assembly(root: Path, template: dict[str, Any]) -> Path:
    root.mkdir(parents=True)
    manifest = {
        "version": "48.0.0",
        "artifacts": {
            "Stack": {
                "type": "aws:cloudformation:stack",
                "environment": "aws://123456789012/eu-west-1",
                "properties": {"templateFile": "Stack.template.json"},
                "displayName": "Stack",
            }
        },
    }
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (root / "Stack.template.json").write_text(json.dumps(template), encoding="utf-8")
    return root


def test_an_instance_is_labelled_by_its_stack_set_construct_path_and_region_in_every_page(tmp_path: Path) -> None:
    template = {"Resources": {"Instances": stack_set_resource(["eu-west-1", "eu-central-1"], "Stack/Instances")}}
    pack = write_review_pack(
        _assembly(tmp_path / "cdk.out", template), tmp_path / "pack", region="eu-west-1", settings=RuleSettings()
    )
    labels = sorted(stack_label(result) for result in pack.run.results)
    assert labels == [
        "Stack",
        "Stack (stack set Stack/Instances in eu-central-1)",
        "Stack (stack set Stack/Instances in eu-west-1)",
    ]
    for name in ("report.md", "report.html"):
        page = (tmp_path / "pack" / name).read_text(encoding="utf-8")
        assert "Stack (stack set Stack/Instances in eu-central-1)" in page, name
        assert "nested stack" not in page, name


def test_without_path_metadata_an_instance_is_labelled_by_the_stack_sets_logical_id(tmp_path: Path) -> None:
    template = {
        "Parameters": {"Region": {"Type": "String"}},
        "Resources": {"Instances": stack_set_resource(["eu-central-1", {"Ref": "Region"}])},
    }
    path = tmp_path / "Stack.template.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    run = run_check([str(path)], region="eu-west-1", settings=RuleSettings())
    instances = [result for result in run.results if result.nested_in is not None]
    assert [result.nested_in.kind for result in instances if result.nested_in] == [NestingKind.STACK_SET_INSTANCE] * 2
    assert [stack_label(result) for result in instances] == [
        "Stack (stack set Instances in eu-central-1)",
        f"Stack (stack set Instances in {UNDECIDED_REGION})",
    ]


def test_a_nested_stack_is_still_labelled_as_one(tmp_path: Path) -> None:
    (tmp_path / "parent.yaml").write_text(
        "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: child.yaml\n",
        encoding="utf-8",
    )
    (tmp_path / "child.yaml").write_text(
        json.dumps({"Resources": {"Instances": stack_set_resource(["eu-central-1"])}}), encoding="utf-8"
    )
    run = run_check([str(tmp_path / "parent.yaml")], region="eu-west-1", settings=RuleSettings())
    assert sorted(stack_label(result) for result in run.results) == [
        "parent",
        "parent (nested stack Child)",
        "parent (stack set Child/Instances in eu-central-1)",  # a StackSet of the nested stack
    ]
