"""The deploy-time layer: the EU-Residency CloudFormation Lambda hook (-c hook=true), in one account and region as
HookStack, or in every member account of an organization as the template of the governance stack's StackSet.

One HookStack is built in the platform's region; another allowed region gets its own with
``HookStack(..., region=REGION, logs_key=None)`` (a key of its own: the Keys stack's key is the platform region's).

In an organization, the hook's code has to reach each member account, and Lambda reads a function's code only
from a bucket in the function's own region (another account's is accepted). The StackSet's template therefore
takes two parameters: CodeBucketPrefix, to which each instance appends its region (``PREFIX-eu-west-1``), and
CodeKey, the content hash of the code (``eu-residency-hook/SHA256.zip``), so that new code is a new key and an
update of the StackSet. Before deploying the governance stack, zip the staged code folder
(``cdk.out/eu-residency-hook-code``: ``cd`` there, ``zip -qrX ../hook.zip eu_residency``) and copy it to the key
in a bucket ``PREFIX-REGION`` of the management account in every allowed region (the stack's outputs name both).
Each bucket needs a policy that lets the organization, and no one else, read the code::

    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::PREFIX-REGION/*",
     "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-xxxxxxxxxx"}}}

and SSE-S3 encryption, or a customer-managed key whose policy grants kms:Decrypt under the same condition (the
AWS-managed aws/s3 key cannot be used from another account). A service-managed StackSet does not deploy to the
management account itself: deploy HookStack there. Its regions are the allowed regions of the governance stack's
partition (the European Sovereign Cloud is another partition, with organizations of its own); an opt-in region
(eu-south-1, eu-south-2) must be enabled in every target account, or its stack instances fail.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Annotations, App, Aws, BootstraplessSynthesizer, CfnParameter, Fn, Stack, Stage
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib.constructs.residency_hook import ResidencyHook, code_files, stage_hook_code
from eu_residency.core.settings import RuleSettings
from stacks.base import PlatformStack
from stacks.config import PlatformConfig

CODE_BUCKET_PREFIX = "CodeBucketPrefix"
CODE_KEY = "CodeKey"
# CreateStackSet's limit on an inline TemplateBody.
TEMPLATE_BODY_LIMIT_BYTES = 51_200


class HookStack(PlatformStack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: PlatformConfig,
        settings: RuleSettings,
        logs_key: kms.IKey | None,
        region: str | None = None,
    ) -> None:
        if config.hook is None:
            raise ValueError(f"{construct_id}: the hook stack needs -c hook=true and its config")
        super().__init__(
            scope,
            construct_id,
            config=config,
            region=region,
            description="CloudFormation Lambda hook: the EU-Residency rules on every stack operation in this region",
        )
        stage = Stage.of(self)
        assert stage is not None  # a stack is always in an app
        self.code_folder = stage_hook_code(Path(stage.outdir))
        self.hook = ResidencyHook(
            self,
            "ResidencyHook",
            code=lambda_.Code.from_asset(str(self.code_folder)),
            settings=settings,
            log_retention_days=config.retention.log_days,
            encryption_key=logs_key,
            failure_mode=config.hook.failure_mode,
            removal_policy=self.data_removal_policy,
        )


class HookInstanceStack(Stack):
    """What each stack instance of the organization's StackSet deploys: the hook with a log key of its own and its
    code from the region's bucket; no bootstrap, no CDK metadata (member accounts are not bootstrapped)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: RuleSettings,
        failure_mode: str,
        log_retention_days: int,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            synthesizer=BootstraplessSynthesizer(),
            analytics_reporting=False,
            description="CloudFormation Lambda hook: the EU-Residency rules on every stack operation in this region",
        )
        prefix = CfnParameter(
            self,
            CODE_BUCKET_PREFIX,
            type="String",
            allowed_pattern=r"^[a-z0-9][a-z0-9.-]{1,40}$",
            description="The code buckets' name without its region: the code is read from PREFIX-REGION",
        )
        key = CfnParameter(
            self, CODE_KEY, type="String", min_length=1, description="The code's object key in each code bucket"
        )
        bucket = s3.Bucket.from_bucket_name(self, "CodeBucket", Fn.join("-", [prefix.value_as_string, Aws.REGION]))
        Annotations.of(bucket).acknowledge_warning(
            "@aws-cdk/aws-lambda:codeFromBucketObjectVersionNotSpecified",
            "CodeKey is the code's content hash: new code is a new key, which updates the function",
        )
        self.hook = ResidencyHook(
            self,
            "ResidencyHook",
            code=lambda_.Code.from_bucket(bucket, key.value_as_string),
            settings=settings,
            log_retention_days=log_retention_days,
            failure_mode=failure_mode,
            own_stack_name=Aws.STACK_NAME,  # an instance is named StackSet-NAME-ID by CloudFormation
        )


@dataclass(frozen=True)
class HookInstanceTemplate:
    """The StackSet's TemplateBody, and where its CodeKey parameter says the code is."""

    body: str
    code_key: str


def hook_instance_template(
    scope: Construct, *, settings: RuleSettings, failure_mode: str, log_retention_days: int
) -> HookInstanceTemplate:
    """HookInstanceStack's template, synthesized in an app of its own with ``scope``'s feature flags (it is a
    document for the StackSet, not a stack of this app); ValueError if it is over the TemplateBody limit."""
    flags = {key: value for key, value in scope.node.get_all_context().items() if key.startswith("@aws-cdk")}
    with tempfile.TemporaryDirectory(prefix="eu-residency-hook-") as outdir:
        app = App(outdir=outdir, context={**flags, "aws:cdk:enable-path-metadata": False})
        stack = HookInstanceStack(
            app,
            "HookInstance",
            settings=settings,
            failure_mode=failure_mode,
            log_retention_days=log_retention_days,
        )
        template = app.synth().get_stack_artifact(stack.artifact_id).template
    body = json.dumps(template, separators=(",", ":"))
    size = len(body.encode())
    if size > TEMPLATE_BODY_LIMIT_BYTES:
        raise ValueError(f"the hook's StackSet template is {size} bytes, over the 51,200 of a TemplateBody")
    return HookInstanceTemplate(body=body, code_key=f"eu-residency-hook/{code_digest()}.zip")


def code_digest() -> str:
    """A SHA-256 over the names and contents of the function's files: the same code, the same digest."""
    digest = hashlib.sha256()
    for name, source in code_files():
        digest.update(name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


def code_bucket_prefix(config: PlatformConfig) -> str:
    """The code buckets' name without the region, unique to the environment and the management account."""
    account = config.governance.management_account if config.governance is not None else None
    return f"{config.resource_name('hook-code')}-{account or config.account}"
