"""Promises that hold across every stack of every environment, whatever a stack's own tests check."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from aws_cdk import Token

from eu_residency.core.regions import EU_REGIONS
from tests.conftest import BuiltPlatform, resources

DATA_BEARING_TYPES = (
    "AWS::S3::Bucket",
    "AWS::RDS::DBInstance",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::SecretsManager::Secret",
    "AWS::Logs::LogGroup",
    "AWS::KMS::Key",
)


def _all(platform: BuiltPlatform, resource_type: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for stack in platform.stacks.stacks:
        for logical_id, resource in resources(platform.template(stack), resource_type).items():
            yield f"{stack.stack_name}/{logical_id}", resource


def test_every_stack_has_an_explicit_eu_region_and_account(each_env: BuiltPlatform) -> None:
    for stack in each_env.stacks.stacks:
        assert not Token.is_unresolved(stack.region), stack.stack_name
        assert not Token.is_unresolved(stack.account), stack.stack_name
        assert stack.region in EU_REGIONS, stack.stack_name


def test_every_stack_but_the_copy_vault_is_in_the_platform_region(each_env: BuiltPlatform) -> None:
    for stack in each_env.stacks.stacks:
        if stack is not each_env.stacks.backup_copy:
            assert stack.region == each_env.config.region


def test_every_log_group_is_encrypted_and_expires(each_env: BuiltPlatform) -> None:
    groups = list(_all(each_env, "AWS::Logs::LogGroup"))
    assert groups
    for name, group in groups:
        assert "KmsKeyId" in group["Properties"], name
        assert group["Properties"]["RetentionInDays"] > 0, name


def test_every_lambda_function_logs_to_a_group_of_ours(each_env: BuiltPlatform) -> None:
    # Left alone, Lambda creates /aws/lambda/NAME unencrypted and kept forever.
    for name, function in _all(each_env, "AWS::Lambda::Function"):
        assert "LogGroup" in function["Properties"]["LoggingConfig"], name


def test_every_bucket_is_encrypted_private_and_tls_only(each_env: BuiltPlatform) -> None:
    buckets = dict(_all(each_env, "AWS::S3::Bucket"))
    assert len(buckets) == 3
    for name, bucket in buckets.items():
        properties = bucket["Properties"]
        assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"], name
        assert all(properties["PublicAccessBlockConfiguration"].values()), name
        assert "LifecycleConfiguration" in properties, name
    policies = [policy for _, policy in _all(each_env, "AWS::S3::BucketPolicy")]
    secured = {
        policy["Properties"]["Bucket"]["Ref"]
        for policy in policies
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Deny"
        and statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
    }
    assert {name.split("/")[1] for name in buckets} == secured


def test_every_data_bearing_resource_is_classified_and_resident_in_the_eu(each_env: BuiltPlatform) -> None:
    for resource_type in DATA_BEARING_TYPES:
        for name, resource in _all(each_env, resource_type):
            tags = {tag["Key"]: tag["Value"] for tag in resource["Properties"].get("Tags", [])}
            assert tags.get("data-classification") in {"personal", "internal", "public"}, name
            assert tags.get("data-residency") == "eu", name
    for name, vault in _all(each_env, "AWS::Backup::BackupVault"):
        assert vault["Properties"]["BackupVaultTags"]["data-residency"] == "eu", name


def test_no_global_or_edge_service_is_used(each_env: BuiltPlatform) -> None:
    for resource_type in (
        "AWS::CloudFront::Distribution",
        "AWS::GlobalAccelerator::Accelerator",
        "AWS::RDS::GlobalCluster",
        "AWS::ElastiCache::GlobalReplicationGroup",
        "AWS::DynamoDB::GlobalTable",
    ):
        assert list(_all(each_env, resource_type)) == [], resource_type
    for name, acl in _all(each_env, "AWS::WAFv2::WebACL"):
        assert acl["Properties"]["Scope"] == "REGIONAL", name


def test_stateful_resources_are_retained_in_prod(prod: BuiltPlatform) -> None:
    for resource_type in (
        "AWS::S3::Bucket",
        "AWS::KMS::Key",
        "AWS::Logs::LogGroup",
        "AWS::Backup::BackupVault",
    ):
        for name, resource in _all(prod, resource_type):
            assert resource["DeletionPolicy"] == "Retain", name
    for name, instance in _all(prod, "AWS::RDS::DBInstance"):
        assert instance["DeletionPolicy"] == "Snapshot", name
    assert all(stack.termination_protection for stack in prod.stacks.stacks)
