"""The data inventory of an app: every data-bearing resource, how it is encrypted, and where its data can go.

Pure Python over CloudFormation templates (no aws_cdk, no jsii), for the security review pack. Values are
read through ``TemplateView.resolve``, and references between the app's stacks (``Fn::GetStackOutput``,
``Fn::ImportValue``) are followed into the template that defines them. What the templates do not decide is
shown as such: a region that cannot be shown is ``"unknown"`` and counts as outside the allowed set, a key
that cannot be shown is ``"cannot be shown"``; nothing is guessed in the reader's favour.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from eu_residency.core.settings import RuleSettings
from eu_residency.core.template_view import OneOf, Resource, ResourceRef, TemplateView, Unknown, options
from eu_residency.core.values import MISSING, scalar
from eu_residency.rules.encryption import elasticache_transit, opensearch_transit, rds_database_tls, s3_bucket_tls
from eu_residency.rules.encryption._in_transit import EngineKind, engine_kind

UNKNOWN_REGION = "unknown"
UNCLASSIFIED = "unclassified"
UNKNOWN_CLASSIFICATION = "unknown"
CLASSIFICATION_TAG = "data-classification"  # as constructs_lib.constructs.classification writes it
RESIDENCY_TAG = "data-residency"
MAX_DEPTH = 32
STAR = "*"

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
}

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
_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):(?P<service>[a-z0-9-]+):(?P<region>[^:]*):(?P<account>[^:]*):(?P<rest>.*)$"
)
_SUB_NAME = re.compile(r"\$\{([^}!][^}]*)\}")


# -- what the inventory holds ------------------------------------------------------------------------------


class FlowKind:
    """Where data goes: a copy kept elsewhere, a backup, a log, a delivery, or a send outside AWS."""

    REPLICA = "replica"
    REPLICATION = "replication"
    BACKUP = "backup"
    BACKUP_COPY = "backup copy"
    LOG = "log"
    DELIVERY = "delivery"
    OUTBOUND = "outbound"

    ALL = (REPLICA, REPLICATION, BACKUP, BACKUP_COPY, LOG, DELIVERY, OUTBOUND)


class AtRestStatus:
    CUSTOMER_KEY = "customer-managed key"
    AWS_MANAGED = "AWS-managed key"
    AWS_OWNED = "AWS-owned key"
    SSE_S3 = "SSE-S3"
    NONE = "none"
    UNKNOWN = "cannot be shown"
    NOT_APPLICABLE = "not applicable"


class InTransitStatus:
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
        return [flow for flow in self.flows if not flow.inside]

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


def build_inventory(
    templates: Sequence[tuple[str, Mapping[str, Any], str | None]], *, settings: RuleSettings | None = None
) -> Inventory:
    """The inventory of the templates of one app, each given as (name, template, region or None)."""
    return _Builder(templates, settings or RuleSettings()).build()


# -- reading the templates ---------------------------------------------------------------------------------


@dataclass
class _Stack:
    name: str  # the template's name, as given
    stack: str
    region: str
    view: TemplateView


Located = tuple[_Stack, Any]
Collector = Callable[["_Builder", _Stack, Resource], None]


@dataclass
class _Builder:
    templates: Sequence[tuple[str, Mapping[str, Any], str | None]]
    settings: RuleSettings
    stacks: list[_Stack] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    _seen: set[tuple[Any, ...]] = field(default_factory=set)
    _names: dict[tuple[str, str], list[tuple[_Stack, str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, template, region in self.templates:
            view = TemplateView(template=template, region=region, settings=self.settings, name=name)
            self.stacks.append(_Stack(name, stack_name(name), region or UNKNOWN_REGION, view))
        for stack in self.stacks:
            for resource in stack.view.resources():
                prop = NAME_PROPERTIES.get(resource.type)
                if prop is None:
                    continue
                for text in self._texts(stack, resource.properties.get(prop, MISSING)):
                    if isinstance(text, str) and text:
                        self._names.setdefault((resource.type, text), []).append((stack, resource.logical_id))

    # -- values, across stacks ---------------------------------------------------------------------------

    def _options(self, stack: _Stack, value: Any, depth: int = 0) -> list[Located]:
        """The values ``value`` may take, each with the stack it was resolved in (a reference to another
        stack's output is followed there); structures come back with their inner values unresolved.
        """
        if depth > MAX_DEPTH:
            return [(stack, Unknown("a value nested too deeply"))]
        if isinstance(value, OneOf):
            return [found for option in value.options for found in self._options(stack, option, depth + 1)]
        if isinstance(value, Mapping) and len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Fn::If" and isinstance(argument, list) and len(argument) == 3 and isinstance(argument[0], str):
                decided = stack.view.condition(argument[0])
                branches = [argument[1], argument[2]]
                if decided is not None:
                    branches = [argument[1] if decided else argument[2]]
                return [found for branch in branches for found in self._options(stack, branch, depth + 1)]
            if key == "Fn::GetStackOutput":
                return self._stack_output(stack, argument, depth + 1)
            if key == "Fn::ImportValue":
                return self._import(stack, argument, depth + 1)
            if key == "Ref" or key.startswith("Fn::"):
                return [(stack, option) for option in options(stack.view.resolve(value))]
        return [(stack, value)]

    def _stack_output(self, stack: _Stack, argument: Any, depth: int) -> list[Located]:
        if not isinstance(argument, Mapping):
            return [(stack, Unknown("a malformed Fn::GetStackOutput"))]
        name = stack.view.resolve(argument.get("StackName"))
        output = stack.view.resolve(argument.get("OutputName"))
        other = next((item for item in self.stacks if item.stack == name), None)
        if other is None or not isinstance(output, str):
            return [(stack, Unknown(f"an output of the stack {name}, which is not among the templates"))]
        return self._output_value(other, output, depth)

    def _import(self, stack: _Stack, argument: Any, depth: int) -> list[Located]:
        name = stack.view.resolve(argument)
        if isinstance(name, str):
            for other in self.stacks:
                outputs = other.view.template.get("Outputs")
                for output_name, body in outputs.items() if isinstance(outputs, Mapping) else ():
                    export = body.get("Export") if isinstance(body, Mapping) else None
                    if isinstance(export, Mapping) and other.view.resolve(export.get("Name")) == name:
                        return self._output_value(other, output_name, depth)
        return [(stack, Unknown(f"the export {name}, which no template of the app gives"))]

    def _output_value(self, other: _Stack, output: str, depth: int) -> list[Located]:
        outputs = other.view.template.get("Outputs")
        body = outputs.get(output) if isinstance(outputs, Mapping) else None
        if not isinstance(body, Mapping) or "Value" not in body:
            return [(other, Unknown(f"the output {output} of {other.stack}, which it does not define"))]
        return self._options(other, body["Value"], depth)

    def _get(self, stack: _Stack, value: Any, path: tuple[str, ...], depth: int = 0) -> list[Located]:
        """The raw values at ``path`` under ``value`` (``*``: every element of a list); MISSING where absent."""
        if not path:
            return [(stack, value)]
        found: list[Located] = []
        for where, option in self._options(stack, value, depth):
            key, rest = path[0], path[1:]
            if option is MISSING or isinstance(option, Unknown):
                found.append((where, option))
            elif key == STAR:
                if isinstance(option, list):
                    for item in option:
                        found += self._get(where, item, rest, depth + 1)
                else:
                    found.append((where, Unknown(f"a {type(option).__name__} where a list was expected")))
            elif isinstance(option, Mapping):
                found += self._get(where, option.get(key, MISSING), rest, depth + 1)
            else:
                found.append((where, Unknown(f"a {type(option).__name__} where properties were expected")))
        return found

    def _values(self, stack: _Stack, value: Any, path: tuple[str, ...] = ()) -> list[Located]:
        """The resolved values at ``path``, each with its stack."""
        return [found for where, raw in self._get(stack, value, path) for found in self._options(where, raw)]

    def _texts(self, stack: _Stack, value: Any, path: tuple[str, ...] = ()) -> list[str | Unknown]:
        texts: list[str | Unknown] = []
        for _, option in self._values(stack, value, path):
            if option is MISSING:
                continue
            text = scalar(option)
            texts.append(text if text is not None else Unknown(f"a {type(option).__name__} where text was expected"))
        return texts

    def _given(self, stack: _Stack, value: Any, path: tuple[str, ...] = ()) -> list[tuple[_Stack, Any]]:
        """The values given at ``path`` (``_values`` without MISSING), references kept, for destinations."""
        return [(where, option) for where, option in self._values(stack, value, path) if option is not MISSING]

    def _references(self, stack: _Stack, raw: Any, depth: int = 0) -> list[tuple[_Stack, str]]:
        """Every resource ``raw`` refers to anywhere inside it, in its own stack or (outputs) another."""
        if depth > MAX_DEPTH:
            return []
        found: list[tuple[_Stack, str]] = []
        if isinstance(raw, list):
            for item in raw:
                found += self._references(stack, item, depth + 1)
        elif isinstance(raw, Mapping):
            if len(raw) == 1:
                ((key, argument),) = raw.items()
                if key in ("Ref", "Fn::GetAtt"):
                    target = argument.split(".", 1)[0] if isinstance(argument, str) else None
                    if isinstance(argument, list) and argument and isinstance(argument[0], str):
                        target = argument[0]
                    if target is not None and stack.view.resource(target) is not None:
                        return [(stack, target)]
                    return []
                if key in ("Fn::GetStackOutput", "Fn::ImportValue"):
                    located = self._options(stack, raw, depth + 1)
                    return [(where, value.logical_id) for where, value in located if isinstance(value, ResourceRef)]
                if key == "Fn::Sub":
                    pair = isinstance(argument, list) and len(argument) == 2
                    template, variables = (argument[0], argument[1]) if pair else (argument, {})
                    for name in _SUB_NAME.findall(template if isinstance(template, str) else ""):
                        target = name.strip().split(".", 1)[0]
                        if stack.view.resource(target) is not None:
                            found.append((stack, target))
                    found += self._references(stack, variables, depth + 1)
                    return found
            for item in raw.values():
                found += self._references(stack, item, depth + 1)
        return found

    # -- the inventory ----------------------------------------------------------------------------------

    def build(self) -> Inventory:
        for stack in self.stacks:
            for resource in stack.view.resources():
                collector = _COLLECTORS.get(resource.type)
                if collector is not None:
                    collector(self, stack, resource)
        flows = tuple(self.flows)
        stores = []
        for stack in self.stacks:
            for resource in stack.view.resources():
                if resource.type not in DATA_BEARING_TYPES:
                    continue
                own = tuple(
                    flow
                    for flow in flows
                    if flow.source.template == stack.name and flow.source.logical_id == resource.logical_id
                )
                classification, residency = self._classification(stack, resource)
                stores.append(
                    DataStore(
                        template=stack.name,
                        stack=stack.stack,
                        logical_id=resource.logical_id,
                        construct_path=resource.construct_path,
                        type=resource.type,
                        region=stack.region,
                        inside=stack.region in self.settings.allowed_regions,
                        classification=classification,
                        residency=residency,
                        description=self._description(stack, resource),
                        at_rest=self._at_rest(stack, resource),
                        in_transit=self._in_transit(stack, resource),
                        flows=own,
                    )
                )
        return Inventory(stores=tuple(stores), flows=flows, allowed_regions=self.settings.allowed_regions)

    # -- classification ---------------------------------------------------------------------------------

    def _tags(self, stack: _Stack, resource: Resource) -> dict[str, list[str | Unknown]]:
        tags: dict[str, list[str | Unknown]] = {}
        raws = [resource.properties.get(name, MISSING) for name in ("Tags", "BackupVaultTags", "FileSystemTags")]
        if resource.type == "AWS::DynamoDB::GlobalTable":
            raws += [raw for _, raw in self._get(stack, resource.properties, ("Replicas", STAR, "Tags"))]
        for raw in raws:
            for where, value in self._options(stack, raw):
                if isinstance(value, Mapping):
                    for key, item in value.items():
                        tags.setdefault(str(key), []).extend(self._texts(where, item))
                elif isinstance(value, list):
                    for _, entry in (found for item in value for found in self._options(where, item)):
                        if not isinstance(entry, Mapping):
                            continue
                        for key in self._texts(where, entry.get("Key", MISSING)):
                            if isinstance(key, str):
                                tags.setdefault(key, []).extend(self._texts(where, entry.get("Value", MISSING)))
        return tags

    def _classification(self, stack: _Stack, resource: Resource) -> tuple[str, str | None]:
        tags = self._tags(stack, resource)

        def one(name: str) -> str | None:
            values = tags.get(name)
            if not values:
                return None
            distinct = set(values)
            only = distinct.pop() if len(distinct) == 1 else None
            return only if isinstance(only, str) else UNKNOWN_CLASSIFICATION

        return one(CLASSIFICATION_TAG) or UNCLASSIFIED, one(RESIDENCY_TAG)

    def _description(self, stack: _Stack, resource: Resource) -> str | None:
        for name in ("Description", "ReplicationGroupDescription"):
            texts = self._texts(stack, resource.properties.get(name, MISSING))
            if texts and isinstance(texts[0], str):
                return texts[0]
        return None

    # -- encryption at rest -----------------------------------------------------------------------------

    def _at_rest(self, stack: _Stack, resource: Resource) -> AtRest:
        reader = _AT_REST.get(resource.type)
        if reader is None:
            return AtRest(AtRestStatus.UNKNOWN, "cannot be shown: a type this inventory does not read")
        return reader(self, stack, resource)

    def _key(self, stack: _Stack, raw: Any, absent: AtRest, depth: int = 0) -> AtRest:
        """The key ``raw`` names (a Ref/GetAtt to a key or alias, an ARN, an alias, a key id)."""
        results = []
        for where, option in self._options(stack, raw):
            results.append(self._one_key(where, option, absent, depth))
        return _one(results)

    def _one_key(self, where: _Stack, option: Any, absent: AtRest, depth: int) -> AtRest:
        if option is MISSING or option == "":
            return absent
        if isinstance(option, ResourceRef):
            target = where.view.resource(option.logical_id)
            if target is not None and target.type == "AWS::KMS::Alias" and depth < MAX_DEPTH:
                return self._key(where, target.properties.get("TargetKeyId", MISSING), absent, depth + 1)
            if target is not None and target.type in ("AWS::KMS::Key", "AWS::KMS::ReplicaKey"):
                return AtRest(
                    AtRestStatus.CUSTOMER_KEY,
                    f"KMS key {option.logical_id} ({where.stack})",
                    key=option.logical_id,
                    key_stack=where.stack,
                )
            kind = target.type if target is not None else "a resource the template does not define"
            return AtRest(AtRestStatus.UNKNOWN, f"cannot be shown: the key is {option.reason}, a {kind}")
        if isinstance(option, Unknown):
            return AtRest(AtRestStatus.UNKNOWN, f"cannot be shown: the key is {option.reason}")
        if isinstance(option, str):
            if re.search(r"(^|:)alias/aws/", option):
                return AtRest(AtRestStatus.AWS_MANAGED, f"AWS-managed key ({option.rsplit(':', 1)[-1]})", key=option)
            return AtRest(AtRestStatus.CUSTOMER_KEY, f"KMS key {option}", key=option)
        return AtRest(AtRestStatus.UNKNOWN, f"cannot be shown: the key is a {type(option).__name__}")

    def _encrypted_flag(
        self,
        stack: _Stack,
        resource: Resource,
        flag: str,
        key: str,
        service: str,
        *,
        sources: tuple[str, ...] = (),
        off: str = "none",
    ) -> AtRest:
        """Storage encrypted when ``flag`` is true, with ``key`` or the service's AWS-managed key."""
        managed = AtRest(AtRestStatus.AWS_MANAGED, f"AWS-managed key (aws/{service})")
        results = []
        for _, value in self._values(stack, resource.properties, (flag,)):
            truth = None if value is MISSING else stack.view.truth(value)
            if truth is True:
                results.append(self._key(stack, resource.properties.get(key, MISSING), managed))
            elif isinstance(value, Unknown) or (value is not MISSING and truth is None):
                reason = value.reason if isinstance(value, Unknown) else f"{value!r:.60}"
                results.append(AtRest(AtRestStatus.UNKNOWN, f"cannot be shown: {flag} is {reason}"))
            elif value is MISSING and any(resource.properties.get(source) is not None for source in sources):
                results.append(
                    AtRest(
                        AtRestStatus.UNKNOWN,
                        f"cannot be shown: without {flag} it is inherited from the snapshot or source",
                    )
                )
            else:
                results.append(
                    AtRest(AtRestStatus.NONE, f"{off} ({flag} is {'false' if truth is False else 'not set'})")
                )
        return _one(results)

    # -- encryption in transit --------------------------------------------------------------------------

    def _in_transit(self, stack: _Stack, resource: Resource) -> InTransit:
        reader = _IN_TRANSIT.get(resource.type)
        if reader is None:
            return InTransit(InTransitStatus.NOT_SHOWN, "not shown")
        return reader(self, stack, resource)

    def _policy_denies_plain_requests(self, stack: _Stack, document: Any) -> bool:
        """A policy document with a statement denying every request without TLS to everyone."""
        for _, resolved in self._options(stack, document):
            statements = resolved.get("Statement") if isinstance(resolved, Mapping) else None
            resolved_statements = stack.view.resolve(statements)
            items = resolved_statements if isinstance(resolved_statements, list) else [resolved_statements]
            if any(_denies_plain_requests(statement) for statement in items):
                return True
        return False

    def _attached_policy(self, stack: _Stack, resource: Resource, policy_type: str, targets: str) -> bool:
        """A ``policy_type`` of the template attached to ``resource`` (by Ref) denies requests without TLS."""
        for policy in stack.view.resources_of_type(policy_type):
            attached = stack.view.resolve(policy.properties.get(targets))
            items = attached if isinstance(attached, list) else [attached]
            if any(isinstance(item, ResourceRef) and item.logical_id == resource.logical_id for item in items) and (
                self._policy_denies_plain_requests(stack, policy.properties.get("PolicyDocument"))
            ):
                return True
        return False

    # -- destinations -----------------------------------------------------------------------------------

    def node(self, stack: _Stack, logical_id: str) -> Endpoint:
        resource = stack.view.resource(logical_id)
        return Endpoint(
            label=short_name(resource.construct_path if resource else None, logical_id),
            region=stack.region,
            template=stack.name,
            stack=stack.stack,
            logical_id=logical_id,
            type=resource.type if resource else None,
        )

    def _named(self, types: Sequence[str], name: str, region: str | None) -> Endpoint | None:
        for resource_type in types:
            for stack, logical_id in self._names.get((resource_type, name), []):
                if region is None or stack.region == region:
                    return self.node(stack, logical_id)
        return None

    def destinations(self, stack: _Stack, raw: Any, what: str, types: Sequence[str] = ()) -> list[Endpoint]:
        """Where ``raw`` points: a resource (Ref/GetAtt, here or in another stack), an ARN, or a name of
        ``types`` in the stack's own region. S3 buckets are found by name across the app (bucket ARNs
        carry no region), then in the settings' replication destinations.
        """
        found = []
        for where, option in self._given(stack, raw):
            found.append(self._destination(where, option, what, types))
        return found

    def _destination(self, where: _Stack, option: Any, what: str, types: Sequence[str]) -> Endpoint:
        if isinstance(option, ResourceRef):
            return self.node(where, option.logical_id)
        if isinstance(option, Unknown):
            return Endpoint(label=f"{what} ({option.reason})", region=UNKNOWN_REGION)
        text = scalar(option)
        if not isinstance(text, str) or not text:
            return Endpoint(label=f"{what} (not text)", region=UNKNOWN_REGION)
        arn = _ARN.match(text)
        if "AWS::S3::Bucket" in types and (arn is None or arn["service"] == "s3"):
            name = text if arn is None else arn["rest"].split("/", 1)[0]
            return self._bucket(name)
        if arn is None:
            return self._named(types, text, where.region) or Endpoint(label=f"{what} {text}", region=where.region)
        region = arn["region"] or UNKNOWN_REGION
        for service, pattern, arn_types in _ARN_RESOURCES:
            match = pattern.match(arn["rest"])
            if service == arn["service"] and match:
                named = self._named(arn_types, match["name"], arn["region"] or None)
                if named is not None:
                    return named
                return Endpoint(label=f"{arn['service']} {arn['rest']}", region=region)
        return Endpoint(label=f"{arn['service']} {arn['rest']}", region=region)

    def _bucket(self, name: str) -> Endpoint:
        named = self._named(("AWS::S3::Bucket",), name, None)
        if named is not None:
            return named
        region = self.settings.replication_destinations.get(name)
        if region is not None:
            return Endpoint(label=f"bucket {name} (listed in replication_destinations)", region=region)
        return Endpoint(label=f"bucket {name}, outside the app", region=UNKNOWN_REGION)

    def region_endpoint(self, label: str, value: str | Unknown) -> Endpoint:
        if isinstance(value, Unknown):
            return Endpoint(label=f"{label} ({value.reason})", region=UNKNOWN_REGION)
        return Endpoint(label=label, region=value or UNKNOWN_REGION)

    def outside(self, label: str) -> Endpoint:
        return Endpoint(label=label, region=UNKNOWN_REGION, outside_aws=True)

    def add(self, kind: str, source: Endpoint, destination: Endpoint, detail: str) -> None:
        if destination.outside_aws:
            inside = self.settings.endpoint_is_vetted(destination.label)
        else:
            inside = destination.region in self.settings.allowed_regions
        key = (kind, source.key, destination.key, detail)
        if key not in self._seen:
            self._seen.add(key)
            self.flows.append(Flow(kind, source, destination, inside, detail))


def _one(results: list[AtRest]) -> AtRest:
    """One answer when every option agrees; otherwise the options are decided at deploy time."""
    distinct = list(dict.fromkeys(results))
    if not distinct:
        return AtRest(AtRestStatus.UNKNOWN, "cannot be shown")
    if len(distinct) == 1:
        return distinct[0]
    unknown = [result for result in distinct if result.status == AtRestStatus.UNKNOWN]
    if unknown:
        return unknown[0]
    choices = " or ".join(result.text for result in distinct)
    return AtRest(AtRestStatus.UNKNOWN, f"cannot be shown: an Fn::If decided at deploy time chooses {choices}")


def _denies_plain_requests(statement: Any) -> bool:
    if not isinstance(statement, Mapping) or statement.get("Effect") != "Deny":
        return False
    if any(key in statement for key in ("NotPrincipal", "NotAction", "NotResource")):
        return False
    principal = statement.get("Principal")
    aws = principal.get("AWS") if isinstance(principal, Mapping) else None
    if not (principal == "*" or aws == "*" or (isinstance(aws, list) and "*" in aws)):
        return False
    actions = statement.get("Action")
    action_list = actions if isinstance(actions, list) else [actions]
    if not any(isinstance(action, str) and (action == "*" or action.endswith(":*")) for action in action_list):
        return False
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping) or not condition or set(condition) - {"Bool", "BoolIfExists"}:
        return False
    for body in condition.values():
        if not isinstance(body, Mapping) or any(str(key).lower() != "aws:securetransport" for key in body):
            return False
        for value in body.values():
            values = value if isinstance(value, list) else [value]
            if not any(str(item).lower() == "false" for item in values):
                return False
    return True


