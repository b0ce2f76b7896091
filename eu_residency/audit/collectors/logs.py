"""CloudWatch Logs: log groups, their retention and their KMS key (EU-RES-001, EU-RET-001, EU-KEY-010)."""

from __future__ import annotations

from eu_residency.audit.scope import Scope, pages

SERVICE = "logs"
LOG_GROUP = "AWS::Logs::LogGroup"


def collect(scope: Scope) -> None:
    for page in pages(scope.client(), "describe_log_groups"):
        for group in page.get("logGroups", []):
            name = str(group["logGroupName"])
            arn = str(group.get("logGroupArn") or str(group.get("arn", name)).removesuffix(":*"))
            key = group.get("kmsKeyId")
            scope.store(LOG_GROUP, name, arn, f"key {key}" if key else "CloudWatch Logs service key")
            if not key:
                scope.finding(
                    "EU-KEY-010",
                    arn,
                    LOG_GROUP,
                    "the log group is not encrypted with a customer-managed KMS key (no kmsKeyId)",
                )
            if not group.get("retentionInDays"):
                scope.finding(
                    "EU-RET-001", arn, LOG_GROUP, "the log group keeps its events forever (no retention period)"
                )
