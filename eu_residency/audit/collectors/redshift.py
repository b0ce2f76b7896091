"""Redshift: provisioned clusters, their cross-region snapshot copies, the SSL setting of their parameter groups.

Rules: EU-RES-001, EU-ENC-004 (encryption at rest), EU-RES-019 (cross-region snapshot copy), EU-ENC-049 (a
parameter group of the account's own, in use, whose require_ssl is not true), EU-ENC-050 (a cluster on a
default parameter group whose require_ssl is not true: only another group can change that).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eu_residency.audit.scope import Scope, arn_prefix, pages, tag_value

SERVICE = "redshift"
CLUSTER = "AWS::Redshift::Cluster"
PARAMETER_GROUP = "AWS::Redshift::ClusterParameterGroup"
REQUIRE_SSL = "require_ssl"
# Default groups are named default.<family> and cannot be modified (Redshift Management Guide, "Amazon
# Redshift parameter groups").
DEFAULT_PREFIX = "default."


def collect(scope: Scope) -> None:
    client = scope.client()
    in_use: dict[str, list[str]] = {}  # parameter group name -> ARNs of the clusters using it
    for page in pages(client, "describe_clusters"):
        for cluster in page.get("Clusters", []):
            arn = _cluster(scope, cluster)
            for group in cluster.get("ClusterParameterGroups", []):
                name = str(group.get("ParameterGroupName", ""))
                if name:
                    in_use.setdefault(name, []).append(arn)
    for name, clusters in sorted(in_use.items()):
        value = scope.guarded(f"parameter group {name}", _require_ssl, client, name)
        if value is None or value[0].strip().lower() == "true":
            continue
        shown = f"is {value[0]!r}" if value[0] else "is not set"
        if name.startswith(DEFAULT_PREFIX):
            for arn in clusters:
                scope.finding(
                    "EU-ENC-050",
                    arn,
                    CLUSTER,
                    f"the cluster uses the default parameter group {name}, whose require_ssl {shown} and cannot be "
                    "changed, so clients may connect without SSL",
                )
            continue
        prefix = arn_prefix(clusters[0])
        scope.finding(
            "EU-ENC-049",
            f"{prefix}parametergroup:{name}" if prefix else name,
            PARAMETER_GROUP,
            f"require_ssl {shown} in the parameter group {name}, so its clusters accept connections without SSL",
        )


def _cluster(scope: Scope, cluster: Mapping[str, Any]) -> str:
    name = str(cluster["ClusterIdentifier"])
    # DescribeClusters gives no cluster ARN; its form: Service Authorization Reference, Amazon Redshift.
    arn = f"arn:{scope.partition()}:redshift:{scope.region}:{scope.account or ''}:cluster:{name}"
    encrypted = bool(cluster.get("Encrypted"))
    key = cluster.get("KmsKeyId")
    encryption = ("encrypted" + (f", key {key}" if key else "")) if encrypted else "none"
    scope.store(CLUSTER, name, arn, encryption, classification=tag_value(cluster.get("Tags")))
    if not encrypted:
        scope.finding("EU-ENC-004", arn, CLUSTER, "the cluster does not encrypt its data at rest (Encrypted false)")
    copy = cluster.get("ClusterSnapshotCopyStatus") or {}
    destination = copy.get("DestinationRegion")
    if destination:
        scope.destinations(
            "EU-RES-019",
            arn,
            CLUSTER,
            "the cluster copies its snapshots",
            [("to a destination", str(destination))] if destination != scope.region else [],
        )
    return arn


def _require_ssl(client: Any, name: str) -> tuple[str]:
    """require_ssl as the group states it ("" when the group does not list it)."""
    for page in pages(client, "describe_cluster_parameters", ParameterGroupName=name):
        for item in page.get("Parameters", []):
            if item.get("ParameterName") == REQUIRE_SSL:
                return (str(item.get("ParameterValue") or ""),)
    return ("",)
