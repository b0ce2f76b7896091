"""ECR: repositories and their encryption, and the registry's replication.

Rules: EU-RES-001, EU-KEY-004 (images encrypted with a customer-managed KMS key), EU-RES-018 (registry
replication to a region outside the allowed set).
"""

from __future__ import annotations

from eu_residency.audit.scope import Scope, pages

SERVICE = "ecr"
REPOSITORY = "AWS::ECR::Repository"
REGISTRY = "AWS::ECR::ReplicationConfiguration"


def collect(scope: Scope) -> None:
    client = scope.client()
    for page in pages(client, "describe_repositories"):
        for repository in page.get("repositories", []):
            name = str(repository["repositoryName"])
            arn = str(repository.get("repositoryArn", name))
            configuration = repository.get("encryptionConfiguration") or {}
            kind = configuration.get("encryptionType", "AES256")
            key = configuration.get("kmsKey")
            encryption = f"{kind}" + (f", key {key}" if key else "")
            scope.store(REPOSITORY, name, arn, encryption)
            if not kind.startswith("KMS") or not scope.keys.customer_managed(key, scope.region):
                scope.finding(
                    "EU-KEY-004",
                    arn,
                    REPOSITORY,
                    f"images are encrypted with {'an AWS-managed key' if kind.startswith('KMS') else kind}, not a "
                    "customer-managed KMS key",
                )
    registry = client.describe_registry()
    registry_id = str(registry.get("registryId", scope.account or "registry"))
    copies: list[tuple[str, str | None]] = []
    for rule in (registry.get("replicationConfiguration") or {}).get("rules", []):
        for destination in rule.get("destinations", []):
            region = destination.get("region")
            if region and region != scope.region:
                account = destination.get("registryId", registry_id)
                copies.append((f"registry {account}", str(region)))
    scope.destinations(
        "EU-RES-018", f"registry/{registry_id}", REGISTRY, "the registry replicates every image to", copies
    )
