"""Secrets Manager: secrets, their keys and their replicas.

Rules: EU-RES-001, EU-RES-017 (a replica outside the allowed regions; or, for a replica, a primary outside
them), EU-KEY-003 (the secret or a replica encrypted with the AWS-managed key aws/secretsmanager).
"""

from __future__ import annotations

from eu_residency.audit.scope import Scope, pages, tag_value

SERVICE = "secretsmanager"
SECRET = "AWS::SecretsManager::Secret"


def collect(scope: Scope) -> None:
    client = scope.client()
    arns = [str(entry["ARN"]) for page in pages(client, "list_secrets") for entry in page.get("SecretList", [])]
    for arn in arns:
        secret = scope.guarded(f"secret {arn}", client.describe_secret, SecretId=arn)
        if secret is None:
            continue
        name = str(secret.get("Name", arn))
        key = secret.get("KmsKeyId")
        customer = scope.keys.customer_managed(key, scope.region)
        encryption = f"key {key}" if key else "AWS-managed key aws/secretsmanager"
        scope.store(SECRET, name, arn, encryption, classification=tag_value(secret.get("Tags")))
        problems = (
            [] if customer else [f"the secret is encrypted with the AWS-managed key {key or 'aws/secretsmanager'}"]
        )
        copies: list[tuple[str, str | None]] = []
        for replica in secret.get("ReplicationStatus", []):
            region = str(replica.get("Region", ""))
            if not region or region == scope.region:  # a replica's own entry
                continue
            copies.append(("a replica", region))
            replica_key = replica.get("KmsKeyId")
            if not scope.keys.customer_managed(replica_key, region):
                replica_key = replica_key or "aws/secretsmanager"
                problems.append(f"its replica in {region} is encrypted with the AWS-managed key {replica_key}")
        primary = secret.get("PrimaryRegion")
        if primary and primary != scope.region:
            copies.append(("its primary secret", str(primary)))
        scope.destinations("EU-RES-017", arn, SECRET, "the secret's value is also kept in", copies)
        if problems:
            scope.finding(
                "EU-KEY-003", arn, SECRET, "; ".join(problems) + ", which an IAM permission alone lets anyone read"
            )
