"""StackSets at synthesis time: the plugin checks an inline TemplateBody in each region its instances deploy to,
as the command does (one function derives the instances for both), and reports what it finds inside the body
on the StackSet's construct path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Environment, NestedStack, Stack, Validations
from aws_cdk import aws_cloudformation as cfn
from constructs import Construct

from constructs_lib.acknowledgements import EU_RESIDENCY, acknowledge
from constructs_lib.synthesis import synthesize_or_report
from constructs_lib.validation_plugin import PLUGIN_NAME, EuResidencyPlugin
from eu_residency.check_run.run import run_check
from eu_residency.core.settings import RuleSettings
from eu_residency.review_pack.rows import stack_label
from eu_residency.rules.registry import RULES_BY_ID

EU = Environment(account="123456789012", region="eu-west-1")
EU_REGIONS = ["eu-west-1", "eu-central-1"]
TOPIC_ENCRYPTION = "EU-ENC-022"
STACK_SET_RULE = "EU-RES-003"
COMPLIANT_BODY = {"Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}}
UNENCRYPTED_TOPIC_BODY = {"Resources": {"Attachments": {"Type": "AWS::SNS::Topic"}}}
# A bucket without a TLS-only policy beside the topic: its finding (EU-ENC-040) still stops synthesis.
TOPIC_AND_PLAIN_BUCKET_BODY = {
    "Resources": {**UNENCRYPTED_TOPIC_BODY["Resources"], "Uploads": {"Type": "AWS::S3::Bucket"}}
}


def _stack_set(scope: Construct, regions: list[str], body: dict[str, Any] | str) -> cfn.CfnStackSet:
    return cfn.CfnStackSet(
        scope,
        "StackSet",
        stack_set_name="chat",
        permission_model="SELF_MANAGED",
        template_body=body if isinstance(body, str) else json.dumps(body),
        stack_instances_group=[
            cfn.CfnStackSet.StackInstancesProperty(
                deployment_targets=cfn.CfnStackSet.DeploymentTargetsProperty(accounts=["123456789012"]),
                regions=regions,
            )
        ],
    )


def _app(outdir: Path, regions: list[str], body: dict[str, Any] | str, *, nested: bool = False) -> App:
    app = App(outdir=str(outdir))
    stack = Stack(app, "Stack", env=EU)
    _stack_set(NestedStack(stack, "Nested") if nested else stack, regions, body)
    # Our plugin alone: cdk-nag's AwsSolutions findings are not what these tests are about.
    Validations.of(app).add_plugins(EuResidencyPlugin())
    return app


def _our_report(app: App) -> dict[str, Any]:
    with pytest.raises(RuntimeError, match=r"ValidationFailed|Validation failed"):
        app.synth()
    report = json.loads((Path(app.outdir) / "validation-report.json").read_text(encoding="utf-8"))
    plugin: dict[str, Any] = next(p for p in report["pluginReports"] if p["pluginName"] == PLUGIN_NAME)
    return plugin


def _violations(app: App, rule_id: str, kind: str = "violations") -> list[dict[str, Any]]:
    return [violation for violation in _our_report(app).get(kind, []) if violation["ruleName"] == rule_id]


def test_a_compliant_body_deployed_to_eu_regions_synthesizes(tmp_path: Path) -> None:
    app = _app(tmp_path, EU_REGIONS, COMPLIANT_BODY)
    assembly = app.synth()  # raises on any finding of the plugin: EU-RES-003 too, were the body not checked
    assert (
        assembly.get_stack_by_name("Stack").template["Resources"]["StackSet"]["Type"] == "AWS::CloudFormation::StackSet"
    )


def test_an_unencrypted_topic_in_the_body_fails_synthesis_on_the_stack_set_once_a_region(tmp_path: Path) -> None:
    found = _violations(_app(tmp_path, EU_REGIONS, UNENCRYPTED_TOPIC_BODY), TOPIC_ENCRYPTION)
    assert [v["violatingConstructs"][0]["constructPath"] for v in found] == ["Stack/StackSet", "Stack/StackSet"]
    assert [v["violatingConstructs"][0]["cloudFormationResource"]["logicalId"] for v in found] == ["StackSet"] * 2
    locations = [v["ruleMetadata"]["location"] for v in found]
    assert locations == [
        f"Properties.TemplateBody (stack set StackSet in {region}): Resources.Attachments.Properties.KmsMasterKeyId"
        for region in EU_REGIONS
    ]
    assert not found[0]["description"].startswith(RULES_BY_ID[TOPIC_ENCRYPTION].title)  # explain has the title
    assert found[0]["description"].endswith(
        f", in resource Attachments of the stack set StackSet in eu-west-1 (eu-residency explain {TOPIC_ENCRYPTION})"
    )
    assert _violations(_app(tmp_path / "again", EU_REGIONS, UNENCRYPTED_TOPIC_BODY), STACK_SET_RULE) == []


def test_an_instance_outside_the_eu_is_a_fatal_finding_on_the_stack_set(tmp_path: Path) -> None:
    [violation] = _violations(_app(tmp_path, ["eu-west-1", "us-east-1"], COMPLIANT_BODY), STACK_SET_RULE)
    assert violation["severity"] == "fatal"
    assert violation["violatingConstructs"][0]["constructPath"] == "Stack/StackSet"
    assert violation["ruleMetadata"]["location"] == "Properties.StackInstancesGroup.0.Regions.1"
    assert "us-east-1 (N. Virginia, outside the EU)" in violation["description"]


def test_a_body_that_is_not_a_template_is_not_checked_and_the_finding_says_why(tmp_path: Path) -> None:
    [violation] = _violations(_app(tmp_path, EU_REGIONS, "Resources: [not, a, mapping"), STACK_SET_RULE)
    assert violation["severity"] == "error"
    assert violation["ruleMetadata"]["location"] == "Properties.TemplateBody"
    assert "(its TemplateBody) is not among the templates checked (" in violation["description"]
    assert "(the TemplateBody of the stack set StackSet): " in violation["description"]


def test_a_finding_in_the_body_is_acknowledged_on_the_stack_set(tmp_path: Path) -> None:
    app = _app(tmp_path, EU_REGIONS, TOPIC_AND_PLAIN_BUCKET_BODY)
    stack_set = app.node.find_child("Stack").node.find_child("StackSet")
    acknowledge(stack_set, TOPIC_ENCRYPTION, "The instances hold only public release notes.", plugin=EU_RESIDENCY)
    report = _our_report(app)  # the bucket's finding (TLS) still stops synthesis
    assert [v["ruleName"] for v in report["violations"] if v["ruleName"] == TOPIC_ENCRYPTION] == []
    acknowledged = [v for v in report["suppressedViolations"] if v["ruleName"] == TOPIC_ENCRYPTION]
    assert [v["violatingConstructs"][0]["constructPath"] for v in acknowledged] == ["Stack/StackSet"] * 2


def test_a_stack_set_in_a_nested_stack_is_reported_under_the_nested_stack(tmp_path: Path) -> None:
    found = _violations(_app(tmp_path, ["eu-central-1"], UNENCRYPTED_TOPIC_BODY, nested=True), TOPIC_ENCRYPTION)
    assert [v["violatingConstructs"][0]["constructPath"] for v in found] == ["Stack/Nested/StackSet"]


def test_the_synthesis_summary_names_the_stack_set_and_the_resource_in_its_body(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert synthesize_or_report(_app(tmp_path, ["eu-central-1"], UNENCRYPTED_TOPIC_BODY)) == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if TOPIC_ENCRYPTION in line and "logical id" in line]
    assert lines == [
        f"  ERROR   {TOPIC_ENCRYPTION} at Stack/StackSet (logical id StackSet in stack Stack), Properties.TemplateBody "
        "(stack set StackSet in eu-central-1): Resources.Attachments.Properties.KmsMasterKeyId"
    ]


def test_the_command_checks_the_same_instances_and_the_review_pack_names_them(tmp_path: Path) -> None:
    at_synthesis = _our_report(_app(tmp_path, EU_REGIONS, UNENCRYPTED_TOPIC_BODY))["violations"]
    run = run_check([str(tmp_path)], region=None, settings=RuleSettings())
    by_command = sorted(
        (stack_label(result), item.finding.rule_id, item.finding.logical_id)
        for result in run.results
        for item in result.open_findings
    )
    # Without path metadata (an App outside the CDK CLI) the StackSet is named by its logical id.
    assert {label for label, _, _ in by_command} == {f"Stack (stack set StackSet in {region})" for region in EU_REGIONS}
    assert {logical_id for _, _, logical_id in by_command} == {"Attachments"}
    assert sorted(rule for _, rule, _ in by_command) == sorted(v["ruleName"] for v in at_synthesis)


def test_the_command_honours_what_cdk_acknowledged_inside_a_body_on_the_stack_set(tmp_path: Path) -> None:
    app = App(outdir=str(tmp_path), context={"aws:cdk:enable-path-metadata": True})
    stack = Stack(app, "Stack", env=EU)
    acknowledge(
        _stack_set(stack, EU_REGIONS, TOPIC_AND_PLAIN_BUCKET_BODY),
        TOPIC_ENCRYPTION,
        "The instances hold only public release notes.",
        plugin=EU_RESIDENCY,
    )
    Validations.of(app).add_plugins(EuResidencyPlugin())
    at_synthesis = _our_report(app)
    assert {v["ruleName"] for v in at_synthesis["suppressedViolations"]} == {TOPIC_ENCRYPTION}
    run = run_check([str(tmp_path)], region=None, settings=RuleSettings())
    instances = [result for result in run.results if result.nested_in is not None]
    assert len(instances) == len(EU_REGIONS)
    for result in instances:
        assert [item.finding.rule_id for item in result.acknowledged] == [TOPIC_ENCRYPTION]
        assert TOPIC_ENCRYPTION not in {item.finding.rule_id for item in result.open_findings}
