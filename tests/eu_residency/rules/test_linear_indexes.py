"""The indexes rules build once per template instead of reading every resource for every resource: each
gives what the scan it replaces gave, and is built once however many resources ask."""

from __future__ import annotations

from typing import Any

import pytest

from eu_residency.core.settings import RuleSettings
from eu_residency.core.template_view import TemplateView
from eu_residency.rules import predicates
from eu_residency.rules.keys import _log_buckets as _s3
from eu_residency.rules.keys._log_buckets import sse_s3_log_sources
from eu_residency.rules.residency._replication import local_bucket_names


def view_of(resources: dict[str, Any]) -> TemplateView:
    return TemplateView(template={"Resources": resources}, region="eu-west-1", settings=RuleSettings())


def bucket(**properties: Any) -> dict[str, Any]:
    return {"Type": "AWS::S3::Bucket", "Properties": properties}


def log_delivery_policy(bucket_ref: Any) -> dict[str, Any]:
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": "*",
    }
    return {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {"Bucket": bucket_ref, "PolicyDocument": {"Statement": [statement]}},
    }


RESOURCES: dict[str, Any] = {
    "Logs": bucket(BucketName="chat-logs", LoggingConfiguration={"DestinationBucketName": {"Ref": "Logs"}}),
    "Data": bucket(LoggingConfiguration={"DestinationBucketName": "chat-logs"}),
    "Other": bucket(LoggingConfiguration={"DestinationBucketName": {"Ref": "Logs"}}),
    "Balancer": {
        "Type": "AWS::ElasticLoadBalancing::LoadBalancer",
        "Properties": {"AccessLoggingPolicy": {"S3BucketName": {"Ref": "Logs"}}},
    },
    "LogsPolicy": log_delivery_policy("chat-logs"),
    "DataPolicy": log_delivery_policy({"Ref": "Data"}),
}


def test_log_sources_by_ref_and_by_name_in_template_order_once_each_never_from_itself() -> None:
    view = view_of(RESOURCES)
    resources = {resource.logical_id: resource for resource in view.resources()}
    assert sse_s3_log_sources(resources["Logs"], view) == [
        "Classic Load Balancer access logs of Balancer",
        "S3 server access logs of Data",
        "S3 server access logs of Other",
        "S3 server access logs (LogsPolicy admits logging.s3.amazonaws.com)",
    ]
    assert sse_s3_log_sources(resources["Data"], view) == [
        "S3 server access logs (DataPolicy admits logging.s3.amazonaws.com)"
    ]
    assert sse_s3_log_sources(resources["Other"], view) == []


def test_the_log_delivery_index_is_built_once_per_template(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[TemplateView] = []
    index = _s3._deliveries

    def counted(view: TemplateView) -> Any:
        built.append(view)
        return index(view)

    monkeypatch.setattr(_s3, "_deliveries", counted)
    view = view_of({f"Bucket{number}": bucket() for number in range(50)})
    for resource in view.resources():
        assert sse_s3_log_sources(resource, view) == []
    assert built == [view]


def test_bucket_names_and_read_replica_sources_come_from_one_index_per_template() -> None:
    view = view_of(
        {
            "First": {"Type": "AWS::RDS::DBInstance", "Properties": {"DBInstanceIdentifier": "chat"}},
            "Second": {"Type": "AWS::RDS::DBInstance", "Properties": {"DBInstanceIdentifier": "chat"}},
            "Replica": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {"SourceDBInstanceIdentifier": "arn:aws:rds:eu-west-1:123456789012:db:chat"},
            },
            "Lost": {"Type": "AWS::RDS::DBInstance", "Properties": {"SourceDBInstanceIdentifier": "elsewhere"}},
            "Named": bucket(BucketName="chat-attachments"),
            "Chosen": bucket(BucketName={"Fn::If": ["Never", "chat-a", "chat-b"]}),
        }
    )
    replica, lost = view.resource("Replica"), view.resource("Lost")
    assert replica is not None and lost is not None
    source = predicates.read_replica_source(replica, view)
    assert source is not None and getattr(source, "logical_id", None) == "First"  # the first to take the name
    assert getattr(predicates.read_replica_source(lost, view), "reason", "").startswith("a source database")
    assert local_bucket_names(view) == {"chat-attachments", "chat-a", "chat-b"}
    assert local_bucket_names(view) is local_bucket_names(view)  # read once