# -- encryption at rest, per type ---------------------------------------------------------------------------


def _s3_at_rest(builder: _Builder, stack: _Stack, resource: Resource) -> AtRest:
    default = AtRest(AtRestStatus.SSE_S3, "SSE-S3 (the S3 default: no BucketEncryption)")
    path = ("BucketEncryption", "ServerSideEncryptionConfiguration", STAR, "ServerSideEncryptionByDefault")
    results = []
    for where, element in builder._get(stack, resource.properties, path):
        for here, rule in builder._options(where, element):
            if rule is MISSING:
                results.append(default)
            elif not isinstance(rule, Mapping):
                reason = rule.reason if isinstance(rule, Unknown) else f"a {type(rule).__name__}"
                results.append(AtRest(AtRestStatus.UNKNOWN, f"cannot be shown: the encryption is {reason}"))
            else:
                for algorithm in builder._texts(here, rule.get("SSEAlgorithm", MISSING)) or [Unknown("not set")]:
                    if algorithm == "AES256":
                        results.append(AtRest(AtRestStatus.SSE_S3, "SSE-S3 (AES256)"))
                    elif isinstance(algorithm, str) and algorithm.startswith("aws:kms"):
                        managed = AtRest(AtRestStatus.AWS_MANAGED, "AWS-managed key (aws/s3)")
                        results.append(builder._key(here, rule.get("KMSMasterKeyID", MISSING), managed))
                    else:
                        shown = algorithm.reason if isinstance(algorithm, Unknown) else repr(algorithm)
                        results.append(AtRest(AtRestStatus.UNKNOWN, f"cannot be shown: SSEAlgorithm is {shown}"))
    return _one(results or [default])


