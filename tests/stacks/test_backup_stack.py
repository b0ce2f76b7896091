"""The backup stack: an encrypted vault and daily plan, copied to a second EU region in prod only."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from aws_cdk.assertions import Match, Template

from stacks.backup_stack import copy_vault_name
from tests.conftest import BuiltPlatform, only_resource, resources

VAULT = "AWS::Backup::BackupVault"
PLAN = "AWS::Backup::BackupPlan"
SELECTION = "AWS::Backup::BackupSelection"
COPY_REGION = "eu-central-1"


def _backup(platform: BuiltPlatform) -> Template:
    return platform.template(platform.stacks.backup)


def _copy_vault_stack(platform: BuiltPlatform) -> Stack:
    assert platform.stacks.backup_copy is not None, f"{platform.config.env_name} has no copy vault stack"
    return platform.stacks.backup_copy


def _rules(platform: BuiltPlatform) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = only_resource(_backup(platform), PLAN)["Properties"]["BackupPlan"]["BackupPlanRule"]
    assert rules, "the plan has no rule"
    return rules


def test_stack_is_in_the_platform_region(each_env: BuiltPlatform) -> None:
    assert each_env.stacks.backup.region == "eu-west-1"
    assert each_env.stacks.backup.region == each_env.config.region


def test_vault_is_encrypted_with_a_kms_key(each_env: BuiltPlatform) -> None:
    template = _backup(each_env)
    template.resource_count_is(VAULT, 1)
    vault = only_resource(template, VAULT)["Properties"]
    assert "EncryptionKeyArn" in vault, "the vault uses the AWS-managed key"
    stack_name, _, key = each_env.follow(each_env.stacks.backup, vault["EncryptionKeyArn"])
    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True
    assert stack_name == each_env.stacks.keys.stack_name


def test_plan_rule_targets_the_vault(each_env: BuiltPlatform) -> None:
    vault = next(iter(resources(_backup(each_env), VAULT)))
    for rule in _rules(each_env):
        assert rule["TargetBackupVault"] == {"Fn::GetAtt": [vault, "BackupVaultName"]}


def test_plan_rule_deletes_backups_after_the_configured_retention(each_env: BuiltPlatform) -> None:
    _backup(each_env).has_resource_properties(
        PLAN,
        {
            "BackupPlan": {
                "BackupPlanRule": Match.array_with(
                    [Match.object_like({"Lifecycle": {"DeleteAfterDays": each_env.config.backup.retention_days}})]
                )
            }
        },
    )
    for rule in _rules(each_env):
        assert rule["Lifecycle"]["DeleteAfterDays"] == each_env.config.backup.retention_days


def test_dev_plan_copies_nowhere(dev: BuiltPlatform) -> None:
    assert dev.config.backup.copy_region is None
    for rule in _rules(dev):
        assert not rule.get("CopyActions"), rule["CopyActions"]


def test_dev_has_no_copy_vault_stack(dev: BuiltPlatform) -> None:
    assert dev.stacks.backup_copy is None


def test_prod_plan_copies_to_the_vault_in_the_copy_region(prod: BuiltPlatform) -> None:
    assert prod.config.backup.copy_region == COPY_REGION
    for rule in _rules(prod):
        (copy_action,) = rule["CopyActions"]
        destination = copy_action["DestinationBackupVaultArn"]
        assert isinstance(destination, str), destination
        assert f":backup:{COPY_REGION}:" in destination
        assert destination.endswith(f":backup-vault:{copy_vault_name(prod.config)}")


def test_prod_copy_action_has_its_own_retention(prod: BuiltPlatform) -> None:
    for rule in _rules(prod):
        (copy_action,) = rule["CopyActions"]
        assert copy_action["Lifecycle"] == {"DeleteAfterDays": prod.config.backup.copy_retention_days}


def test_prod_copy_vault_stack_is_in_the_copy_region(prod: BuiltPlatform) -> None:
    assert _copy_vault_stack(prod).region == COPY_REGION


def test_prod_copy_vault_has_the_name_the_copy_action_uses(prod: BuiltPlatform) -> None:
    copy_template = prod.template(_copy_vault_stack(prod))
    copy_template.resource_count_is(VAULT, 1)
    copy_template.has_resource_properties(VAULT, {"BackupVaultName": copy_vault_name(prod.config)})


def test_prod_copy_vault_is_encrypted_with_a_rotated_key_of_its_own(prod: BuiltPlatform) -> None:
    stack = _copy_vault_stack(prod)
    vault = only_resource(prod.template(stack), VAULT)["Properties"]
    assert "EncryptionKeyArn" in vault, "the copy vault uses the AWS-managed key"
    stack_name, _, key = prod.follow(stack, vault["EncryptionKeyArn"])
    assert stack_name == stack.stack_name, "the copy vault's key must be in the copy region"
    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True


def test_backup_stack_depends_on_the_prod_copy_vault_stack(prod: BuiltPlatform) -> None:
    assert _copy_vault_stack(prod) in prod.stacks.backup.dependencies


def test_selection_backs_up_the_database_instance(each_env: BuiltPlatform) -> None:
    template = _backup(each_env)
    selection = only_resource(template, SELECTION)["Properties"]
    plan = next(iter(resources(template, PLAN)))
    assert selection["BackupPlanId"] == {"Fn::GetAtt": [plan, "BackupPlanId"]}
    (arn,) = selection["BackupSelection"]["Resources"]
    prefix, instance = arn["Fn::Join"][1]
    assert prefix == f"arn:aws:rds:{each_env.config.region}:{each_env.config.account}:db:"
    stack_name, _, resource = each_env.follow(each_env.stacks.backup, instance)
    assert stack_name == each_env.stacks.data.stack_name
    assert resource["Type"] == "AWS::RDS::DBInstance"
