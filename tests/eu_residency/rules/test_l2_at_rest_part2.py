"""The at-rest rules EU-ENC-030 to EU-ENC-039 on templates that CDK L2 constructs synthesize: each Fail* construct
breaks its rule, no Pass* one does (the pattern of test_l2_cases.py, in a small app of its own)."""

from __future__ import annotations

from aws_cdk import App, Stack
from aws_cdk import aws_apigateway as apigateway

from tests.eu_residency.rules.l2_harness import (
    ENVIRONMENT,
    Cases,
    case_tests,
    l2_app,
)

STACK_ID = "L2AtRestPart2"

# rule id -> (the Fail* constructs it must report, the Pass* constructs it must not); a construct is a top-level
# child of the stack. test_l2_cases.py's every-rule meta-test counts these too.
CASES: Cases = {
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


def _build() -> tuple[App, list[Stack]]:
    app = l2_app()
    stack = Stack(app, STACK_ID, env=ENVIRONMENT)
    _stage_caches(stack)
    return app, [stack]


l2_run, test_l2_case_breaks_exactly_its_rule = case_tests(_build, CASES)
