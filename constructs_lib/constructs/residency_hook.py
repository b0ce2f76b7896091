"""The rule core at deploy time: a CloudFormation Lambda hook whose function runs the same rules as synthesis.

``stage_hook_code`` writes the function's code (the pure core: ``eu_residency`` with core, rules and hook, no
third-party package) into a folder the app turns into an asset; ``ResidencyHook`` builds the function, its
encrypted log group, its least-privilege role and the hook that CloudFormation invokes.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudformation as cloudformation
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

import eu_residency
from constructs_lib.constructs.classification import DataClassification, classify
from constructs_lib.constructs.keys import DataKey
from constructs_lib.constructs.log_group import EncryptedLogGroup
from eu_residency.core.settings import RuleSettings
from eu_residency.hook.settings import SETTINGS_VARIABLE, settings_variable

HANDLER = "eu_residency.hook.handler"
# The newest Python runtime aws-cdk-lib 2.275 knows (Lambda added python3.14 in November 2025).
RUNTIME = lambda_.Runtime.PYTHON_3_14
# The packages the function needs; eu_residency/__init__.py comes with them, nothing else does.
CODE_PACKAGES = ("core", "rules", "hook")
CODE_FOLDER = "eu-residency-hook-code"
# A Lambda hook answers within 30 seconds; the function stops itself first so that it can still be logged.
MEMORY_MIB = 1024
TIMEOUT_SECONDS = 25
DEFAULT_ALIAS = "Private::EuResidency::Hook"
# AWS::CloudFormation::LambdaHook's Alias pattern (Name1::Name2::Name3, not beginning with AWS), from its
# resource schema: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-lambdahook.html
_ALIAS = re.compile(r"^(?![Aa][Ww][Ss])[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}$")
FAILURE_MODES = ("FAIL", "WARN")
# Every operation the hook can judge before CloudFormation provisions: a resource, a whole stack, a change set.
TARGET_OPERATIONS = ("RESOURCE", "STACK", "CHANGE_SET")
TARGET_ACTIONS = ("CREATE", "UPDATE")  # deleting keeps no data anywhere
# All of a function's environment variables together: 4 KB (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
ENVIRONMENT_LIMIT_BYTES = 4096
HOOKS_SERVICE = "hooks.cloudformation.amazonaws.com"  # the principal of the hooks user guide's execution role


def code_files(source: Path | None = None) -> Iterator[tuple[str, Path]]:
    """(path in the code folder, source file) of every file the function needs, in a stable order: the Python
    modules of ``eu_residency``'s CODE_PACKAGES and the package's own ``__init__.py``."""
    root = Path(eu_residency.__file__).resolve().parent if source is None else source
    yield "eu_residency/__init__.py", root / "__init__.py"
    for package in CODE_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "__pycache__" not in path.parts:
                yield f"eu_residency/{path.relative_to(root).as_posix()}", path


def stage_hook_code(directory: Path) -> Path:
    """Write the function's code into ``directory`` / CODE_FOLDER, replacing what is there, and return that folder.

    Only file names and contents are written (no timestamps, no bytecode), so the asset hash CDK computes over the
    folder is the same on every synth of the same sources.
    """
    folder = directory / CODE_FOLDER
    if folder.exists():
        shutil.rmtree(folder)
    for name, source in code_files():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    return folder


class ResidencyHook(Construct):
    """A Lambda hook that runs the EU-Residency rules on every resource, stack and change-set operation that
    creates or updates, except those of the stack it is in.

    The function (``HANDLER``, ``RUNTIME``, arm64) reads ``settings`` from SETTINGS_VARIABLE, calls no AWS API
    and may only write to its own log group; the hook's execution role may only invoke it. ``failure_mode`` FAIL
    stops a noncompliant operation; WARN lets it go on with the findings as a warning.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        code: lambda_.Code,
        settings: RuleSettings,
        log_retention_days: int,
        encryption_key: kms.IKey | None = None,
        failure_mode: str = "FAIL",
        alias: str = DEFAULT_ALIAS,
        own_stack_name: str | None = None,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        """``encryption_key`` encrypts the log group (default: a new key of its own); ``own_stack_name`` is the
        stack the hook never judges (default: the name of the stack this construct is in)."""
        super().__init__(scope, construct_id)
        if failure_mode not in FAILURE_MODES:
            raise ValueError(f"residency hook {self.node.path}: failure mode {failure_mode!r}; use FAIL or WARN")
        if not _ALIAS.match(alias):
            raise ValueError(
                f"residency hook {self.node.path}: alias {alias!r} is not Name1::Name2::Name3 (2 to 64 letters or "
                "digits each, not beginning with AWS); use e.g. Private::EuResidency::Hook"
            )
        environment = {SETTINGS_VARIABLE: settings_variable(settings)}
        size = len(json.dumps(environment).encode())
        if size > ENVIRONMENT_LIMIT_BYTES:
            raise ValueError(
                f"residency hook {self.node.path}: its settings take {size} bytes, over Lambda's 4 KB of environment "
                "variables; list fewer EU endpoints or replication destinations"
            )
        stack = Stack.of(self)

        if encryption_key is None:
            key = DataKey(
                self,
                "LogsKey",
                alias="alias/eu-residency-hook-logs",
                description="The EU-Residency hook's log group",
                services=("logs",),
                classification=DataClassification.INTERNAL,
                removal_policy=removal_policy,
            )
            key.allow_cloudwatch_logs()
            encryption_key = key.key
        self.log_group = EncryptedLogGroup(
            self,
            "Logs",
            encryption_key=encryption_key,
            retention_days=log_retention_days,
            classification=DataClassification.INTERNAL,  # template contents and findings
            removal_policy=removal_policy,
        ).log_group

        # Written here instead of CDK's default role, which attaches AWSLambdaBasicExecutionRole (logs:* on every
        # log group): this one may only create streams in, and write to, its own log group.
        self.function_role = iam.Role(
            self,
            "FunctionRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="The EU-Residency hook's function: writes to its own log group, calls no other AWS API",
        )
        self.log_group.grant_write(self.function_role)
        self.function = lambda_.Function(
            self,
            "Function",
            description="EU-Residency rules at deploy time, for the CloudFormation Lambda hook",
            runtime=RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            handler=HANDLER,
            code=code,
            memory_size=MEMORY_MIB,
            timeout=Duration.seconds(TIMEOUT_SECONDS),
            role=self.function_role,
            log_group=self.log_group,
            environment=environment,
        )

        # Trust and permission as the hooks user guide's "Create an execution role for a Lambda Hook" gives them:
        # https://docs.aws.amazon.com/cloudformation-cli/latest/hooks-userguide/lambda-hooks-prepare-to-create-hook.html
        self.execution_role = iam.Role(
            self,
            "ExecutionRole",
            assumed_by=iam.ServicePrincipal(HOOKS_SERVICE),
            description="Assumed by CloudFormation Hooks to invoke the EU-Residency hook's function, and only that",
        )
        # The function's ARN alone (grant_invoke would add its versions, ARN:*): the hook invokes $LATEST.
        self.execution_role.add_to_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[self.function.function_arn])
        )
        own_stack = stack.stack_name if own_stack_name is None else own_stack_name
        self.hook = cloudformation.CfnLambdaHook(
            self,
            "Hook",
            alias=alias,
            hook_status="ENABLED",
            failure_mode=failure_mode,
            lambda_function=self.function.function_arn,
            execution_role=self.execution_role.role_arn,
            target_operations=list(TARGET_OPERATIONS),
            # Never its own stack: a hook that refused its own update could not be fixed by deploying it again.
            stack_filters=cloudformation.CfnLambdaHook.StackFiltersProperty(
                filtering_criteria="ALL",
                stack_names=cloudformation.CfnLambdaHook.StackNamesProperty(exclude=[own_stack]),
            ),
        )
        # The schema's TargetFilters is one of {Actions, InvocationPoints, TargetNames} or {Targets}; CDK's struct
        # requires Targets (one per resource type), so the Actions form is written as a property override.
        self.hook.add_property_override("TargetFilters", {"Actions": list(TARGET_ACTIONS)})
        # Created after the role's policy: until then the hook could not invoke the function.
        self.hook.node.add_dependency(self.execution_role)
        classify(self, DataClassification.INTERNAL)
