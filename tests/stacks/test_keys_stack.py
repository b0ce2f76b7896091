"""Keys stack: one rotated customer-managed key per data class, usable only through its services."""

from __future__ import annotations

from typing import Any

from tests.conftest import BuiltPlatform, resources

DATA_CLASSES = {"database", "cache", "attachments", "logs", "backup"}


def _keys_by_alias(platform: BuiltPlatform) -> dict[str, dict[str, Any]]:
    template = platform.template(platform.stacks.keys)
    keys = resources(template, "AWS::KMS::Key")
    by_alias = {}
    for alias in resources(template, "AWS::KMS::Alias").values():
        name = alias["Properties"]["AliasName"].removeprefix(f"alias/chat-{platform.config.env_name}-")
        by_alias[name] = keys[alias["Properties"]["TargetKeyId"]["Fn::GetAtt"][0]]
    return by_alias


def test_one_key_per_data_class(each_env: BuiltPlatform) -> None:
    assert set(_keys_by_alias(each_env)) == DATA_CLASSES
    each_env.template(each_env.stacks.keys).resource_count_is("AWS::KMS::Key", len(DATA_CLASSES))


def test_every_key_rotates_and_waits_30_days_before_deletion(each_env: BuiltPlatform) -> None:
    for key in _keys_by_alias(each_env).values():
        assert key["Properties"]["EnableKeyRotation"] is True
        assert key["Properties"]["PendingWindowInDays"] == 30
        assert key["DeletionPolicy"] == "Retain"


def test_keys_are_used_only_through_their_services(dev: BuiltPlatform) -> None:
    expected = {
        "database": {"rds", "secretsmanager"},
        "cache": {"elasticache", "secretsmanager"},
        "attachments": {"s3"},
        "logs": {"logs", "s3"},
        "backup": {"backup"},
    }
    for name, key in _keys_by_alias(dev).items():
        statement = _statement(key, "AllowUseOnlyThroughItsServices")
        via = statement["Condition"]["StringEquals"]["kms:ViaService"]
        assert {service.removesuffix(".eu-west-1.amazonaws.com") for service in via} == expected[name]
        assert statement["Condition"]["StringEquals"]["kms:CallerAccount"] == dev.config.account


def test_only_the_logs_key_admits_cloudwatch_logs_and_cloudtrail(dev: BuiltPlatform) -> None:
    keys = _keys_by_alias(dev)
    logs = _statement(keys["logs"], "AllowCloudWatchLogsOfThisAccount")
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert "arn:aws:logs:eu-west-1:123456789012:log-group:*" in str(logs["Condition"])
    trail = _statement(keys["logs"], "AllowCloudTrailToEncryptItsLogs")
    assert trail["Condition"]["StringEquals"]["aws:SourceArn"] == (
        "arn:aws:cloudtrail:eu-west-1:123456789012:trail/chat-dev-trail"
    )
    for name in DATA_CLASSES - {"logs"}:
        sids = {statement.get("Sid") for statement in keys[name]["Properties"]["KeyPolicy"]["Statement"]}
        assert not sids & {"AllowCloudWatchLogsOfThisAccount", "AllowCloudTrailToEncryptItsLogs"}


def test_keys_carry_classification_and_residency_tags(dev: BuiltPlatform) -> None:
    for key in _keys_by_alias(dev).values():
        tags = {tag["Key"]: tag["Value"] for tag in key["Properties"]["Tags"]}
        assert tags == {"data-classification": "personal", "data-residency": "eu"}


def _statement(key: dict[str, Any], sid: str) -> dict[str, Any]:
    statements = [s for s in key["Properties"]["KeyPolicy"]["Statement"] if s.get("Sid") == sid]
    assert len(statements) == 1, f"expected one statement {sid}"
    return statements[0]


def test_no_key_policy_gives_anyone_unconditional_use_of_a_key(each_env: BuiltPlatform) -> None:
    use_actions = {"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant"}
    for name, key in _keys_by_alias(each_env).items():
        for statement in key["Properties"]["KeyPolicy"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert "kms:*" not in actions, name
            if "Condition" not in statement:
                assert not use_actions & set(actions), (name, statement.get("Sid"))
                assert not any(action.startswith("kms:Create") and action != "kms:CreateAlias" for action in actions)
