"""What the inventory holds: data stores, their encryption at rest and in transit, and the flows of their data.

Frozen records with ``as_dict`` for the review pack's JSON, the resource types the inventory lists, and the
names a reviewer reads for stacks and resources.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

UNKNOWN_REGION = "unknown"
UNCLASSIFIED = "unclassified"
UNKNOWN_CLASSIFICATION = "unknown"

# Every resource type that holds user data (or the keys to it), with the name a reviewer reads.
DATA_BEARING_TYPES: dict[str, str] = {
    "AWS::S3::Bucket": "S3 bucket",
    "AWS::RDS::DBInstance": "RDS DB instance",
    "AWS::RDS::DBCluster": "RDS/Aurora DB cluster",
    "AWS::DynamoDB::Table": "DynamoDB table",
    "AWS::DynamoDB::GlobalTable": "DynamoDB global table",
    "AWS::ElastiCache::ReplicationGroup": "ElastiCache replication group",
    "AWS::ElastiCache::CacheCluster": "ElastiCache cache cluster",
    "AWS::EFS::FileSystem": "EFS file system",
    "AWS::SecretsManager::Secret": "Secrets Manager secret",
    "AWS::SQS::Queue": "SQS queue",
    "AWS::SNS::Topic": "SNS topic",
    "AWS::Kinesis::Stream": "Kinesis data stream",
    "AWS::KinesisFirehose::DeliveryStream": "Firehose stream",
    "AWS::Logs::LogGroup": "CloudWatch log group",
    "AWS::Backup::BackupVault": "Backup vault",
    "AWS::OpenSearchService::Domain": "OpenSearch domain",
    "AWS::Elasticsearch::Domain": "Elasticsearch domain",
    "AWS::ECR::Repository": "ECR repository",
    "AWS::KMS::Key": "KMS key",
    "AWS::Redshift::Cluster": "Redshift cluster",
    "AWS::DocDB::DBCluster": "DocumentDB cluster",
    "AWS::Neptune::DBCluster": "Neptune cluster",
    "AWS::EC2::Volume": "EBS volume",
}

# Resources that hold no data themselves but send it somewhere (their flows are listed too).
SOURCE_TYPES: dict[str, str] = {
    "AWS::EC2::VPC": "VPC",
    "AWS::EC2::Subnet": "subnet",
    "AWS::EC2::NetworkInterface": "network interface",
    "AWS::CloudTrail::Trail": "CloudTrail trail",
    "AWS::WAFv2::WebACL": "WAF web ACL",
    "AWS::ECS::TaskDefinition": "ECS task definition",
    "AWS::ECS::Cluster": "ECS cluster",
    "AWS::Lambda::Function": "Lambda function",
    "AWS::Events::ApiDestination": "EventBridge API destination",
    "AWS::SNS::Subscription": "SNS subscription",
    "AWS::EC2::SecurityGroup": "security group",
    "AWS::EC2::Route": "route",
    "AWS::EC2::VPCGatewayAttachment": "gateway attachment",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "load balancer",
    "AWS::ElasticLoadBalancing::LoadBalancer": "Classic Load Balancer",
    "AWS::ApiGateway::RestApi": "API Gateway REST API",
    "AWS::ApiGatewayV2::Api": "API Gateway API",
    "AWS::CloudFront::Distribution": "CloudFront distribution",
}


# -- what the inventory holds ------------------------------------------------------------------------------


class FlowKind:
    """Where data goes: a copy kept elsewhere, a backup, a log, a delivery, a send outside AWS; a way out of a
    network (to the internet, or through a VPC endpoint to an AWS service), the application's reads and writes
    (and a store its environment names), and what the internet can send data to.
    """

    REPLICA = "replica"
    REPLICATION = "replication"
    BACKUP = "backup"
    BACKUP_COPY = "backup copy"
    LOG = "log"
    DELIVERY = "delivery"
    OUTBOUND = "outbound"
    EGRESS = "egress"
    ENDPOINT = "VPC endpoint"
    READ = "reads"
    WRITE = "writes"
    USES = "uses"
    INGRESS = "ingress"

    # Ways into and out of a network: paths data could take, not data a resource is shown to send.
    PATHS = (EGRESS, INGRESS)

    ALL = (
        REPLICA,
        REPLICATION,
        BACKUP,
        BACKUP_COPY,
        LOG,
        DELIVERY,
        OUTBOUND,
        EGRESS,
        ENDPOINT,
        READ,
        WRITE,
        USES,
        INGRESS,
    )


class AtRestStatus:
    """Which kind of key encrypts a store at rest, as the review pack names it."""

    CUSTOMER_KEY = "customer-managed key"
    AWS_MANAGED = "AWS-managed key"
    AWS_OWNED = "AWS-owned key"
    SSE_S3 = "SSE-S3"
    NONE = "none"
    UNKNOWN = "cannot be shown"
    NOT_APPLICABLE = "not applicable"


class InTransitStatus:
    """What the templates prove about encryption in transit."""

    ENFORCED = "enforced"
    NOT_ENFORCED = "not enforced"
    NOT_SHOWN = "not shown"
    NOT_APPLICABLE = "not applicable"


@dataclass(frozen=True)
class AtRest:
    """Which key encrypts a store at rest: ``key`` is a KMS key's logical id (of ``key_stack``), ARN or alias."""

    status: str
    text: str
    key: str | None = None
    key_stack: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "text": self.text, "key": self.key, "key_stack": self.key_stack}


