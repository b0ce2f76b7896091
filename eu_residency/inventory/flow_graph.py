"""The app's flows as a graph: where a value points (a resource of the app, found by reference, ARN or name, or
somewhere outside it) and the flows recorded between those endpoints, each judged inside or outside the
allowed regions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eu_residency.core.resolved import scalar
from eu_residency.core.settings import RuleSettings
from eu_residency.core.template_view import ResourceRef, Unknown
from eu_residency.core.values import MISSING
from eu_residency.core.vocabulary import parse_arn
from eu_residency.inventory.records import UNKNOWN_REGION, Endpoint, Flow, short_name
from eu_residency.inventory.resolver import AppResolver, AppStack

# The physical-name property of each type, to find a store named in an ARN or by name.
NAME_PROPERTIES: dict[str, str] = {
    "AWS::S3::Bucket": "BucketName",
    "AWS::RDS::DBInstance": "DBInstanceIdentifier",
    "AWS::RDS::DBCluster": "DBClusterIdentifier",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::DynamoDB::GlobalTable": "TableName",
    "AWS::ElastiCache::ReplicationGroup": "ReplicationGroupId",
    "AWS::ElastiCache::CacheCluster": "ClusterName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::Kinesis::Stream": "Name",
    "AWS::KinesisFirehose::DeliveryStream": "DeliveryStreamName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::Backup::BackupVault": "BackupVaultName",
    "AWS::OpenSearchService::Domain": "DomainName",
    "AWS::Elasticsearch::Domain": "DomainName",
    "AWS::ECR::Repository": "RepositoryName",
    "AWS::Redshift::Cluster": "ClusterIdentifier",
    "AWS::DocDB::DBCluster": "DBClusterIdentifier",
    "AWS::Neptune::DBCluster": "DBClusterIdentifier",
    "AWS::Lambda::Function": "FunctionName",
}

# ARN service and resource part -> (types it may name, the name in it).
_ARN_RESOURCES: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...] = (
    ("logs", re.compile(r"^log-group:(?P<name>[^:]+)(?::\*)?$"), ("AWS::Logs::LogGroup",)),
    ("backup", re.compile(r"^backup-vault:(?P<name>.+)$"), ("AWS::Backup::BackupVault",)),
    ("firehose", re.compile(r"^deliverystream/(?P<name>.+)$"), ("AWS::KinesisFirehose::DeliveryStream",)),
    ("kinesis", re.compile(r"^stream/(?P<name>.+)$"), ("AWS::Kinesis::Stream",)),
    ("sqs", re.compile(r"^(?P<name>[^/:]+)$"), ("AWS::SQS::Queue",)),
    ("sns", re.compile(r"^(?P<name>[^/:]+)$"), ("AWS::SNS::Topic",)),
    ("rds", re.compile(r"^db:(?P<name>.+)$"), ("AWS::RDS::DBInstance",)),
    ("rds", re.compile(r"^cluster:(?P<name>.+)$"), ("AWS::RDS::DBCluster", "AWS::DocDB::DBCluster")),
    ("dynamodb", re.compile(r"^table/(?P<name>[^/]+)"), ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable")),
    ("es", re.compile(r"^domain/(?P<name>.+)$"), ("AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain")),
    ("elasticfilesystem", re.compile(r"^file-system/(?P<name>.+)$"), ("AWS::EFS::FileSystem",)),
    ("lambda", re.compile(r"^function:(?P<name>[^:]+)"), ("AWS::Lambda::Function",)),
)


@dataclass
class FlowGraph:
    """The endpoints of the app and the flows between them, in the order they were found (each flow once)."""

    app: AppResolver
    settings: RuleSettings
    flows: list[Flow] = field(default_factory=list)
    _seen: set[tuple[Any, ...]] = field(default_factory=set)
    _names: dict[tuple[str, str], list[tuple[AppStack, str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for stack in self.app.stacks:
            for resource in stack.view.resources():
                prop = NAME_PROPERTIES.get(resource.type)
                if prop is None:
                    continue
                for text in self.app.texts(stack, resource.properties.get(prop, MISSING)):
                    if isinstance(text, str) and text:
                        self._names.setdefault((resource.type, text), []).append((stack, resource.logical_id))

    def node(self, stack: AppStack, logical_id: str) -> Endpoint:
        """The endpoint of a resource of the app."""
        resource = stack.view.resource(logical_id)
        return Endpoint(
            label=short_name(resource.construct_path if resource else None, logical_id),
            region=stack.region,
            template=stack.name,
            stack=stack.stack,
            logical_id=logical_id,
            type=resource.type if resource else None,
        )

    def named(self, types: Sequence[str], name: str, region: str | None) -> Endpoint | None:
        """The resource of one of ``types`` with this physical name (in ``region``, unless None), if the app has one."""
        for resource_type in types:
            for stack, logical_id in self._names.get((resource_type, name), []):
                if region is None or stack.region == region:
                    return self.node(stack, logical_id)
        return None

    def destinations(self, stack: AppStack, raw: Any, what: str, types: Sequence[str] = ()) -> list[Endpoint]:
        """Where ``raw`` points: a resource (Ref/GetAtt, here or in another stack), an ARN, or a name of
        ``types`` in the stack's own region. S3 buckets are found by name across the app (bucket ARNs
        carry no region), then in the settings' replication destinations.
        """
        found = []
        for where, option in self.app.given(stack, raw):
            found.append(self.destination(where, option, what, types))
        return found

    def destination(self, where: AppStack, option: Any, what: str, types: Sequence[str]) -> Endpoint:
        """Where one resolved value points, as ``destinations`` finds it."""
        if isinstance(option, ResourceRef):
            return self.node(where, option.logical_id)
        if isinstance(option, Unknown):
            return Endpoint(label=f"{what} ({option.reason})", region=UNKNOWN_REGION)
        text = scalar(option)
        if not isinstance(text, str) or not text:
            return Endpoint(label=f"{what} (not text)", region=UNKNOWN_REGION)
        arn = parse_arn(text)
        if "AWS::S3::Bucket" in types and (arn is None or arn.service == "s3"):
            name = text if arn is None else arn.resource.split("/", 1)[0]
            return self._bucket(name)
        if arn is None:
            return self.named(types, text, where.region) or Endpoint(label=f"{what} {text}", region=where.region)
        region = arn.region or UNKNOWN_REGION
        for service, pattern, arn_types in _ARN_RESOURCES:
            match = pattern.match(arn.resource)
            if service == arn.service and match:
                named = self.named(arn_types, match["name"], arn.region or None)
                if named is not None:
                    return named
                return Endpoint(label=f"{arn.service} {arn.resource}", region=region)
        return Endpoint(label=f"{arn.service} {arn.resource}", region=region)

    def _bucket(self, name: str) -> Endpoint:
        named = self.named(("AWS::S3::Bucket",), name, None)
        if named is not None:
            return named
        region = self.settings.replication_destinations.get(name)
        if region is not None:
            return Endpoint(
                label=f"S3 bucket {name} (not in these templates; region from replication_destinations)", region=region
            )
        return Endpoint(label=f"S3 bucket {name} (not in these templates)", region=UNKNOWN_REGION)

    def region_endpoint(self, label: str, value: str | Unknown) -> Endpoint:
        """A place of AWS known only by its region (``value``), or by why its region cannot be shown."""
        if isinstance(value, Unknown):
            return Endpoint(label=f"{label} ({value.reason})", region=UNKNOWN_REGION)
        return Endpoint(label=label, region=value or UNKNOWN_REGION)

    def outside(self, label: str) -> Endpoint:
        """A place outside AWS (an HTTP endpoint, an e-mail address): inside only when the settings vet it."""
        return Endpoint(label=label, region=UNKNOWN_REGION, outside_aws=True)

    def add(self, kind: str, source: Endpoint, destination: Endpoint, detail: str) -> None:
        """Records that data of ``source`` can reach ``destination`` (once per kind, ends and detail)."""
        if destination.outside_aws:
            inside = self.settings.endpoint_is_vetted(destination.label)
        else:
            inside = destination.region in self.settings.allowed_regions
        key = (kind, source.key, destination.key, detail)
        if key not in self._seen:
            self._seen.add(key)
            self.flows.append(Flow(kind, source, destination, inside, detail))
