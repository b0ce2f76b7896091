"""Nested stacks at synthesis time: CDK hands the plugin only the top-level templates; the nested ones are
checked too, in their parent's region, and reported under their own construct paths."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Environment, NestedStack, Stack, Validations
from aws_cdk import aws_dynamodb as ddb

from constructs_lib.synthesis import synthesize_or_report
from constructs_lib.validation_plugin import PLUGIN_NAME, EuResidencyPlugin
from eu_residency.check_run.run import run_check
from eu_residency.core.settings import RuleSettings
from eu_residency.review_pack.rows import stack_label

EU = Environment(account="123456789012", region="eu-west-1")


def _table(scope: NestedStack, replica_regions: list[str]) -> None:
    ddb.CfnGlobalTable(
        scope,
        "Table",
        attribute_definitions=[ddb.CfnGlobalTable.AttributeDefinitionProperty(attribute_name="id", attribute_type="S")],
        key_schema=[ddb.CfnGlobalTable.KeySchemaProperty(attribute_name="id", key_type="HASH")],
        billing_mode="PAY_PER_REQUEST",
        sse_specification=ddb.CfnGlobalTable.SSESpecificationProperty(sse_enabled=True, sse_type="KMS"),
        replicas=[ddb.CfnGlobalTable.ReplicaSpecificationProperty(region=region) for region in replica_regions],
    )


def _app(outdir: Path, replica_regions: list[str]) -> App:
    app = App(outdir=str(outdir))
    parent = Stack(app, "Parent", env=EU)
    outer = NestedStack(parent, "Outer")
    inner = NestedStack(outer, "Inner")  # a nested stack of a nested stack
    _table(inner, replica_regions)
    # Our plugin alone: cdk-nag's AwsSolutions findings on the table are not what these tests are about.
    Validations.of(app).add_plugins(EuResidencyPlugin())
    return app


def _our_report(outdir: Path) -> dict[str, Any]:
    report = json.loads((outdir / "validation-report.json").read_text(encoding="utf-8"))
    plugin: dict[str, Any] = next(p for p in report["pluginReports"] if p["pluginName"] == PLUGIN_NAME)
    return plugin


def test_a_nested_stack_with_a_replica_outside_the_eu_fails_synthesis_under_its_own_path(tmp_path: Path) -> None:
    app = _app(tmp_path, ["eu-west-1", "us-west-2"])
    with pytest.raises(RuntimeError, match=r"ValidationFailed|Validation failed"):
        app.synth()
    [violation] = [v for v in _our_report(tmp_path)["violations"] if v["ruleName"] == "EU-RES-011"]
    assert violation["severity"] == "fatal"
    assert violation["violatingConstructs"][0]["constructPath"] == "Parent/Outer/Inner/Table"
    assert violation["ruleMetadata"]["location"] == "Properties.Replicas.1.Region"


def test_a_clean_nested_stack_passes(tmp_path: Path) -> None:
    app = _app(tmp_path, ["eu-west-1", "eu-central-1"])
    assembly = app.synth()  # raises on any finding of the plugin
    nested = [path.name for path in tmp_path.iterdir() if path.name.endswith(".nested.template.json")]
    assert len(nested) == 2 and assembly.get_stack_by_name("Parent").template


def test_the_command_checks_the_nested_templates_of_a_cloud_assembly(tmp_path: Path) -> None:
    app = _app(tmp_path, ["eu-west-1", "us-west-2"])
    with pytest.raises(RuntimeError, match=r"ValidationFailed|Validation failed"):
        app.synth()
    run = run_check([str(tmp_path)], region="eu-central-1", settings=RuleSettings())
    assert len(run.results) == 3  # the parent and its two nested stacks
    [nested] = [result for result in run.results if any(f.finding.rule_id == "EU-RES-011" for f in result.findings)]
    assert nested.path.endswith(".nested.template.json")
    assert nested.region == "eu-west-1"  # the parent's region, not --region


def test_the_region_of_a_parent_outside_the_eu_is_one_finding_on_the_parent(tmp_path: Path) -> None:
    app = App(outdir=str(tmp_path))
    parent = Stack(app, "Parent", env=Environment(account="123456789012", region="us-east-1"))
    NestedStack(NestedStack(parent, "Outer"), "Inner")
    Validations.of(app).add_plugins(EuResidencyPlugin())
    with pytest.raises(RuntimeError, match=r"ValidationFailed|Validation failed"):
        app.synth()
    [violation] = [v for v in _our_report(tmp_path)["violations"] if v["ruleName"] == "EU-RES-001"]
    assert [c["constructPath"] for c in violation["violatingConstructs"]] == ["Parent"]


def test_the_synthesis_summary_names_a_nested_stack_by_its_construct_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = _app(tmp_path, ["eu-west-1", "us-west-2"])
    assert synthesize_or_report(app) == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if "EU-RES-011" in line and "logical id" in line]
    assert lines == [
        "  FATAL   EU-RES-011 at Parent/Outer/Inner/Table (logical id Table in stack Parent/Outer/Inner), "
        "Properties.Replicas.1.Region"
    ]


def test_the_review_pack_names_a_nested_stack_by_its_parent_and_construct_path(tmp_path: Path) -> None:
    app = _app(tmp_path, ["eu-west-1", "eu-central-1"])
    app.synth()
    run = run_check([str(tmp_path)], region=None, settings=RuleSettings())
    # Without path metadata (an App outside the CDK CLI) the path is the nested stack resources' logical ids.
    top, outer, inner = sorted(stack_label(result) for result in run.results)
    assert top == "Parent"
    assert outer.startswith("Parent (nested stack OuterNestedStack") and "/" not in outer
    assert inner.startswith(outer[:-1] + "/InnerNestedStack")
