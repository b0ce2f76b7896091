"""The audit stack: a multi-region CloudTrail trail delivered to an encrypted, private, expiring bucket."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Match, Template

from constructs_lib.constructs.classification import CLASSIFICATION_TAG, RESIDENCY_EU, RESIDENCY_TAG
from tests.conftest import BuiltPlatform, only_resource, resources

TRAIL = "AWS::CloudTrail::Trail"
BUCKET = "AWS::S3::Bucket"


def _audit(platform: BuiltPlatform) -> Template:
    return platform.template(platform.stacks.audit)


def _trail(platform: BuiltPlatform) -> dict[str, Any]:
    properties: dict[str, Any] = only_resource(_audit(platform), TRAIL)["Properties"]
    return properties


def _trail_bucket(platform: BuiltPlatform) -> tuple[str, dict[str, Any]]:
    """The logical id and properties of the bucket the trail delivers to."""
    stack_name, logical_id, bucket = platform.follow(platform.stacks.audit, _trail(platform)["S3BucketName"])
    assert stack_name == platform.stacks.audit.stack_name
    assert bucket["Type"] == BUCKET
    return logical_id, bucket["Properties"]


def test_trail_validates_its_log_files(each_env: BuiltPlatform) -> None:
    _audit(each_env).has_resource_properties(TRAIL, {"EnableLogFileValidation": True})


def test_trail_is_multi_region(each_env: BuiltPlatform) -> None:
    _audit(each_env).has_resource_properties(TRAIL, {"IsMultiRegionTrail": True})


def test_trail_encrypts_with_a_kms_key(each_env: BuiltPlatform) -> None:
    trail = _trail(each_env)
    assert "KMSKeyId" in trail, "the trail's log files are not KMS-encrypted"
    _, _, key = each_env.follow(each_env.stacks.audit, trail["KMSKeyId"])
    assert key["Type"] == "AWS::KMS::Key"


def test_trail_delivers_to_the_trail_bucket(each_env: BuiltPlatform) -> None:
    template = _audit(each_env)
    template.resource_count_is(BUCKET, 1)
    (bucket,) = resources(template, BUCKET)
    template.has_resource_properties(TRAIL, {"S3BucketName": {"Ref": bucket}})


def test_bucket_is_encrypted_with_kms_and_a_bucket_key(each_env: BuiltPlatform) -> None:
    _, bucket = _trail_bucket(each_env)
    (encryption,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["BucketKeyEnabled"] is True
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    _, _, key = each_env.follow(each_env.stacks.audit, encryption["ServerSideEncryptionByDefault"]["KMSMasterKeyID"])
    assert key["Type"] == "AWS::KMS::Key"


def test_bucket_blocks_all_public_access(each_env: BuiltPlatform) -> None:
    _audit(each_env).has_resource_properties(
        BUCKET,
        {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            }
        },
    )


def test_bucket_owner_owns_every_object(each_env: BuiltPlatform) -> None:
    _audit(each_env).has_resource_properties(
        BUCKET,
        {"OwnershipControls": {"Rules": Match.exact([{"ObjectOwnership": "BucketOwnerEnforced"}])}},
    )


def test_bucket_is_versioned(each_env: BuiltPlatform) -> None:
    _audit(each_env).has_resource_properties(BUCKET, {"VersioningConfiguration": {"Status": "Enabled"}})


def test_bucket_expires_trail_logs_after_the_audit_retention(each_env: BuiltPlatform) -> None:
    _audit(each_env).has_resource_properties(
        BUCKET,
        {
            "LifecycleConfiguration": {
                "Rules": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Status": "Enabled",
                                "ExpirationInDays": each_env.config.retention.audit_log_days,
                                "NoncurrentVersionExpiration": {
                                    "NoncurrentDays": each_env.config.retention.noncurrent_version_days
                                },
                            }
                        )
                    ]
                )
            }
        },
    )


def test_bucket_policy_denies_requests_without_tls(each_env: BuiltPlatform) -> None:
    template = _audit(each_env)
    bucket, _ = _trail_bucket(each_env)
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": bucket},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "s3:*",
                                "Principal": {"AWS": "*"},
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                                "Resource": Match.array_with(
                                    [
                                        {"Fn::GetAtt": [bucket, "Arn"]},
                                        {"Fn::Join": ["", [{"Fn::GetAtt": [bucket, "Arn"]}, "/*"]]},
                                    ]
                                ),
                            }
                        )
                    ]
                )
            },
        },
    )


def test_bucket_is_tagged_with_its_classification_and_residency(each_env: BuiltPlatform) -> None:
    _, bucket = _trail_bucket(each_env)
    tags = {tag["Key"]: tag["Value"] for tag in bucket.get("Tags", [])}
    assert tags.get(CLASSIFICATION_TAG) == "personal"
    assert tags.get(RESIDENCY_TAG) == RESIDENCY_EU
