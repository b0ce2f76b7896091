"""KMS: customer-managed keys (inventoried as stores of key material) and multi-Region keys.

Rules: EU-RES-001 (a customer key in a region outside the allowed set), EU-RES-020 (a multi-Region key:
fatal when its primary or a replica is outside the allowed regions, else an error, since replicas can be
made in any region at any time). Every key seen, AWS-managed ones included, goes into the key directory
the other collectors ask whether a key is customer-managed.
"""

from __future__ import annotations

from eu_residency.audit.scope import Scope, pages
from eu_residency.core.rule_model import Severity

SERVICE = "kms"
KEY = "AWS::KMS::Key"


def collect(scope: Scope) -> None:
    client = scope.client()
    keys = [str(key["KeyArn"]) for page in pages(client, "list_keys") for key in page.get("Keys", [])]
    for arn in keys:
        response = scope.guarded(f"key {arn}", client.describe_key, KeyId=arn)
        if response is None:
            continue
        metadata = response["KeyMetadata"]
        scope.keys.remember(metadata)
        if metadata.get("KeyManager") != "CUSTOMER":
            continue
        spec = metadata.get("KeySpec", "SYMMETRIC_DEFAULT")
        state = metadata.get("KeyState", "")
        name = str(metadata.get("KeyId", arn))
        scope.store(KEY, name, arn, f"key material ({spec}, {state})")
        if not metadata.get("MultiRegion"):
            continue
        configuration = metadata.get("MultiRegionConfiguration") or {}
        copies: list[tuple[str, str | None]] = []
        primary = configuration.get("PrimaryKey") or {}
        if primary.get("Region") and primary.get("Region") != scope.region:
            copies.append(("its primary key", str(primary["Region"])))
        for replica in configuration.get("ReplicaKeys", []):
            if replica.get("Region") and replica.get("Region") != scope.region:
                copies.append(("a replica key", str(replica["Region"])))
        before = len(scope.findings)
        scope.destinations("EU-RES-020", arn, KEY, "the multi-Region key shares its key material with", copies)
        if len(scope.findings) == before:
            regions = ", ".join(sorted({scope.region, *(str(region) for _, region in copies)}))
            scope.finding(
                "EU-RES-020",
                arn,
                KEY,
                f"the key is multi-Region ({configuration.get('MultiRegionKeyType', 'PRIMARY').lower()}, now in "
                f"{regions}): replicas can be made in any region, where they decrypt everything it protects",
                severity=Severity.ERROR,
            )
