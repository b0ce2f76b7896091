"""The whole platform, wired like the architecture diagram in README.md."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Stack
from aws_cdk import aws_kms as kms
from constructs import Construct

from constructs_lib.guardrails import settings_from_context
from stacks.application_stack import ApplicationStack
from stacks.audit_stack import AuditStack
from stacks.backup_stack import BackupCopyVaultStack, BackupStack
from stacks.config import PlatformConfig
from stacks.data_stack import DataStack
from stacks.governance_stack import GovernanceStack
from stacks.hook_stack import HookStack, hook_instance_template
from stacks.keys_stack import KeysStack
from stacks.network_stack import NetworkStack


@dataclass(frozen=True)
class Platform:
    keys: KeysStack
    network: NetworkStack
    data: DataStack
    application: ApplicationStack
    backup: BackupStack
    backup_copy: BackupCopyVaultStack | None
    audit: AuditStack
    governance: GovernanceStack | None = None  # only with -c governance=true
    hook: HookStack | None = None  # only with -c hook=true

    @property
    def stacks(self) -> list[Stack]:
        stacks: list[Stack | None] = [
            self.keys,
            self.network,
            self.data,
            self.application,
            self.backup_copy,
            self.backup,
            self.audit,
            self.governance,
            self.hook,
        ]
        return [stack for stack in stacks if stack is not None]


def build_platform(scope: Construct, config: PlatformConfig) -> Platform:
    prefix = f"Chat-{config.env_name}"
    keys = KeysStack(scope, f"{prefix}-Keys", config=config)
    network = NetworkStack(scope, f"{prefix}-Network", config=config, logs_key=keys.logs_key.key)
    data = DataStack(
        scope,
        f"{prefix}-Data",
        config=config,
        network=network.network,
        database_key=keys.database_key.key,
        cache_key=keys.cache_key.key,
        attachments_key=keys.attachments_key.key,
        logs_key=keys.logs_key.key,
    )
    application = ApplicationStack(
        scope,
        f"{prefix}-Application",
        config=config,
        network=network.network,
        database=data.database,
        sessions=data.sessions,
        attachments_bucket=data.attachments.bucket,
        attachments_access=data.attachments_access,
        access_log_bucket=data.access_logs.bucket,
        cache_key=keys.cache_key.key,
        logs_key=keys.logs_key.key,
    )
    backup_copy = None
    if config.backup.copy_region is not None:
        backup_copy = BackupCopyVaultStack(
            scope, f"{prefix}-BackupCopy", config=config, region=config.backup.copy_region
        )
    backup = BackupStack(
        scope,
        f"{prefix}-Backup",
        config=config,
        backup_key=keys.backup_key.key,
        database=data.database.instance,
        copy_vault_stack=backup_copy,
    )
    audit = AuditStack(
        scope, f"{prefix}-Audit", config=config, logs_key=keys.logs_key.key, access_logs=data.access_logs
    )
    return Platform(
        keys=keys,
        network=network,
        data=data,
        application=application,
        backup=backup,
        backup_copy=backup_copy,
        audit=audit,
        governance=_governance(scope, prefix, config),
        hook=_hook(scope, prefix, config, logs_key=keys.logs_key.key),
    )


def _governance(scope: Construct, prefix: str, config: PlatformConfig) -> GovernanceStack | None:
    """The organization's region-deny SCP, only with -c governance=true; its regions are the guardrails'. With
    -c hook=true too, the StackSet that deploys the hook to the organization's accounts."""
    if config.governance is None:
        return None
    settings = settings_from_context(scope.node.try_get_context)
    hook = None
    if config.hook is not None:
        hook = hook_instance_template(
            scope,
            settings=settings,
            failure_mode=config.hook.failure_mode,
            log_retention_days=config.retention.log_days,
        )
    return GovernanceStack(
        scope, f"{prefix}-Governance", config=config, allowed_regions=settings.allowed_regions, hook=hook
    )


def _hook(scope: Construct, prefix: str, config: PlatformConfig, *, logs_key: kms.IKey) -> HookStack | None:
    """The deploy-time hook in the platform's account and region, only with -c hook=true; it judges by the same
    settings as the synth-time rules."""
    if config.hook is None:
        return None
    settings = settings_from_context(scope.node.try_get_context)
    return HookStack(scope, f"{prefix}-Hook", config=config, settings=settings, logs_key=logs_key)
