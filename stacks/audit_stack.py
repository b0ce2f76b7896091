"""Who did what in the account: a multi-region CloudTrail trail, delivered to an encrypted bucket here."""

from __future__ import annotations

from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_kms as kms
from constructs import Construct

from constructs_lib.constructs import AccessLogBucket, DataBucket, DataClassification
from stacks.base import PlatformStack
from stacks.config import PlatformConfig


class AuditStack(PlatformStack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: PlatformConfig,
        logs_key: kms.IKey,
        access_logs: AccessLogBucket,
    ) -> None:
        super().__init__(scope, construct_id, config=config, description="CloudTrail trail and its log bucket")
        self.trail_logs = DataBucket(
            self,
            "TrailLogs",
            encryption_key=logs_key,
            access_logs=access_logs,
            access_log_prefix="cloudtrail/",
            noncurrent_version_days=config.retention.noncurrent_version_days,
            expiration_days=config.retention.audit_log_days,
            classification=DataClassification.PERSONAL,  # caller IP addresses
            removal_policy=self.data_removal_policy,
        )
        # Multi-region so that activity in any region, EU or not, is recorded here in the platform region.
        self.trail = cloudtrail.Trail(
            self,
            "Trail",
            trail_name=config.resource_name("trail"),
            bucket=self.trail_logs.bucket,
            encryption_key=logs_key,
            enable_file_validation=True,
            is_multi_region_trail=True,
            include_global_service_events=True,
        )
