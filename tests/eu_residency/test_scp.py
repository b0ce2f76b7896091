"""The region-deny SCP document: its structure, what it denies and lets through, and its size limit."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from typing import Any

import pytest

from eu_residency.core.regions import EU_REGIONS, RegionError
from eu_residency.scp import (
    CLOUDFRONT_COMPANION_ACTIONS,
    CONTROL_TOWER_EXECUTION_ROLE,
    GLOBAL_SERVICE_ACTIONS,
    SCP_MAX_CHARACTERS,
    policy_json,
    region_deny_policy,
)

NARROWED = ["eu-west-1", "eu-central-1"]
APP_ROLE = "arn:aws:sts::123456789012:assumed-role/chat-app/session"
CONTROL_TOWER = "arn:aws:iam::123456789012:role/AWSControlTowerExecution"
BREAK_GLASS = "arn:aws:iam::123456789012:role/BreakGlass"

# Global services that must stay usable from every account, whatever the allowed regions.
MUST_STAY_USABLE = {
    "iam:*",
    "organizations:*",
    "sts:*",
    "route53:*",
    "route53domains:*",
    "support:*",
    "budgets:*",
    "ce:*",
    "cur:*",
    "health:*",
    "account:*",
    "trustedadvisor:*",
    "waf:*",
    "shield:*",
    "aws-portal:*",
    "billing:*",
}
# Regional services that store or process data: never exempt from the region deny.
NEVER_EXEMPT = {"s3:*", "ec2:*", "kms:*", "rds:*", "dynamodb:*", "lambda:*", "logs:*", "config:*", "acm:*", "wafv2:*"}


def _statement(document: dict[str, Any], sid: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [statement for statement in document["Statement"] if statement["Sid"] == sid]
    assert len(found) == 1, f"expected one statement {sid}"
    return found[0]


def _matches(patterns: list[str], value: str) -> bool:
    return any(fnmatchcase(value.lower(), pattern.lower()) for pattern in patterns)


def _denies(document: dict[str, Any], action: str, region: str, principal: str = APP_ROLE) -> bool:
    """Whether the SCP denies a request, evaluated as Organizations does for the elements we use."""
    for statement in document["Statement"]:
        assert statement["Effect"] == "Deny" and statement["Resource"] == "*"
        if "Action" in statement and not _matches(statement["Action"], action):
            continue
        if "NotAction" in statement and _matches(statement["NotAction"], action):
            continue
        condition = statement.get("Condition", {})
        allowed_regions = condition.get("StringNotEquals", {}).get("aws:RequestedRegion")
        if allowed_regions is not None and region in allowed_regions:
            continue
        if _matches(condition.get("ArnNotLike", {}).get("aws:PrincipalARN", []), principal):
            continue
        return True
    return False


def test_the_policy_has_a_region_deny_and_an_edge_deny_by_default() -> None:
    document = region_deny_policy(EU_REGIONS)
    assert document["Version"] == "2012-10-17"
    assert [statement["Sid"] for statement in document["Statement"]] == [
        "DenyOutsideAllowedRegions",
        "DenyEdgeServicesOutsideTheEu",
    ]
    region_deny = _statement(document, "DenyOutsideAllowedRegions")
    assert region_deny["Effect"] == "Deny"
    assert region_deny["Resource"] == "*"
    assert set(region_deny["Condition"]) == {"StringNotEquals", "ArnNotLike"}
    assert region_deny["Condition"]["ArnNotLike"] == {"aws:PrincipalARN": [CONTROL_TOWER_EXECUTION_ROLE]}


def test_not_action_exempts_the_global_services_and_no_regional_one() -> None:
    not_action = set(_statement(region_deny_policy(EU_REGIONS), "DenyOutsideAllowedRegions")["NotAction"])
    assert not_action >= MUST_STAY_USABLE
    assert not (not_action & NEVER_EXEMPT)
    assert not (not_action & {"cloudfront:*", "globalaccelerator:*"})
    assert not_action == set(GLOBAL_SERVICE_ACTIONS)
    assert all(reason.strip() for reason in GLOBAL_SERVICE_ACTIONS.values())


@pytest.mark.parametrize("regions", [sorted(EU_REGIONS), NARROWED, ["eu-west-1"]])
def test_the_condition_lists_exactly_the_allowed_regions(regions: list[str]) -> None:
    condition = _statement(region_deny_policy(regions), "DenyOutsideAllowedRegions")["Condition"]
    assert condition["StringNotEquals"] == {"aws:RequestedRegion": sorted(regions)}


def test_the_document_does_not_depend_on_the_order_of_the_regions() -> None:
    assert region_deny_policy(["eu-west-1", "eu-central-1"]) == region_deny_policy(["eu-central-1", "eu-west-1"])


def test_requests_outside_the_allowed_regions_are_denied_global_services_are_not() -> None:
    document = region_deny_policy(NARROWED)
    assert not _denies(document, "ec2:RunInstances", "eu-west-1")
    assert not _denies(document, "s3:PutObject", "eu-central-1")
    assert _denies(document, "s3:PutObject", "eu-west-3")  # EU, but narrowed away
    assert _denies(document, "ec2:RunInstances", "eu-west-2")  # London: outside the EU
    assert _denies(document, "kms:CreateKey", "us-east-1")
    assert _denies(document, "wafv2:CreateWebACL", "us-east-1")  # CLOUDFRONT scope lives there
    assert _denies(document, "acm:RequestCertificate", "us-east-1")
    for action in (
        "iam:CreateRole",
        "organizations:DescribeOrganization",
        "sts:AssumeRole",
        "route53:ChangeResourceRecordSets",
    ):
        assert not _denies(document, action, "us-east-1"), action


def test_control_tower_and_exempt_principals_escape_the_region_deny() -> None:
    document = region_deny_policy(NARROWED, exempt_principal_arns=[BREAK_GLASS])
    assert not _denies(document, "ec2:RunInstances", "us-west-2", principal=CONTROL_TOWER)
    assert not _denies(document, "ec2:RunInstances", "us-west-2", principal=BREAK_GLASS)
    assert _denies(document, "ec2:RunInstances", "us-west-2", principal=APP_ROLE)
    principals = _statement(document, "DenyOutsideAllowedRegions")["Condition"]["ArnNotLike"]["aws:PrincipalARN"]
    assert principals == [CONTROL_TOWER_EXECUTION_ROLE, BREAK_GLASS]


def test_cloudfront_and_global_accelerator_are_denied_by_default_even_to_exempt_principals() -> None:
    document = region_deny_policy(EU_REGIONS, exempt_principal_arns=[BREAK_GLASS])
    edge = _statement(document, "DenyEdgeServicesOutsideTheEu")
    assert edge["Action"] == ["cloudfront:*", "globalaccelerator:*"]
    assert "Condition" not in edge
    for principal in (APP_ROLE, CONTROL_TOWER, BREAK_GLASS):
        assert _denies(document, "cloudfront:CreateDistribution", "us-east-1", principal)
        assert _denies(document, "globalaccelerator:CreateAccelerator", "us-west-2", principal)


def test_cloudfront_is_allowed_when_opted_in_with_its_companions_in_us_east_1_only() -> None:
    document = region_deny_policy(NARROWED, allow_cloudfront=True)
    not_action = _statement(document, "DenyOutsideAllowedRegions")["NotAction"]
    assert {"cloudfront:*", *CLOUDFRONT_COMPANION_ACTIONS} <= set(not_action)
    assert "globalaccelerator:*" not in not_action
    assert _statement(document, "DenyEdgeServicesOutsideTheEu")["Action"] == ["globalaccelerator:*"]
    assert not _denies(document, "cloudfront:CreateDistribution", "us-east-1")
    assert not _denies(document, "acm:RequestCertificate", "us-east-1")
    assert not _denies(document, "wafv2:CreateWebACL", "us-east-1")
    assert not _denies(document, "acm:RequestCertificate", "eu-west-1")
    assert _denies(document, "acm:RequestCertificate", "us-west-2")
    assert _denies(document, "wafv2:CreateWebACL", "ap-southeast-1")
    assert _denies(document, "lambda:CreateFunction", "us-east-1")  # Lambda@Edge stays denied
    assert _denies(document, "globalaccelerator:CreateAccelerator", "us-west-2")
    companions = _statement(document, "DenyCloudFrontCompanionsOutsideUsEast1")["Condition"]
    assert companions["StringNotEquals"] == {"aws:RequestedRegion": sorted([*NARROWED, "us-east-1"])}


def test_global_accelerator_is_allowed_when_opted_in() -> None:
    document = region_deny_policy(NARROWED, allow_global_accelerator=True)
    assert "globalaccelerator:*" in _statement(document, "DenyOutsideAllowedRegions")["NotAction"]
    assert not _denies(document, "globalaccelerator:CreateAccelerator", "us-west-2")
    assert _denies(document, "cloudfront:CreateDistribution", "us-east-1")


def test_with_both_opted_in_there_is_no_edge_deny() -> None:
    document = region_deny_policy(NARROWED, allow_cloudfront=True, allow_global_accelerator=True)
    assert [statement["Sid"] for statement in document["Statement"]] == [
        "DenyOutsideAllowedRegions",
        "DenyCloudFrontCompanionsOutsideUsEast1",
    ]


def test_policy_json_is_compact_and_round_trips() -> None:
    document = region_deny_policy(NARROWED)
    text = policy_json(document)
    assert text == json.dumps(document, separators=(",", ":"))
    assert json.loads(text) == document
    assert " " not in text and "\n" not in text


@pytest.mark.parametrize("opted_in", [False, True], ids=["default", "everything-opted-in"])
def test_the_policy_fits_the_scp_size_limit(opted_in: bool) -> None:
    def size(regions: list[str]) -> int:
        document = region_deny_policy(regions, allow_cloudfront=opted_in, allow_global_accelerator=opted_in)
        return len(policy_json(document))

    full, narrowed = size(sorted(EU_REGIONS)), size(["eu-west-1"])
    assert narrowed < full < SCP_MAX_CHARACTERS == 5120
    # Room left for exempt principals: a handful must always fit.
    assert full < SCP_MAX_CHARACTERS // 2


def test_a_policy_over_the_size_limit_is_refused_with_its_size() -> None:
    principals = [f"arn:aws:iam::123456789012:role/deployment-pipeline-role-{n:03d}" for n in range(100)]
    document = region_deny_policy(EU_REGIONS, exempt_principal_arns=principals)
    size = len(json.dumps(document, separators=(",", ":")))
    assert size > SCP_MAX_CHARACTERS
    with pytest.raises(ValueError, match=f"is {size:,} characters, over the 5,120") as raised:
        policy_json(document)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("regions", "fragment"),
    [
        (["eu-west-1", "us-east-1"], "us-east-1"),
        (["eu-west-2"], "London"),
        (["eu-central-2"], "Zurich"),
        ([], "empty"),
    ],
)
def test_a_region_outside_the_eu_is_refused(regions: list[str], fragment: str) -> None:
    with pytest.raises(RegionError, match=fragment):
        region_deny_policy(regions)


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::123456789012:user/alice",
        "arn:aws:sts::123456789012:assumed-role/Admin/alice",
        "arn:aws:iam::12345:role/Admin",
        "Admin",
    ],
)
def test_an_exempt_principal_must_be_an_iam_role_arn(arn: str) -> None:
    with pytest.raises(ValueError, match="not an IAM role ARN"):
        region_deny_policy(EU_REGIONS, exempt_principal_arns=[arn])


def test_wildcards_are_accepted_in_exempt_role_arns_and_duplicates_listed_once() -> None:
    wildcard = "arn:aws:iam::*:role/platform-deploy-*"
    document = region_deny_policy(EU_REGIONS, exempt_principal_arns=[wildcard, wildcard, CONTROL_TOWER_EXECUTION_ROLE])
    principals = _statement(document, "DenyOutsideAllowedRegions")["Condition"]["ArnNotLike"]["aws:PrincipalARN"]
    assert principals == [CONTROL_TOWER_EXECUTION_ROLE, wildcard]
