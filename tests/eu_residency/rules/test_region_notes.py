"""What EU-RES-060 and EU-RES-001 say beyond the set of failing resources: a custom resource's region is one
finding, not one per property that repeats the call; and a stack AWS puts in us-east-1 for Route 53 health-check
alarms gets the one note both rules share."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from eu_residency.core.rule_model import Finding, Rule
from eu_residency.core.settings import RuleSettings
from eu_residency.rules.engine import TemplateInput, check_templates
from eu_residency.rules.residency import region_references, stack_region
from eu_residency.rules.residency._one_region_metrics import forced_region_note
from tests.eu_residency.rules.harness import FIXTURES, run_rule

NOTE = forced_region_note("us-east-1")
CUSTOM_AWS = "Custom::AWS"
SERVICE_TOKEN = "arn:aws:lambda:eu-west-1:123456789012:function:aws-sdk-call"


def _check(rule: Rule, resources: dict[str, Any], region: str | None = "eu-west-1") -> list[Finding]:
    template = {"Resources": resources}
    item = TemplateInput(name="t", template=template, region=region, account="123456789012")
    return check_templates([item], RuleSettings.build(), rules=[rule])["t"]


def _call(**call: Any) -> str:
    return json.dumps({"service": "SNS", "action": "publish", "physicalResourceId": {"id": "x"}, **call})


def test_a_call_repeated_in_create_and_update_is_one_finding() -> None:
    _, findings = run_rule(region_references.RULE, FIXTURES / "bad" / "EU-RES-060.custom-resource.yaml")
    per_resource = Counter(finding.logical_id for finding in findings)
    assert per_resource == {"FailOutsideReplicaRegionInCreateAndUpdate": 1, "FailOutsideCreateAndUpdateInTwoRegions": 2}
    (once,) = [f for f in findings if f.logical_id == "FailOutsideReplicaRegionInCreateAndUpdate"]
    assert once.path == ("Properties", "Create")
    assert "too" not in once.message  # Update says the same: nothing more to say


def test_a_region_update_names_otherwise_is_one_finding_naming_both_properties() -> None:
    topic = "arn:aws:sns:us-east-1:123456789012:alerts"
    findings = _check(
        region_references.RULE,
        {
            "FailCall": {
                "Type": CUSTOM_AWS,
                "Properties": {
                    "ServiceToken": SERVICE_TOKEN,
                    "Create": _call(region="us-east-1", parameters={"Message": "hello"}),
                    "Update": _call(parameters={"TopicArn": topic, "Message": "hello"}),
                },
            }
        },
    )
    (finding,) = findings
    assert finding.path == ("Properties", "Create")
    assert finding.message.endswith("; Update names it too"), finding.message


def test_other_resources_still_report_each_property_naming_a_region() -> None:
    findings = _check(
        region_references.RULE,
        {
            "FailTwoTopics": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {
                    "Type": "String",
                    "Value": "arn:aws:sns:us-east-1:123456789012:a",
                    "Description": "arn:aws:sns:us-east-1:123456789012:b",
                },
            }
        },
    )
    assert sorted(finding.path for finding in findings) == [("Properties", "Description"), ("Properties", "Value")]


def test_both_rules_say_the_same_note_on_health_check_alarms() -> None:
    _, alarm_findings = run_rule(region_references.RULE, FIXTURES / "bad" / "EU-RES-060.health-check-alarm.yaml")
    _, stack_findings = run_rule(stack_region.RULE, FIXTURES / "bad" / "EU-RES-001.health-check-alarms.yaml")
    assert [finding.message.endswith(f"; {NOTE}") for finding in alarm_findings] == [True]
    (stack_finding,) = stack_findings
    assert stack_finding.message.endswith(f"; {NOTE}"), stack_finding.message
    assert stack_finding.fix is not None and "Synthetics" in stack_finding.fix


def _route53_alarm() -> dict[str, Any]:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "Namespace": "AWS/Route53",
            "MetricName": "HealthCheckStatus",
            "Statistic": "Minimum",
            "Period": 60,
            "EvaluationPeriods": 1,
            "Threshold": 1,
            "ComparisonOperator": "LessThanThreshold",
        },
    }


def test_a_us_east_1_stack_holding_more_than_such_alarms_gets_no_note() -> None:
    lambda_alarm = _route53_alarm()
    lambda_alarm["Properties"]["Namespace"] = "AWS/Lambda"
    for resources in (
        {"Alarm": _route53_alarm(), "Bucket": {"Type": "AWS::S3::Bucket"}},
        {"Alarm": lambda_alarm},
        {"Topic": {"Type": "AWS::SNS::Topic"}},
    ):
        (finding,) = _check(stack_region.RULE, resources, region="us-east-1")
        assert finding.message == "the stack deploys to us-east-1 (N. Virginia, outside the EU)", resources


def test_health_check_alarms_in_another_region_than_aws_keeps_them_get_no_note() -> None:
    (finding,) = _check(stack_region.RULE, {"Alarm": _route53_alarm()}, region="us-west-2")
    assert NOTE not in finding.message