def _flagged(flag: str, key: str, service: str, *sources: str, off: str = "none") -> Callable[..., AtRest]:
    def read(builder: _Builder, stack: _Stack, resource: Resource) -> AtRest:
        return builder._encrypted_flag(stack, resource, flag, key, service, sources=sources, off=off)

    return read


def _rds_at_rest(builder: _Builder, stack: _Stack, resource: Resource) -> AtRest:
    if resource.type == "AWS::RDS::DBInstance" and resource.properties.get("DBClusterIdentifier") is not None:
        cluster = builder._references(stack, resource.properties["DBClusterIdentifier"])
        name = cluster[0][1] if cluster else "its DB cluster"
        return AtRest(AtRestStatus.NOT_APPLICABLE, f"that of its cluster {name}")
    sources = (
        *("SnapshotIdentifier", "DBSnapshotIdentifier", "SourceDBInstanceIdentifier", "SourceDBClusterIdentifier"),
        *("SourceDBInstanceAutomatedBackupsArn", "SourceDbiResourceId", "RestoreType"),
    )
    return builder._encrypted_flag(stack, resource, "StorageEncrypted", "KmsKeyId", "rds", sources=sources)


def _service_key(key: str, service: str, *, absent: AtRest | None = None) -> Callable[..., AtRest]:
    """A key property; when it is absent, the service's AWS-managed key (or ``absent``)."""

    def read(builder: _Builder, stack: _Stack, resource: Resource) -> AtRest:
        fallback = absent or AtRest(AtRestStatus.AWS_MANAGED, f"AWS-managed key (aws/{service})")
        return builder._key(stack, resource.properties.get(key, MISSING), fallback)

    return read


