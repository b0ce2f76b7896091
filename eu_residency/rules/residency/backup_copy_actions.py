"""EU-RES-012: AWS Backup copies recovery points only to vaults in allowed regions."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.residency._replication import STAR, arn_violations, settled, walk

VAULTS = ("AWS::Backup::BackupVault", "AWS::Backup::LogicallyAirGappedBackupVault")
RULES = ("BackupPlan", "BackupPlanRule", STAR)


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from settled(_violations(resource, view))


def _violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    copies = walk(view, resource.properties, (*RULES, "CopyActions", STAR, "DestinationBackupVaultArn"))
    for path, vault in copies:
        yield from arn_violations(view, vault, path, "the copy destination vault", VAULTS)
    targets = walk(view, resource.properties, (*RULES, "TargetLogicallyAirGappedBackupVaultArn"))
    for path, vault in targets:
        yield from arn_violations(view, vault, path, "the logically air-gapped target vault", VAULTS)


RULE = Rule(
    id="EU-RES-012",
    title="AWS Backup plans copy recovery points only to vaults in allowed regions",
    explanation=(
        "A copy action puts a full copy of every recovery point, user data included, into the destination "
        "vault; a vault outside the allowed regions transfers the backups out of the EU, where they are "
        "also kept for the copy's own retention period. A destination vault ARN proven to be in a region "
        "outside the allowed set is fatal; one whose region cannot be shown (a parameter, an import) is an "
        "error. A vault of this stack is in the stack's own region."
    ),
    fix="Set CopyActions[].DestinationBackupVaultArn to a vault in an allowed region: a vault of this stack "
    "or a literal ARN naming an EU region (L2: BackupPlanRule(copy_actions=[BackupPlanCopyActionProps("
    "destination_backup_vault=eu_vault)])).",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({"AWS::Backup::BackupPlan"}),
    check_resource=check,
)
