"""Resource operations: the rules for one resource type, over the resource's properties, in the stack's region."""

from __future__ import annotations

import json
from typing import Any

import pytest

from eu_residency.core.settings import KeyControl, RuleSettings
from eu_residency.hook import handler
from eu_residency.hook.handler import MESSAGE_LIMIT, cold_start_settings
from eu_residency.hook.settings import SETTINGS_VARIABLE, settings_variable
from tests.eu_residency.hook.events import TOKEN, resource_event

VIRGINIA_KEY = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-000000000002"
IRELAND_KEY = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-4000-8000-000000000001"
TABLE = {
    "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}],
    "BillingMode": "PAY_PER_REQUEST",
}


def replicating_bucket(replica_key: str) -> dict[str, Any]:
    return {
        "VersioningConfiguration": {"Status": "Enabled"},
        "LifecycleConfiguration": {
            "Rules": [{"Status": "Enabled", "NoncurrentVersionExpiration": {"NoncurrentDays": 30}}]
        },
        "ReplicationConfiguration": {
            "Role": "arn:aws:iam::123456789012:role/s3-replication",
            "Rules": [
                {
                    "Status": "Enabled",
                    "Destination": {
                        "Bucket": "arn:aws:s3:::replica-bucket",
                        "EncryptionConfiguration": {"ReplicaKmsKeyID": replica_key},
                    },
                    "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
                }
            ],
        },
    }


def test_a_compliant_queue_succeeds() -> None:
    answer = handler(resource_event("AWS::SQS::Queue", "PassQueue", {"SqsManagedSseEnabled": True}), None)
    assert answer == {
        "hookStatus": "SUCCESS",
        "clientRequestToken": TOKEN,
        "message": "no finding on this AWS::SQS::Queue",
    }


def test_in_a_stack_an_error_is_judged_at_the_stack_operation_which_reads_its_acknowledgements() -> None:
    """The resource request carries no Metadata: an acknowledged error would fail here though a reviewer accepted
    it; the stack operation reads both. A fatal finding, which nothing can acknowledge, stands (below)."""
    answer = handler(resource_event("AWS::SQS::Queue", "FailQueue", {"SqsManagedSseEnabled": False}), None)
    assert answer["hookStatus"] == "SUCCESS"
    [annotation] = answer["annotations"]
    assert (annotation["annotationName"], annotation["status"]) == ("EU-ENC-021", "SKIPPED")
    assert "judged at the stack operation" in annotation["statusMessage"]


def test_an_unencrypted_queue_fails_with_an_error() -> None:
    """A Cloud Control API request belongs to no stack and carries no acknowledgement: its errors stand."""
    event = resource_event("AWS::SQS::Queue", "FailQueue", {"SqsManagedSseEnabled": False}, stack_id=None)
    answer = handler(event, None)
    assert answer["hookStatus"] == "FAILED"
    assert answer["errorCode"] == "NonCompliant"
    assert answer["clientRequestToken"] == TOKEN
    assert answer["message"].startswith("EU-ENC-021 FailQueue: encryption at rest is turned off")
    [annotation] = answer["annotations"]
    assert annotation["annotationName"] == "EU-ENC-021"
    assert annotation["status"] == "FAILED"
    assert annotation["severityLevel"] == "HIGH"
    assert annotation["statusMessage"].startswith("Resources.FailQueue.Properties.SqsManagedSseEnabled: ")
    assert annotation["remediationMessage"]


def test_a_bucket_replicating_to_virginia_is_fatal() -> None:
    answer = handler(resource_event("AWS::S3::Bucket", "FailBucket", replicating_bucket(VIRGINIA_KEY)), None)
    assert answer["hookStatus"] == "FAILED"
    assert answer["message"].splitlines()[0].startswith("EU-RES-010 FailBucket: the replica key")
    fatal = [item for item in answer["annotations"] if item["annotationName"] == "EU-RES-010"]
    assert [(item["status"], item["severityLevel"]) for item in fatal] == [("FAILED", "CRITICAL")]


def test_an_update_is_judged_by_the_new_properties() -> None:
    event = resource_event(
        "AWS::SQS::Queue",
        "FailQueue",
        {"SqsManagedSseEnabled": False},
        point="UPDATE_PRE_PROVISION",
        previous={"SqsManagedSseEnabled": True},
        stack_id=None,
    )
    assert handler(event, None)["hookStatus"] == "FAILED"
    event = resource_event(
        "AWS::SQS::Queue",
        "PassQueue",
        {"SqsManagedSseEnabled": True},
        point="UPDATE_PRE_PROVISION",
        previous={"SqsManagedSseEnabled": False},
        stack_id=None,
    )
    assert handler(event, None)["hookStatus"] == "SUCCESS"


