"""The at-rest rules EU-ENC-030 to EU-ENC-039 on templates that CDK L2 constructs synthesize: each Fail* construct
breaks its rule, no Pass* one does (the pattern of test_l2_cases.py, in a small app of its own)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk import aws_apigateway as apigateway

from eu_residency.core.rule_model import Finding
from eu_residency.core.settings import RuleSettings
from eu_residency.rules.engine import TemplateInput, check_templates
from eu_residency.rules.registry import RULES
from stacks.context import CLI_DEFAULT_CONTEXT

ACCOUNT = "123456789012"
REGION = "eu-west-1"
STACK_ID = "L2AtRestPart2"

# rule id -> (the Fail* constructs it must report, the Pass* constructs it must not); a construct is a top-level
# child of the stack. Kept in test_l2_cases.py's shape, so that its every-rule meta-test can count these too.
CASES: dict[str, tuple[set[str], set[str]]] = {
    # StageOptions(caching_enabled=True) turns the cache cluster on and caches every method, unencrypted unless
    # cache_data_encrypted=True; cache_cluster_enabled alone caches GET methods, unencrypted.
    "EU-ENC-030": (
        {"FailCachingApi", "FailClusterOnlyApi", "FailUnencryptedMethodApi"},
        {"PassEncryptedCachingApi", "PassNoCacheApi", "PassInheritingMethodApi"},
    ),
}

# rule id -> why no construct of aws-cdk-lib above L1 can express the case.
NO_L2: dict[str, str] = {}


def _rest_api(stack: Stack, construct_id: str, options: apigateway.StageOptions | None) -> None:
    api = apigateway.RestApi(
        stack, construct_id, deploy_options=options, endpoint_types=[apigateway.EndpointType.REGIONAL]
    )
    api.root.add_resource("items").add_method("GET", apigateway.MockIntegration())


def _stage_caches(stack: Stack) -> None:
    method = apigateway.MethodDeploymentOptions
    _rest_api(stack, "FailCachingApi", apigateway.StageOptions(caching_enabled=True))
    _rest_api(stack, "FailClusterOnlyApi", apigateway.StageOptions(cache_cluster_enabled=True))
    _rest_api(
        stack,
        "FailUnencryptedMethodApi",
        apigateway.StageOptions(
            caching_enabled=True,
            cache_data_encrypted=True,
            method_options={"/items/GET": method(caching_enabled=True, cache_data_encrypted=False)},
        ),
    )
    _rest_api(
        stack, "PassEncryptedCachingApi", apigateway.StageOptions(caching_enabled=True, cache_data_encrypted=True)
    )
    _rest_api(stack, "PassNoCacheApi", None)
    _rest_api(
        stack,
        "PassInheritingMethodApi",
        apigateway.StageOptions(
            cache_cluster_enabled=True,
            cache_data_encrypted=True,
            method_options={"/items/GET": method(caching_enabled=True)},
        ),
    )


def _top_id(finding: Finding) -> str:
    return finding.construct_path.split("/")[1] if finding.construct_path else STACK_ID


@pytest.fixture(scope="module")
def reported() -> Mapping[str, set[str]]:
    """rule id -> the Pass*/Fail* constructs its findings are on."""
    app = App(context=dict(CLI_DEFAULT_CONTEXT), builtin_cloud_formation_validation=False)
    stack = Stack(app, STACK_ID, env=Environment(account=ACCOUNT, region=REGION))
    _stage_caches(stack)
    template = app.synth().get_stack_by_name(stack.stack_name).template
    item = TemplateInput(name=STACK_ID, template=template, region=REGION, account=ACCOUNT)
    rules = [rule for rule in RULES if rule.id in CASES]
    found: dict[str, set[str]] = {}
    for finding in check_templates([item], RuleSettings(), rules=rules)[STACK_ID]:
        found.setdefault(finding.rule_id, set()).add(_top_id(finding))
    return found


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_l2_case_breaks_exactly_its_rule(rule_id: str, reported: Mapping[str, set[str]]) -> None:
    fails, passes = CASES[rule_id]
    found = reported.get(rule_id, set())
    assert not found & passes, f"{rule_id} reports compliant constructs"
    assert found == fails, f"{rule_id}: missed {sorted(fails - found)}, also reported {sorted(found - fails)}"
