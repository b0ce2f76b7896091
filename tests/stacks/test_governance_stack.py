"""Governance stack: the region-deny SCP, built only with -c governance=true, from the guardrails' regions."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template

from constructs_lib.guardrails import ALLOWED_REGIONS_KEY, GuardrailError
from eu_residency.core.regions import EU_REGIONS
from eu_residency.core.settings import RuleSettings
from eu_residency.rules.engine import TemplateInput, check_templates
from eu_residency.scp import region_deny_policy
from stacks.config import ConfigError, PlatformConfig, load_config
from stacks.governance_stack import GovernanceStack
from stacks.platform import Platform, build_platform
from tests.conftest import BuiltPlatform, only_resource, platform_context

TARGET_IDS = ["ou-ab12-cd34ef56", "r-ab12", "210987654321"]
EXEMPT = ["arn:aws:iam::*:role/platform-break-glass"]
MANAGEMENT_ACCOUNT = "111122223333"
GOVERNANCE = {
    "target_ids": TARGET_IDS,
    "allow_cloudfront": True,
    "allow_global_accelerator": False,
    "exempt_principal_arns": EXEMPT,
    "management_account": MANAGEMENT_ACCOUNT,
}


def _governed_context(flag: Any = "true", **environment_overrides: Any) -> dict[str, Any]:
    context = platform_context("dev", **environment_overrides)
    context["governance"] = flag
    return context


class Governed:
    """The dev platform built with -c governance=true and a narrowed allowed-region setting, as -c gives it."""

    def __init__(self) -> None:
        context = _governed_context(governance=GOVERNANCE)
        context[ALLOWED_REGIONS_KEY] = "eu-west-1,eu-central-1"
        self.app = App(context=context)
        self.config: PlatformConfig = load_config(self.app.node.try_get_context)
        self.stacks: Platform = build_platform(self.app, self.config)
        assert self.stacks.governance is not None
        self.stack: GovernanceStack = self.stacks.governance
        self.template = Template.from_stack(self.stack)


@pytest.fixture(scope="module")
def governed() -> Governed:
    return Governed()


def test_no_governance_stack_without_the_flag(each_env: BuiltPlatform) -> None:
    assert each_env.config.governance is None
    assert each_env.stacks.governance is None
    assert not [stack for stack in each_env.stacks.stacks if stack.stack_name.endswith("-Governance")]


def test_the_flag_builds_the_governance_stack(governed: Governed) -> None:
    assert governed.stacks.stacks[-1] is governed.stack
    assert governed.stack.stack_name == "Chat-dev-Governance"


def test_the_policy_is_a_service_control_policy_of_the_configured_settings(governed: Governed) -> None:
    policy = only_resource(governed.template, "AWS::Organizations::Policy")["Properties"]
    assert policy["Type"] == "SERVICE_CONTROL_POLICY"
    assert policy["Name"] == "chat-dev-eu-region-deny"
    assert policy["Content"] == region_deny_policy(
        ["eu-west-1", "eu-central-1"],
        allow_cloudfront=True,
        allow_global_accelerator=False,
        exempt_principal_arns=EXEMPT,
    )
    assert policy["TargetIds"] == TARGET_IDS


def test_the_policy_denies_exactly_the_regions_the_guardrails_refuse(governed: Governed) -> None:
    policy = only_resource(governed.template, "AWS::Organizations::Policy")["Properties"]
    regions = policy["Content"]["Statement"][0]["Condition"]["StringNotEquals"]["aws:RequestedRegion"]
    assert regions == ["eu-central-1", "eu-west-1"]


def test_the_stack_lives_in_the_platform_region_of_the_management_account(governed: Governed) -> None:
    assert governed.stack.region == governed.config.region == "eu-west-1"
    assert governed.stack.account == MANAGEMENT_ACCOUNT


def test_the_governance_template_passes_the_eu_residency_rules(governed: Governed) -> None:
    template = TemplateInput(
        name=governed.stack.stack_name,
        template=governed.template.to_json(),
        region=governed.stack.region,
        account=governed.stack.account,
    )
    assert check_templates([template], RuleSettings()) == {governed.stack.stack_name: []}


def test_cdk_json_defaults_give_an_unattached_policy_for_the_whole_eu_list() -> None:
    app = App(context=_governed_context(True))
    config = load_config(app.node.try_get_context)
    assert config.governance is not None
    assert config.governance.target_ids == ()
    stack = GovernanceStack(app, "Governance", config=config, allowed_regions=EU_REGIONS)
    assert stack.document == region_deny_policy(EU_REGIONS)
    assert stack.policy.target_ids is None  # no TargetIds: created unattached
    assert stack.account == config.account


@pytest.mark.parametrize("flag", [None, False, "false", "False"])
def test_governance_is_off_unless_the_flag_is_true(flag: Any) -> None:
    assert load_config(_governed_context(flag).get).governance is None


# Each case: the governance section's overrides (or the flag), and what the one-line message must contain.
BAD_GOVERNANCE: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "malformed target id": (
        {"governance": {"target_ids": ["ou-not-valid"]}},
        ("environments.dev.governance.target_ids", "'ou-not-valid'", "ou-xxxx-yyyyyyyy"),
    ),
    "target id listed twice": (
        {"governance": {"target_ids": ["r-ab12", "r-ab12"]}},
        ("environments.dev.governance.target_ids", "twice"),
    ),
    "target ids not a list": (
        {"governance": {"target_ids": "r-ab12"}},
        ("environments.dev.governance.target_ids", "a list"),
    ),
    "exempt principal that is a user": (
        {"governance": {"exempt_principal_arns": ["arn:aws:iam::123456789012:user/alice"]}},
        ("environments.dev.governance.exempt_principal_arns", "user/alice", "IAM role ARN"),
    ),
    "too many exempt principals": (
        {
            "governance": {
                "exempt_principal_arns": [f"arn:aws:iam::123456789012:role/deployment-role-{n:03d}" for n in range(120)]
            }
        },
        ("environments.dev.governance.exempt_principal_arns", "over the 5,120"),
    ),
    "opt-in that is not a flag": (
        {"governance": {"allow_cloudfront": "yes"}},
        ("environments.dev.governance.allow_cloudfront", "'yes'"),
    ),
    "malformed management account": (
        {"governance": {"management_account": "12345"}},
        ("environments.dev.governance.management_account", "12-digit"),
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_GOVERNANCE))
def test_load_fails_with_one_line_naming_the_key(case: str) -> None:
    overrides, expected = BAD_GOVERNANCE[case]
    with pytest.raises(ConfigError) as raised:
        load_config(_governed_context(**overrides).get)
    message = str(raised.value)
    assert "\n" not in message
    for fragment in expected:
        assert fragment in message, f"{fragment!r} missing from {message!r}"


def test_a_flag_that_is_not_true_or_false_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"context key 'governance': expected true or false, got 'yes'"):
        load_config(_governed_context("yes").get)


def test_the_section_is_required_when_the_flag_is_on() -> None:
    context = _governed_context()
    del context["environments"]["dev"]["governance"]
    with pytest.raises(ConfigError, match=r"'environments.dev.governance' is missing"):
        load_config(context.get)


def test_an_allowed_region_outside_the_eu_stops_the_governance_stack() -> None:
    context = _governed_context()
    context[ALLOWED_REGIONS_KEY] = ["eu-west-1", "eu-west-2"]
    app = App(context=context)
    with pytest.raises(GuardrailError, match="eu-west-2"):
        build_platform(app, load_config(app.node.try_get_context))
