"""One customer-managed key per class of data; every other stack encrypts with these."""

from __future__ import annotations

from constructs import Construct

from constructs_lib.constructs import DataClassification, DataKey
from stacks.base import PlatformStack
from stacks.config import PlatformConfig


class KeysStack(PlatformStack):
    """Keys live in their own stack because every stack needs the logs key, including the network."""

    def __init__(self, scope: Construct, construct_id: str, *, config: PlatformConfig) -> None:
        super().__init__(
            scope, construct_id, config=config, description="Customer-managed KMS keys, one per data class"
        )

        def key(name: str, description: str, services: tuple[str, ...]) -> DataKey:
            return DataKey(
                self,
                f"{name.capitalize()}Key",
                alias=f"alias/{config.resource_name(name)}",
                description=description,
                services=services,
                classification=DataClassification.PERSONAL,
            )

        self.database_key = key(
            "database",
            "PostgreSQL storage, snapshots, Performance Insights, master secret",
            ("rds", "secretsmanager"),
        )
        self.cache_key = key(
            "cache", "Valkey session store at rest and its AUTH token", ("elasticache", "secretsmanager")
        )
        self.attachments_key = key("attachments", "Chat attachments uploaded by the mobile apps", ("s3",))
        self.logs_key = key("logs", "CloudWatch log groups and CloudTrail log files", ("logs", "s3"))
        self.logs_key.allow_cloudwatch_logs()
        self.logs_key.allow_cloudtrail(trail_name=config.resource_name("trail"))
        self.backup_key = key("backup", "AWS Backup vault of the platform", ("backup",))
