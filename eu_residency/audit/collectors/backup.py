"""AWS Backup: vaults and their key; plans and the vaults their copy actions send recovery points to.

Rules: EU-RES-001, EU-KEY-010 (a vault encrypted with the AWS-managed key aws/backup), EU-RES-012 (a copy
action whose destination vault is outside the allowed regions).
"""

from __future__ import annotations

from eu_residency.audit.scope import Scope, arn_region, pages

SERVICE = "backup"
VAULT = "AWS::Backup::BackupVault"
PLAN = "AWS::Backup::BackupPlan"


def collect(scope: Scope) -> None:
    client = scope.client()
    for page in pages(client, "list_backup_vaults"):
        for vault in page.get("BackupVaultList", []):
            name = str(vault["BackupVaultName"])
            arn = str(vault.get("BackupVaultArn", name))
            key = vault.get("EncryptionKeyArn")
            scope.store(VAULT, name, arn, f"key {key}" if key else "key not shown")
            if not key or not scope.keys.customer_managed(str(key), scope.region):
                scope.finding(
                    "EU-KEY-010",
                    arn,
                    VAULT,
                    "the vault encrypts recovery points with "
                    + (f"the AWS-managed key {key}" if key else "a key AWS does not name (the AWS-managed aws/backup)"),
                )
    plans = [
        str(plan["BackupPlanId"])
        for page in pages(client, "list_backup_plans")
        for plan in page.get("BackupPlansList", [])
    ]
    for plan_id in plans:
        response = scope.guarded(f"backup plan {plan_id}", client.get_backup_plan, BackupPlanId=plan_id)
        if response is None:
            continue
        arn = str(response.get("BackupPlanArn", plan_id))
        copies: list[tuple[str, str | None]] = []
        for rule in (response.get("BackupPlan") or {}).get("Rules", []):
            for action in rule.get("CopyActions", []):
                destination = str(action.get("DestinationBackupVaultArn", ""))
                copies.append((f"vault {destination}", arn_region(destination)))
        scope.destinations("EU-RES-012", arn, PLAN, "the plan copies recovery points to", copies)