def _dynamodb_at_rest(builder: _Builder, stack: _Stack, resource: Resource) -> AtRest:
    owned = AtRest(AtRestStatus.AWS_OWNED, "AWS-owned key (the DynamoDB default)")
    managed = AtRest(AtRestStatus.AWS_MANAGED, "AWS-managed key (aws/dynamodb)")
    results = []
    for _, value in builder._values(stack, resource.properties, ("SSESpecification", "SSEEnabled")):
        truth = None if value is MISSING else stack.view.truth(value)
        if truth is True:
            if resource.type == "AWS::DynamoDB::GlobalTable":
                keys = builder._get(
                    stack, resource.properties, ("Replicas", STAR, "SSESpecification", "KMSMasterKeyId")
                )
                results += [builder._key(where, raw, managed) for where, raw in keys] or [managed]
            else:
                key = ("SSESpecification", "KMSMasterKeyId")
                results += [
                    builder._key(where, raw, managed) for where, raw in builder._get(stack, resource.properties, key)
                ]
        elif truth is False or value is MISSING:
            results.append(owned)
        else:
            results.append(AtRest(AtRestStatus.UNKNOWN, "cannot be shown: SSEEnabled is decided at deploy time"))
    return _one(results)


def _sqs_at_rest(builder: _Builder, stack: _Stack, resource: Resource) -> AtRest:
    if resource.properties.get("KmsMasterKeyId") is not None:
        return builder._key(stack, resource.properties["KmsMasterKeyId"], AtRest(AtRestStatus.NONE, "none"))
    managed = resource.properties.get("SqsManagedSseEnabled", MISSING)
    if managed is not MISSING and stack.view.truth(managed) is False:
        return AtRest(AtRestStatus.NONE, "none (SqsManagedSseEnabled is false, no KmsMasterKeyId)")
    if managed is not MISSING and stack.view.truth(managed) is None:
        return AtRest(AtRestStatus.UNKNOWN, "cannot be shown: SqsManagedSseEnabled is decided at deploy time")
    return AtRest(AtRestStatus.AWS_OWNED, "AWS-owned key (SSE-SQS)")


def _kinesis_at_rest(builder: _Builder, stack: _Stack, resource: Resource) -> AtRest:
    results = []
    for where, encryption in builder._values(stack, resource.properties, ("StreamEncryption",)):
        if encryption is MISSING:
            results.append(AtRest(AtRestStatus.NONE, "none (no StreamEncryption)"))
        elif isinstance(encryption, Mapping):
            managed = AtRest(AtRestStatus.AWS_MANAGED, "AWS-managed key (aws/kinesis)")
            results.append(builder._key(where, encryption.get("KeyId", MISSING), managed))
        else:
            results.append(AtRest(AtRestStatus.UNKNOWN, "cannot be shown: StreamEncryption is decided at deploy time"))
    return _one(results)


def _firehose_at_rest(builder: _Builder, stack: _Stack, resource: Resource) -> AtRest:
    kinds = builder._texts(stack, resource.properties.get("DeliveryStreamType", MISSING))
    if kinds == ["KinesisStreamAsSource"]:
        return AtRest(AtRestStatus.NOT_APPLICABLE, "that of its source Kinesis stream")
    results = []
    path = ("DeliveryStreamEncryptionConfigurationInput",)
    for where, config in builder._values(stack, resource.properties, path):
        if config is MISSING:
            results.append(AtRest(AtRestStatus.NONE, "none (no DeliveryStreamEncryptionConfigurationInput)"))
            continue
        if not isinstance(config, Mapping):
            results.append(AtRest(AtRestStatus.UNKNOWN, "cannot be shown: the encryption is decided at deploy time"))
            continue
        for key_type in builder._texts(where, config.get("KeyType", MISSING)) or ["AWS_OWNED_CMK"]:
            if key_type == "CUSTOMER_MANAGED_CMK":
                absent = AtRest(AtRestStatus.UNKNOWN, "cannot be shown: KeyARN is not set")
                results.append(builder._key(where, config.get("KeyARN", MISSING), absent))
            elif key_type == "AWS_OWNED_CMK":
                results.append(AtRest(AtRestStatus.AWS_OWNED, "AWS-owned key (AWS_OWNED_CMK)"))
            else:
                results.append(AtRest(AtRestStatus.UNKNOWN, f"cannot be shown: KeyType is {key_type}"))
    return _one(results)


def _opensearch_at_rest(builder: _Builder, stack: _Stack, resource: Resource) -> AtRest:
    results = []
    for where, config in builder._values(stack, resource.properties, ("EncryptionAtRestOptions",)):
        enabled = builder._values(where, config, ("Enabled",)) if isinstance(config, Mapping) else [(where, MISSING)]
        for _, value in enabled:
            truth = None if value is MISSING else where.view.truth(value)
            if truth is True and isinstance(config, Mapping):
                managed = AtRest(AtRestStatus.AWS_MANAGED, "AWS-managed key (aws/es)")
                results.append(builder._key(where, config.get("KmsKeyId", MISSING), managed))
            elif isinstance(config, Unknown) or (value is not MISSING and truth is None):
                results.append(AtRest(AtRestStatus.UNKNOWN, "cannot be shown: decided at deploy time"))
            else:
                results.append(AtRest(AtRestStatus.NONE, "none (EncryptionAtRestOptions.Enabled is not true)"))
    return _one(results)


def _ecr_at_rest(builder: _Builder, stack: _Stack, resource: Resource) -> AtRest:
    results = []
    for where, config in builder._values(stack, resource.properties, ("EncryptionConfiguration",)):
        if config is MISSING:
            results.append(AtRest(AtRestStatus.SSE_S3, "AES-256 with S3-managed keys (the ECR default)"))
            continue
        if not isinstance(config, Mapping):
            results.append(AtRest(AtRestStatus.UNKNOWN, "cannot be shown: decided at deploy time"))
            continue
        for kind in builder._texts(where, config.get("EncryptionType", MISSING)) or ["AES256"]:
            if kind == "AES256":
                results.append(AtRest(AtRestStatus.SSE_S3, "AES-256 with S3-managed keys"))
            elif isinstance(kind, str) and kind.startswith("KMS"):
                managed = AtRest(AtRestStatus.AWS_MANAGED, "AWS-managed key (aws/ecr)")
                results.append(builder._key(where, config.get("KmsKey", MISSING), managed))
            else:
                results.append(
                    AtRest(AtRestStatus.UNKNOWN, "cannot be shown: EncryptionType is decided at deploy time")
                )
    return _one(results)


def _kms_at_rest(builder: _Builder, stack: _Stack, resource: Resource) -> AtRest:
    rotation = stack.view.truth(resource.properties.get("EnableKeyRotation", False))
    state = {True: "rotation on", False: "rotation off", None: "rotation decided at deploy time"}[rotation]
    return AtRest(AtRestStatus.NOT_APPLICABLE, f"not applicable: a KMS key ({state})")


_AT_REST: dict[str, Callable[..., AtRest]] = {
    "AWS::S3::Bucket": _s3_at_rest,
    "AWS::RDS::DBInstance": _rds_at_rest,
    "AWS::RDS::DBCluster": _rds_at_rest,
    "AWS::DocDB::DBCluster": _flagged("StorageEncrypted", "KmsKeyId", "rds", "SnapshotIdentifier"),
    "AWS::Neptune::DBCluster": _flagged("StorageEncrypted", "KmsKeyId", "rds", "SnapshotIdentifier"),
    "AWS::Redshift::Cluster": _flagged("Encrypted", "KmsKeyId", "redshift", "SnapshotIdentifier"),
    "AWS::EFS::FileSystem": _flagged("Encrypted", "KmsKeyId", "elasticfilesystem"),
    "AWS::EC2::Volume": _flagged("Encrypted", "KmsKeyId", "ebs", "SnapshotId", off="none shown"),
    "AWS::ElastiCache::ReplicationGroup": _flagged("AtRestEncryptionEnabled", "KmsKeyId", "elasticache"),
    "AWS::ElastiCache::CacheCluster": lambda builder, stack, resource: AtRest(
        AtRestStatus.NONE, "none (a cache cluster cannot encrypt at rest)"
    ),
    "AWS::DynamoDB::Table": _dynamodb_at_rest,
    "AWS::DynamoDB::GlobalTable": _dynamodb_at_rest,
    "AWS::SecretsManager::Secret": _service_key("KmsKeyId", "secretsmanager"),
    "AWS::SQS::Queue": _sqs_at_rest,
    "AWS::SNS::Topic": _service_key(
        "KmsMasterKeyId", "sns", absent=AtRest(AtRestStatus.NONE, "none (no KmsMasterKeyId)")
    ),
    "AWS::Kinesis::Stream": _kinesis_at_rest,
    "AWS::KinesisFirehose::DeliveryStream": _firehose_at_rest,
    "AWS::Logs::LogGroup": _service_key(
        "KmsKeyId", "logs", absent=AtRest(AtRestStatus.AWS_OWNED, "AWS-owned key (the CloudWatch Logs default)")
    ),
    "AWS::Backup::BackupVault": _service_key("EncryptionKeyArn", "backup"),
    "AWS::OpenSearchService::Domain": _opensearch_at_rest,
    "AWS::Elasticsearch::Domain": _opensearch_at_rest,
    "AWS::ECR::Repository": _ecr_at_rest,
    "AWS::KMS::Key": _kms_at_rest,
}


