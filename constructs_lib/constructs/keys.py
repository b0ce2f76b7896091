"""A customer-managed KMS key for one class of data, rotated, and usable only through named services."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from constructs_lib.constructs.classification import DataClassification, classify

# What a service needs to encrypt and decrypt with a key it was handed.
KEY_USE_ACTIONS = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
    "kms:CreateGrant",
)
# What the account may do to manage a key without being able to use it: no Encrypt, Decrypt,
# GenerateDataKey or CreateGrant (a grant would let an administrator give itself use of the key).
KEY_ADMINISTRATION_ACTIONS = (
    "kms:CreateAlias",
    "kms:UpdateAlias",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:EnableKey",
    "kms:DisableKey",
    "kms:EnableKeyRotation",
    "kms:DisableKeyRotation",
    "kms:RotateKeyOnDemand",
    "kms:Get*",
    "kms:List*",
    "kms:PutKeyPolicy",
    "kms:UpdateKeyDescription",
    "kms:RevokeGrant",
    "kms:RetireGrant",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
)


class DataKey(Construct):
    """A symmetric key with yearly rotation, an alias, and a key policy naming the services that use it.

    The key policy is written here instead of CDK's default (which gives the account ``kms:*``): the
    account may administer the key, and its principals may use it only through ``services``
    (``kms:ViaService``, the pattern of AWS-managed key policies). Deleting the key takes a 30-day
    waiting period. Rotation cannot be turned off.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        alias: str,
        description: str,
        services: Sequence[str],
        classification: DataClassification,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        if not services:
            raise ValueError(f"data key {alias!r}: name at least one service that uses it, got none")
        stack = Stack.of(self)
        self.services = tuple(services)
        self.key = kms.Key(
            self,
            "Key",
            alias=alias,
            description=description,
            enable_key_rotation=True,
            pending_window=Duration.days(30),
            removal_policy=removal_policy,
            # Given a policy, CDK adds no statement of its own.
            policy=iam.PolicyDocument(
                statements=[
                    iam.PolicyStatement(
                        sid="AllowTheAccountToAdministerTheKey",
                        principals=[iam.AccountRootPrincipal()],
                        actions=list(KEY_ADMINISTRATION_ACTIONS),
                        resources=["*"],
                    ),
                    iam.PolicyStatement(
                        sid="AllowUseOnlyThroughItsServices",
                        principals=[iam.AccountRootPrincipal()],
                        actions=list(KEY_USE_ACTIONS),
                        resources=["*"],
                        conditions={
                            "StringEquals": {
                                "kms:ViaService": [f"{service}.{stack.region}.amazonaws.com" for service in services],
                                "kms:CallerAccount": stack.account,
                            }
                        },
                    ),
                ]
            ),
        )
        classify(self, classification)

    def allow_cloudwatch_logs(self) -> None:
        """Let CloudWatch Logs in this region encrypt this account's log groups with the key."""
        stack = Stack.of(self)
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchLogsOfThisAccount",
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=[
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                resources=["*"],
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                            service="logs",
                            resource="log-group",
                            resource_name="*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    }
                },
            )
        )

    def allow_cloudtrail(self, *, trail_name: str) -> None:
        """Let one CloudTrail trail of this account encrypt its log files with the key."""
        stack = Stack.of(self)
        trail_arn = stack.format_arn(service="cloudtrail", resource="trail", resource_name=trail_name)
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudTrailToEncryptItsLogs",
                principals=[iam.ServicePrincipal("cloudtrail.amazonaws.com")],
                actions=["kms:GenerateDataKey*"],
                resources=["*"],
                conditions={
                    "StringEquals": {"aws:SourceArn": trail_arn},
                    "StringLike": {
                        "kms:EncryptionContext:aws:cloudtrail:arn": stack.format_arn(
                            service="cloudtrail", resource="trail", resource_name="*"
                        )
                    },
                },
            )
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudTrailToDescribeTheKey",
                principals=[iam.ServicePrincipal("cloudtrail.amazonaws.com")],
                actions=["kms:DescribeKey"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceArn": trail_arn}},
            )
        )
