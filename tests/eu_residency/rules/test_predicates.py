"""The shared predicates rules are written with: they follow intrinsics at any depth and fail closed."""

from __future__ import annotations

from typing import Any

from eu_residency.core.rule_model import Severity
from eu_residency.core.settings import RuleSettings
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, text_options, values_at
from eu_residency.rules.predicates import arn_region_violations, require_set, require_true

TEMPLATE: dict[str, Any] = {
    "Parameters": {"Flag": {"Type": "String"}},
    "Conditions": {
        "InIreland": {"Fn::Equals": [{"Ref": "AWS::Region"}, "eu-west-1"]},
        "Chosen": {"Fn::Equals": [{"Ref": "Flag"}, "on"]},
    },
    "Resources": {
        "Handler": {"Type": "Custom::AnyArn"},
        "Vault": {"Type": "AWS::Backup::BackupVault"},
    },
}
VIEW = TemplateView(template=TEMPLATE, region="eu-west-1", settings=RuleSettings(), account="123456789012")


def resource(properties: dict[str, Any]) -> Resource:
    return Resource(logical_id="Table", type="AWS::DynamoDB::Table", properties=properties)


def test_values_at_follows_a_decided_if_part_way_down_the_path() -> None:
    table = resource({"SSESpecification": {"Fn::If": ["InIreland", {"SSEEnabled": True}, {"Ref": "AWS::NoValue"}]}})
    assert values_at(VIEW, table.properties, ("SSESpecification", "SSEEnabled")) == [True]
    assert list(require_true(table, VIEW, ("SSESpecification", "SSEEnabled"), "encryption")) == []


def test_values_at_keeps_both_branches_of_an_undecided_if() -> None:
    table = resource({"SSESpecification": {"Fn::If": ["Chosen", {"SSEEnabled": True}, {"Ref": "AWS::NoValue"}]}})
    assert values_at(VIEW, table.properties, ("SSESpecification", "SSEEnabled")) == [True, MISSING]
    [violation] = require_true(table, VIEW, ("SSESpecification", "SSEEnabled"), "encryption")
    assert violation.severity is Severity.ERROR and "cannot be shown" in violation.message


def test_an_import_part_way_down_the_path_cannot_be_shown_rather_than_missing() -> None:
    table = resource({"SSESpecification": {"Fn::ImportValue": "shared"}})
    [violation] = require_true(table, VIEW, ("SSESpecification", "SSEEnabled"), "encryption")
    assert "cannot be shown" in violation.message


def test_absent_properties_take_the_aws_default() -> None:
    assert list(require_true(resource({}), VIEW, ("Flag",), "x", default=True)) == []
    [violation] = require_true(resource({}), VIEW, ("Flag",), "x")
    assert "is not turned on" in violation.message
    [unset] = require_set(resource({}), VIEW, ("KmsKeyId",), "the key")
    assert "is not set" in unset.message


def test_numbers_are_text_to_cloudformation() -> None:
    assert text_options(VIEW, 30) == ["30"]
    assert isinstance(text_options(VIEW, {"Ref": "Flag"})[0], Unknown)


def test_an_arn_from_a_custom_resource_is_not_taken_for_a_local_resource() -> None:
    from_custom = list(arn_region_violations(VIEW, {"Fn::GetAtt": ["Handler", "Arn"]}, ("X",), "the vault"))
    assert [violation.severity for violation in from_custom] == [Severity.ERROR]
    assert list(arn_region_violations(VIEW, {"Fn::GetAtt": ["Vault", "BackupVaultArn"]}, ("X",), "the vault")) == []
    [outside] = arn_region_violations(VIEW, "arn:aws:backup:us-east-1:1:backup-vault:v", ("X",), "the vault")
    assert outside.severity is Severity.FATAL