# -- encryption in transit, per type -----------------------------------------------------------------------

_HTTPS_API = InTransit(InTransitStatus.NOT_APPLICABLE, "not applicable: HTTPS-only service API")


def _from_rule(check: Callable[[Resource, TemplateView], Iterator[Any]], proven: str) -> Callable[..., InTransit]:
    """Enforced when the rule that checks it finds nothing; otherwise what the rule says is missing."""

    def read(builder: _Builder, stack: _Stack, resource: Resource) -> InTransit:
        violations = list(check(resource, stack.view))
        if not violations:
            return InTransit(InTransitStatus.ENFORCED, proven)
        message = violations[0].message
        status = InTransitStatus.NOT_SHOWN if "cannot be shown" in message else InTransitStatus.NOT_ENFORCED
        return InTransit(status, f"{status}: {message}")

    return read


def _rds_in_transit(builder: _Builder, stack: _Stack, resource: Resource) -> InTransit:
    if resource.type == "AWS::RDS::DBInstance" and resource.properties.get("DBClusterIdentifier") is not None:
        return InTransit(InTransitStatus.NOT_APPLICABLE, "that of its DB cluster")
    engines = builder._texts(stack, resource.properties.get("Engine", MISSING))
    kinds = {engine_kind(engine) if isinstance(engine, str) else None for engine in engines}
    if not engines or None in kinds:
        return InTransit(InTransitStatus.NOT_SHOWN, "not shown: an engine whose TLS setting this tool does not read")
    violations = list(rds_database_tls.check(resource, stack.view))
    if violations:
        message = violations[0].message
        status = InTransitStatus.NOT_SHOWN if "cannot be shown" in message else InTransitStatus.NOT_ENFORCED
        return InTransit(status, f"{status}: {message}")
    setting = "rds.force_ssl" if kinds == {EngineKind.POSTGRES} else "require_secure_transport"
    group_property = (
        "DBParameterGroupName" if resource.type == "AWS::RDS::DBInstance" else "DBClusterParameterGroupName"
    )
    groups = [ref for _, ref in builder._values(stack, resource.properties, (group_property,))]
    named = [group.logical_id for group in groups if isinstance(group, ResourceRef)]
    if named:
        return InTransit(InTransitStatus.ENFORCED, f"{setting} parameter group {named[0]}")
    return InTransit(InTransitStatus.ENFORCED, f"{setting} on (default parameter group of PostgreSQL 15 or later)")


def _cache_cluster_in_transit(builder: _Builder, stack: _Stack, resource: Resource) -> InTransit:
    enabled = stack.view.truth(resource.properties.get("TransitEncryptionEnabled", False))
    if enabled:
        return InTransit(InTransitStatus.ENFORCED, "transit encryption on")
    return InTransit(InTransitStatus.NOT_ENFORCED, "not enforced: TransitEncryptionEnabled is not true")


def _policy_in_transit(policy_type: str, targets: str, what: str) -> Callable[..., InTransit]:
    def read(builder: _Builder, stack: _Stack, resource: Resource) -> InTransit:
        if builder._attached_policy(stack, resource, policy_type, targets):
            return InTransit(InTransitStatus.ENFORCED, f"TLS-only {what} policy")
        return InTransit(
            InTransitStatus.NOT_SHOWN, f"not shown: no {what} policy denies requests without TLS (aws:SecureTransport)"
        )

    return read


def _own_policy_in_transit(policy_property: str, what: str) -> Callable[..., InTransit]:
    def read(builder: _Builder, stack: _Stack, resource: Resource) -> InTransit:
        policy = resource.properties.get(policy_property, MISSING)
        document = policy.get("PolicyDocument", policy) if isinstance(policy, Mapping) else policy
        if policy is not MISSING and builder._policy_denies_plain_requests(stack, document):
            return InTransit(InTransitStatus.ENFORCED, f"TLS-only {what} policy")
        return InTransit(
            InTransitStatus.NOT_SHOWN, f"not shown: no {what} policy denies requests without TLS (aws:SecureTransport)"
        )

    return read


def _docdb_in_transit(builder: _Builder, stack: _Stack, resource: Resource) -> InTransit:
    groups = builder._values(stack, resource.properties, ("DBClusterParameterGroupName",))
    results = set()
    for where, group in groups:
        if group is MISSING:
            results.add(InTransit(InTransitStatus.ENFORCED, "TLS required (default parameter group: tls enabled)"))
        elif isinstance(group, ResourceRef) and (target := where.view.resource(group.logical_id)) is not None:
            tls = builder._texts(where, target.properties.get("Parameters", MISSING), ("tls",))
            if tls and all(isinstance(value, str) and value.lower() != "disabled" for value in tls):
                results.add(InTransit(InTransitStatus.ENFORCED, f"tls parameter group {group.logical_id}"))
            else:
                results.add(InTransit(InTransitStatus.NOT_SHOWN, f"not shown: tls of {group.logical_id} is not set"))
        else:
            results.add(InTransit(InTransitStatus.NOT_SHOWN, "not shown: a parameter group outside the template"))
    return results.pop() if len(results) == 1 else InTransit(InTransitStatus.NOT_SHOWN, "not shown")


def _redshift_in_transit(builder: _Builder, stack: _Stack, resource: Resource) -> InTransit:
    for where, group in builder._values(stack, resource.properties, ("ClusterParameterGroupName",)):
        target = where.view.resource(group.logical_id) if isinstance(group, ResourceRef) else None
        if target is None:
            continue
        for _, parameter in builder._values(where, target.properties, ("Parameters", STAR)):
            if not isinstance(parameter, Mapping):
                continue
            names = builder._texts(where, parameter.get("ParameterName", MISSING))
            values = builder._texts(where, parameter.get("ParameterValue", MISSING))
            if names == ["require_ssl"] and values and all(str(v).lower() == "true" for v in values):
                return InTransit(InTransitStatus.ENFORCED, f"require_ssl parameter group {group.logical_id}")
    return InTransit(InTransitStatus.NOT_SHOWN, "not shown: no parameter group of the template sets require_ssl")


_IN_TRANSIT: dict[str, Callable[..., InTransit]] = {
    "AWS::S3::Bucket": _from_rule(s3_bucket_tls.check, "TLS-only bucket policy"),
    "AWS::RDS::DBInstance": _rds_in_transit,
    "AWS::RDS::DBCluster": _rds_in_transit,
    "AWS::DocDB::DBCluster": _docdb_in_transit,
    "AWS::Redshift::Cluster": _redshift_in_transit,
    "AWS::ElastiCache::ReplicationGroup": _from_rule(elasticache_transit.check, "transit encryption required"),
    "AWS::ElastiCache::CacheCluster": _cache_cluster_in_transit,
    "AWS::OpenSearchService::Domain": _from_rule(opensearch_transit.check, "HTTPS only, TLS 1.2+, node-to-node"),
    "AWS::Elasticsearch::Domain": _from_rule(opensearch_transit.check, "HTTPS only, TLS 1.2+, node-to-node"),
    "AWS::EFS::FileSystem": _own_policy_in_transit("FileSystemPolicy", "file system"),
    "AWS::DynamoDB::Table": _own_policy_in_transit("ResourcePolicy", "resource"),
    "AWS::SQS::Queue": _policy_in_transit("AWS::SQS::QueuePolicy", "Queues", "queue"),
    "AWS::SNS::Topic": _policy_in_transit("AWS::SNS::TopicPolicy", "Topics", "topic"),
    "AWS::SecretsManager::Secret": lambda *_: _HTTPS_API,
    "AWS::Kinesis::Stream": lambda *_: _HTTPS_API,
    "AWS::KinesisFirehose::DeliveryStream": lambda *_: _HTTPS_API,
    "AWS::Logs::LogGroup": lambda *_: _HTTPS_API,
    "AWS::Backup::BackupVault": lambda *_: _HTTPS_API,
    "AWS::ECR::Repository": lambda *_: _HTTPS_API,
    "AWS::KMS::Key": lambda *_: _HTTPS_API,
    "AWS::EC2::Volume": lambda *_: InTransit(
        InTransitStatus.NOT_APPLICABLE, "not applicable: block storage attached to an instance"
    ),
}


# -- flows, per type --------------------------------------------------------------------------------------


def _region_flows(
    builder: _Builder, stack: _Stack, resource: Resource, path: tuple[str, ...], *, kind: str, what: str
) -> None:
    source = builder.node(stack, resource.logical_id)
    for region in builder._texts(stack, resource.properties, path):
        if region == stack.region:
            continue
        shown = region if isinstance(region, str) else "an unknown region"
        builder.add(kind, source, builder.region_endpoint(f"{what} in {shown}", region), ".".join(path))


