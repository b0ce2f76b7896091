"""MSK: Kafka clusters, the key of their data at rest and their encryption in transit.

Rules: EU-RES-001, EU-KEY-010 (a provisioned cluster whose data volumes are not under a customer-managed
key), EU-ENC-048 (clients may connect in plain text, or brokers replicate in plain text). Serverless clusters
are inventoried (EU-RES-001) only: no template rule judges their encryption.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eu_residency.audit.scope import Scope, pages, tag_value

SERVICE = "kafka"
CLUSTER = "AWS::MSK::Cluster"
# An absent setting is MSK's default: ClientBroker TLS, InCluster true; an absent EncryptionAtRest is the
# AWS-managed key (MSK Developer Guide, "Get started with Amazon MSK encryption").
DEFAULT_CLIENT_BROKER = "TLS"


def collect(scope: Scope) -> None:
    for page in pages(scope.client(), "list_clusters_v2"):
        for cluster in page.get("ClusterInfoList", []):
            _cluster(scope, cluster)


def _cluster(scope: Scope, cluster: Mapping[str, Any]) -> None:
    arn = str(cluster["ClusterArn"])
    name = str(cluster.get("ClusterName") or arn)
    provisioned = cluster.get("Provisioned")
    if cluster.get("ClusterType") == "SERVERLESS" or provisioned is None:
        scope.store(CLUSTER, name, arn, "serverless", classification=tag_value(cluster.get("Tags")))
        return
    encryption = provisioned.get("EncryptionInfo") or {}
    key = (encryption.get("EncryptionAtRest") or {}).get("DataVolumeKMSKeyId")
    scope.store(
        CLUSTER,
        name,
        arn,
        f"encrypted, key {key}" if key else "encrypted, key not shown",
        classification=tag_value(cluster.get("Tags")),
    )
    if not key or not scope.keys.customer_managed(str(key), scope.region):
        scope.finding(
            "EU-KEY-010",
            arn,
            CLUSTER,
            "the cluster encrypts its data volumes with "
            + (f"the AWS-managed key {key}" if key else "a key AWS does not name (the AWS-managed aws/kafka)"),
        )
    transit = encryption.get("EncryptionInTransit") or {}
    client_broker = str(transit.get("ClientBroker") or DEFAULT_CLIENT_BROKER)
    in_cluster = transit.get("InCluster", True) is not False
    problems = []
    if client_broker != "TLS":
        problems.append(f"ClientBroker is {client_broker}, so clients may produce and consume in plain text")
    if not in_cluster:
        problems.append("InCluster is false, so brokers replicate data to each other in plain text")
    if problems:
        scope.finding("EU-ENC-048", arn, CLUSTER, "; ".join(problems))