@dataclass(frozen=True)
class InTransit:
    """What the template proves about encryption in transit, in a reviewer's words."""

    status: str
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "text": self.text}


@dataclass(frozen=True)
class Endpoint:
    """One end of a flow: a resource of the app (``logical_id`` set), or somewhere outside it."""

    label: str
    region: str  # a region, or "unknown"
    template: str | None = None
    stack: str | None = None
    logical_id: str | None = None
    type: str | None = None
    outside_aws: bool = False

    @property
    def key(self) -> tuple[str, str, str]:
        if self.template is not None and self.logical_id is not None:
            return (self.template, self.logical_id, "")
        return ("", self.label, self.region)

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "region": self.region,
            "template": self.template,
            "stack": self.stack,
            "logical_id": self.logical_id,
            "type": self.type,
            "outside_aws": self.outside_aws,
        }


@dataclass(frozen=True)
class Flow:
    """Data of ``source`` can reach ``destination``; ``inside`` when that is in the allowed set."""

    kind: str
    source: Endpoint
    destination: Endpoint
    inside: bool
    detail: str

    @property
    def region(self) -> str:
        return self.destination.region

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source.as_dict(),
            "destination": self.destination.as_dict(),
            "region": self.region,
            "inside": self.inside,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class DataStore:
    """One data-bearing resource of the app."""

    template: str
    stack: str
    logical_id: str
    construct_path: str | None
    type: str
    region: str
    inside: bool  # its own region is in the allowed set
    classification: str
    residency: str | None
    description: str | None
    at_rest: AtRest
    in_transit: InTransit
    flows: tuple[Flow, ...] = ()

    @property
    def type_label(self) -> str:
        return DATA_BEARING_TYPES.get(self.type, self.type)

    @property
    def name(self) -> str:
        return short_name(self.construct_path, self.logical_id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "stack": self.stack,
            "logical_id": self.logical_id,
            "construct_path": self.construct_path,
            "type": self.type,
            "region": self.region,
            "inside": self.inside,
            "classification": self.classification,
            "residency": self.residency,
            "description": self.description,
            "encryption_at_rest": self.at_rest.as_dict(),
            "encryption_in_transit": self.in_transit.as_dict(),
            "flows": [flow.as_dict() for flow in self.flows],
        }


@dataclass(frozen=True)
class Inventory:
    """Every data-bearing resource, and every flow of data the templates show (from any resource)."""

    stores: tuple[DataStore, ...]
    flows: tuple[Flow, ...]
    allowed_regions: frozenset[str]

    def store(self, template: str, logical_id: str) -> DataStore | None:
        for store in self.stores:
            if store.template == template and store.logical_id == logical_id:
                return store
        return None

    @property
    def outside_flows(self) -> list[Flow]:
        """Flows of data to somewhere outside the allowed regions (not the paths out of a network)."""
        return [flow for flow in self.flows if not flow.inside and flow.kind not in FlowKind.PATHS]

    @property
    def paths_out(self) -> list[Flow]:
        """The ways out of the templates' networks to the internet: routes and security groups that allow it."""
        return [flow for flow in self.flows if flow.kind == FlowKind.EGRESS and not flow.inside]

    def as_dict(self) -> dict[str, Any]:
        return {
            "allowed_regions": sorted(self.allowed_regions),
            "stores": [store.as_dict() for store in self.stores],
            "flows": [flow.as_dict() for flow in self.flows],
        }


def short_name(construct_path: str | None, logical_id: str) -> str:
    """``Chat-prod-Data/Attachments/Bucket/Resource`` -> ``Attachments/Bucket``; the logical id without a path."""
    if not construct_path:
        return logical_id
    parts = construct_path.split("/")
    if len(parts) > 1:
        parts = parts[1:]
    if len(parts) > 1 and parts[-1] in ("Resource", "Default"):
        parts = parts[:-1]
    return "/".join(parts) or logical_id


def stack_name(template_name: str) -> str:
    """The stack a template file is for: ``cdk.out/Chat-prod-Data.template.json`` -> ``Chat-prod-Data``."""
    name = PurePath(template_name).name
    for suffix in (".template.json", ".template.yaml", ".template.yml", ".template", ".json", ".yaml", ".yml"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name