def _s3_flows(builder: _Builder, stack: _Stack, resource: Resource) -> None:
    source = builder.node(stack, resource.logical_id)
    for where, rule in builder._get(stack, resource.properties, ("ReplicationConfiguration", "Rules", STAR)):
        for here, body in builder._options(where, rule):
            if not isinstance(body, Mapping):
                continue
            if builder._texts(here, body.get("Status", MISSING)) == ["Disabled"]:
                continue
            for destination in builder._get(here, body, ("Destination", "Bucket")):
                for endpoint in builder.destinations(destination[0], destination[1], "bucket", ("AWS::S3::Bucket",)):
                    builder.add(FlowKind.REPLICATION, source, endpoint, "ReplicationConfiguration.Rules[].Destination")
    logs: list[Endpoint] = []
    for where, raw in builder._get(stack, resource.properties, ("LoggingConfiguration", "DestinationBucketName")):
        logs += builder.destinations(where, raw, "bucket", ("AWS::S3::Bucket",))
    for endpoint in logs:
        builder.add(FlowKind.LOG, source, endpoint, "server access logs (LoggingConfiguration)")
    notifications = (
        ("QueueConfigurations", "Queue", "AWS::SQS::Queue"),
        ("TopicConfigurations", "Topic", "AWS::SNS::Topic"),
        ("LambdaConfigurations", "Function", "AWS::Lambda::Function"),
    )
    for group, key, target_type in notifications:
        for where, raw in builder._get(stack, resource.properties, ("NotificationConfiguration", group, STAR, key)):
            for endpoint in builder.destinations(where, raw, target_type.rsplit("::", 1)[-1].lower(), (target_type,)):
                builder.add(FlowKind.DELIVERY, source, endpoint, f"event notifications ({group})")


def _rds_flows(builder: _Builder, stack: _Stack, resource: Resource) -> None:
    source = builder.node(stack, resource.logical_id)
    instance = resource.type == "AWS::RDS::DBInstance"
    if instance and resource.properties.get("DBClusterIdentifier") is not None:
        return  # an Aurora member: the cluster keeps the data, backups and logs
    retention = builder._texts(stack, resource.properties.get("BackupRetentionPeriod", MISSING))
    if not retention or any(value != "0" for value in retention):
        builder.add(
            FlowKind.BACKUP,
            source,
            Endpoint(label="RDS automated backups", region=stack.region),
            "BackupRetentionPeriod (automated backups in the database's region)",
        )
    _region_flows(
        builder,
        stack,
        resource,
        ("AutomaticBackupReplicationRegion",),
        kind=FlowKind.BACKUP_COPY,
        what="backup replica",
    )
    _region_flows(builder, stack, resource, ("SourceRegion",), kind=FlowKind.REPLICA, what="source database")
    for prop in ("SourceDBInstanceIdentifier", "ReplicationSourceIdentifier", "SourceDBClusterIdentifier"):
        if instance and prop == "ReplicationSourceIdentifier":
            continue
        for endpoint in builder.destinations(stack, resource.properties.get(prop, MISSING), "source database"):
            builder.add(FlowKind.REPLICA, source, endpoint, f"{prop}: a replica shares its data with its source")
    if not instance and resource.properties.get("GlobalClusterIdentifier") is not None:
        builder.add(
            FlowKind.REPLICA,
            source,
            Endpoint(label="global database: clusters in other regions", region=UNKNOWN_REGION),
            "GlobalClusterIdentifier",
        )
    name_property = "DBInstanceIdentifier" if instance else "DBClusterIdentifier"
    names = builder._texts(stack, resource.properties.get(name_property, MISSING))
    name = names[0] if len(names) == 1 and isinstance(names[0], str) else None
    for log_type in builder._texts(stack, resource.properties, ("EnableCloudwatchLogsExports", STAR)):
        if not isinstance(log_type, str):
            continue
        group = f"/aws/rds/{'instance' if instance else 'cluster'}/{name or '*'}/{log_type}"
        log_group = builder._named(("AWS::Logs::LogGroup",), group, stack.region) if name else None
        builder.add(
            FlowKind.LOG,
            source,
            log_group or Endpoint(label=f"log group {group}", region=stack.region),
            f"EnableCloudwatchLogsExports: {log_type}",
        )


def _cache_flows(builder: _Builder, stack: _Stack, resource: Resource) -> None:
    source = builder.node(stack, resource.logical_id)
    limits = builder._texts(stack, resource.properties.get("SnapshotRetentionLimit", MISSING))
    if limits and any(value != "0" for value in limits):
        builder.add(
            FlowKind.BACKUP,
            source,
            Endpoint(label="ElastiCache snapshots", region=stack.region),
            "SnapshotRetentionLimit (automatic snapshots in the cache's region)",
        )
    for where, config in builder._values(stack, resource.properties, ("LogDeliveryConfigurations", STAR)):
        if not isinstance(config, Mapping):
            continue
        log_type = "/".join(str(text) for text in builder._texts(where, config.get("LogType", MISSING))) or "log"
        for detail, key, target in (
            ("CloudWatchLogsDetails", "LogGroup", "AWS::Logs::LogGroup"),
            ("KinesisFirehoseDetails", "DeliveryStream", "AWS::KinesisFirehose::DeliveryStream"),
        ):
            for here, raw in builder._get(where, config, ("DestinationDetails", detail, key)):
                for endpoint in builder.destinations(here, raw, key, (target,)):
                    builder.add(FlowKind.LOG, source, endpoint, f"LogDeliveryConfigurations: {log_type}")
    if resource.properties.get("GlobalReplicationGroupId") is not None:
        builder.add(
            FlowKind.REPLICA,
            source,
            Endpoint(label="global datastore: replication groups in other regions", region=UNKNOWN_REGION),
            "GlobalReplicationGroupId",
        )


def _dynamodb_flows(builder: _Builder, stack: _Stack, resource: Resource) -> None:
    source = builder.node(stack, resource.logical_id)
    if resource.type == "AWS::DynamoDB::GlobalTable":
        _region_flows(builder, stack, resource, ("Replicas", STAR, "Region"), kind=FlowKind.REPLICA, what="replica")
    pitr = ("PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled")
    if any(stack.view.truth(value) for _, value in builder._values(stack, resource.properties, pitr)):
        builder.add(
            FlowKind.BACKUP,
            source,
            Endpoint(label="DynamoDB point-in-time recovery", region=stack.region),
            "PointInTimeRecoverySpecification",
        )
    for where, raw in builder._get(stack, resource.properties, ("KinesisStreamSpecification", "StreamArn")):
        for endpoint in builder.destinations(where, raw, "Kinesis stream", ("AWS::Kinesis::Stream",)):
            builder.add(FlowKind.DELIVERY, source, endpoint, "KinesisStreamSpecification (change data capture)")


def _secret_flows(builder: _Builder, stack: _Stack, resource: Resource) -> None:
    _region_flows(
        builder, stack, resource, ("ReplicaRegions", STAR, "Region"), kind=FlowKind.REPLICA, what="replica secret"
    )


def _efs_flows(builder: _Builder, stack: _Stack, resource: Resource) -> None:
    path = ("ReplicationConfiguration", "Destinations", STAR, "Region")
    _region_flows(builder, stack, resource, path, kind=FlowKind.REPLICA, what="replica file system")
    if builder._texts(stack, resource.properties, ("BackupPolicy", "Status")) == ["ENABLED"]:
        builder.add(
            FlowKind.BACKUP,
            builder.node(stack, resource.logical_id),
            Endpoint(label="AWS Backup default vault", region=stack.region),
            "BackupPolicy: ENABLED",
        )


def _kms_flows(builder: _Builder, stack: _Stack, resource: Resource) -> None:
    if stack.view.truth(resource.properties.get("MultiRegion", False)) is not False:
        builder.add(
            FlowKind.REPLICA,
            builder.node(stack, resource.logical_id),
            Endpoint(label="multi-Region replica keys (any region)", region=UNKNOWN_REGION),
            "MultiRegion",
        )


def _redshift_flows(builder: _Builder, stack: _Stack, resource: Resource) -> None:
    _region_flows(builder, stack, resource, ("DestinationRegion",), kind=FlowKind.BACKUP_COPY, what="snapshot copies")
    for where, raw in builder._get(stack, resource.properties, ("LoggingProperties", "BucketName")):
        for endpoint in builder.destinations(where, raw, "bucket", ("AWS::S3::Bucket",)):
            builder.add(FlowKind.LOG, builder.node(stack, resource.logical_id), endpoint, "LoggingProperties")


def _opensearch_flows(builder: _Builder, stack: _Stack, resource: Resource) -> None:
    for where, options_ in builder._values(stack, resource.properties, ("LogPublishingOptions",)):
        if not isinstance(options_, Mapping):
            continue
        for log_type, raw in options_.items():
            for here, arn in builder._get(where, raw, ("CloudWatchLogsLogGroupArn",)):
                for endpoint in builder.destinations(here, arn, "log group", ("AWS::Logs::LogGroup",)):
                    builder.add(FlowKind.LOG, builder.node(stack, resource.logical_id), endpoint, f"{log_type} logs")


