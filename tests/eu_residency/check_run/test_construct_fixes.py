"""Fixes in the words of the construct the user wrote: both front ends name the higher-level construct's prop
for a resource it generated, from the construct path and the FQNs in tree.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_codecommit as codecommit
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_codepipeline_actions as actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_ecs_patterns as ecs_patterns
from aws_cdk import aws_rds as rds

from constructs_lib import apply_guardrails
from constructs_lib.validation_plugin import PLUGIN_NAME
from eu_residency.check_run.construct_fixes import CONSTRUCT_FIXES, TREE_FILE, construct_fix, read_construct_types
from eu_residency.check_run.run import run_check
from eu_residency.core.settings import KeyControl, RuleSettings
from eu_residency.rules.registry import RULES_BY_ID
from stacks.context import CLI_DEFAULT_CONTEXT
from tests.eu_residency.rules.l2_harness import ENVIRONMENT

LIB = "aws-cdk-lib."
TYPES = {
    "S/Db": f"{LIB}aws_rds.DatabaseInstance",
    "S/Db/Secret": f"{LIB}aws_rds.DatabaseSecret",
    "S/Web": f"{LIB}aws_ecs_patterns.ApplicationLoadBalancedFargateService",
    "S/Web/TaskDef": f"{LIB}aws_ecs.FargateTaskDefinition",
    "S/Web/TaskDef/web": f"{LIB}aws_ecs.ContainerDefinition",
    "S/Api": f"{LIB}aws_apigateway.LambdaRestApi",
    "S/Mine": "my_library.Database",
    "S/Cluster": f"{LIB}aws_ecs.Cluster",
    "S/Cluster/Capacity": f"{LIB}aws_autoscaling.AutoScalingGroup",
}

# What each generated resource's finding must tell the user to set, and on which construct.
EXPECTED = {
    ("EU-KEY-003", "Chat/Db/Secret/Resource"): (
        "aws_rds.DatabaseInstance at Chat/Db",
        "Credentials.from_generated_secret",
    ),
    ("EU-KEY-020", "Chat/Pipeline/ArtifactsBucketEncryptionKey/Resource"): (
        "aws_codepipeline.Pipeline at Chat/Pipeline",
        "enable_key_rotation=True",
    ),
    ("EU-ENC-041", "Chat/Web/LB/PublicListener/Resource"): (
        "ApplicationLoadBalancedFargateService at Chat/Web",
        "protocol=elbv2.ApplicationProtocol.HTTPS",
    ),
    ("EU-RET-001", "Chat/Web/TaskDef/web/LogGroup/Resource"): (
        "ApplicationLoadBalancedFargateService at Chat/Web",
        "log_driver=ecs.LogDrivers.aws_logs",
    ),
}


def test_the_outermost_construct_that_generated_the_resource_names_the_fix() -> None:
    fix = construct_fix("EU-KEY-010", "S/Web/TaskDef/web/LogGroup/Resource", TYPES)
    assert fix is not None and fix.startswith("The aws_ecs_patterns.ApplicationLoadBalancedFargateService at S/Web")
    assert "task_image_options" in fix  # not the ContainerDefinition the user never wrote


def test_a_construct_fix_needs_its_rule_its_owner_and_its_place_below_the_owner() -> None:
    assert construct_fix("EU-KEY-003", "S/Db/Secret/Resource", TYPES) is not None
    assert construct_fix("EU-ENC-040", "S/Db/Secret/Resource", TYPES) is None  # another rule
    assert construct_fix("EU-KEY-003", "S/Db/Other/Resource", TYPES) is None  # not the generated secret
    assert construct_fix("EU-KEY-003", "S/Mine/Secret/Resource", TYPES) is None  # a construct the table does not know
    assert construct_fix("EU-KEY-003", "S/Db/Secret/Resource", {}) is None  # no tree
    assert construct_fix("EU-KEY-003", None, TYPES) is None


def test_an_auto_scaling_group_a_cluster_made_is_fixed_through_the_cluster() -> None:
    fix = construct_fix("EU-ENC-008", "S/Cluster/Capacity/LaunchConfig", TYPES)
    assert fix is not None and fix.startswith("The aws_ecs.Cluster at S/Cluster") and "add_capacity" in fix


def test_a_prefix_pattern_matches_a_construct_id_cdk_derives() -> None:
    fix = construct_fix("EU-ENC-030", "S/Api/DeploymentStage.prod/Resource", TYPES)
    assert fix is not None and "cache_data_encrypted=True" in fix


def test_every_construct_fix_names_rules_that_exist() -> None:
    assert {rule for fix in CONSTRUCT_FIXES for rule in fix.rules} <= set(RULES_BY_ID)


def _tree(path: str, fqn: str, children: dict[str, Any] | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {"id": path.rsplit("/", 1)[-1], "path": path, "constructInfo": {"fqn": fqn}}
    if children:
        node["children"] = children
    return node


def test_the_tree_is_read_from_its_file_its_forest_files_and_a_nesting_assembly(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{}")
    db = _tree("S/Db", f"{LIB}aws_rds.DatabaseInstance")
    tree = {"version": "tree-0.1", "tree": _tree("", f"{LIB}App", {"S": _tree("S", f"{LIB}Stack", {"Db": db})})}
    (tmp_path / TREE_FILE).write_text(json.dumps(tree))
    # Above maxNodes, CDK moves subtrees into trees-N.json files.
    forest = {"version": "forest-0.1", "forest": {"x": _tree("S/Web", f"{LIB}aws_ecs.Cluster")}}
    (tmp_path / "trees-1.json").write_text(json.dumps(forest))
    stage = tmp_path / "assembly-Stage"
    stage.mkdir()
    for directory in (tmp_path, stage):
        types = read_construct_types(directory)
        assert types["S/Db"] == f"{LIB}aws_rds.DatabaseInstance" and types["S/Web"] == f"{LIB}aws_ecs.Cluster"


@pytest.mark.parametrize("content", ["{not json", "[]", '{"tree": {"children": {"a": 5}}}', '{"tree": "x"}'])
def test_a_tree_that_cannot_be_read_gives_no_construct_fix_and_no_error(tmp_path: Path, content: str) -> None:
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / TREE_FILE).write_text(content)
    assert read_construct_types(tmp_path) == {}
    assert read_construct_types(tmp_path / "missing") == {}


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One app with the guardrails (key control on) whose higher-level constructs generate resources that break
    rules: an rds.DatabaseInstance's secret, a codepipeline.Pipeline's key, an ecs_patterns service's listener
    and log group."""
    outdir = tmp_path_factory.mktemp("construct-fixes")
    context = {**CLI_DEFAULT_CONTEXT, "eu-residency:key-control": "customer-managed"}
    app = App(outdir=str(outdir), context=context, builtin_cloud_formation_validation=False)
    stack = Stack(app, "Chat", env=ENVIRONMENT)
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    engine = rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_16)
    rds.DatabaseInstance(stack, "Db", engine=engine, vpc=vpc, storage_encrypted=True)
    source = codepipeline.Artifact()
    repository = codecommit.Repository(stack, "Repository", repository_name="chat")
    source_stage = codepipeline.StageProps(
        stage_name="Source",
        actions=[actions.CodeCommitSourceAction(action_name="Source", repository=repository, output=source)],
    )
    approve = codepipeline.StageProps(stage_name="Approve", actions=[actions.ManualApprovalAction(action_name="Ok")])
    codepipeline.Pipeline(stack, "Pipeline", cross_account_keys=True, stages=[source_stage, approve])
    image = ecs_patterns.ApplicationLoadBalancedTaskImageOptions(image=ecs.ContainerImage.from_registry("nginx"))
    ecs_patterns.ApplicationLoadBalancedFargateService(stack, "Web", vpc=vpc, task_image_options=image)
    apply_guardrails(app)
    with pytest.raises(RuntimeError, match=r"ValidationFailed|Validation failed"):
        app.synth()
    return outdir


