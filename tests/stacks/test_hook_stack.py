"""Hook stack: the EU-Residency Lambda hook, built only with -c hook=true, judging by the guardrails' settings; and
its StackSet form in the governance stack (-c governance=true -c hook=true)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template

from constructs_lib.constructs.residency_hook import CODE_FOLDER, HANDLER, code_files, stage_hook_code
from constructs_lib.guardrails import (
    ALLOWED_REGIONS_KEY,
    EU_ENDPOINTS_KEY,
    REPLICATION_DESTINATIONS_KEY,
    settings_from_context,
)
from eu_residency.core.settings import RuleSettings
from eu_residency.hook.settings import SETTINGS_VARIABLE, settings_variable
from eu_residency.rules.engine import TemplateInput, check_templates
from stacks.config import HOOK_FAILURE_MODE_KEY, ConfigError, PlatformConfig, load_config
from stacks.hook_stack import HookStack, code_digest
from stacks.platform import Platform, build_platform
from tests.conftest import (
    BuiltPlatform,
    only_resource,
    platform_context,
    resources,
    synthesize_platform,
)

SETTINGS_CONTEXT = {
    ALLOWED_REGIONS_KEY: "eu-west-1,eu-central-1",
    REPLICATION_DESTINATIONS_KEY: {"chat-dev-replica": "eu-central-1"},
    EU_ENDPOINTS_KEY: ["https://hooks.example.eu"],
}
GOVERNANCE = {"target_ids": ["ou-ab12-cd34ef56", "r-ab12", "210987654321"], "management_account": "111122223333"}


def _hook_context(**extra: Any) -> dict[str, Any]:
    context = platform_context("dev", governance=GOVERNANCE)
    context.update(hook="true", **SETTINGS_CONTEXT)
    context.update(extra)
    return context


class Hooked(BuiltPlatform):
    """The dev platform built with -c hook=true (and, with ``governance``, -c governance=true)."""

    def __init__(self, *, governance: bool = False, **extra: Any) -> None:
        self.context = _hook_context(**({"governance": "true"} if governance else {}), **extra)
        self.app = App(context=self.context)
        self.config: PlatformConfig = load_config(self.app.node.try_get_context)
        self.stacks: Platform = build_platform(self.app, self.config)
        self._templates = {}
        assert self.stacks.hook is not None
        self.stack: HookStack = self.stacks.hook
        self.hook_template = self.template(self.stack)
        self.resources: dict[str, Any] = self.hook_template.to_json()["Resources"]

    def one(self, resource_type: str) -> dict[str, Any]:
        return only_resource(self.hook_template, resource_type)["Properties"]

    def logical_id(self, resource_type: str) -> str:
        (logical_id,) = resources(self.hook_template, resource_type)
        return logical_id

    def policies_of(self, role_logical_id: str) -> list[dict[str, Any]]:
        """Every statement of the inline policies attached to a role of the template."""
        return [
            statement
            for policy in resources(self.hook_template, "AWS::IAM::Policy").values()
            if {"Ref": role_logical_id} in policy["Properties"]["Roles"]
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        ]


@pytest.fixture(scope="module")
def hooked() -> Hooked:
    return Hooked()


@pytest.fixture(scope="module")
def governed() -> Hooked:
    return Hooked(governance=True)


def _roles(hooked: Hooked) -> dict[str, str]:
    """Logical id of each role by the service that assumes it."""
    found = {}
    for logical_id, role in resources(hooked.hook_template, "AWS::IAM::Role").items():
        (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Action"] == "sts:AssumeRole" and statement["Effect"] == "Allow"
        assert "Condition" not in statement and "ManagedPolicyArns" not in role["Properties"]
        found[statement["Principal"]["Service"]] = logical_id
    return found


def test_no_hook_stack_without_the_flag(each_env: BuiltPlatform) -> None:
    assert each_env.config.hook is None
    assert each_env.stacks.hook is None
    assert not [stack for stack in each_env.stacks.stacks if stack.stack_name.endswith("-Hook")]


def test_the_flag_builds_the_hook_stack_in_the_platform_region(hooked: Hooked) -> None:
    assert hooked.stacks.stacks[-1] is hooked.stack
    assert hooked.stack.stack_name == "Chat-dev-Hook"
    assert (hooked.stack.region, hooked.stack.account) == (hooked.config.region, hooked.config.account)


def test_the_hook_fails_noncompliant_creates_and_updates_of_every_stack_but_its_own(hooked: Hooked) -> None:
    hook = hooked.one("AWS::CloudFormation::LambdaHook")
    assert hook["Alias"] == "Private::EuResidency::Hook"
    assert hook["HookStatus"] == "ENABLED"
    assert hook["FailureMode"] == "FAIL"
    assert hook["TargetOperations"] == ["RESOURCE", "STACK", "CHANGE_SET"]
    assert hook["TargetFilters"] == {"Actions": ["CREATE", "UPDATE"]}
    assert hook["StackFilters"] == {"FilteringCriteria": "ALL", "StackNames": {"Exclude": ["Chat-dev-Hook"]}}
    assert hook["LambdaFunction"] == {"Fn::GetAtt": [hooked.logical_id("AWS::Lambda::Function"), "Arn"]}
    roles = _roles(hooked)
    assert hook["ExecutionRole"] == {"Fn::GetAtt": [roles["hooks.cloudformation.amazonaws.com"], "Arn"]}


def test_warn_mode_comes_from_the_context() -> None:
    warned = Hooked(**{HOOK_FAILURE_MODE_KEY: "WARN"})
    assert warned.one("AWS::CloudFormation::LambdaHook")["FailureMode"] == "WARN"


@pytest.mark.parametrize("value", ["warn", "IGNORE", ""])
def test_a_failure_mode_other_than_fail_or_warn_is_refused_with_one_line_naming_the_key(value: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(_hook_context(**{HOOK_FAILURE_MODE_KEY: value}).get)
    message = str(raised.value)
    assert "\n" not in message
    assert f"context key '{HOOK_FAILURE_MODE_KEY}': {value!r} is not accepted; use FAIL" in message


@pytest.mark.parametrize("flag", [None, False, "false", "False"])
def test_the_hook_is_off_unless_the_flag_is_true(flag: Any) -> None:
    assert load_config(_hook_context(hook=flag).get).hook is None


def test_a_hook_flag_that_is_not_true_or_false_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"context key 'hook': expected true or false, got 'yes'"):
        load_config(_hook_context(hook="yes").get)


def test_the_hooks_service_may_only_invoke_the_function(hooked: Hooked) -> None:
    role = _roles(hooked)["hooks.cloudformation.amazonaws.com"]
    function = hooked.logical_id("AWS::Lambda::Function")
    assert hooked.policies_of(role) == [
        {"Action": "lambda:InvokeFunction", "Effect": "Allow", "Resource": {"Fn::GetAtt": [function, "Arn"]}}
    ]
    # The hook is created once the role may invoke the function.
    (hook,) = resources(hooked.hook_template, "AWS::CloudFormation::LambdaHook").values()
    (policy,) = [
        logical_id
        for logical_id, policy in resources(hooked.hook_template, "AWS::IAM::Policy").items()
        if policy["Properties"]["Roles"] == [{"Ref": role}]
    ]
    assert policy in hook["DependsOn"]


def test_the_function_may_only_write_to_its_own_log_group(hooked: Hooked) -> None:
    roles = _roles(hooked)
    assert sorted(roles) == ["hooks.cloudformation.amazonaws.com", "lambda.amazonaws.com"]
    log_group = hooked.logical_id("AWS::Logs::LogGroup")
    assert hooked.policies_of(roles["lambda.amazonaws.com"]) == [
        {
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [log_group, "Arn"]},
        }
    ]


def test_the_function_runs_the_handler_on_python_3_14_arm64_with_the_guardrails_settings(hooked: Hooked) -> None:
    function = hooked.one("AWS::Lambda::Function")
    assert function["Runtime"] == "python3.14"
    assert function["Architectures"] == ["arm64"]
    assert function["Handler"] == HANDLER == "eu_residency.hook.handler"
    assert (function["MemorySize"], function["Timeout"]) == (1024, 25)
    assert function["Role"] == {"Fn::GetAtt": [_roles(hooked)["lambda.amazonaws.com"], "Arn"]}
    assert function["LoggingConfig"] == {"LogGroup": {"Ref": hooked.logical_id("AWS::Logs::LogGroup")}}
    settings = settings_from_context(hooked.context.get)
    assert function["Environment"] == {"Variables": {SETTINGS_VARIABLE: settings_variable(settings)}}
    # Not vacuous: the context narrowed every setting the synth-time rules read.
    assert settings.allowed_regions == frozenset({"eu-west-1", "eu-central-1"})
    assert settings.key_control.value == "customer-managed"
    assert settings.eu_endpoints and settings.replication_destinations


def test_the_log_group_is_encrypted_with_the_platform_logs_key_and_expires(hooked: Hooked) -> None:
    log_group = hooked.one("AWS::Logs::LogGroup")
    assert log_group["RetentionInDays"] == hooked.config.retention.log_days == 30
    stack, _, key = hooked.follow(hooked.stack, log_group["KmsKeyId"])
    assert stack == "Chat-dev-Keys" and key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True


def test_the_hook_stack_passes_the_eu_residency_rules(hooked: Hooked) -> None:
    template = TemplateInput(
        name=hooked.stack.stack_name,
        template=hooked.hook_template.to_json(),
        region=hooked.stack.region,
        account=hooked.stack.account,
    )
    settings = settings_from_context(hooked.context.get)
    assert check_templates([template], settings) == {hooked.stack.stack_name: []}


def test_the_code_asset_is_the_pure_core_only(hooked: Hooked, tmp_path: Path) -> None:
    folder = hooked.stack.code_folder
    assert folder.name == CODE_FOLDER
    files = sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())
    assert files == sorted(name for name, _ in code_files())
    assert "eu_residency/__init__.py" in files
    packages = {name.split("/")[1] for name in files if name.count("/") > 1}
    assert packages == {"core", "rules", "hook"}
    assert all(name.endswith(".py") and "__pycache__" not in name for name in files)
    size = sum((folder / name).stat().st_size for name in files)
    archive = tmp_path / "hook.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name in files:
            zipped.write(folder / name, name)
    print(f"hook code: {len(files)} files, {size:,} bytes, {archive.stat().st_size:,} bytes zipped")
    assert archive.stat().st_size < 1_000_000


def test_the_code_imports_only_the_standard_library_and_answers_from_its_folder(hooked: Hooked) -> None:
    """In an interpreter without site-packages (-S) or the environment (-I), with the folder alone on sys.path."""
    probe = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(hooked.stack.code_folder)!r})\n"
        "import eu_residency.hook\n"
        "answer = eu_residency.hook.handler({}, None)\n"
        "outside = sorted(name for name in sys.modules if name.split('.')[0] not in sys.stdlib_module_names\n"
        "                 and name.split('.')[0] not in ('eu_residency', '__main__'))\n"
        "print(json.dumps({'answer': answer, 'outside': outside,\n"
        "                  'files': [m.__file__ for m in list(sys.modules.values())\n"
        "                            if m.__name__.startswith('eu_residency') and getattr(m, '__file__', None)]}))\n"
    )
    result = subprocess.run([sys.executable, "-I", "-S", "-c", probe], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["outside"] == []
    assert all(path.startswith(str(hooked.stack.code_folder)) for path in report["files"])
    assert report["answer"]["hookStatus"] == "FAILED"  # a malformed request is answered, not raised


def test_the_code_folder_and_its_asset_hash_are_the_same_on_every_synth(tmp_path: Path) -> None:
    first, second = stage_hook_code(tmp_path / "first"), stage_hook_code(tmp_path / "second")
    assert {p.relative_to(first): p.read_bytes() for p in first.rglob("*") if p.is_file()} == {
        p.relative_to(second): p.read_bytes() for p in second.rglob("*") if p.is_file()
    }
    keys = [Hooked().one("AWS::Lambda::Function")["Code"]["S3Key"] for _ in range(2)]
    assert keys[0] == keys[1]


def test_python_app_synthesizes_the_hook_stack_offline_with_every_check(tmp_path: Path) -> None:
    synthesize_platform("prod", tmp_path, "hook=true")
    assert (tmp_path / "Chat-prod-Hook.template.json").is_file()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    assert report["pluginReports"]
    for plugin in report["pluginReports"]:
        assert not [v for v in plugin["violations"] if "Chat-prod-Hook" in json.dumps(v)], plugin["pluginName"]
    lint = subprocess.run(
        [sys.executable, "-m", "cfnlint", "--format", "parseable", str(tmp_path / "Chat-prod-Hook.template.json")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert lint.returncode & 2 == 0 and ":E" not in lint.stdout, lint.stdout[-3000:]


# The StackSet form: -c governance=true -c hook=true.


def _stack_set(governed: Hooked) -> dict[str, Any]:
    assert governed.stacks.governance is not None
    template = Template.from_stack(governed.stacks.governance)
    properties: dict[str, Any] = only_resource(template, "AWS::CloudFormation::StackSet")["Properties"]
    return properties


def test_no_stack_set_without_the_hook_flag(governed: Hooked) -> None:
    context = _hook_context(governance="true", hook="false")
    app = App(context=context)
    platform = build_platform(app, load_config(app.node.try_get_context))
    assert platform.hook is None and platform.governance is not None
    assert not Template.from_stack(platform.governance).find_resources("AWS::CloudFormation::StackSet")


def test_the_stack_set_deploys_the_hook_to_the_target_ous_in_every_allowed_region(governed: Hooked) -> None:
    stack_set = _stack_set(governed)
    assert stack_set["PermissionModel"] == "SERVICE_MANAGED"
    assert stack_set["AutoDeployment"] == {"Enabled": True, "RetainStacksOnAccountRemoval": False}
    assert stack_set["Capabilities"] == ["CAPABILITY_IAM"]
    assert stack_set["StackSetName"] == "chat-dev-eu-residency-hook"
    # Root and OU ids only: a service-managed StackSet deploys to OUs, not to the account id listed beside them.
    assert stack_set["StackInstancesGroup"] == [
        {
            "DeploymentTargets": {"OrganizationalUnitIds": ["ou-ab12-cd34ef56", "r-ab12"]},
            "Regions": ["eu-central-1", "eu-west-1"],
        }
    ]
    assert stack_set["Parameters"] == [
        {"ParameterKey": "CodeBucketPrefix", "ParameterValue": "chat-dev-hook-code-111122223333"},
        {"ParameterKey": "CodeKey", "ParameterValue": f"eu-residency-hook/{code_digest()}.zip"},
    ]


def test_the_stack_set_template_reads_the_code_from_its_regions_bucket_and_excludes_its_own_stack(
    governed: Hooked,
) -> None:
    body = json.loads(_stack_set(governed)["TemplateBody"])
    assert sorted(body["Parameters"]) == ["CodeBucketPrefix", "CodeKey"]  # no BootstrapVersion: no bootstrap
    assert "Rules" not in body
    types = sorted(resource["Type"] for resource in body["Resources"].values())
    assert "AWS::CDK::Metadata" not in types and "AWS::KMS::Key" in types
    (function,) = [r["Properties"] for r in body["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert function["Code"] == {
        "S3Bucket": {"Fn::Join": ["-", [{"Ref": "CodeBucketPrefix"}, {"Ref": "AWS::Region"}]]},
        "S3Key": {"Ref": "CodeKey"},
    }
    assert function["Environment"] == governed.one("AWS::Lambda::Function")["Environment"]
    (hook,) = [r["Properties"] for r in body["Resources"].values() if r["Type"] == "AWS::CloudFormation::LambdaHook"]
    assert hook["StackFilters"]["StackNames"] == {"Exclude": [{"Ref": "AWS::StackName"}]}
    assert hook["FailureMode"] == "FAIL"


@pytest.mark.parametrize("region", ["eu-central-1", "eu-west-1"])
def test_the_stack_set_template_passes_the_eu_residency_rules_in_each_region(governed: Hooked, region: str) -> None:
    body = json.loads(_stack_set(governed)["TemplateBody"])
    settings = settings_from_context(governed.context.get)
    template = TemplateInput(name="HookInstance", template=body, region=region, account="210987654321")
    assert check_templates([template], settings) == {"HookInstance": []}
    assert check_templates([template], RuleSettings()) == {"HookInstance": []}


def test_the_stack_set_template_passes_cfn_lint(governed: Hooked, tmp_path: Path) -> None:
    path = tmp_path / "hook-instance.json"
    path.write_text(_stack_set(governed)["TemplateBody"])
    lint = subprocess.run(
        [sys.executable, "-m", "cfnlint", "--format", "parseable", "--regions", "eu-west-1", "--", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert lint.returncode & 2 == 0 and ":E" not in lint.stdout, lint.stdout[-3000:]
