"""The one reader of a cloud assembly: the manifest (stacks, regions, nested assemblies), the templates, and
CDK's validation report, whatever shape it comes in.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eu_residency.assembly import (
    UNNAMED,
    VALIDATION_REPORT,
    AssemblyError,
    StackArtifact,
    ValidationFinding,
    ValidationReport,
    load_validation_findings,
    parse_validation_report,
    read_stacks,
    read_templates,
    read_validation_report,
)


def _stack(template: str, environment: str | None = "aws://123456789012/eu-west-1") -> dict[str, Any]:
    artifact: dict[str, Any] = {"type": "aws:cloudformation:stack", "properties": {"templateFile": template}}
    if environment is not None:
        artifact["environment"] = environment
    return artifact


def _write_assembly(directory: Path, artifacts: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "manifest.json").write_text(json.dumps({"version": "48.0.0", "artifacts": artifacts}))
    return directory


def _template(directory: Path, name: str, construct_path: str = "App/Queue/Resource") -> None:
    resource = {"Type": "AWS::SQS::Queue", "Metadata": {"aws:cdk:path": construct_path}}
    (directory / name).write_text(json.dumps({"Resources": {"Queue": resource}}))


# -- the manifest ---------------------------------------------------------------------------------------------


def test_stacks_of_a_nested_assembly_follow_their_parent_in_manifest_order(tmp_path: Path) -> None:
    root = _write_assembly(
        tmp_path / "cdk.out",
        {
            "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}},
            "Main": _stack("Main.template.json"),
            "Prod": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-Prod"}},
            "Last": _stack("Last.template.json", "aws://123456789012/eu-central-1"),
        },
    )
    nested = _write_assembly(root / "assembly-Prod", {"ProdData": _stack("ProdData.template.json")})
    assert read_stacks(root) == [
        StackArtifact("Main", root / "Main.template.json", "eu-west-1", root, stack_name="Main"),
        StackArtifact("ProdData", nested / "ProdData.template.json", "eu-west-1", nested, stack_name="ProdData"),
        StackArtifact("Last", root / "Last.template.json", "eu-central-1", root, stack_name="Last"),
    ]
    assert read_stacks(root)[1].validation_report == nested / VALIDATION_REPORT


def test_an_environment_agnostic_stack_has_no_region(tmp_path: Path) -> None:
    root = _write_assembly(
        tmp_path,
        {
            "Agnostic": _stack("Agnostic.template.json", "aws://unknown-account/unknown-region"),
            "NoEnvironment": _stack("NoEnvironment.template.json", None),
            "Pinned": _stack("Pinned.template.json", "aws://unknown-account/eu-south-2"),
        },
    )
    assert [(stack.name, stack.region) for stack in read_stacks(root)] == [
        ("Agnostic", None),
        ("NoEnvironment", None),
        ("Pinned", "eu-south-2"),
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "Expecting property name"),
        ("[]", "not a JSON object"),
        (None, "no such file"),
    ],
)
def test_reading_fails_when_the_manifest_is_unreadable(tmp_path: Path, text: str | None, reason: str) -> None:
    if text is not None:
        (tmp_path / "manifest.json").write_text(text)
    with pytest.raises(AssemblyError) as error:
        read_stacks(tmp_path)
    assert str(error.value).startswith(f"{tmp_path}/manifest.json: not a readable cloud assembly manifest (")
    assert reason in str(error.value)


def test_reading_fails_when_a_nested_manifest_is_unreadable(tmp_path: Path) -> None:
    root = _write_assembly(tmp_path, {"Stage": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "s"}}})
    (root / "s").mkdir()
    (root / "s" / "manifest.json").write_text("{not json")
    with pytest.raises(AssemblyError, match=r"/s/manifest.json: not a readable cloud assembly manifest"):
        read_stacks(root)


def test_reading_fails_when_a_stack_names_no_template(tmp_path: Path) -> None:
    root = _write_assembly(tmp_path, {"Broken": {"type": "aws:cloudformation:stack", "properties": {}}})
    with pytest.raises(AssemblyError, match=r"the stack Broken names no template file"):
        read_stacks(root)


def test_artifacts_not_shaped_as_cdk_writes_them_are_skipped_and_a_loop_is_read_once(tmp_path: Path) -> None:
    root = _write_assembly(
        tmp_path,
        {
            "Odd": "not an artifact",
            "NoProperties": {"type": "cdk:cloud-assembly", "properties": "x"},
            "Self": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "."}},
            "Main": _stack("Main.template.json"),
        },
    )
    assert [stack.name for stack in read_stacks(root)] == ["Main"]
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "manifest.json").write_text(json.dumps({"artifacts": []}))
    assert read_stacks(tmp_path / "other") == []


def test_templates_are_read_once_each_and_unreadable_ones_left_out(tmp_path: Path) -> None:
    root = _write_assembly(
        tmp_path,
        {
            "Main": _stack("Main.template.json"),
            "Again": _stack("./Main.template.json"),
            "Broken": _stack("Broken.template.json"),
            "Missing": _stack("Missing.template.json"),
        },
    )
    _template(root, "Main.template.json")
    (root / "Broken.template.json").write_text("{not a template")
    [main] = read_templates(read_stacks(root))
    assert main.name == str(root / "Main.template.json") and main.stack.name == "Main"
    assert main.template["Resources"]["Queue"]["Type"] == "AWS::SQS::Queue"


# -- the validation report ---------------------------------------------------------------------------------


def test_an_assembly_without_a_validation_report_says_so(tmp_path: Path) -> None:
    assert read_validation_report(tmp_path / VALIDATION_REPORT) == ValidationReport()
    assert read_validation_report(tmp_path) == ValidationReport()  # a directory is not a report


def test_an_unreadable_validation_report_is_an_error_not_an_exception(tmp_path: Path) -> None:
    path = tmp_path / VALIDATION_REPORT
    path.write_text("{not json")
    report = read_validation_report(path)
    assert report.path == str(path) and report.findings == ()
    assert report.error is not None and report.error.startswith(f"{path}: not a readable validation report (Expecting")
    with pytest.raises(ValueError, match="Expecting property name"):
        load_validation_findings(path)
    with pytest.raises(ValueError, match="no such file"):
        load_validation_findings(tmp_path / "absent.json")
    with pytest.raises(ValueError, match="is a character device, not a file"):
        load_validation_findings(Path("/dev/zero"))


OPEN_AND_ACKNOWLEDGED = {
    "version": "55.0.0",
    "pluginReports": [
        {
            "pluginName": "AwsSolutions",
            "violations": [
                {
                    "ruleName": "AwsSolutions-S1",
                    "description": "The S3 Bucket has server access logs disabled.",
                    "severity": "error",
                    "violatingConstructs": [{"constructPath": "App/A/Resource"}, {"constructPath": "App/B/Resource"}],
                }
            ],
            "suppressedViolations": [
                {
                    "ruleName": "AwsSolutions-SQS3",
                    "description": "No dead-letter queue.",
                    "severity": "error",
                    "violatingConstructs": [{"constructPath": "App/Q/Resource"}],
                    "reason": "The queue is a dead-letter queue.",
                    "acknowledgedAt": "App/Q",
                }
            ],
        },
        {
            "pluginName": "EU-Residency",
            "violations": [
                {
                    "ruleName": "EU-KEY-001",
                    "description": "the bucket is not encrypted with a customer-managed key",
                    "severity": "error",
                    "suggestedFix": "Set KMSMasterKeyID.",
                    "ruleMetadata": {"location": "Properties.BucketEncryption"},
                    "violatingConstructs": [{"constructPath": "App/A/Resource"}],
                }
            ],
            "suppressedViolations": [
                {
                    "ruleName": "EU-ENC-022",
                    "severity": "error",
                    "fix": "Encrypt the topic.",
                    "violatingConstructs": [{"constructPath": "App/T/Resource"}],
                    "reason": "Alarm names only.",
                }
            ],
        },
    ],
}


def test_open_and_acknowledged_findings_of_every_plugin_one_per_construct(tmp_path: Path) -> None:
    path = tmp_path / VALIDATION_REPORT
    path.write_text(json.dumps(OPEN_AND_ACKNOWLEDGED))
    report = read_validation_report(path)
    assert report.path == str(path) and report.error is None
    s1 = "The S3 Bucket has server access logs disabled."
    assert report.findings == (
        ValidationFinding("AwsSolutions", "AwsSolutions-S1", "error", s1, "App/A/Resource"),
        ValidationFinding("AwsSolutions", "AwsSolutions-S1", "error", s1, "App/B/Resource"),
        ValidationFinding(
            "AwsSolutions",
            "AwsSolutions-SQS3",
            "error",
            "No dead-letter queue.",
            "App/Q/Resource",
            acknowledged=True,
            reason="The queue is a dead-letter queue.",
            acknowledged_at="App/Q",
        ),
        ValidationFinding(
            "EU-Residency",
            "EU-KEY-001",
            "error",
            "the bucket is not encrypted with a customer-managed key",
            "App/A/Resource",
            fix="Set KMSMasterKeyID.",
            location="Properties.BucketEncryption",
        ),
        ValidationFinding(
            "EU-Residency",
            "EU-ENC-022",
            "error",
            "",
            "App/T/Resource",
            fix="Encrypt the topic.",
            acknowledged=True,
            reason="Alarm names only.",
        ),
    )
    assert [finding.rule for finding in report.open] == ["AwsSolutions-S1", "AwsSolutions-S1", "EU-KEY-001"]
    assert [finding.rule for finding in report.acknowledged] == ["AwsSolutions-SQS3", "EU-ENC-022"]


@pytest.mark.parametrize("document", [[], "text", None, {"pluginReports": "x"}, {"pluginReports": [1, None, "x"]}])
def test_a_report_not_shaped_as_cdk_writes_it_has_no_finding(document: Any) -> None:
    assert parse_validation_report(document) == ()


def test_malformed_entries_are_skipped_or_read_as_unnamed() -> None:
    report = {
        "pluginReports": [
            {"pluginName": "P", "violations": "nope", "suppressedViolations": {"not": "a list"}},
            {
                "violations": [
                    1,
                    {"ruleName": "NoConstructs"},
                    {"ruleName": "ConstructsNotAList", "violatingConstructs": "x"},
                    {"ruleName": "PathsMissing", "violatingConstructs": [1, {}, {"constructPath": None}]},
                    {
                        "ruleName": None,
                        "severity": None,
                        "description": None,
                        "suggestedFix": "",
                        "fix": "the fix",
                        "ruleMetadata": "not a mapping",
                        "reason": "only for acknowledged findings",
                        "violatingConstructs": [{"constructPath": "App/X"}],
                    },
                ],
                "suppressedViolations": [{"ruleName": "NoReason", "violatingConstructs": [{"constructPath": "App/Y"}]}],
            },
        ]
    }
    findings = parse_validation_report(report)
    unnamed = [(f.plugin, f.rule, f.construct_path) for f in findings if f.construct_path is None]
    assert {finding.construct_label for finding in findings if finding.construct_path is None} == {UNNAMED}
    assert unnamed == [
        (UNNAMED, "NoConstructs", None),
        (UNNAMED, "ConstructsNotAList", None),
        (UNNAMED, "PathsMissing", None),
        (UNNAMED, "PathsMissing", None),
    ]
    [defaults, no_reason] = [finding for finding in findings if finding.construct_path is not None]
    assert defaults == ValidationFinding(UNNAMED, UNNAMED, "error", "", "App/X", fix="the fix")
    assert no_reason == ValidationFinding(UNNAMED, "NoReason", "error", "", "App/Y", acknowledged=True)


# -- nested stacks --------------------------------------------------------------------------------------------

HASH_A = "a" * 64
HASH_B = "b" * 64


def _nested_stack_resource(asset_hash: str | None = None, asset_path: str | None = None) -> dict[str, Any]:
    url = {"Fn::Join": ["", ["https://s3.eu-west-1.", {"Ref": "AWS::URLSuffix"}, f"/assets/{asset_hash}.json"]]}
    resource: dict[str, Any] = {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": url}}
    if asset_path is not None:
        resource["Metadata"] = {"aws:asset:path": asset_path}
    return resource


def _nested_assembly(tmp_path: Path, parent_resources: dict[str, Any], outer_resources: dict[str, Any]) -> Path:
    directory = _write_assembly(tmp_path / "cdk.out", {"Parent": _stack("Parent.template.json")})
    (directory / "Parent.template.json").write_text(json.dumps({"Resources": parent_resources}))
    (directory / "ParentOuter.nested.template.json").write_text(json.dumps({"Resources": outer_resources}))
    _template(directory, "ParentOuterInner.nested.template.json")
    assets = {
        HASH_A: {"source": {"path": "ParentOuter.nested.template.json", "packaging": "file"}},
        HASH_B: {"source": {"path": "ParentOuterInner.nested.template.json", "packaging": "file"}},
        "c" * 64: {"source": {"path": "Parent.template.json", "packaging": "file"}},
    }
    (directory / "Parent.assets.json").write_text(json.dumps({"version": "48.0.0", "files": assets}))
    return directory


def test_nested_stacks_follow_their_parent_in_its_region_found_by_their_asset(tmp_path: Path) -> None:
    directory = _nested_assembly(
        tmp_path, {"Outer": _nested_stack_resource(HASH_A)}, {"Inner": _nested_stack_resource(HASH_B)}
    )
    stacks = read_stacks(directory)
    parents = [stack.parent.name if stack.parent else None for stack in stacks]
    assert [
        (s.name, s.template.name, s.region, p, s.nested_stack_resource) for s, p in zip(stacks, parents, strict=True)
    ] == [
        ("Parent", "Parent.template.json", "eu-west-1", None, None),
        ("Parent/Outer", "ParentOuter.nested.template.json", "eu-west-1", "Parent", "Outer"),
        ("Parent/Outer/Inner", "ParentOuterInner.nested.template.json", "eu-west-1", "Parent/Outer", "Inner"),
    ]


def test_a_nested_stack_named_by_its_asset_path_metadata_is_found(tmp_path: Path) -> None:
    resource = _nested_stack_resource(asset_hash="not-a-known-hash", asset_path="ParentOuter.nested.template.json")
    directory = _nested_assembly(tmp_path, {"Outer": resource}, {})
    assert [stack.name for stack in read_stacks(directory)] == ["Parent", "Parent/Outer"]


def test_nested_stacks_that_name_each_other_are_read_once(tmp_path: Path) -> None:
    directory = _nested_assembly(
        tmp_path, {"Outer": _nested_stack_resource(HASH_A)}, {"Back": _nested_stack_resource(HASH_A)}
    )
    assert [stack.name for stack in read_stacks(directory)] == ["Parent", "Parent/Outer"]


def test_a_stack_resource_whose_template_is_no_asset_of_the_assembly_adds_no_stack(tmp_path: Path) -> None:
    directory = _nested_assembly(tmp_path, {"Remote": _nested_stack_resource("f" * 64)}, {})
    assert [stack.name for stack in read_stacks(directory)] == ["Parent"]
    (directory / "Parent.assets.json").unlink()
    assert [stack.name for stack in read_stacks(directory)] == ["Parent"]


def test_a_nested_template_path_that_climbs_out_of_the_assembly_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "outside.nested.template.json").write_text(json.dumps({"Resources": {}}))
    resource = _nested_stack_resource(asset_hash="none", asset_path="../outside.nested.template.json")
    directory = _nested_assembly(tmp_path, {"Outer": resource}, {})
    assert [stack.name for stack in read_stacks(directory)] == ["Parent"]