def _plugin_fixes(assembly: Path) -> dict[tuple[str, str], str]:
    report = json.loads((assembly / "validation-report.json").read_text())
    [plugin] = [plugin for plugin in report["pluginReports"] if plugin["pluginName"] == PLUGIN_NAME]
    return {
        (violation["ruleName"], construct["constructPath"]): violation["suggestedFix"]
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
    }


def test_the_plugin_names_the_construct_that_generated_the_resource(assembly: Path) -> None:
    fixes = _plugin_fixes(assembly)
    for (rule_id, construct_path), (owner, prop) in EXPECTED.items():
        fix = fixes[(rule_id, construct_path)]
        assert owner in fix and prop in fix, (rule_id, construct_path, fix)


def test_the_command_names_the_construct_that_generated_the_resource(assembly: Path) -> None:
    run = run_check([str(assembly)], region=None, settings=RuleSettings(key_control=KeyControl.CUSTOMER_MANAGED))
    fixes = {
        (checked.finding.rule_id, checked.finding.construct_path): checked.finding.fix
        for result in run.results
        for checked in result.findings
    }
    for (rule_id, construct_path), (owner, prop) in EXPECTED.items():
        fix = fixes[(rule_id, construct_path)]
        assert owner in fix and prop in fix, (rule_id, construct_path, fix)
    assert fixes == {key: fix for key, fix in _plugin_fixes(assembly).items() if key in fixes}


def test_a_resource_the_user_wrote_keeps_the_rules_fix(assembly: Path) -> None:
    fixes = _plugin_fixes(assembly)
    fix = fixes[("EU-KEY-010", "Chat/Db/Resource")]  # the instance itself: its own L2's prop
    assert "makes this resource" not in fix and "aws_rds.DatabaseInstance(storage_encryption_key=)" in fix
