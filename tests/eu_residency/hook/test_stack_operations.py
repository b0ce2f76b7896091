"""Stack and change-set operations: the payload fetched from its (presigned) URL, here served on loopback."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from eu_residency.hook import handler
from eu_residency.hook.handler import MAX_ANNOTATIONS, MESSAGE_LIMIT
from tests.eu_residency.hook.events import STACK_ID, TOKEN, change_set_event, stack_event, stack_payload
from tests.eu_residency.hook.test_resource_operations import VIRGINIA_KEY, replicating_bucket

Serve = Callable[[bytes], str]
UNENCRYPTED_QUEUE = {"Type": "AWS::SQS::Queue", "Properties": {"SqsManagedSseEnabled": False}}


def acknowledged(resource: dict[str, Any], rule_id: str, reason: str) -> dict[str, Any]:
    return {**resource, "Metadata": {"eu-residency": {"acknowledgements": [{"id": rule_id, "reason": reason}]}}}


def statuses(answer: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(rule id, logical id, status) of each annotation."""
    return {
        (item["annotationName"], item["statusMessage"].split(".")[1].split(":")[0], item["status"])
        for item in answer["annotations"]
    }


def test_a_json_template_is_checked_whole(serve: Serve) -> None:
    template = {
        "Resources": {
            "FailQueue": UNENCRYPTED_QUEUE,
            "AckQueue": acknowledged(UNENCRYPTED_QUEUE, "EU-ENC-021", "a scratch queue of public data"),
            "FailBucket": acknowledged(
                {"Type": "AWS::S3::Bucket", "Properties": replicating_bucket(VIRGINIA_KEY)},
                "EU-RES-010",
                "fatal findings cannot be acknowledged",
            ),
        }
    }
    answer = handler(stack_event(serve(stack_payload(template))), None)
    assert answer["hookStatus"] == "FAILED"
    assert answer["errorCode"] == "NonCompliant"
    assert answer["clientRequestToken"] == TOKEN
    lines = answer["message"].splitlines()
    assert lines[0].startswith("EU-RES-010 FailBucket: the replica key")  # fatal first, wherever it is
    assert any(line.startswith("EU-ENC-021 FailQueue: ") for line in lines)
    assert not any("AckQueue" in line for line in lines)
    found = statuses(answer)
    assert ("EU-ENC-021", "AckQueue", "PASSED") in found
    assert ("EU-RES-010", "FailBucket", "FAILED") in found
    # The whole template is there: the bucket's missing TLS-only policy is judged, not left to anyone.
    assert ("EU-ENC-040", "FailBucket", "FAILED") in found


def test_an_acknowledged_finding_does_not_fail_the_stack(serve: Serve) -> None:
    template = {"Resources": {"AckQueue": acknowledged(UNENCRYPTED_QUEUE, "EU-ENC-021", "public data only")}}
    answer = handler(stack_event(serve(stack_payload(template))), None)
    assert answer["hookStatus"] == "SUCCESS"
    assert answer["message"] == "no open finding: 1 acknowledged (see the annotations)"
    [annotation] = answer["annotations"]
    assert annotation["status"] == "PASSED"
    assert "acknowledged in its eu-residency metadata (public data only)" in annotation["statusMessage"]


def test_a_compliant_stack_succeeds(serve: Serve) -> None:
    template = {"Resources": {"PassQueue": {"Type": "AWS::SQS::Queue"}}}
    answer = handler(stack_event(serve(stack_payload(template))), None)
    assert answer == {
        "hookStatus": "SUCCESS",
        "clientRequestToken": TOKEN,
        "message": "no finding in the stack's template",
    }


def test_the_stack_deploys_in_the_region_of_its_arn(serve: Serve) -> None:
    event = stack_event(serve(stack_payload({"Resources": {"PassQueue": {"Type": "AWS::SQS::Queue"}}})))
    event["stackId"] = STACK_ID.replace("eu-west-1", "us-east-1")
    answer = handler(event, None)
    assert answer["hookStatus"] == "FAILED"
    assert answer["message"].startswith("EU-RES-001 (template): the stack deploys to us-east-1")


def test_a_yaml_template_fails_closed_saying_how_to_deploy_it(serve: Serve) -> None:
    """The function carries no YAML reader: what it cannot read is not shown to keep the policy."""
    template = (
        "Resources:\n  FailQueue:\n    Type: AWS::SQS::Queue\n    Properties:\n      SqsManagedSseEnabled: false\n"
    )
    answer = handler(stack_event(serve(stack_payload(template))), None)
    assert (answer["hookStatus"], answer["errorCode"]) == ("FAILED", "InternalFailure")
    assert "the template is YAML" in answer["message"] and "deploy it as JSON" in answer["message"]


