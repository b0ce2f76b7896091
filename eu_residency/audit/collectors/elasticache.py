"""ElastiCache: replication groups (Redis OSS and Valkey), their encryption and global datastores.

Rules: EU-RES-001, EU-ENC-005 (at rest), EU-ENC-044 (TLS required for every client), EU-RES-015 (a member
of a global datastore, whose other members this audit does not follow: an error).
"""

from __future__ import annotations

from eu_residency.audit.scope import Scope, pages

SERVICE = "elasticache"
GROUP = "AWS::ElastiCache::ReplicationGroup"


def collect(scope: Scope) -> None:
    for page in pages(scope.client(), "describe_replication_groups"):
        for group in page.get("ReplicationGroups", []):
            name = str(group["ReplicationGroupId"])
            arn = str(group.get("ARN", name))
            at_rest = bool(group.get("AtRestEncryptionEnabled"))
            key = group.get("KmsKeyId")
            encryption = ("at rest" + (f", key {key}" if key else "")) if at_rest else "none"
            scope.store(GROUP, name, arn, encryption)
            if not at_rest:
                scope.finding("EU-ENC-005", arn, GROUP, "the replication group does not encrypt its data at rest")
            if not group.get("TransitEncryptionEnabled"):
                scope.finding("EU-ENC-044", arn, GROUP, "the replication group does not encrypt in transit")
            elif group.get("TransitEncryptionMode") == "preferred":
                scope.finding(
                    "EU-ENC-044",
                    arn,
                    GROUP,
                    "the replication group accepts clients without TLS (TransitEncryptionMode preferred)",
                )
            datastore = (group.get("GlobalReplicationGroupInfo") or {}).get("GlobalReplicationGroupId")
            if datastore:
                scope.finding(
                    "EU-RES-015",
                    arn,
                    GROUP,
                    f"the replication group belongs to the global datastore {datastore}, which copies it to other "
                    "regions that this audit does not follow (fails closed)",
                )
