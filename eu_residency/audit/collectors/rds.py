"""RDS: database instances and clusters, their cross-region copies, and the TLS setting of their parameter groups.

Rules: EU-RES-001, EU-ENC-001 (storage encryption), EU-RES-013 (automated backups replicated to another
region, cross-region read replicas and sources), EU-RES-014 (membership of a global database, whose other
members this audit does not follow: an error), EU-ENC-045 (the parameter group of a PostgreSQL, MySQL or
MariaDB database does not force TLS). Instances that are members of a cluster are the cluster's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from eu_residency.audit.scope import Scope, arn_prefix, arn_region, pages, tag_value

SERVICE = "rds"
INSTANCE = "AWS::RDS::DBInstance"
CLUSTER = "AWS::RDS::DBCluster"
PARAMETER_GROUP = "AWS::RDS::DBParameterGroup"
CLUSTER_PARAMETER_GROUP = "AWS::RDS::DBClusterParameterGroup"
FORCE_SSL = "rds.force_ssl"
SECURE_TRANSPORT = "require_secure_transport"
TRUE_VALUES = frozenset({"1", "on", "true"})


def tls_parameter(engine: str) -> str | None:
    """The parameter that forces TLS for an engine; None for engines this rule does not cover."""
    if "postgres" in engine:
        return FORCE_SSL
    if "mysql" in engine or "mariadb" in engine:
        return SECURE_TRANSPORT
    return None


def collect(scope: Scope) -> None:
    client = scope.client()
    groups: dict[str, tuple[str, str]] = {}  # parameter group name -> (TLS parameter, ARN)
    cluster_groups: dict[str, tuple[str, str]] = {}
    for page in pages(client, "describe_db_instances"):
        for instance in page.get("DBInstances", []):
            if instance.get("DBClusterIdentifier"):
                continue  # a member of a cluster: the cluster is the store
            _instance(scope, instance, groups)
    for page in pages(client, "describe_db_clusters"):
        for cluster in page.get("DBClusters", []):
            _cluster(scope, cluster, cluster_groups)
    for label, found, call, name_argument, resource_type in (
        ("parameter group", groups, "describe_db_parameters", "DBParameterGroupName", PARAMETER_GROUP),
        (
            "cluster parameter group",
            cluster_groups,
            "describe_db_cluster_parameters",
            "DBClusterParameterGroupName",
            CLUSTER_PARAMETER_GROUP,
        ),
    ):
        for name, (parameter, arn) in sorted(found.items()):
            values = scope.guarded(f"{label} {name}", _values, client, call, name_argument, name, parameter)
            if values is not None:
                _tls(scope, resource_type, name, arn, parameter=parameter, values=values)


def _encryption(resource: Mapping[str, Any]) -> str:
    if not resource.get("StorageEncrypted"):
        return "none"
    key = resource.get("KmsKeyId")
    return f"storage encrypted, key {key}" if key else "storage encrypted"


def _instance(scope: Scope, instance: Mapping[str, Any], groups: dict[str, tuple[str, str]]) -> None:
    name = str(instance["DBInstanceIdentifier"])
    arn = str(instance.get("DBInstanceArn", name))
    scope.store(INSTANCE, name, arn, _encryption(instance), classification=tag_value(instance.get("TagList")))
    if not instance.get("StorageEncrypted"):
        scope.finding("EU-ENC-001", arn, INSTANCE, "the instance's storage is not encrypted (StorageEncrypted false)")
    copies: list[tuple[str, str | None]] = []
    for backup in instance.get("DBInstanceAutomatedBackupsReplications", []):
        target = str(backup.get("DBInstanceAutomatedBackupsArn", ""))
        copies.append((f"replicated automated backups {target}", arn_region(target)))
    copies += _other_regions("read replica", instance.get("ReadReplicaDBInstanceIdentifiers", []), scope.region)
    copies += _other_regions("read replica cluster", instance.get("ReadReplicaDBClusterIdentifiers", []), scope.region)
    copies += _other_regions(
        "its source instance", [instance.get("ReadReplicaSourceDBInstanceIdentifier")], scope.region
    )
    scope.destinations("EU-RES-013", arn, INSTANCE, "the instance's data is also kept in", copies)
    parameter = tls_parameter(str(instance.get("Engine", "")))
    prefix = arn_prefix(arn)
    if parameter and prefix:
        for group in instance.get("DBParameterGroups", []):
            group_name = str(group.get("DBParameterGroupName", ""))
            if group_name:
                groups[group_name] = (parameter, f"{prefix}pg:{group_name}")


def _cluster(scope: Scope, cluster: Mapping[str, Any], groups: dict[str, tuple[str, str]]) -> None:
    name = str(cluster["DBClusterIdentifier"])
    arn = str(cluster.get("DBClusterArn", name))
    scope.store(CLUSTER, name, arn, _encryption(cluster), classification=tag_value(cluster.get("TagList")))
    if not cluster.get("StorageEncrypted"):
        scope.finding("EU-ENC-001", arn, CLUSTER, "the cluster's storage is not encrypted (StorageEncrypted false)")
    copies: list[tuple[str, str | None]] = []
    copies += _other_regions("read replica", cluster.get("ReadReplicaIdentifiers", []), scope.region)
    copies += _other_regions("its source", [cluster.get("ReplicationSourceIdentifier")], scope.region)
    scope.destinations("EU-RES-013", arn, CLUSTER, "the cluster's data is also kept in", copies)
    global_cluster = cluster.get("GlobalClusterIdentifier")
    if global_cluster:
        scope.finding(
            "EU-RES-014",
            arn,
            CLUSTER,
            f"the cluster belongs to the global database {global_cluster}, which keeps copies in other regions "
            "that this audit does not follow (fails closed)",
        )
    parameter = tls_parameter(str(cluster.get("Engine", "")))
    group_name = cluster.get("DBClusterParameterGroup")
    prefix = arn_prefix(arn)
    if parameter and group_name and prefix:
        groups[str(group_name)] = (parameter, f"{prefix}cluster-pg:{group_name}")


def _other_regions(what: str, identifiers: Iterable[Any], own_region: str) -> list[tuple[str, str | None]]:
    """Identifiers that are ARNs of another region (same-region replicas are named without an ARN)."""
    found: list[tuple[str, str | None]] = []
    for identifier in identifiers:
        region = arn_region(str(identifier)) if identifier else None
        if region and region != own_region:
            found.append((f"{what} {identifier}", region))
    return found


def _values(client: Any, operation: str, argument: str, name: str, parameter: str) -> list[str]:
    values = []
    for page in pages(client, operation, **{argument: name}):
        for item in page.get("Parameters", []):
            if item.get("ParameterName") == parameter and item.get("ParameterValue") is not None:
                values.append(str(item["ParameterValue"]))
    return values


def _tls(scope: Scope, resource_type: str, name: str, arn: str, *, parameter: str, values: list[str]) -> None:
    if any(value.strip().lower() in TRUE_VALUES for value in values):
        return
    shown = f"is {values[0]!r}" if values else "is not set"
    scope.finding(
        "EU-ENC-045",
        arn,
        resource_type,
        f"the parameter group {name} does not force TLS: {parameter} {shown}, so clients may connect in the clear",
    )
