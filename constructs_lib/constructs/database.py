"""PostgreSQL on RDS that only speaks TLS, is encrypted with its own key, and keeps backups in-region."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_rds as rds
from constructs import Construct

from constructs_lib.acknowledgements import acknowledge
from constructs_lib.constructs.classification import DataClassification, classify
from constructs_lib.constructs.log_group import EncryptedLogGroup

POSTGRES_PORT = 5432
EXPORTED_LOGS = ("postgresql", "upgrade")
MASTER_USERNAME = "chat_admin"


@dataclass(frozen=True)
class DatabaseSize:
    instance_type: ec2.InstanceType
    allocated_storage_gib: int
    max_allocated_storage_gib: int
    multi_az: bool


class PostgresDatabase(Construct):
    """An RDS PostgreSQL instance in isolated subnets.

    Always: storage and Performance Insights encrypted with ``encryption_key``; ``rds.force_ssl=1``;
    IAM authentication; the master password generated, stored and rotated by RDS in Secrets Manager
    (encrypted with the same key); logs exported to encrypted log groups that expire; automated
    backups kept ``backup_retention_days`` in this region only (no cross-region replication).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        instance_identifier: str,
        postgres_version: str,
        size: DatabaseSize,
        encryption_key: kms.IKey,
        log_key: kms.IKey,
        log_retention_days: int,
        backup_retention_days: int,
        deletion_protection: bool,
        removal_policy: RemovalPolicy = RemovalPolicy.SNAPSHOT,
    ) -> None:
        super().__init__(scope, construct_id)
        if not 1 <= backup_retention_days <= 35:
            raise ValueError(
                f"backup retention: {backup_retention_days} days; RDS keeps 1 to 35 days, and backups are required"
            )
        engine = rds.DatabaseInstanceEngine.postgres(
            version=rds.PostgresEngineVersion.of(postgres_version, postgres_version.split(".", maxsplit=1)[0])
        )
        self.parameter_group = rds.ParameterGroup(
            self,
            "Parameters",
            engine=engine,
            description="Forces TLS for every client connection and logs connections",
            parameters={
                "rds.force_ssl": "1",
                "ssl_min_protocol_version": "TLSv1.2",
                "log_connections": "1",
                "log_disconnections": "1",
            },
        )
        self.log_groups = [
            EncryptedLogGroup(
                self,
                f"{log_name.capitalize()}Logs",
                log_group_name=f"/aws/rds/instance/{instance_identifier}/{log_name}",
                encryption_key=log_key,
                retention_days=log_retention_days,
                classification=DataClassification.PERSONAL,
                removal_policy=RemovalPolicy.DESTROY
                if removal_policy == RemovalPolicy.DESTROY
                else RemovalPolicy.RETAIN,
            )
            for log_name in EXPORTED_LOGS
        ]
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description="PostgreSQL: accepts connections only from the security groups allowed in code",
            allow_all_outbound=False,
        )
        self.instance = rds.DatabaseInstance(
            self,
            "Instance",
            engine=engine,
            instance_identifier=instance_identifier,
            instance_type=size.instance_type,
            vpc=vpc,
            vpc_subnets=subnets,
            security_groups=[self.security_group],
            port=POSTGRES_PORT,
            multi_az=size.multi_az,
            allocated_storage=size.allocated_storage_gib,
            max_allocated_storage=size.max_allocated_storage_gib,
            storage_type=rds.StorageType.GP3,
            storage_encrypted=True,
            storage_encryption_key=encryption_key,
            credentials=rds.Credentials.from_username(MASTER_USERNAME, encryption_key=encryption_key),
            manage_master_user_password=True,
            iam_authentication=True,
            parameter_group=self.parameter_group,
            publicly_accessible=False,
            enable_performance_insights=True,
            performance_insight_encryption_key=encryption_key,
            performance_insight_retention=rds.PerformanceInsightRetention.DEFAULT,
            cloudwatch_logs_exports=list(EXPORTED_LOGS),
            backup_retention=Duration.days(backup_retention_days),
            delete_automated_backups=True,
            copy_tags_to_snapshot=True,
            auto_minor_version_upgrade=True,
            deletion_protection=deletion_protection,
            removal_policy=removal_policy,
        )
        acknowledge(
            self.instance,
            "AwsSolutions-RDS11",
            "The standard PostgreSQL port is kept on purpose: the instance sits in isolated subnets, its "
            "security group admits only the chat application, and a non-standard port hides nothing there.",
        )
        for log_group in self.log_groups:
            self.instance.node.add_dependency(log_group)
        self.connections = self.instance.connections
        classify(self, DataClassification.PERSONAL)

    @property
    def master_secret_arn(self) -> str:
        """The ARN of the RDS-managed master-user secret."""
        cfn = self.instance.node.default_child
        assert isinstance(cfn, rds.CfnDBInstance)
        return cfn.attr_master_user_secret_secret_arn