def _sqs_flows(builder: _Builder, stack: _Stack, resource: Resource) -> None:
    for where, policy in builder._values(stack, resource.properties, ("RedrivePolicy",)):
        if isinstance(policy, Mapping):
            for endpoint in builder.destinations(
                where, policy.get("deadLetterTargetArn", MISSING), "queue", ("AWS::SQS::Queue",)
            ):
                builder.add(FlowKind.DELIVERY, builder.node(stack, resource.logical_id), endpoint, "dead-letter queue")


def _subscription(builder: _Builder, source: Endpoint, stack: _Stack, body: Mapping[str, Any], detail: str) -> None:
    protocols = builder._texts(stack, body.get("Protocol", MISSING))
    for protocol in protocols or [Unknown("Protocol is not set")]:
        if isinstance(protocol, Unknown):
            builder.add(FlowKind.OUTBOUND, source, builder.outside(f"a subscription ({protocol.reason})"), detail)
            continue
        if protocol.lower() in ("http", "https", "email", "email-json", "sms", "application"):
            for address in builder._texts(stack, body.get("Endpoint", MISSING)) or [Unknown("no Endpoint")]:
                shown = address if isinstance(address, str) else f"an endpoint ({address.reason})"
                builder.add(FlowKind.OUTBOUND, source, builder.outside(shown), f"{detail}: {protocol} subscription")
        else:
            target_types = {
                "sqs": ("AWS::SQS::Queue",),
                "lambda": ("AWS::Lambda::Function",),
                "firehose": ("AWS::KinesisFirehose::DeliveryStream",),
            }.get(protocol.lower(), ())
            for endpoint in builder.destinations(stack, body.get("Endpoint", MISSING), protocol, target_types):
                builder.add(FlowKind.DELIVERY, source, endpoint, f"{detail}: {protocol} subscription")


def _topic_flows(builder: _Builder, stack: _Stack, resource: Resource) -> None:
    source = builder.node(stack, resource.logical_id)
    for where, body in builder._values(stack, resource.properties, ("Subscription", STAR)):
        if isinstance(body, Mapping):
            _subscription(builder, source, where, body, "Subscription")


def _subscription_flows(builder: _Builder, stack: _Stack, resource: Resource) -> None:
    topics = builder._references(stack, resource.properties.get("TopicArn", MISSING))
    source = builder.node(*topics[0]) if topics else builder.node(stack, resource.logical_id)
    _subscription(builder, source, stack, resource.properties, f"AWS::SNS::Subscription {resource.logical_id}")


def _firehose_flows(builder: _Builder, stack: _Stack, resource: Resource) -> None:
    source = builder.node(stack, resource.logical_id)
    deliveries = (
        ("ExtendedS3DestinationConfiguration", "BucketARN", "AWS::S3::Bucket"),
        ("S3DestinationConfiguration", "BucketARN", "AWS::S3::Bucket"),
        ("AmazonopensearchserviceDestinationConfiguration", "DomainARN", "AWS::OpenSearchService::Domain"),
        ("ElasticsearchDestinationConfiguration", "DomainARN", "AWS::Elasticsearch::Domain"),
    )
    for config, key, target in deliveries:
        for where, raw in builder._get(stack, resource.properties, (config, key)):
            what = "bucket" if target == "AWS::S3::Bucket" else "domain"
            for endpoint in builder.destinations(where, raw, what, (target,)):
                builder.add(FlowKind.DELIVERY, source, endpoint, config)
    for config in (
        "HttpEndpointDestinationConfiguration",
        "SplunkDestinationConfiguration",
        "SnowflakeDestinationConfiguration",
    ):
        for where, raw in builder._get(stack, resource.properties, (config, "S3Configuration", "BucketARN")):
            for endpoint in builder.destinations(where, raw, "bucket", ("AWS::S3::Bucket",)):
                builder.add(FlowKind.DELIVERY, source, endpoint, f"{config}.S3Configuration (backup copies)")
    outbound = (
        ("HttpEndpointDestinationConfiguration", ("EndpointConfiguration", "Url")),
        ("SplunkDestinationConfiguration", ("HECEndpoint",)),
        ("SnowflakeDestinationConfiguration", ("AccountUrl",)),
    )
    for config, path in outbound:
        if resource.properties.get(config) is None:
            continue
        for address in builder._texts(stack, resource.properties, (config, *path)) or [Unknown("not set")]:
            shown = address if isinstance(address, str) else f"an endpoint ({address.reason})"
            builder.add(FlowKind.OUTBOUND, source, builder.outside(shown), f"{config} (outside AWS)")
    stream = ("KinesisStreamSourceConfiguration", "KinesisStreamARN")
    for where, raw in builder._get(stack, resource.properties, stream):
        for origin in builder.destinations(where, raw, "Kinesis stream", ("AWS::Kinesis::Stream",)):
            if origin.logical_id is not None:
                builder.add(FlowKind.DELIVERY, origin, source, "KinesisStreamSourceConfiguration")


def _log_subscription_flows(builder: _Builder, stack: _Stack, resource: Resource) -> None:
    groups = builder.destinations(
        stack, resource.properties.get("LogGroupName", MISSING), "log group", ("AWS::Logs::LogGroup",)
    )
    for group in groups:
        for endpoint in builder.destinations(stack, resource.properties.get("DestinationArn", MISSING), "destination"):
            builder.add(FlowKind.LOG, group, endpoint, f"subscription filter {resource.logical_id}")


def _flow_log_flows(builder: _Builder, stack: _Stack, resource: Resource) -> None:
    targets = builder._references(stack, resource.properties.get("ResourceId", MISSING))
    source = builder.node(*targets[0]) if targets else builder.node(stack, resource.logical_id)
    kinds = builder._texts(stack, resource.properties.get("LogDestinationType", MISSING)) or ["cloud-watch-logs"]
    for kind in kinds:
        endpoints: list[Endpoint] = []
        if kind == "cloud-watch-logs" and resource.properties.get("LogGroupName") is not None:
            endpoints = builder.destinations(
                stack, resource.properties["LogGroupName"], "log group", ("AWS::Logs::LogGroup",)
            )
        else:
            types = (
                ("AWS::S3::Bucket",)
                if kind == "s3"
                else ("AWS::Logs::LogGroup", "AWS::KinesisFirehose::DeliveryStream")
            )
            endpoints = builder.destinations(
                stack, resource.properties.get("LogDestination", MISSING), "destination", types
            )
        for endpoint in endpoints:
            builder.add(FlowKind.LOG, source, endpoint, f"flow logs {resource.logical_id} ({kind})")


def _trail_flows(builder: _Builder, stack: _Stack, resource: Resource) -> None:
    source = builder.node(stack, resource.logical_id)
    for endpoint in builder.destinations(
        stack, resource.properties.get("S3BucketName", MISSING), "bucket", ("AWS::S3::Bucket",)
    ):
        builder.add(FlowKind.LOG, source, endpoint, "S3BucketName")
    raw = resource.properties.get("CloudWatchLogsLogGroupArn", MISSING)
    for endpoint in builder.destinations(stack, raw, "log group", ("AWS::Logs::LogGroup",)):
        builder.add(FlowKind.LOG, source, endpoint, "CloudWatchLogsLogGroupArn")


def _waf_logging_flows(builder: _Builder, stack: _Stack, resource: Resource) -> None:
    acls = builder._references(stack, resource.properties.get("ResourceArn", MISSING))
    source = builder.node(*acls[0]) if acls else builder.node(stack, resource.logical_id)
    types = ("AWS::Logs::LogGroup", "AWS::S3::Bucket", "AWS::KinesisFirehose::DeliveryStream")
    for where, raw in builder._get(stack, resource.properties, ("LogDestinationConfigs", STAR)):
        for endpoint in builder.destinations(where, raw, "log destination", types):
            builder.add(FlowKind.LOG, source, endpoint, f"WAF logging {resource.logical_id}")


def _task_definition_flows(builder: _Builder, stack: _Stack, resource: Resource) -> None:
    source = builder.node(stack, resource.logical_id)
    for where, container in builder._values(stack, resource.properties, ("ContainerDefinitions", STAR)):
        if not isinstance(container, Mapping):
            continue
        name = next(
            (text for text in builder._texts(where, container.get("Name", MISSING)) if isinstance(text, str)), "?"
        )
        for here, config in builder._values(where, container, ("LogConfiguration",)):
            if not isinstance(config, Mapping):
                continue
            for driver in builder._texts(here, config.get("LogDriver", MISSING)):
                if driver != "awslogs":
                    shown = driver if isinstance(driver, str) else "a log driver decided at deploy time"
                    builder.add(FlowKind.OUTBOUND, source, builder.outside(f"{shown} log driver"), f"container {name}")
                    continue
                regions = builder._texts(here, config, ("Options", "awslogs-region")) or [stack.region]
                for there, raw in builder._get(here, config, ("Options", "awslogs-group")):
                    for found in builder.destinations(there, raw, "log group", ("AWS::Logs::LogGroup",)):
                        region = regions[0]
                        endpoint = found
                        if found.logical_id is None and region != found.region:
                            endpoint = builder.region_endpoint(found.label, region)
                        builder.add(FlowKind.LOG, source, endpoint, f"container {name}: awslogs")


