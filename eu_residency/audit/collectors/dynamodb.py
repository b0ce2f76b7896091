"""DynamoDB: tables, their encryption and their global-table replicas and witnesses.

Rules: EU-RES-001, EU-RES-011 (a replica or witness outside the allowed regions), EU-KEY-002 (a KMS key,
not the AWS-owned key DynamoDB uses by default).
"""

from __future__ import annotations

from eu_residency.audit.scope import Scope, pages

SERVICE = "dynamodb"
TABLE = "AWS::DynamoDB::Table"


def collect(scope: Scope) -> None:
    client = scope.client()
    names = [str(name) for page in pages(client, "list_tables") for name in page.get("TableNames", [])]
    for name in names:
        response = scope.guarded(f"table {name}", client.describe_table, TableName=name)
        if response is None:
            continue
        table = response["Table"]
        arn = str(table.get("TableArn", name))
        sse = table.get("SSEDescription") or {}
        kms = sse.get("SSEType") == "KMS" and sse.get("Status") in ("ENABLED", "UPDATING")
        key = sse.get("KMSMasterKeyArn")
        encryption = f"KMS, key {key}" if kms and key else "KMS" if kms else "AWS-owned key"
        scope.store(TABLE, name, arn, encryption)
        if not kms:
            scope.finding(
                "EU-KEY-002",
                arn,
                TABLE,
                "the table is encrypted only with the AWS-owned key (SSE type KMS is not on), which the account "
                "cannot audit, restrict or revoke",
            )
        copies: list[tuple[str, str | None]] = []
        for label, members in (
            ("a replica", table.get("Replicas")),
            ("a witness", table.get("GlobalTableWitnesses")),
        ):
            for member in members or []:
                region = member.get("RegionName")
                if region and region != scope.region:
                    copies.append((label, str(region)))
        scope.destinations("EU-RES-011", arn, TABLE, "the global table keeps", copies)