def test_a_nested_stack_is_judged_at_its_own_stack_operation(serve: Serve) -> None:
    nested = {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "https://bucket.s3.amazonaws.com/c"}}
    answer = handler(stack_event(serve(stack_payload({"Resources": {"Child": nested}}))), None)
    assert answer["hookStatus"] == "SUCCESS"


def test_a_stack_delete_fetches_nothing() -> None:
    event = stack_event("https://127.0.0.1:9/never-fetched", point="DELETE_PRE_PROVISION")
    assert handler(event, None)["hookStatus"] == "SUCCESS"


def test_an_empty_template_has_nothing_to_judge(serve: Serve) -> None:
    answer = handler(stack_event(serve(stack_payload(""))), None)
    assert answer["message"] == "nothing to judge: the payload holds no template"


def test_the_message_holds_what_fits_and_counts_the_rest(serve: Serve) -> None:
    queues = {f"FailQueue{index:03d}": UNENCRYPTED_QUEUE for index in range(300)}
    bucket = {"Type": "AWS::S3::Bucket", "Properties": replicating_bucket(VIRGINIA_KEY)}
    answer = handler(stack_event(serve(stack_payload({"Resources": {**queues, "FailBucket": bucket}}))), None)
    findings = 300 + 2  # a queue's EU-ENC-021 each; the bucket's EU-RES-010 (fatal) and EU-ENC-040
    message = answer["message"]
    assert len(message) <= MESSAGE_LIMIT
    *shown, more = message.splitlines()
    assert shown[0].startswith("EU-RES-010 FailBucket: ")
    assert more == f"... and {findings - len(shown)} more findings"
    assert len(answer["annotations"]) == MAX_ANNOTATIONS
    assert answer["annotations"][0]["severityLevel"] == "CRITICAL"


def test_a_change_set_judges_what_it_adds_and_modifies(serve: Serve) -> None:
    """The guide's example payload: a YAML template; a queue removed, a queue added, a table modified (booleans
    and numbers as strings)."""
    payload = {
        "template": "Resources:\n  DynamoDBTable:\n    Type: AWS::DynamoDB::Table\n",
        "changedResources": [
            {
                "logicalResourceId": "SQSQueue",
                "resourceType": "AWS::SQS::Queue",
                "action": "DELETE",
                "lineNumber": None,
                "beforeContext": '{"Properties":{"QueueName":"CoolQueue"}}',
                "afterContext": None,
            },
            {
                "logicalResourceId": "NewSQSQueue",
                "resourceType": "AWS::SQS::Queue",
                "action": "CREATE",
                "lineNumber": 14,
                "beforeContext": None,
                "afterContext": '{"Properties":{"QueueName":"NewCoolQueue","SqsManagedSseEnabled":"false"}}',
            },
            {
                "logicalResourceId": "DynamoDBTable",
                "resourceType": "AWS::DynamoDB::Table",
                "action": "UPDATE",
                "lineNumber": 2,
                "beforeContext": '{"Properties":{"BillingMode":"PAY_PER_REQUEST"}}',
                "afterContext": json.dumps(
                    {
                        "Properties": {
                            "BillingMode": "PAY_PER_REQUEST",
                            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": "false"},
                            "AttributeDefinitions": [{"AttributeType": "S", "AttributeName": "PK"}],
                            "KeySchema": [{"KeyType": "HASH", "AttributeName": "PK"}],
                        }
                    }
                ),
            },
        ],
    }
    answer = handler(change_set_event(serve(json.dumps(payload).encode())), None)
    assert answer["hookStatus"] == "FAILED"
    assert answer["clientRequestToken"] == TOKEN
    assert answer["message"].splitlines() == [
        line for line in answer["message"].splitlines() if line.startswith("EU-ENC-021 NewSQSQueue: ")
    ]
    assert {item["annotationName"] for item in answer["annotations"]} == {"EU-ENC-021"}


def test_a_change_set_honours_the_metadata_of_its_json_template(serve: Serve) -> None:
    template = {"Resources": {"Queue": acknowledged(UNENCRYPTED_QUEUE, "EU-ENC-021", "public data only")}}
    change = {
        "logicalResourceId": "Queue",
        "resourceType": "AWS::SQS::Queue",
        "action": "CREATE",
        "afterContext": '{"Properties":{"SqsManagedSseEnabled":"false"}}',
    }
    payload = {"template": json.dumps(template), "changedResources": [change]}
    answer = handler(change_set_event(serve(json.dumps(payload).encode())), None)
    assert answer["hookStatus"] == "SUCCESS"
    assert [item["status"] for item in answer["annotations"]] == ["PASSED"]