def _cluster_flows(builder: _Builder, stack: _Stack, resource: Resource) -> None:
    settings = builder._values(stack, resource.properties, ("ClusterSettings", STAR))
    insights = [
        body
        for _, body in settings
        if isinstance(body, Mapping) and body.get("Name") == "containerInsights" and body.get("Value") != "disabled"
    ]
    names = builder._texts(stack, resource.properties.get("ClusterName", MISSING))
    if insights and len(names) == 1 and isinstance(names[0], str):
        group = f"/aws/ecs/containerinsights/{names[0]}/performance"
        endpoint = builder._named(("AWS::Logs::LogGroup",), group, stack.region)
        builder.add(
            FlowKind.LOG,
            builder.node(stack, resource.logical_id),
            endpoint or Endpoint(label=f"log group {group}", region=stack.region),
            "containerInsights",
        )


def _lambda_flows(builder: _Builder, stack: _Stack, resource: Resource) -> None:
    source = builder.node(stack, resource.logical_id)
    configured = builder._get(stack, resource.properties, ("LoggingConfig", "LogGroup"))
    for where, raw in configured:
        if raw is MISSING:
            names = builder._texts(stack, resource.properties.get("FunctionName", MISSING))
            label = f"/aws/lambda/{names[0]}" if len(names) == 1 and isinstance(names[0], str) else "/aws/lambda/..."
            endpoint = builder._named(("AWS::Logs::LogGroup",), label, stack.region)
            builder.add(
                FlowKind.LOG, source, endpoint or Endpoint(f"log group {label}", stack.region), "default log group"
            )
            continue
        for endpoint in builder.destinations(where, raw, "log group", ("AWS::Logs::LogGroup",)):
            builder.add(FlowKind.LOG, source, endpoint, "LoggingConfig.LogGroup")


def _api_destination_flows(builder: _Builder, stack: _Stack, resource: Resource) -> None:
    source = builder.node(stack, resource.logical_id)
    for endpoint in builder._texts(stack, resource.properties.get("InvocationEndpoint", MISSING)) or [
        Unknown("not set")
    ]:
        shown = endpoint if isinstance(endpoint, str) else f"an endpoint ({endpoint.reason})"
        builder.add(FlowKind.OUTBOUND, source, builder.outside(shown), "InvocationEndpoint (outside AWS)")


def _backup_selection_flows(builder: _Builder, stack: _Stack, resource: Resource) -> None:
    plans = builder._references(stack, resource.properties.get("BackupPlanId", MISSING))
    if not plans:
        return
    plan_stack, plan_id = plans[0]
    plan = plan_stack.view.resource(plan_id)
    if plan is None:
        return
    selection = resource.properties.get("BackupSelection", MISSING)
    selected = _selected(builder, stack, selection)
    for where, rule in builder._values(plan_stack, plan.properties, ("BackupPlan", "BackupPlanRule", STAR)):
        if not isinstance(rule, Mapping):
            continue
        rule_name = next((t for t in builder._texts(where, rule.get("RuleName", MISSING)) if isinstance(t, str)), "?")
        detail = f"backup plan {plan_id}, rule {rule_name}"
        vaults = []
        for here, target in builder._given(where, rule.get("TargetBackupVault", MISSING)):
            if isinstance(target, ResourceRef):
                vaults.append(builder.node(here, target.logical_id))
            elif isinstance(target, str):
                named = builder._named(("AWS::Backup::BackupVault",), target, plan_stack.region)
                vaults.append(named or Endpoint(label=f"backup vault {target}", region=plan_stack.region))
            else:  # the target vault is always in the plan's region
                vaults.append(Endpoint(label="a backup vault", region=plan_stack.region))
        copies = [
            endpoint
            for here, raw in builder._get(where, rule, ("CopyActions", STAR, "DestinationBackupVaultArn"))
            for endpoint in builder.destinations(here, raw, "backup vault", ("AWS::Backup::BackupVault",))
        ]
        for store in selected:
            for vault in vaults:
                builder.add(FlowKind.BACKUP, store, vault, detail)
            for copy in copies:
                builder.add(FlowKind.BACKUP_COPY, store, copy, f"{detail}, copy action")


_BACKUP_TYPES = frozenset(
    {
        "AWS::S3::Bucket",
        "AWS::RDS::DBInstance",
        "AWS::RDS::DBCluster",
        "AWS::DynamoDB::Table",
        "AWS::DynamoDB::GlobalTable",
        "AWS::EFS::FileSystem",
        "AWS::EC2::Volume",
        "AWS::DocDB::DBCluster",
        "AWS::Neptune::DBCluster",
        "AWS::Redshift::Cluster",
    }
)


def _selected(builder: _Builder, stack: _Stack, selection: Any) -> list[Endpoint]:
    """The data stores a backup selection names: by reference, by name in an ARN, by "*" or by tag."""
    found: dict[tuple[str, str, str], Endpoint] = {}
    for where, raw in builder._get(stack, selection, ("Resources", STAR)):
        references = builder._references(where, raw)
        for here, logical_id in references:
            found.setdefault(builder.node(here, logical_id).key, builder.node(here, logical_id))
        if references:
            continue
        for text in builder._texts(where, raw):
            if text == "*":
                for other in builder.stacks:
                    if other.region == stack.region:
                        for resource in other.view.resources():
                            if resource.type in _BACKUP_TYPES:
                                endpoint = builder.node(other, resource.logical_id)
                                found.setdefault(endpoint.key, endpoint)
            elif isinstance(text, str):
                endpoint = builder._destination(where, text, "backup resource", ())
                if endpoint.logical_id is not None:
                    found.setdefault(endpoint.key, endpoint)
    wanted: list[tuple[str, str]] = []
    for where, condition in builder._values(stack, selection, ("ListOfTags", STAR)):
        if isinstance(condition, Mapping):
            keys = builder._texts(where, condition.get("ConditionKey", MISSING))
            values = builder._texts(where, condition.get("ConditionValue", MISSING))
            if len(keys) == 1 and len(values) == 1 and isinstance(keys[0], str) and isinstance(values[0], str):
                wanted.append((keys[0], values[0]))
    for other in builder.stacks:
        if other.region != stack.region or not wanted:
            continue
        for resource in other.view.resources():
            if resource.type not in _BACKUP_TYPES:
                continue
            tags = builder._tags(other, resource)
            if any(value in tags.get(key, []) for key, value in wanted):
                endpoint = builder.node(other, resource.logical_id)
                found.setdefault(endpoint.key, endpoint)
    return list(found.values())


_COLLECTORS: dict[str, Collector] = {
    "AWS::S3::Bucket": _s3_flows,
    "AWS::RDS::DBInstance": _rds_flows,
    "AWS::RDS::DBCluster": _rds_flows,
    "AWS::ElastiCache::ReplicationGroup": _cache_flows,
    "AWS::ElastiCache::CacheCluster": _cache_flows,
    "AWS::DynamoDB::Table": _dynamodb_flows,
    "AWS::DynamoDB::GlobalTable": _dynamodb_flows,
    "AWS::SecretsManager::Secret": _secret_flows,
    "AWS::EFS::FileSystem": _efs_flows,
    "AWS::KMS::Key": _kms_flows,
    "AWS::Redshift::Cluster": _redshift_flows,
    "AWS::OpenSearchService::Domain": _opensearch_flows,
    "AWS::Elasticsearch::Domain": _opensearch_flows,
    "AWS::SQS::Queue": _sqs_flows,
    "AWS::SNS::Topic": _topic_flows,
    "AWS::SNS::Subscription": _subscription_flows,
    "AWS::KinesisFirehose::DeliveryStream": _firehose_flows,
    "AWS::Logs::SubscriptionFilter": _log_subscription_flows,
    "AWS::EC2::FlowLog": _flow_log_flows,
    "AWS::CloudTrail::Trail": _trail_flows,
    "AWS::WAFv2::LoggingConfiguration": _waf_logging_flows,
    "AWS::ECS::TaskDefinition": _task_definition_flows,
    "AWS::ECS::Cluster": _cluster_flows,
    "AWS::Lambda::Function": _lambda_flows,
    "AWS::Events::ApiDestination": _api_destination_flows,
    "AWS::Backup::BackupSelection": _backup_selection_flows,
}

__all__ = [
    "DATA_BEARING_TYPES",
    "UNCLASSIFIED",
    "UNKNOWN_REGION",
    "AtRest",
    "AtRestStatus",
    "DataStore",
    "Endpoint",
    "Flow",
    "FlowKind",
    "InTransit",
    "InTransitStatus",
    "Inventory",
    "build_inventory",
    "short_name",
    "stack_name",
]
