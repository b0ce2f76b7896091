"""build_inventory over small templates: which key encrypts each store, its classification, and its flows."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from eu_residency.core.settings import RuleSettings
from eu_residency.inventory import (
    UNCLASSIFIED,
    UNKNOWN_REGION,
    AtRestStatus,
    DataStore,
    FlowKind,
    InTransitStatus,
    Inventory,
    build_inventory,
    short_name,
    stack_name,
)
from eu_residency.rules.engine import TemplateInput
from tests.conftest import REPO

EU = "eu-west-1"
DR_VAULT = "arn:aws:backup:eu-central-1:123456789012:backup-vault:dr"
FAR_VAULT = "arn:aws:backup:us-east-1:123456789012:backup-vault:far"


def inventory(
    resources: dict[str, Any],
    *,
    region: str | None = EU,
    others: list[tuple[str, dict[str, Any], str | None]] | None = None,
    settings: RuleSettings | None = None,
    **template: Any,
) -> Inventory:
    main = ("cdk.out/Main.template.json", {"Resources": resources, **template}, region)
    inputs = [
        TemplateInput(name, body, region, stack_name=stack_name(name)) for name, body, region in [main, *(others or [])]
    ]
    return build_inventory(inputs, settings=settings)


def store(found: Inventory, logical_id: str) -> DataStore:
    [match] = [item for item in found.stores if item.logical_id == logical_id]
    return match


def one(resource_type: str, properties: dict[str, Any], **extra: Any) -> DataStore:
    return store(inventory({"It": {"Type": resource_type, "Properties": properties}, **extra}), "It")


KEY = {"Key": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True}}}


# -- which resources ------------------------------------------------------------------------------------------


def test_only_data_bearing_resources_are_listed_with_stack_path_and_region() -> None:
    found = inventory(
        {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
            "Bucket": {"Type": "AWS::S3::Bucket", "Metadata": {"aws:cdk:path": "Main/Files/Bucket/Resource"}},
            "Queue": {"Type": "AWS::SQS::Queue"},
            "Volume": {"Type": "AWS::EC2::Volume", "Properties": {"Encrypted": True}},
        }
    )
    assert [item.logical_id for item in found.stores] == ["Bucket", "Queue", "Volume"]
    bucket = store(found, "Bucket")
    assert (bucket.stack, bucket.template, bucket.region, bucket.inside) == (
        "Main",
        "cdk.out/Main.template.json",
        EU,
        True,
    )
    assert bucket.construct_path == "Main/Files/Bucket/Resource" and bucket.name == "Files/Bucket"
    assert stack_name("x/Chat-prod-Data.template.json") == "Chat-prod-Data"
    assert short_name(None, "Bucket") == "Bucket"


def test_a_stack_without_region_is_unknown_and_outside() -> None:
    found = inventory({"Bucket": {"Type": "AWS::S3::Bucket"}}, region=None)
    assert store(found, "Bucket").region == UNKNOWN_REGION and not store(found, "Bucket").inside


# -- encryption at rest ----------------------------------------------------------------------------------------


def _sse(default: dict[str, Any]) -> dict[str, Any]:
    return {"BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": default}]}}


@pytest.mark.parametrize(
    ("properties", "status", "key"),
    [
        ({}, AtRestStatus.SSE_S3, None),
        (_sse({"SSEAlgorithm": "AES256"}), AtRestStatus.SSE_S3, None),
        (_sse({"SSEAlgorithm": "aws:kms"}), AtRestStatus.AWS_MANAGED, None),
        (
            _sse({"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": ["Key", "Arn"]}}),
            "customer-managed key",
            "Key",
        ),
        (_sse({"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Ref": "KeyParam"}}), AtRestStatus.UNKNOWN, None),
        (
            _sse({"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:aws:kms:eu-west-1:123456789012:key/abcd"}),
            AtRestStatus.CUSTOMER_KEY,
            "arn:aws:kms:eu-west-1:123456789012:key/abcd",
        ),
    ],
)
def test_s3_encryption_names_the_key(properties: dict[str, Any], status: str, key: str | None) -> None:
    found = inventory(
        {**KEY, "Bucket": {"Type": "AWS::S3::Bucket", "Properties": properties}},
        Parameters={"KeyParam": {"Type": "String"}},
    )
    at_rest = store(found, "Bucket").at_rest
    assert at_rest.status == status, at_rest
    assert at_rest.key == key
    if status == AtRestStatus.UNKNOWN:
        assert at_rest.text.startswith("cannot be shown") and "KeyParam" in at_rest.text


def test_a_key_named_through_an_alias_is_the_aliased_key() -> None:
    found = inventory(
        {
            **KEY,
            "Alias": {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": "alias/x", "TargetKeyId": {"Ref": "Key"}}},
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": {"Ref": "Alias"}}},
        }
    )
    assert store(found, "Topic").at_rest.key == "Key"


def test_a_key_in_another_stack_is_followed_through_its_output() -> None:
    keys = (
        "cdk.out/Keys.template.json",
        {
            "Resources": KEY,
            "Outputs": {"KeyArn": {"Value": {"Fn::GetAtt": ["Key", "Arn"]}, "Export": {"Name": "keys-key-arn"}}},
        },
        EU,
    )
    found = inventory(
        {
            "Logs": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {
                    "KmsKeyId": {"Fn::GetStackOutput": {"StackName": "Keys", "Region": EU, "OutputName": "KeyArn"}}
                },
            },
            "Db": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {"StorageEncrypted": True, "KmsKeyId": {"Fn::ImportValue": "keys-key-arn"}},
            },
            "Missing": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"KmsKeyId": {"Fn::GetStackOutput": {"StackName": "Gone", "OutputName": "KeyArn"}}},
            },
        },
        others=[keys],
    )
    for logical_id in ("Logs", "Db"):
        at_rest = store(found, logical_id).at_rest
        assert (at_rest.status, at_rest.key, at_rest.key_stack) == (AtRestStatus.CUSTOMER_KEY, "Key", "Keys")
        assert at_rest.text == "KMS key Key (Keys)"
    assert store(found, "Missing").at_rest.status == AtRestStatus.UNKNOWN


@pytest.mark.parametrize(
    ("resource_type", "properties", "status"),
    [
        ("AWS::RDS::DBInstance", {"StorageEncrypted": True}, AtRestStatus.AWS_MANAGED),
        ("AWS::RDS::DBInstance", {"StorageEncrypted": False}, AtRestStatus.NONE),
        ("AWS::RDS::DBInstance", {}, AtRestStatus.NONE),
        ("AWS::RDS::DBInstance", {"DBSnapshotIdentifier": "snap"}, AtRestStatus.UNKNOWN),
        ("AWS::RDS::DBCluster", {"StorageEncrypted": True, "KmsKeyId": {"Ref": "Key"}}, AtRestStatus.CUSTOMER_KEY),
        ("AWS::RDS::DBInstance", {"DBClusterIdentifier": "cluster"}, AtRestStatus.NOT_APPLICABLE),
        ("AWS::DocDB::DBCluster", {"StorageEncrypted": True}, AtRestStatus.AWS_MANAGED),
        ("AWS::Redshift::Cluster", {"Encrypted": True, "KmsKeyId": {"Ref": "Key"}}, AtRestStatus.CUSTOMER_KEY),
        ("AWS::EFS::FileSystem", {"Encrypted": False}, AtRestStatus.NONE),
        ("AWS::EC2::Volume", {"Encrypted": True}, AtRestStatus.AWS_MANAGED),
        ("AWS::ElastiCache::ReplicationGroup", {"AtRestEncryptionEnabled": True}, AtRestStatus.AWS_MANAGED),
        ("AWS::ElastiCache::ReplicationGroup", {}, AtRestStatus.NONE),
        ("AWS::ElastiCache::CacheCluster", {"Engine": "memcached"}, AtRestStatus.NONE),
        ("AWS::DynamoDB::Table", {}, AtRestStatus.AWS_OWNED),
        ("AWS::DynamoDB::Table", {"SSESpecification": {"SSEEnabled": True}}, AtRestStatus.AWS_MANAGED),
        (
            "AWS::DynamoDB::Table",
            {"SSESpecification": {"SSEEnabled": True, "KMSMasterKeyId": {"Ref": "Key"}}},
            AtRestStatus.CUSTOMER_KEY,
        ),
        ("AWS::SecretsManager::Secret", {}, AtRestStatus.AWS_MANAGED),
        ("AWS::SecretsManager::Secret", {"KmsKeyId": {"Ref": "Key"}}, AtRestStatus.CUSTOMER_KEY),
        ("AWS::SQS::Queue", {}, AtRestStatus.AWS_OWNED),
        ("AWS::SQS::Queue", {"SqsManagedSseEnabled": False}, AtRestStatus.NONE),
        ("AWS::SQS::Queue", {"KmsMasterKeyId": "alias/aws/sqs"}, AtRestStatus.AWS_MANAGED),
        ("AWS::SNS::Topic", {}, AtRestStatus.NONE),
        ("AWS::Kinesis::Stream", {}, AtRestStatus.NONE),
        (
            "AWS::Kinesis::Stream",
            {"StreamEncryption": {"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"}},
            AtRestStatus.AWS_MANAGED,
        ),
        ("AWS::KinesisFirehose::DeliveryStream", {}, AtRestStatus.NONE),
        (
            "AWS::KinesisFirehose::DeliveryStream",
            {"DeliveryStreamEncryptionConfigurationInput": {"KeyType": "AWS_OWNED_CMK"}},
            AtRestStatus.AWS_OWNED,
        ),
        ("AWS::Logs::LogGroup", {}, AtRestStatus.AWS_OWNED),
        ("AWS::Backup::BackupVault", {"BackupVaultName": "v"}, AtRestStatus.AWS_MANAGED),
        ("AWS::Backup::BackupVault", {"EncryptionKeyArn": {"Fn::GetAtt": ["Key", "Arn"]}}, AtRestStatus.CUSTOMER_KEY),
        ("AWS::OpenSearchService::Domain", {}, AtRestStatus.NONE),
        ("AWS::OpenSearchService::Domain", {"EncryptionAtRestOptions": {"Enabled": True}}, AtRestStatus.AWS_MANAGED),
        ("AWS::ECR::Repository", {}, AtRestStatus.SSE_S3),
        (
            "AWS::ECR::Repository",
            {"EncryptionConfiguration": {"EncryptionType": "KMS", "KmsKey": {"Ref": "Key"}}},
            AtRestStatus.CUSTOMER_KEY,
        ),
        ("AWS::KMS::Key", {"EnableKeyRotation": True}, AtRestStatus.NOT_APPLICABLE),
    ],
)
def test_encryption_at_rest_per_type(resource_type: str, properties: dict[str, Any], status: str) -> None:
    found = inventory({**KEY, "It": {"Type": resource_type, "Properties": properties}})
    assert store(found, "It").at_rest.status == status, store(found, "It").at_rest


def test_an_undecided_fn_if_between_keys_cannot_be_shown() -> None:
    found = inventory(
        {
            **KEY,
            "Queue": {
                "Type": "AWS::SQS::Queue",
                "Properties": {"KmsMasterKeyId": {"Fn::If": ["UseKey", {"Ref": "Key"}, "alias/aws/sqs"]}},
            },
        },
        Parameters={"Choice": {"Type": "String"}},
        Conditions={"UseKey": {"Fn::Equals": [{"Ref": "Choice"}, "yes"]}},
    )
    at_rest = store(found, "Queue").at_rest
    assert at_rest.status == AtRestStatus.UNKNOWN and "Fn::If" in at_rest.text


# -- encryption in transit -------------------------------------------------------------------------------------


def _tls_policy(bucket: str) -> dict[str, Any]:
    arn = {"Fn::GetAtt": [bucket, "Arn"]}
    return {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {
            "Bucket": {"Ref": bucket},
            "PolicyDocument": {
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": {"AWS": "*"},
                        "Action": "s3:*",
                        "Resource": [arn, {"Fn::Join": ["", [arn, "/*"]]}],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ]
            },
        },
    }


def test_in_transit_is_what_the_template_proves() -> None:
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "sqs:*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": False}},
    }
    found = inventory(
        {
            "Tls": {"Type": "AWS::S3::Bucket"},
            "TlsPolicy": _tls_policy("Tls"),
            "Plain": {"Type": "AWS::S3::Bucket"},
            "Params": {
                "Type": "AWS::RDS::DBParameterGroup",
                "Properties": {"Family": "postgres16", "Description": "tls", "Parameters": {"rds.force_ssl": "1"}},
            },
            "Db": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {"Engine": "postgres", "DBParameterGroupName": {"Ref": "Params"}},
            },
            "Cache": {
                "Type": "AWS::ElastiCache::ReplicationGroup",
                "Properties": {"TransitEncryptionEnabled": True, "TransitEncryptionMode": "required"},
            },
            "LooseCache": {
                "Type": "AWS::ElastiCache::ReplicationGroup",
                "Properties": {"TransitEncryptionEnabled": True, "TransitEncryptionMode": "preferred"},
            },
            "Queue": {"Type": "AWS::SQS::Queue"},
            "QueuePolicy": {
                "Type": "AWS::SQS::QueuePolicy",
                "Properties": {"Queues": [{"Ref": "Queue"}], "PolicyDocument": {"Statement": [deny]}},
            },
            "OpenQueue": {"Type": "AWS::SQS::Queue"},
            "Logs": {"Type": "AWS::Logs::LogGroup"},
        }
    )
    assert store(found, "Tls").in_transit.text == "TLS-only bucket policy"
    assert store(found, "Plain").in_transit.status == InTransitStatus.NOT_ENFORCED
    assert store(found, "Db").in_transit.text == "rds.force_ssl parameter group Params"
    assert store(found, "Cache").in_transit.text == "transit encryption required"
    assert store(found, "LooseCache").in_transit.status == InTransitStatus.NOT_ENFORCED
    assert store(found, "Queue").in_transit.text == "TLS-only queue policy"
    assert store(found, "OpenQueue").in_transit.status == InTransitStatus.NOT_SHOWN
    assert store(found, "Logs").in_transit.status == InTransitStatus.NOT_APPLICABLE


# -- classification --------------------------------------------------------------------------------------------


def test_classification_from_list_and_map_tags() -> None:
    found = inventory(
        {
            "Listed": {
                "Type": "AWS::S3::Bucket",
                "Properties": {"Tags": [{"Key": "data-classification", "Value": "personal"}]},
            },
            "Mapped": {
                "Type": "AWS::Backup::BackupVault",
                "Properties": {"BackupVaultName": "v", "BackupVaultTags": {"data-classification": "internal"}},
            },
            "FileSystem": {
                "Type": "AWS::EFS::FileSystem",
                "Properties": {"FileSystemTags": [{"Key": "data-classification", "Value": "public"}]},
            },
            "Untagged": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": [{"Key": "team", "Value": "chat"}]}},
            "FromParameter": {
                "Type": "AWS::SNS::Topic",
                "Properties": {"Tags": [{"Key": "data-classification", "Value": {"Ref": "Level"}}]},
            },
        },
        Parameters={"Level": {"Type": "String"}},
    )
    assert store(found, "Listed").classification == "personal"
    assert store(found, "Mapped").classification == "internal"
    assert store(found, "FileSystem").classification == "public"
    assert store(found, "Untagged").classification == UNCLASSIFIED
    assert store(found, "FromParameter").classification == "unknown"


# -- flows -------------------------------------------------------------------------------------------------------


def _replicating(destination: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::S3::Bucket",
        "Properties": {
            "VersioningConfiguration": {"Status": "Enabled"},
            "ReplicationConfiguration": {
                "Role": "r",
                "Rules": [{"Status": "Enabled", "Destination": {"Bucket": destination}}],
            },
        },
    }


def test_s3_replication_flows_with_the_destination_region() -> None:
    frankfurt = (
        "cdk.out/Dr.template.json",
        {"Resources": {"Copy": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "dr-copy"}}}},
        "eu-central-1",
    )
    found = inventory(
        {
            "ToApp": _replicating("arn:aws:s3:::dr-copy"),
            "ToLocal": _replicating({"Fn::GetAtt": ["Local", "Arn"]}),
            "Local": {"Type": "AWS::S3::Bucket"},
            "ToStranger": _replicating("arn:aws:s3:::somebody-elses-bucket"),
            "ToListed": _replicating("arn:aws:s3:::vetted-bucket"),
            "ToParameter": _replicating({"Ref": "Target"}),
        },
        others=[frankfurt],
        settings=RuleSettings.build(replication_destinations={"vetted-bucket": "eu-north-1"}),
        Parameters={"Target": {"Type": "String"}},
    )

    def replication(logical_id: str) -> Any:
        [flow] = [flow for flow in store(found, logical_id).flows if flow.kind == FlowKind.REPLICATION]
        return flow

    to_app = replication("ToApp")
    assert (to_app.region, to_app.inside, to_app.destination.logical_id) == ("eu-central-1", True, "Copy")
    assert to_app.destination.stack == "Dr"
    assert (replication("ToLocal").region, replication("ToLocal").destination.logical_id) == (EU, "Local")
    stranger = replication("ToStranger")
    assert (stranger.region, stranger.inside) == (UNKNOWN_REGION, False)
    assert "somebody-elses-bucket" in stranger.destination.label
    assert (replication("ToListed").region, replication("ToListed").inside) == ("eu-north-1", True)
    parameter = replication("ToParameter")
    assert (parameter.region, parameter.inside) == (UNKNOWN_REGION, False)
    assert "Target" in parameter.destination.label


def test_replicas_of_tables_and_secrets_are_flows_to_their_regions() -> None:
    found = inventory(
        {
            "Table": {
                "Type": "AWS::DynamoDB::GlobalTable",
                "Properties": {"Replicas": [{"Region": EU}, {"Region": "eu-north-1"}, {"Region": "us-west-2"}]},
            },
            "Secret": {
                "Type": "AWS::SecretsManager::Secret",
                "Properties": {"ReplicaRegions": [{"Region": {"Ref": "Where"}}]},
            },
            "Key": {"Type": "AWS::KMS::Key", "Properties": {"MultiRegion": True}},
        },
        Parameters={"Where": {"Type": "String"}},
    )
    replicas = {(flow.region, flow.inside) for flow in store(found, "Table").flows if flow.kind == FlowKind.REPLICA}
    assert replicas == {("eu-north-1", True), ("us-west-2", False)}
    [secret] = store(found, "Secret").flows
    assert (secret.kind, secret.region, secret.inside) == (FlowKind.REPLICA, UNKNOWN_REGION, False)
    [key] = store(found, "Key").flows
    assert (key.region, key.inside) == (UNKNOWN_REGION, False)


def test_backup_plans_give_backup_and_copy_flows_to_the_selected_stores() -> None:
    found = inventory(
        {
            "Db": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {"StorageEncrypted": True, "BackupRetentionPeriod": 0},
            },
            "Tagged": {
                "Type": "AWS::EFS::FileSystem",
                "Properties": {"FileSystemTags": [{"Key": "backup", "Value": "daily"}]},
            },
            "Other": {"Type": "AWS::EFS::FileSystem"},
            "Vault": {"Type": "AWS::Backup::BackupVault", "Properties": {"BackupVaultName": "main"}},
            "Plan": {
                "Type": "AWS::Backup::BackupPlan",
                "Properties": {
                    "BackupPlan": {
                        "BackupPlanName": "p",
                        "BackupPlanRule": [
                            {
                                "RuleName": "daily",
                                "TargetBackupVault": {"Ref": "Vault"},
                                "CopyActions": [
                                    {"DestinationBackupVaultArn": DR_VAULT},
                                    {"DestinationBackupVaultArn": FAR_VAULT},
                                ],
                            }
                        ],
                    }
                },
            },
            "ByReference": {
                "Type": "AWS::Backup::BackupSelection",
                "Properties": {
                    "BackupPlanId": {"Ref": "Plan"},
                    "BackupSelection": {
                        "SelectionName": "db",
                        "IamRoleArn": "arn:aws:iam::123456789012:role/backup",
                        "Resources": [{"Fn::Sub": "arn:aws:rds:${AWS::Region}:${AWS::AccountId}:db:${Db}"}],
                    },
                },
            },
            "ByTag": {
                "Type": "AWS::Backup::BackupSelection",
                "Properties": {
                    "BackupPlanId": {"Ref": "Plan"},
                    "BackupSelection": {
                        "SelectionName": "tagged",
                        "IamRoleArn": "arn:aws:iam::123456789012:role/backup",
                        "ListOfTags": [
                            {"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "daily"}
                        ],
                    },
                },
            },
        }
    )
    for logical_id in ("Db", "Tagged"):
        flows = {(flow.kind, flow.region, flow.inside) for flow in store(found, logical_id).flows}
        assert flows == {
            (FlowKind.BACKUP, EU, True),
            (FlowKind.BACKUP_COPY, "eu-central-1", True),
            (FlowKind.BACKUP_COPY, "us-east-1", False),
        }, logical_id
    assert not store(found, "Other").flows
    [backup] = [flow for flow in store(found, "Db").flows if flow.kind == FlowKind.BACKUP]
    assert backup.destination.logical_id == "Vault" and "daily" in backup.detail


def test_logs_go_to_their_log_groups_and_buckets() -> None:
    found = inventory(
        {
            "Logs": {"Type": "AWS::S3::Bucket"},
            "Data": {
                "Type": "AWS::S3::Bucket",
                "Properties": {"LoggingConfiguration": {"DestinationBucketName": {"Ref": "Logs"}}},
            },
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
            "FlowLogs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "flow"}},
            "FlowLog": {
                "Type": "AWS::EC2::FlowLog",
                "Properties": {
                    "ResourceId": {"Ref": "Vpc"},
                    "ResourceType": "VPC",
                    "LogGroupName": {"Ref": "FlowLogs"},
                },
            },
            "Shipping": {
                "Type": "AWS::Logs::SubscriptionFilter",
                "Properties": {
                    "LogGroupName": {"Ref": "FlowLogs"},
                    "FilterPattern": "",
                    "DestinationArn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/elsewhere",
                },
            },
        }
    )
    [access] = store(found, "Data").flows
    assert (access.kind, access.destination.logical_id, access.inside) == (FlowKind.LOG, "Logs", True)
    [vpc] = [flow for flow in found.flows if flow.source.logical_id == "Vpc"]
    assert (vpc.destination.logical_id, vpc.region) == ("FlowLogs", EU)
    [shipped] = store(found, "FlowLogs").flows
    assert (shipped.region, shipped.inside) == ("us-east-1", False)


def test_sends_outside_aws_are_unknown_and_outside_unless_vetted() -> None:
    resources = {
        "Topic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"Subscription": [{"Protocol": "email", "Endpoint": "ops@example.com"}]},
        },
        "Hook": {
            "Type": "AWS::SNS::Subscription",
            "Properties": {"TopicArn": {"Ref": "Topic"}, "Protocol": "https", "Endpoint": "https://hooks.example.eu/x"},
        },
        "Queue": {"Type": "AWS::SQS::Queue"},
        "ToQueue": {
            "Type": "AWS::SNS::Subscription",
            "Properties": {
                "TopicArn": {"Ref": "Topic"},
                "Protocol": "sqs",
                "Endpoint": {"Fn::GetAtt": ["Queue", "Arn"]},
            },
        },
        "Stream": {
            "Type": "AWS::KinesisFirehose::DeliveryStream",
            "Properties": {
                "HttpEndpointDestinationConfiguration": {
                    "EndpointConfiguration": {"Url": "https://collector.example.com"}
                }
            },
        },
    }
    found = inventory(resources)
    outbound = {flow.destination.label: flow for flow in found.flows if flow.kind == FlowKind.OUTBOUND}
    assert set(outbound) == {"ops@example.com", "https://hooks.example.eu/x", "https://collector.example.com"}
    for flow in outbound.values():
        assert flow.region == UNKNOWN_REGION and not flow.inside and flow.destination.outside_aws
    assert {flow.source.logical_id for flow in outbound.values()} == {"Topic", "Stream"}
    [to_queue] = [flow for flow in store(found, "Topic").flows if flow.kind == FlowKind.DELIVERY]
    assert (to_queue.destination.logical_id, to_queue.inside) == ("Queue", True)

    vetted = inventory(resources, settings=RuleSettings.build(eu_endpoints=["https://hooks.example.eu/"]))
    [hook] = [flow for flow in vetted.flows if flow.destination.label == "https://hooks.example.eu/x"]
    assert hook.inside and hook.region == UNKNOWN_REGION


def test_inventory_as_dict_is_plain_json() -> None:
    found = inventory({"Bucket": _replicating("arn:aws:s3:::nowhere")})
    document = json.loads(json.dumps(found.as_dict()))
    [bucket] = document["stores"]
    assert bucket["flows"][0]["region"] == UNKNOWN_REGION and bucket["flows"][0]["inside"] is False
    assert bucket["encryption_at_rest"]["status"] == AtRestStatus.SSE_S3


def test_the_inventory_imports_neither_aws_cdk_nor_jsii() -> None:
    code = (
        "import sys, eu_residency.inventory.builder\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aws_cdk', 'jsii')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"
