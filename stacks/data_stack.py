"""Where user data lives: PostgreSQL, the Valkey session store, the attachments and access-log buckets."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from constructs import Construct

from constructs_lib.acknowledgements import acknowledge
from constructs_lib.constructs import (
    AccessLogBucket,
    DataBucket,
    DataClassification,
    PostgresDatabase,
    PrivateNetwork,
    SessionCache,
)
from constructs_lib.constructs.database import DatabaseSize
from stacks.base import PlatformStack
from stacks.config import PlatformConfig


class DataStack(PlatformStack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: PlatformConfig,
        network: PrivateNetwork,
        database_key: kms.IKey,
        cache_key: kms.IKey,
        attachments_key: kms.IKey,
        logs_key: kms.IKey,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            config=config,
            description="PostgreSQL, Valkey sessions, attachments and log buckets",
        )
        self.access_logs = AccessLogBucket(
            self,
            "AccessLogs",
            expiration_days=config.retention.access_log_days,
            removal_policy=self.data_removal_policy,
        )
        self.attachments = DataBucket(
            self,
            "Attachments",
            encryption_key=attachments_key,
            access_logs=self.access_logs,
            access_log_prefix="attachments/",
            noncurrent_version_days=config.retention.noncurrent_version_days,
            classification=DataClassification.PERSONAL,
            removal_policy=self.data_removal_policy,
        )
        self.attachments_access = self.attachments.object_read_write_policy()
        self.database = PostgresDatabase(
            self,
            "Database",
            vpc=network.vpc,
            subnets=network.data_subnets,
            instance_identifier=config.resource_name("postgres"),
            postgres_version=config.database.postgres_version,
            size=DatabaseSize(
                instance_type=ec2.InstanceType(config.database.instance_class),
                allocated_storage_gib=config.database.allocated_storage_gib,
                max_allocated_storage_gib=config.database.max_allocated_storage_gib,
                multi_az=config.database.multi_az,
            ),
            encryption_key=database_key,
            log_key=logs_key,
            log_retention_days=config.retention.log_days,
            backup_retention_days=config.database.backup_retention_days,
            deletion_protection=config.database.deletion_protection,
            removal_policy=RemovalPolicy.SNAPSHOT if config.retain_data else RemovalPolicy.DESTROY,
        )
        self.sessions = SessionCache(
            self,
            "Sessions",
            vpc=network.vpc,
            subnets=network.data_subnets,
            replication_group_id=config.resource_name("sessions"),
            node_type=config.cache.node_type,
            replicas_per_node_group=config.cache.replicas_per_node_group,
            encryption_key=cache_key,
            log_key=logs_key,
            log_retention_days=config.retention.log_days,
            snapshot_retention_days=config.cache.snapshot_retention_days,
            removal_policy=self.data_removal_policy,
        )
        if not config.retain_data:
            # Only an environment that holds no production data may trade availability for cost.
            reason = (
                f"The {config.env_name} environment holds only synthetic test data (retain_data is false); "
                "production runs Multi-AZ with deletion protection, enforced by the same construct."
            )
            if not config.database.multi_az:
                acknowledge(self.database.instance, "AwsSolutions-RDS3", reason)
            if not config.database.deletion_protection:
                acknowledge(self.database.instance, "AwsSolutions-RDS10", reason)
