"""S3 buckets that are private, TLS-only, versioned or expiring, and encrypted."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib.acknowledgements import acknowledge
from constructs_lib.constructs.classification import DataClassification, classify

ABORT_INCOMPLETE_UPLOADS_AFTER = Duration.days(7)
SERVER_ACCESS_LOG_PREFIX = "s3/"


class DataBucket(Construct):
    """A bucket for data: SSE-KMS with a bucket key, TLS-only, private, versioned, access-logged.

    Non-current versions expire after ``noncurrent_version_days`` so deleted data does not linger,
    current objects after ``expiration_days`` when given (default: kept until the application deletes
    them), and incomplete multipart uploads are aborted after a week.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        encryption_key: kms.IKey,
        access_logs: AccessLogBucket,
        access_log_prefix: str,
        noncurrent_version_days: int,
        classification: DataClassification,
        expiration_days: int | None = None,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        if encryption_key is None:
            raise ValueError(f"data bucket {self.node.path}: a customer-managed encryption key is required, got None")
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=encryption_key,
            bucket_key_enabled=True,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="abort-incomplete-uploads-and-expire-old-versions",
                    abort_incomplete_multipart_upload_after=ABORT_INCOMPLETE_UPLOADS_AFTER,
                    noncurrent_version_expiration=Duration.days(noncurrent_version_days),
                    expiration=Duration.days(expiration_days) if expiration_days else None,
                )
            ],
            removal_policy=removal_policy,
        )
        # Set on the L1: the L2 would write a statement naming this bucket into the log bucket's policy,
        # a reference back from the log bucket's stack. AccessLogBucket admits this account's buckets.
        cfn_bucket = self.bucket.node.default_child
        assert isinstance(cfn_bucket, s3.CfnBucket)
        cfn_bucket.logging_configuration = s3.CfnBucket.LoggingConfigurationProperty(
            destination_bucket_name=access_logs.bucket.bucket_name,
            log_file_prefix=f"{SERVER_ACCESS_LOG_PREFIX}{access_log_prefix}",
        )
        self.encryption_key = encryption_key
        classify(self, classification)

    def object_read_write_policy(self) -> iam.ManagedPolicy:
        """A managed policy to read, write and delete objects, and nothing else; attach it to a role.

        Managed rather than inline so that a role in a stack that depends on this one can use it.
        """
        policy = iam.ManagedPolicy(
            self,
            "ObjectReadWrite",
            description=f"Read, write and delete objects of {self.node.path}",
            statements=[
                iam.PolicyStatement(
                    sid="ObjectReadWrite",
                    actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
                    resources=[self.bucket.arn_for_objects("*")],
                ),
                iam.PolicyStatement(
                    sid="UseTheBucketKeyThroughS3",
                    actions=["kms:Decrypt", "kms:GenerateDataKey"],
                    resources=[self.encryption_key.key_arn],
                    conditions={"StringEquals": {"kms:ViaService": f"s3.{Stack.of(self).region}.amazonaws.com"}},
                ),
            ],
        )
        stack = Stack.of(self)
        cfn_bucket = self.bucket.node.default_child
        assert isinstance(cfn_bucket, s3.CfnBucket)
        bucket_logical_id = stack.resolve(cfn_bucket.logical_id)
        acknowledge(
            policy,
            f"AwsSolutions-IAM5[Resource::<{bucket_logical_id}.Arn>/*]",
            "Object-level S3 actions can only name objects by pattern; the pattern is every object of this "
            "one bucket, and the actions are limited to get, put, delete and abort upload.",
        )
        return policy


class AccessLogBucket(Construct):
    """A bucket for access logs: TLS-only, private, SSE-S3, and every object expires.

    SSE-S3 rather than SSE-KMS because ALB access-log delivery supports only SSE-S3 (S3 server access
    logging does too); the logs hold client IPs, so the bucket is classified personal. S3 server
    access logs of any bucket of this account may be delivered under ``SERVER_ACCESS_LOG_PREFIX``, so
    buckets in other stacks can log here without a reference back to them.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        expiration_days: int,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=False,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-access-logs",
                    abort_incomplete_multipart_upload_after=ABORT_INCOMPLETE_UPLOADS_AFTER,
                    expiration=Duration.days(expiration_days),
                )
            ],
            removal_policy=removal_policy,
        )
        stack = Stack.of(self)
        self.bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowServerAccessLogsOfThisAccount",
                principals=[iam.ServicePrincipal("logging.s3.amazonaws.com")],
                actions=["s3:PutObject"],
                resources=[self.bucket.arn_for_objects(f"{SERVER_ACCESS_LOG_PREFIX}*")],
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            )
        )
        classify(self, DataClassification.PERSONAL)
