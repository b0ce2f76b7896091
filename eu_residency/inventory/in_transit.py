"""Encryption in transit, per resource type: what the templates prove (TLS-only policies, parameter groups,
transit encryption), reusing the rules' own judgement where a rule checks it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from eu_residency.core.rule_model import Violation
from eu_residency.core.template_view import Resource, ResourceRef, TemplateView
from eu_residency.core.values import MISSING
from eu_residency.inventory.records import InTransit, InTransitStatus
from eu_residency.inventory.resolver import STAR, AppResolver, AppStack
from eu_residency.rules.encryption import elasticache_transit, opensearch_transit, rds_database_tls, s3_bucket_tls
from eu_residency.rules.encryption._in_transit import EngineKind, engine_kind

# Reads what the templates prove about encryption in transit of one resource of a type.
InTransitReader = Callable[[AppResolver, AppStack, Resource], InTransit]


# -- TLS-only policies -------------------------------------------------------------------------------------


def _policy_denies_plain_requests(app: AppResolver, stack: AppStack, document: Any) -> bool:
    """A policy document with a statement denying every request without TLS to everyone."""
    for _, resolved in app.located(stack, document):
        statements = resolved.get("Statement") if isinstance(resolved, Mapping) else None
        resolved_statements = stack.view.resolve(statements)
        items = resolved_statements if isinstance(resolved_statements, list) else [resolved_statements]
        if any(_denies_plain_requests(statement) for statement in items):
            return True
    return False


def _attached_policy(app: AppResolver, stack: AppStack, resource: Resource, policy_type: str, targets: str) -> bool:
    """A ``policy_type`` of the template attached to ``resource`` (by Ref) denies requests without TLS."""
    for policy in stack.view.resources_of_type(policy_type):
        attached = stack.view.resolve(policy.properties.get(targets))
        items = attached if isinstance(attached, list) else [attached]
        if any(isinstance(item, ResourceRef) and item.logical_id == resource.logical_id for item in items) and (
            _policy_denies_plain_requests(app, stack, policy.properties.get("PolicyDocument"))
        ):
            return True
    return False


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


# -- encryption in transit, per type -----------------------------------------------------------------------

_HTTPS_API = InTransit(InTransitStatus.NOT_APPLICABLE, "not applicable: HTTPS-only service API")


def _from_rule(check: Callable[[Resource, TemplateView], Iterator[Any]], proven: str) -> InTransitReader:
    """Enforced when the rule that checks it finds nothing; otherwise what the rule says is missing."""

    def read(app: AppResolver, stack: AppStack, resource: Resource) -> InTransit:
        violations = list(check(resource, stack.view))
        if not violations:
            return InTransit(InTransitStatus.ENFORCED, proven)
        return _not_proven(violations[0])

    return read


def _not_proven(violation: Violation) -> InTransit:
    """What the first violation says: not shown when the template does not decide it, else not enforced."""
    status = InTransitStatus.NOT_SHOWN if violation.unknown is not None else InTransitStatus.NOT_ENFORCED
    return InTransit(status, f"{status}: {violation.message}")


def _rds_in_transit(app: AppResolver, stack: AppStack, resource: Resource) -> InTransit:
    if resource.type == "AWS::RDS::DBInstance" and resource.properties.get("DBClusterIdentifier") is not None:
        return InTransit(InTransitStatus.NOT_APPLICABLE, "that of its DB cluster")
    engines = app.texts(stack, resource.properties.get("Engine", MISSING))
    kinds = {engine_kind(engine) if isinstance(engine, str) else None for engine in engines}
    if not engines or None in kinds:
        return InTransit(InTransitStatus.NOT_SHOWN, "not shown: an engine whose TLS setting this tool does not read")
    violations = list(rds_database_tls.check(resource, stack.view))
    if violations:
        return _not_proven(violations[0])
    setting = "rds.force_ssl" if kinds == {EngineKind.POSTGRES} else "require_secure_transport"
    group_property = (
        "DBParameterGroupName" if resource.type == "AWS::RDS::DBInstance" else "DBClusterParameterGroupName"
    )
    groups = [ref for _, ref in app.values(stack, resource.properties, (group_property,))]
    named = [group.logical_id for group in groups if isinstance(group, ResourceRef)]
    if named:
        return InTransit(InTransitStatus.ENFORCED, f"{setting} parameter group {named[0]}")
    return InTransit(InTransitStatus.ENFORCED, f"{setting} on (default parameter group of PostgreSQL 15 or later)")


def _cache_cluster_in_transit(app: AppResolver, stack: AppStack, resource: Resource) -> InTransit:
    enabled = stack.view.truth(resource.properties.get("TransitEncryptionEnabled", False))
    if enabled:
        return InTransit(InTransitStatus.ENFORCED, "transit encryption on")
    return InTransit(InTransitStatus.NOT_ENFORCED, "not enforced: TransitEncryptionEnabled is not true")


def _policy_in_transit(policy_type: str, targets: str, what: str) -> InTransitReader:
    def read(app: AppResolver, stack: AppStack, resource: Resource) -> InTransit:
        if _attached_policy(app, stack, resource, policy_type, targets):
            return InTransit(InTransitStatus.ENFORCED, f"TLS-only {what} policy")
        return InTransit(
            InTransitStatus.NOT_SHOWN, f"not shown: no {what} policy denies requests without TLS (aws:SecureTransport)"
        )

    return read


def _own_policy_in_transit(policy_property: str, what: str) -> InTransitReader:
    def read(app: AppResolver, stack: AppStack, resource: Resource) -> InTransit:
        policy = resource.properties.get(policy_property, MISSING)
        document = policy.get("PolicyDocument", policy) if isinstance(policy, Mapping) else policy
        if policy is not MISSING and _policy_denies_plain_requests(app, stack, document):
            return InTransit(InTransitStatus.ENFORCED, f"TLS-only {what} policy")
        return InTransit(
            InTransitStatus.NOT_SHOWN, f"not shown: no {what} policy denies requests without TLS (aws:SecureTransport)"
        )

    return read


def _docdb_in_transit(app: AppResolver, stack: AppStack, resource: Resource) -> InTransit:
    groups = app.values(stack, resource.properties, ("DBClusterParameterGroupName",))
    results = set()
    for where, group in groups:
        if group is MISSING:
            results.add(InTransit(InTransitStatus.ENFORCED, "TLS required (default parameter group: tls enabled)"))
        elif isinstance(group, ResourceRef) and (target := where.view.resource(group.logical_id)) is not None:
            tls = app.texts(where, target.properties.get("Parameters", MISSING), ("tls",))
            if tls and all(isinstance(value, str) and value.lower() != "disabled" for value in tls):
                results.add(InTransit(InTransitStatus.ENFORCED, f"tls parameter group {group.logical_id}"))
            else:
                results.add(InTransit(InTransitStatus.NOT_SHOWN, f"not shown: tls of {group.logical_id} is not set"))
        else:
            results.add(InTransit(InTransitStatus.NOT_SHOWN, "not shown: a parameter group outside the template"))
    return results.pop() if len(results) == 1 else InTransit(InTransitStatus.NOT_SHOWN, "not shown")


def _redshift_in_transit(app: AppResolver, stack: AppStack, resource: Resource) -> InTransit:
    for where, group in app.values(stack, resource.properties, ("ClusterParameterGroupName",)):
        target = where.view.resource(group.logical_id) if isinstance(group, ResourceRef) else None
        if target is None:
            continue
        for _, parameter in app.values(where, target.properties, ("Parameters", STAR)):
            if not isinstance(parameter, Mapping):
                continue
            names = app.texts(where, parameter.get("ParameterName", MISSING))
            values = app.texts(where, parameter.get("ParameterValue", MISSING))
            if names == ["require_ssl"] and values and all(str(v).lower() == "true" for v in values):
                return InTransit(InTransitStatus.ENFORCED, f"require_ssl parameter group {group.logical_id}")
    return InTransit(InTransitStatus.NOT_SHOWN, "not shown: no parameter group of the template sets require_ssl")


_IN_TRANSIT: dict[str, InTransitReader] = {
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


def encryption_in_transit(app: AppResolver, stack: AppStack, resource: Resource) -> InTransit:
    """What the templates prove about encryption in transit of ``resource``, read by its type's reader."""
    reader = _IN_TRANSIT.get(resource.type)
    if reader is None:
        return InTransit(InTransitStatus.NOT_SHOWN, "not shown")
    return reader(app, stack, resource)
