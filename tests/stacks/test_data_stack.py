"""Data stack: PostgreSQL, the Valkey session store and the buckets, each encrypted and TLS-only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import BuiltPlatform, only_resource, resources


def _database(platform: BuiltPlatform) -> dict[str, Any]:
    return only_resource(platform.template(platform.stacks.data), "AWS::RDS::DBInstance")["Properties"]


def _key_output(reference: Any, key_name: str) -> None:
    """The value is a cross-stack reference to the named key of the keys stack."""
    output = reference["Fn::GetStackOutput"]
    assert output["StackName"].endswith("-Keys")
    assert key_name in output["OutputName"]


def test_database_storage_and_insights_are_encrypted_with_the_database_key(each_env: BuiltPlatform) -> None:
    database = _database(each_env)
    assert database["StorageEncrypted"] is True
    _key_output(database["KmsKeyId"], "DatabaseKey")
    assert database["EnablePerformanceInsights"] is True
    _key_output(database["PerformanceInsightsKMSKeyId"], "DatabaseKey")


def test_database_master_password_is_managed_and_rotated_by_rds(each_env: BuiltPlatform) -> None:
    database = _database(each_env)
    assert database["ManageMasterUserPassword"] is True
    assert "MasterUserPassword" not in database
    _key_output(database["MasterUserSecret"]["KmsKeyId"], "DatabaseKey")


def test_database_forces_tls_through_its_parameter_group(each_env: BuiltPlatform) -> None:
    template = each_env.template(each_env.stacks.data)
    group_id = _database(each_env)["DBParameterGroupName"]["Ref"]
    parameters = resources(template, "AWS::RDS::DBParameterGroup")[group_id]["Properties"]["Parameters"]
    assert parameters["rds.force_ssl"] == "1"
    assert parameters["ssl_min_protocol_version"] == "TLSv1.2"


def test_database_uses_iam_authentication_and_is_private(each_env: BuiltPlatform) -> None:
    database = _database(each_env)
    assert database["EnableIAMDatabaseAuthentication"] is True
    assert database["PubliclyAccessible"] is False


def test_database_lives_in_the_isolated_data_subnets(dev: BuiltPlatform) -> None:
    template = dev.template(dev.stacks.data)
    subnet_group = only_resource(template, "AWS::RDS::DBSubnetGroup")["Properties"]
    assert len(subnet_group["SubnetIds"]) == 3
    assert all("dataSubnet" in str(subnet) for subnet in subnet_group["SubnetIds"])


@pytest.mark.parametrize(("env_name", "protected"), [("dev", False), ("prod", True)])
def test_database_is_multi_az_and_deletion_protected_in_prod(
    env_name: str, protected: bool, dev: BuiltPlatform, prod: BuiltPlatform
) -> None:
    database = _database({"dev": dev, "prod": prod}[env_name])
    assert database["MultiAZ"] is protected
    assert database["DeletionProtection"] is protected


def test_database_backups_are_bounded_and_stay_in_region(each_env: BuiltPlatform) -> None:
    database = _database(each_env)
    assert database["BackupRetentionPeriod"] == each_env.config.database.backup_retention_days
    assert 1 <= database["BackupRetentionPeriod"] <= 35
    assert "AutomaticBackupReplicationRegion" not in database
    assert "AutomaticBackupReplicationKmsKeyId" not in database


def test_database_logs_go_to_encrypted_groups_created_before_it(each_env: BuiltPlatform) -> None:
    template = each_env.template(each_env.stacks.data)
    instance = only_resource(template, "AWS::RDS::DBInstance")
    assert instance["Properties"]["EnableCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    groups = resources(template, "AWS::Logs::LogGroup")
    identifier = instance["Properties"]["DBInstanceIdentifier"]
    for log_name in ("postgresql", "upgrade"):
        [(group_id, group)] = [
            (group_id, group)
            for group_id, group in groups.items()
            if group["Properties"].get("LogGroupName") == f"/aws/rds/instance/{identifier}/{log_name}"
        ]
        assert group_id in instance["DependsOn"]
        assert "KmsKeyId" in group["Properties"]


def test_session_store_is_encrypted_at_rest_and_requires_tls(each_env: BuiltPlatform) -> None:
    template = each_env.template(each_env.stacks.data)
    group = only_resource(template, "AWS::ElastiCache::ReplicationGroup")["Properties"]
    assert group["AtRestEncryptionEnabled"] is True
    _key_output(group["KmsKeyId"], "CacheKey")
    assert group["TransitEncryptionEnabled"] is True
    assert group["TransitEncryptionMode"] == "required"
    assert group["Engine"] == "valkey"


def test_session_store_fails_over_across_zones(each_env: BuiltPlatform) -> None:
    template = each_env.template(each_env.stacks.data)
    group = only_resource(template, "AWS::ElastiCache::ReplicationGroup")["Properties"]
    assert group["MultiAZEnabled"] is True
    assert group["AutomaticFailoverEnabled"] is True
    assert group["ReplicasPerNodeGroup"] >= 1


def test_session_store_auth_token_is_a_secrets_manager_reference(dev: BuiltPlatform) -> None:
    template = dev.template(dev.stacks.data)
    token = only_resource(template, "AWS::ElastiCache::ReplicationGroup")["Properties"]["AuthToken"]
    parts = token["Fn::Join"][1]
    assert parts[0] == "{{resolve:secretsmanager:"
    secret_id = parts[1]["Ref"]
    secret = resources(template, "AWS::SecretsManager::Secret")[secret_id]["Properties"]
    _key_output(secret["KmsKeyId"], "CacheKey")


def test_session_store_lives_in_the_isolated_data_subnets(dev: BuiltPlatform) -> None:
    template = dev.template(dev.stacks.data)
    subnets = only_resource(template, "AWS::ElastiCache::SubnetGroup")["Properties"]["SubnetIds"]
    assert len(subnets) == 3
    assert all("dataSubnet" in str(subnet) for subnet in subnets)


def test_database_and_session_store_security_groups_allow_nothing_out(dev: BuiltPlatform) -> None:
    template = dev.template(dev.stacks.data)
    for group in resources(template, "AWS::EC2::SecurityGroup").values():
        # CDK's way of saying "no egress": one impossible ICMP rule to 255.255.255.255/32.
        [egress] = group["Properties"]["SecurityGroupEgress"]
        assert egress["CidrIp"] == "255.255.255.255/32"
        assert egress["Description"] == "Disallow all traffic"
        # Ingress is added only by the application stack, from the application's group.
        assert "SecurityGroupIngress" not in group["Properties"]


def _bucket(platform: BuiltPlatform, classification_match: str) -> dict[str, Any]:
    template = platform.template(platform.stacks.data)
    found = [
        bucket["Properties"]
        for bucket in resources(template, "AWS::S3::Bucket").values()
        if classification_match in str(bucket["Properties"].get("BucketEncryption"))
    ]
    assert len(found) == 1
    return found[0]


def test_attachments_bucket_uses_sse_kms_with_its_key_and_a_bucket_key(each_env: BuiltPlatform) -> None:
    bucket = _bucket(each_env, "aws:kms")
    rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["BucketKeyEnabled"] is True
    _key_output(rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"], "AttachmentsKey")


def test_attachments_bucket_is_private_versioned_logged_and_expires_old_versions(
    each_env: BuiltPlatform,
) -> None:
    bucket = _bucket(each_env, "aws:kms")
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["LoggingConfiguration"]["LogFilePrefix"] == "s3/attachments/"
    [rule] = bucket["LifecycleConfiguration"]["Rules"]
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": each_env.config.retention.noncurrent_version_days}


def test_access_log_bucket_uses_sse_s3_because_alb_logs_accept_nothing_else(each_env: BuiltPlatform) -> None:
    bucket = _bucket(each_env, "AES256")
    [rule] = bucket["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == each_env.config.retention.access_log_days
    assert bucket["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] is True


def test_every_bucket_policy_denies_requests_without_tls(each_env: BuiltPlatform) -> None:
    template = each_env.template(each_env.stacks.data)
    policies = resources(template, "AWS::S3::BucketPolicy").values()
    assert len(policies) == 2
    for policy in policies:
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        assert any(
            s["Effect"] == "Deny"
            and s["Action"] == "s3:*"
            and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
            for s in statements
        )


def test_data_bearing_resources_are_tagged_personal_and_eu(each_env: BuiltPlatform) -> None:
    template = each_env.template(each_env.stacks.data)
    for resource_type in (
        "AWS::S3::Bucket",
        "AWS::RDS::DBInstance",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::SecretsManager::Secret",
        "AWS::Logs::LogGroup",
    ):
        for resource in resources(template, resource_type).values():
            tags = {tag["Key"]: tag["Value"] for tag in resource["Properties"]["Tags"]}
            assert tags["data-classification"] == "personal", resource_type
            assert tags["data-residency"] == "eu", resource_type
