"""Database backups in an encrypted vault in the platform region, optionally copied to another EU region."""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_backup as backup
from aws_cdk import aws_events as events
from aws_cdk import aws_kms as kms
from aws_cdk import aws_rds as rds
from constructs import Construct

from constructs_lib.acknowledgements import acknowledge
from constructs_lib.constructs import DataClassification, DataKey, classify
from stacks.base import PlatformStack
from stacks.config import PlatformConfig


def copy_vault_name(config: PlatformConfig) -> str:
    return config.resource_name("dr-vault")


class BackupCopyVaultStack(PlatformStack):
    """The disaster-recovery vault in the copy region (another EU region), with a key of its own there."""

    def __init__(self, scope: Construct, construct_id: str, *, config: PlatformConfig, region: str) -> None:
        super().__init__(
            scope,
            construct_id,
            config=config,
            region=region,
            description="Disaster-recovery backup vault in a second EU region",
        )
        key = DataKey(
            self,
            "BackupKey",
            alias=f"alias/{config.resource_name('dr-backup')}",
            description="Disaster-recovery copies of the platform's backups",
            services=("backup",),
            classification=DataClassification.PERSONAL,
        )
        self.vault = backup.BackupVault(
            self,
            "Vault",
            backup_vault_name=copy_vault_name(config),
            encryption_key=key.key,
            removal_policy=self.data_removal_policy,
        )
        classify(self.vault, DataClassification.PERSONAL)


class BackupStack(PlatformStack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: PlatformConfig,
        backup_key: kms.IKey,
        database: rds.IDatabaseInstance,
        copy_vault_stack: BackupCopyVaultStack | None,
    ) -> None:
        super().__init__(scope, construct_id, config=config, description="AWS Backup vault and plan for the database")
        self.vault = backup.BackupVault(
            self,
            "Vault",
            backup_vault_name=config.resource_name("vault"),
            encryption_key=backup_key,
            removal_policy=self.data_removal_policy,
        )
        classify(self.vault, DataClassification.PERSONAL)

        copy_actions = []
        if copy_vault_stack is not None:
            self.add_stack_dependency(copy_vault_stack, "the copy action needs the disaster-recovery vault")
            # A vault ARN in another region cannot be a cross-stack reference; its name is fixed instead.
            copy_vault_arn = Stack.of(self).format_arn(
                service="backup",
                region=copy_vault_stack.region,
                resource="backup-vault",
                resource_name=copy_vault_name(config),
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
            )
            copy_actions.append(
                backup.BackupPlanCopyActionProps(
                    destination_backup_vault=backup.BackupVault.from_backup_vault_arn(
                        self, "CopyVault", copy_vault_arn
                    ),
                    delete_after=Duration.days(config.backup.copy_retention_days),
                )
            )
        self.plan = backup.BackupPlan(
            self, "Plan", backup_plan_name=config.resource_name("database"), backup_vault=self.vault
        )
        self.plan.add_rule(
            backup.BackupPlanRule(
                rule_name="daily",
                schedule_expression=events.Schedule.cron(hour="2", minute="30"),
                delete_after=Duration.days(config.backup.retention_days),
                copy_actions=copy_actions,
            )
        )
        self.selection = self.plan.add_selection(
            "Database", resources=[backup.BackupResource.from_rds_database_instance(database)]
        )
        acknowledge(
            self.selection.node.find_child("Role"),
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSBackupServiceRolePolicyForBackup]",
            "AWS Backup's own service-role policy is the documented minimum for backing up RDS; AWS keeps it "
            "current as the service changes, and the role can be assumed only by backup.amazonaws.com.",
        )