def test_a_delete_has_nothing_to_judge() -> None:
    event = resource_event("AWS::SQS::Queue", "AnyQueue", None, point="DELETE_PRE_PROVISION")
    assert handler(event, None) == {
        "hookStatus": "SUCCESS",
        "clientRequestToken": TOKEN,
        "message": "nothing to judge: the operation deletes",
    }


def test_what_needs_the_rest_of_the_template_is_left_to_the_stack_operation() -> None:
    """A bucket's TLS-only policy is another resource: a one-resource template cannot show it, so the bucket's
    own operation does not fail for it (the stack operation judges it); the annotation says so."""
    properties = {
        "BucketEncryption": {
            "ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": IRELAND_KEY}}
            ]
        }
    }
    answer = handler(resource_event("AWS::S3::Bucket", "PassBucket", properties), None)
    assert answer["hookStatus"] == "SUCCESS"
    assert "1 left to the stack operation" in answer["message"]
    [annotation] = answer["annotations"]
    assert (annotation["annotationName"], annotation["status"]) == ("EU-ENC-040", "SKIPPED")
    assert "judged at the stack operation" in annotation["statusMessage"]


def test_a_fatal_finding_stands_even_from_a_rule_that_reads_the_rest_of_the_template() -> None:
    answer = handler(resource_event("AWS::S3::Bucket", "FailBucket", replicating_bucket(VIRGINIA_KEY)), None)
    statuses = {item["annotationName"]: item["status"] for item in answer["annotations"]}
    assert statuses["EU-RES-010"] == "FAILED"
    assert statuses.get("EU-ENC-040") == "SKIPPED"


def test_without_a_stack_the_functions_region_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    event = resource_event("AWS::SQS::Queue", "PassQueue", {"SqsManagedSseEnabled": True})
    event["stackId"] = ""  # a Cloud Control API request
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    assert handler(event, None)["hookStatus"] == "SUCCESS"
    monkeypatch.delenv("AWS_REGION")
    answer = handler(event, None)
    assert answer["errorCode"] == "InternalFailure"
    assert "AWS_REGION" in answer["message"]


def test_key_control_from_the_environment_runs_the_key_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    event = resource_event("AWS::DynamoDB::Table", "Table", TABLE, stack_id=None)
    assert handler(event, None)["hookStatus"] == "SUCCESS"
    cold_start_settings.cache_clear()  # a new cold start
    settings = RuleSettings.build(key_control=KeyControl.CUSTOMER_MANAGED.value)
    monkeypatch.setenv(SETTINGS_VARIABLE, settings_variable(settings))
    answer = handler(event, None)
    assert answer["hookStatus"] == "FAILED"
    assert [item["annotationName"] for item in answer["annotations"]] == ["EU-KEY-002"]


def test_settings_are_read_once_per_cold_start(monkeypatch: pytest.MonkeyPatch) -> None:
    event = resource_event("AWS::DynamoDB::Table", "Table", TABLE)
    assert handler(event, None)["hookStatus"] == "SUCCESS"
    monkeypatch.setenv(SETTINGS_VARIABLE, json.dumps({"key_control": "customer-managed"}))
    assert handler(event, None)["hookStatus"] == "SUCCESS"  # the warm function keeps what it read


def test_many_findings_fit_the_message_limit() -> None:
    """A launch template of many unencrypted volumes: one finding each, more than 4,096 characters of them."""
    mappings = [{"DeviceName": f"/dev/sd{index:03d}", "Ebs": {"Encrypted": False}} for index in range(120)]
    properties = {"LaunchTemplateData": {"BlockDeviceMappings": mappings}}
    answer = handler(resource_event("AWS::EC2::LaunchTemplate", "FailTemplate", properties, stack_id=None), None)
    message = answer["message"]
    assert answer["hookStatus"] == "FAILED"
    assert len(message) <= MESSAGE_LIMIT
    lines = message.splitlines()
    shown, more = lines[:-1], lines[-1]
    assert more.startswith("... and ") and more.endswith(" more findings")
    failed = [item for item in answer["annotations"] if item["status"] == "FAILED"]
    total = int(more.split()[2]) + len(shown)
    assert total >= len(failed) > len(shown)
