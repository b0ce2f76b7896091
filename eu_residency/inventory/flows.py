"""Flows, per resource type: where data of each resource can go (replicas, replication, backups and their
copies, logs, deliveries, sends outside AWS), recorded on the app's flow graph.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from eu_residency.core.template_view import Resource, ResourceRef, Unknown
from eu_residency.core.values import MISSING
from eu_residency.inventory.access_flows import record_access_flows
from eu_residency.inventory.flow_graph import FlowGraph
from eu_residency.inventory.network_flows import (
    record_endpoint_flows,
    record_gateway_flows,
    record_ingress_flows,
    record_security_group_flows,
)
from eu_residency.inventory.records import UNKNOWN_REGION, Endpoint, FlowKind
from eu_residency.inventory.resolver import STAR, AppResolver, AppStack

# Records the flows of one resource of a type.
FlowReader = Callable[[AppResolver, FlowGraph, AppStack, Resource], None]


def _region_flows(
    app: AppResolver,
    graph: FlowGraph,
    stack: AppStack,
    resource: Resource,
    path: tuple[str, ...],
    *,
    kind: str,
    what: str,
) -> None:
    source = graph.node(stack, resource.logical_id)
    for region in app.texts(stack, resource.properties, path):
        if region == stack.region:
            continue
        shown = region if isinstance(region, str) else "an unknown region"
        graph.add(kind, source, graph.region_endpoint(f"{what} in {shown}", region), ".".join(path))


def _s3_flows(app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource) -> None:
    source = graph.node(stack, resource.logical_id)
    for where, rule in app.lookup(stack, resource.properties, ("ReplicationConfiguration", "Rules", STAR)):
        for here, body in app.located(where, rule):
            if not isinstance(body, Mapping):
                continue
            if app.texts(here, body.get("Status", MISSING)) == ["Disabled"]:
                continue
            for destination in app.lookup(here, body, ("Destination", "Bucket")):
                for endpoint in graph.destinations(destination[0], destination[1], "bucket", ("AWS::S3::Bucket",)):
                    graph.add(FlowKind.REPLICATION, source, endpoint, "ReplicationConfiguration.Rules[].Destination")
    logs: list[Endpoint] = []
    for where, raw in app.lookup(stack, resource.properties, ("LoggingConfiguration", "DestinationBucketName")):
        logs += graph.destinations(where, raw, "bucket", ("AWS::S3::Bucket",))
    for endpoint in logs:
        graph.add(FlowKind.LOG, source, endpoint, "server access logs (LoggingConfiguration)")
    notifications = (
        ("QueueConfigurations", "Queue", "AWS::SQS::Queue"),
        ("TopicConfigurations", "Topic", "AWS::SNS::Topic"),
        ("LambdaConfigurations", "Function", "AWS::Lambda::Function"),
    )
    for group, key, target_type in notifications:
        for where, raw in app.lookup(stack, resource.properties, ("NotificationConfiguration", group, STAR, key)):
            for endpoint in graph.destinations(where, raw, target_type.rsplit("::", 1)[-1].lower(), (target_type,)):
                graph.add(FlowKind.DELIVERY, source, endpoint, f"event notifications ({group})")


def _rds_flows(app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource) -> None:
    source = graph.node(stack, resource.logical_id)
    instance = resource.type == "AWS::RDS::DBInstance"
    if instance and resource.properties.get("DBClusterIdentifier") is not None:
        return  # an Aurora member: the cluster keeps the data, backups and logs
    retention = app.texts(stack, resource.properties.get("BackupRetentionPeriod", MISSING))
    if not retention or any(value != "0" for value in retention):
        graph.add(
            FlowKind.BACKUP,
            source,
            Endpoint(label="RDS automated backups", region=stack.region),
            "BackupRetentionPeriod (automated backups in the database's region)",
        )
    _region_flows(
        app,
        graph,
        stack,
        resource,
        ("AutomaticBackupReplicationRegion",),
        kind=FlowKind.BACKUP_COPY,
        what="backup replica",
    )
    _region_flows(app, graph, stack, resource, ("SourceRegion",), kind=FlowKind.REPLICA, what="source database")
    for prop in ("SourceDBInstanceIdentifier", "ReplicationSourceIdentifier", "SourceDBClusterIdentifier"):
        if instance and prop == "ReplicationSourceIdentifier":
            continue
        for endpoint in graph.destinations(stack, resource.properties.get(prop, MISSING), "source database"):
            graph.add(FlowKind.REPLICA, source, endpoint, f"{prop}: a replica shares its data with its source")
    if not instance and resource.properties.get("GlobalClusterIdentifier") is not None:
        graph.add(
            FlowKind.REPLICA,
            source,
            Endpoint(label="global database: clusters in other regions", region=UNKNOWN_REGION),
            "GlobalClusterIdentifier",
        )
    name_property = "DBInstanceIdentifier" if instance else "DBClusterIdentifier"
    names = app.texts(stack, resource.properties.get(name_property, MISSING))
    name = names[0] if len(names) == 1 and isinstance(names[0], str) else None
    for log_type in app.texts(stack, resource.properties, ("EnableCloudwatchLogsExports", STAR)):
        if not isinstance(log_type, str):
            continue
        group = f"/aws/rds/{'instance' if instance else 'cluster'}/{name or '*'}/{log_type}"
        log_group = graph.named(("AWS::Logs::LogGroup",), group, stack.region) if name else None
        graph.add(
            FlowKind.LOG,
            source,
            log_group or Endpoint(label=f"log group {group}", region=stack.region),
            f"EnableCloudwatchLogsExports: {log_type}",
        )


def _cache_flows(app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource) -> None:
    source = graph.node(stack, resource.logical_id)
    limits = app.texts(stack, resource.properties.get("SnapshotRetentionLimit", MISSING))
    if limits and any(value != "0" for value in limits):
        graph.add(
            FlowKind.BACKUP,
            source,
            Endpoint(label="ElastiCache snapshots", region=stack.region),
            "SnapshotRetentionLimit (automatic snapshots in the cache's region)",
        )
    for where, config in app.values(stack, resource.properties, ("LogDeliveryConfigurations", STAR)):
        if not isinstance(config, Mapping):
            continue
        log_type = "/".join(str(text) for text in app.texts(where, config.get("LogType", MISSING))) or "log"
        for detail, key, target in (
            ("CloudWatchLogsDetails", "LogGroup", "AWS::Logs::LogGroup"),
            ("KinesisFirehoseDetails", "DeliveryStream", "AWS::KinesisFirehose::DeliveryStream"),
        ):
            for here, raw in app.lookup(where, config, ("DestinationDetails", detail, key)):
                for endpoint in graph.destinations(here, raw, key, (target,)):
                    graph.add(FlowKind.LOG, source, endpoint, f"LogDeliveryConfigurations: {log_type}")
    if resource.properties.get("GlobalReplicationGroupId") is not None:
        graph.add(
            FlowKind.REPLICA,
            source,
            Endpoint(label="global datastore: replication groups in other regions", region=UNKNOWN_REGION),
            "GlobalReplicationGroupId",
        )


def _dynamodb_flows(app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource) -> None:
    source = graph.node(stack, resource.logical_id)
    if resource.type == "AWS::DynamoDB::GlobalTable":
        _region_flows(app, graph, stack, resource, ("Replicas", STAR, "Region"), kind=FlowKind.REPLICA, what="replica")
    pitr = ("PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled")
    if any(stack.view.truth(value) for _, value in app.values(stack, resource.properties, pitr)):
        graph.add(
            FlowKind.BACKUP,
            source,
            Endpoint(label="DynamoDB point-in-time recovery", region=stack.region),
            "PointInTimeRecoverySpecification",
        )
    for where, raw in app.lookup(stack, resource.properties, ("KinesisStreamSpecification", "StreamArn")):
        for endpoint in graph.destinations(where, raw, "Kinesis stream", ("AWS::Kinesis::Stream",)):
            graph.add(FlowKind.DELIVERY, source, endpoint, "KinesisStreamSpecification (change data capture)")


def _secret_flows(app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource) -> None:
    _region_flows(
        app, graph, stack, resource, ("ReplicaRegions", STAR, "Region"), kind=FlowKind.REPLICA, what="replica secret"
    )


def _efs_flows(app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource) -> None:
    path = ("ReplicationConfiguration", "Destinations", STAR, "Region")
    _region_flows(app, graph, stack, resource, path, kind=FlowKind.REPLICA, what="replica file system")
    if app.texts(stack, resource.properties, ("BackupPolicy", "Status")) == ["ENABLED"]:
        graph.add(
            FlowKind.BACKUP,
            graph.node(stack, resource.logical_id),
            Endpoint(label="AWS Backup default vault", region=stack.region),
            "BackupPolicy: ENABLED",
        )


def _kms_flows(app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource) -> None:
    if stack.view.truth(resource.properties.get("MultiRegion", False)) is not False:
        graph.add(
            FlowKind.REPLICA,
            graph.node(stack, resource.logical_id),
            Endpoint(label="multi-Region replica keys (any region)", region=UNKNOWN_REGION),
            "MultiRegion",
        )


def _redshift_flows(app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource) -> None:
    _region_flows(
        app, graph, stack, resource, ("DestinationRegion",), kind=FlowKind.BACKUP_COPY, what="snapshot copies"
    )
    for where, raw in app.lookup(stack, resource.properties, ("LoggingProperties", "BucketName")):
        for endpoint in graph.destinations(where, raw, "bucket", ("AWS::S3::Bucket",)):
            graph.add(FlowKind.LOG, graph.node(stack, resource.logical_id), endpoint, "LoggingProperties")


def _opensearch_flows(app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource) -> None:
    for where, options_ in app.values(stack, resource.properties, ("LogPublishingOptions",)):
        if not isinstance(options_, Mapping):
            continue
        for log_type, raw in options_.items():
            for here, arn in app.lookup(where, raw, ("CloudWatchLogsLogGroupArn",)):
                for endpoint in graph.destinations(here, arn, "log group", ("AWS::Logs::LogGroup",)):
                    graph.add(FlowKind.LOG, graph.node(stack, resource.logical_id), endpoint, f"{log_type} logs")


def _sqs_flows(app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource) -> None:
    for where, policy in app.values(stack, resource.properties, ("RedrivePolicy",)):
        if isinstance(policy, Mapping):
            for endpoint in graph.destinations(
                where, policy.get("deadLetterTargetArn", MISSING), "queue", ("AWS::SQS::Queue",)
            ):
                graph.add(FlowKind.DELIVERY, graph.node(stack, resource.logical_id), endpoint, "dead-letter queue")


def _subscription(
    app: AppResolver, graph: FlowGraph, source: Endpoint, stack: AppStack, body: Mapping[str, Any], *, detail: str
) -> None:
    protocols = app.texts(stack, body.get("Protocol", MISSING))
    for protocol in protocols or [Unknown("Protocol is not set")]:
        if isinstance(protocol, Unknown):
            graph.add(FlowKind.OUTBOUND, source, graph.outside(f"a subscription ({protocol.reason})"), detail)
            continue
        if protocol.lower() in ("http", "https", "email", "email-json", "sms", "application"):
            for address in app.texts(stack, body.get("Endpoint", MISSING)) or [Unknown("no Endpoint")]:
                shown = address if isinstance(address, str) else f"an endpoint ({address.reason})"
                graph.add(FlowKind.OUTBOUND, source, graph.outside(shown), f"{detail}: {protocol} subscription")
        else:
            target_types = {
                "sqs": ("AWS::SQS::Queue",),
                "lambda": ("AWS::Lambda::Function",),
                "firehose": ("AWS::KinesisFirehose::DeliveryStream",),
            }.get(protocol.lower(), ())
            for endpoint in graph.destinations(stack, body.get("Endpoint", MISSING), protocol, target_types):
                graph.add(FlowKind.DELIVERY, source, endpoint, f"{detail}: {protocol} subscription")


def _topic_flows(app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource) -> None:
    source = graph.node(stack, resource.logical_id)
    for where, body in app.values(stack, resource.properties, ("Subscription", STAR)):
        if isinstance(body, Mapping):
            _subscription(app, graph, source, where, body, detail="Subscription")


def _subscription_flows(app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource) -> None:
    topics = app.references(stack, resource.properties.get("TopicArn", MISSING))
    source = graph.node(*topics[0]) if topics else graph.node(stack, resource.logical_id)
    _subscription(
        app, graph, source, stack, resource.properties, detail=f"AWS::SNS::Subscription {resource.logical_id}"
    )


def _firehose_flows(app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource) -> None:
    source = graph.node(stack, resource.logical_id)
    deliveries = (
        ("ExtendedS3DestinationConfiguration", "BucketARN", "AWS::S3::Bucket"),
        ("S3DestinationConfiguration", "BucketARN", "AWS::S3::Bucket"),
        ("AmazonopensearchserviceDestinationConfiguration", "DomainARN", "AWS::OpenSearchService::Domain"),
        ("ElasticsearchDestinationConfiguration", "DomainARN", "AWS::Elasticsearch::Domain"),
    )
    for config, key, target in deliveries:
        for where, raw in app.lookup(stack, resource.properties, (config, key)):
            what = "bucket" if target == "AWS::S3::Bucket" else "domain"
            for endpoint in graph.destinations(where, raw, what, (target,)):
                graph.add(FlowKind.DELIVERY, source, endpoint, config)
    for config in (
        "HttpEndpointDestinationConfiguration",
        "SplunkDestinationConfiguration",
        "SnowflakeDestinationConfiguration",
    ):
        for where, raw in app.lookup(stack, resource.properties, (config, "S3Configuration", "BucketARN")):
            for endpoint in graph.destinations(where, raw, "bucket", ("AWS::S3::Bucket",)):
                graph.add(FlowKind.DELIVERY, source, endpoint, f"{config}.S3Configuration (backup copies)")
    outbound = (
        ("HttpEndpointDestinationConfiguration", ("EndpointConfiguration", "Url")),
        ("SplunkDestinationConfiguration", ("HECEndpoint",)),
        ("SnowflakeDestinationConfiguration", ("AccountUrl",)),
    )
    for config, path in outbound:
        if resource.properties.get(config) is None:
            continue
        for address in app.texts(stack, resource.properties, (config, *path)) or [Unknown("not set")]:
            shown = address if isinstance(address, str) else f"an endpoint ({address.reason})"
            graph.add(FlowKind.OUTBOUND, source, graph.outside(shown), f"{config} (outside AWS)")
    stream = ("KinesisStreamSourceConfiguration", "KinesisStreamARN")
    for where, raw in app.lookup(stack, resource.properties, stream):
        for origin in graph.destinations(where, raw, "Kinesis stream", ("AWS::Kinesis::Stream",)):
            if origin.logical_id is not None:
                graph.add(FlowKind.DELIVERY, origin, source, "KinesisStreamSourceConfiguration")


def _log_subscription_flows(app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource) -> None:
    groups = graph.destinations(
        stack, resource.properties.get("LogGroupName", MISSING), "log group", ("AWS::Logs::LogGroup",)
    )
    for group in groups:
        for endpoint in graph.destinations(stack, resource.properties.get("DestinationArn", MISSING), "destination"):
            graph.add(FlowKind.LOG, group, endpoint, f"subscription filter {resource.logical_id}")


def _flow_log_flows(app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource) -> None:
    targets = app.references(stack, resource.properties.get("ResourceId", MISSING))
    source = graph.node(*targets[0]) if targets else graph.node(stack, resource.logical_id)
    kinds = app.texts(stack, resource.properties.get("LogDestinationType", MISSING)) or ["cloud-watch-logs"]
    for kind in kinds:
        endpoints: list[Endpoint] = []
        if kind == "cloud-watch-logs" and resource.properties.get("LogGroupName") is not None:
            endpoints = graph.destinations(
                stack, resource.properties["LogGroupName"], "log group", ("AWS::Logs::LogGroup",)
            )
        else:
            types = (
                ("AWS::S3::Bucket",)
                if kind == "s3"
                else ("AWS::Logs::LogGroup", "AWS::KinesisFirehose::DeliveryStream")
            )
            endpoints = graph.destinations(
                stack, resource.properties.get("LogDestination", MISSING), "destination", types
            )
        for endpoint in endpoints:
            graph.add(FlowKind.LOG, source, endpoint, f"flow logs {resource.logical_id} ({kind})")


def _trail_flows(app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource) -> None:
    source = graph.node(stack, resource.logical_id)
    for endpoint in graph.destinations(
        stack, resource.properties.get("S3BucketName", MISSING), "bucket", ("AWS::S3::Bucket",)
    ):
        graph.add(FlowKind.LOG, source, endpoint, "S3BucketName")
    raw = resource.properties.get("CloudWatchLogsLogGroupArn", MISSING)
    for endpoint in graph.destinations(stack, raw, "log group", ("AWS::Logs::LogGroup",)):
        graph.add(FlowKind.LOG, source, endpoint, "CloudWatchLogsLogGroupArn")


def _waf_logging_flows(app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource) -> None:
    acls = app.references(stack, resource.properties.get("ResourceArn", MISSING))
    source = graph.node(*acls[0]) if acls else graph.node(stack, resource.logical_id)
    types = ("AWS::Logs::LogGroup", "AWS::S3::Bucket", "AWS::KinesisFirehose::DeliveryStream")
    for where, raw in app.lookup(stack, resource.properties, ("LogDestinationConfigs", STAR)):
        for endpoint in graph.destinations(where, raw, "log destination", types):
            graph.add(FlowKind.LOG, source, endpoint, f"WAF logging {resource.logical_id}")


def _task_definition_flows(app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource) -> None:
    source = graph.node(stack, resource.logical_id)
    for where, container in app.values(stack, resource.properties, ("ContainerDefinitions", STAR)):
        if not isinstance(container, Mapping):
            continue
        name = next((text for text in app.texts(where, container.get("Name", MISSING)) if isinstance(text, str)), "?")
        for here, config in app.values(where, container, ("LogConfiguration",)):
            if not isinstance(config, Mapping):
                continue
            for driver in app.texts(here, config.get("LogDriver", MISSING)):
                if driver != "awslogs":
                    shown = driver if isinstance(driver, str) else "a log driver decided at deploy time"
                    graph.add(FlowKind.OUTBOUND, source, graph.outside(f"{shown} log driver"), f"container {name}")
                    continue
                regions = app.texts(here, config, ("Options", "awslogs-region")) or [stack.region]
                for there, raw in app.lookup(here, config, ("Options", "awslogs-group")):
                    for found in graph.destinations(there, raw, "log group", ("AWS::Logs::LogGroup",)):
                        region = regions[0]
                        endpoint = found
                        if found.logical_id is None and region != found.region:
                            endpoint = graph.region_endpoint(found.label, region)
                        graph.add(FlowKind.LOG, source, endpoint, f"container {name}: awslogs")


def _cluster_flows(app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource) -> None:
    settings = app.values(stack, resource.properties, ("ClusterSettings", STAR))
    insights = [
        body
        for _, body in settings
        if isinstance(body, Mapping) and body.get("Name") == "containerInsights" and body.get("Value") != "disabled"
    ]
    names = app.texts(stack, resource.properties.get("ClusterName", MISSING))
    if insights and len(names) == 1 and isinstance(names[0], str):
        group = f"/aws/ecs/containerinsights/{names[0]}/performance"
        endpoint = graph.named(("AWS::Logs::LogGroup",), group, stack.region)
        graph.add(
            FlowKind.LOG,
            graph.node(stack, resource.logical_id),
            endpoint or Endpoint(label=f"log group {group}", region=stack.region),
            "containerInsights",
        )


def _lambda_flows(app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource) -> None:
    source = graph.node(stack, resource.logical_id)
    configured = app.lookup(stack, resource.properties, ("LoggingConfig", "LogGroup"))
    for where, raw in configured:
        if raw is MISSING:
            names = app.texts(stack, resource.properties.get("FunctionName", MISSING))
            label = f"/aws/lambda/{names[0]}" if len(names) == 1 and isinstance(names[0], str) else "/aws/lambda/..."
            endpoint = graph.named(("AWS::Logs::LogGroup",), label, stack.region)
            graph.add(
                FlowKind.LOG, source, endpoint or Endpoint(f"log group {label}", stack.region), "default log group"
            )
            continue
        for endpoint in graph.destinations(where, raw, "log group", ("AWS::Logs::LogGroup",)):
            graph.add(FlowKind.LOG, source, endpoint, "LoggingConfig.LogGroup")


def _api_destination_flows(app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource) -> None:
    source = graph.node(stack, resource.logical_id)
    for endpoint in app.texts(stack, resource.properties.get("InvocationEndpoint", MISSING)) or [Unknown("not set")]:
        shown = endpoint if isinstance(endpoint, str) else f"an endpoint ({endpoint.reason})"
        graph.add(FlowKind.OUTBOUND, source, graph.outside(shown), "InvocationEndpoint (outside AWS)")


def _backup_selection_flows(app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource) -> None:
    plans = app.references(stack, resource.properties.get("BackupPlanId", MISSING))
    if not plans:
        return
    plan_stack, plan_id = plans[0]
    plan = plan_stack.view.resource(plan_id)
    if plan is None:
        return
    selection = resource.properties.get("BackupSelection", MISSING)
    selected = _selected(app, graph, stack, selection)
    for where, rule in app.values(plan_stack, plan.properties, ("BackupPlan", "BackupPlanRule", STAR)):
        if not isinstance(rule, Mapping):
            continue
        rule_name = next((t for t in app.texts(where, rule.get("RuleName", MISSING)) if isinstance(t, str)), "?")
        detail = f"backup plan {plan_id}, rule {rule_name}"
        vaults = []
        for here, target in app.given(where, rule.get("TargetBackupVault", MISSING)):
            if isinstance(target, ResourceRef):
                vaults.append(graph.node(here, target.logical_id))
            elif isinstance(target, str):
                named = graph.named(("AWS::Backup::BackupVault",), target, plan_stack.region)
                vaults.append(named or Endpoint(label=f"backup vault {target}", region=plan_stack.region))
            else:  # the target vault is always in the plan's region
                vaults.append(Endpoint(label="a backup vault", region=plan_stack.region))
        copies = [
            endpoint
            for here, raw in app.lookup(where, rule, ("CopyActions", STAR, "DestinationBackupVaultArn"))
            for endpoint in graph.destinations(here, raw, "backup vault", ("AWS::Backup::BackupVault",))
        ]
        for store in selected:
            for vault in vaults:
                graph.add(FlowKind.BACKUP, store, vault, detail)
            for copy in copies:
                graph.add(FlowKind.BACKUP_COPY, store, copy, f"{detail}, copy action")


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


def _selected(app: AppResolver, graph: FlowGraph, stack: AppStack, selection: Any) -> list[Endpoint]:
    """The data stores a backup selection names: by reference, by name in an ARN, by "*" or by tag."""
    found: dict[tuple[str, str, str], Endpoint] = {}
    for where, raw in app.lookup(stack, selection, ("Resources", STAR)):
        references = app.references(where, raw)
        for here, logical_id in references:
            found.setdefault(graph.node(here, logical_id).key, graph.node(here, logical_id))
        if references:
            continue
        for text in app.texts(where, raw):
            if text == "*":
                for other in app.stacks:
                    if other.region == stack.region:
                        for resource in other.view.resources():
                            if resource.type in _BACKUP_TYPES:
                                endpoint = graph.node(other, resource.logical_id)
                                found.setdefault(endpoint.key, endpoint)
            elif isinstance(text, str):
                endpoint = graph.destination(where, text, "backup resource", ())
                if endpoint.logical_id is not None:
                    found.setdefault(endpoint.key, endpoint)
    wanted: list[tuple[str, str]] = []
    for where, condition in app.values(stack, selection, ("ListOfTags", STAR)):
        if isinstance(condition, Mapping):
            keys = app.texts(where, condition.get("ConditionKey", MISSING))
            values = app.texts(where, condition.get("ConditionValue", MISSING))
            if len(keys) == 1 and len(values) == 1 and isinstance(keys[0], str) and isinstance(values[0], str):
                wanted.append((keys[0], values[0]))
    for other in app.stacks:
        if other.region != stack.region or not wanted:
            continue
        for resource in other.view.resources():
            if resource.type not in _BACKUP_TYPES:
                continue
            tags = app.tags(other, resource)
            if any(value in tags.get(key, []) for key, value in wanted):
                endpoint = graph.node(other, resource.logical_id)
                found.setdefault(endpoint.key, endpoint)
    return list(found.values())


_FLOW_READERS: dict[str, FlowReader] = {
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


def record_flows(app: AppResolver, graph: FlowGraph) -> None:
    """Records on ``graph`` the flows of every resource of the app whose type has a reader, then the ways in and
    out of its networks and the application's reads and writes (each one pass over the app).
    """
    for stack in app.stacks:
        for resource in stack.view.resources():
            reader = _FLOW_READERS.get(resource.type)
            if reader is not None:
                reader(app, graph, stack, resource)
    for record in (
        record_gateway_flows,
        record_security_group_flows,
        record_endpoint_flows,
        record_access_flows,
        record_ingress_flows,
    ):
        record(app, graph)
