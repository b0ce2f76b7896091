"""A CloudWatch log group that is always KMS-encrypted and always expires."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from constructs_lib.constructs.classification import DataClassification, classify

# The retention periods CloudWatch Logs accepts, in days.
ACCEPTED_RETENTION_DAYS = frozenset(
    {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
)


class EncryptedLogGroup(Construct):
    """A log group encrypted with ``encryption_key``, kept ``retention_days`` and then deleted.

    Both are required: there is no way to build one that is unencrypted or kept forever. The key's
    policy must let CloudWatch Logs use it (``DataKey.allow_cloudwatch_logs``).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        encryption_key: kms.IKey,
        retention_days: int,
        classification: DataClassification,
        log_group_name: str | None = None,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        if encryption_key is None:
            raise ValueError(f"log group {self.node.path}: an encryption key is required, got None")
        if retention_days not in ACCEPTED_RETENTION_DAYS:
            raise ValueError(
                f"log group retention: {retention_days} days is not accepted by CloudWatch Logs; use one of "
                f"{', '.join(map(str, sorted(ACCEPTED_RETENTION_DAYS)))}"
            )
        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            log_group_name=log_group_name,
            encryption_key=encryption_key,
            removal_policy=removal_policy,
        )
        # The L2 takes an enum; the validated number goes straight to CloudFormation instead.
        cfn_log_group = self.log_group.node.default_child
        assert isinstance(cfn_log_group, logs.CfnLogGroup)
        cfn_log_group.retention_in_days = retention_days
        classify(self, classification)
