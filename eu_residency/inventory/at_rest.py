"""Encryption at rest, per resource type: which key encrypts a store, read from its own properties (a
customer-managed key, the service's AWS-managed or AWS-owned key, SSE-S3, none, or what cannot be shown).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from eu_residency.core.messages import shown_value
from eu_residency.core.template_view import Resource, ResourceRef, Unknown
from eu_residency.core.values import MISSING
from eu_residency.core.vocabulary import AWS_MANAGED_KEY_ALIAS, MAX_NESTING
from eu_residency.inventory.records import AtRest, AtRestStatus
from eu_residency.inventory.resolver import STAR, AppResolver, AppStack

# Reads how one resource of a type is encrypted at rest.
AtRestReader = Callable[[AppResolver, AppStack, Resource], AtRest]


# -- keys and flags --------------------------------------------------------------------------------------


def _key(app: AppResolver, stack: AppStack, raw: Any, absent: AtRest, depth: int = 0) -> AtRest:
    """The key ``raw`` names (a Ref/GetAtt to a key or alias, an ARN, an alias, a key id)."""
    results = []
    for where, option in app.located(stack, raw):
        results.append(_one_key(app, where, option, absent, depth))
    return _one_answer(results)


def _one_key(app: AppResolver, where: AppStack, option: Any, absent: AtRest, depth: int) -> AtRest:
    if option is MISSING or option == "":
        return absent
    if isinstance(option, ResourceRef):
        target = where.view.resource(option.logical_id)
        if target is not None and target.type == "AWS::KMS::Alias" and depth < MAX_NESTING:
            return _key(app, where, target.properties.get("TargetKeyId", MISSING), absent, depth + 1)
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
        if AWS_MANAGED_KEY_ALIAS.search(option):
            return AtRest(AtRestStatus.AWS_MANAGED, f"AWS-managed key ({option.rsplit(':', 1)[-1]})", key=option)
        return AtRest(AtRestStatus.CUSTOMER_KEY, f"KMS key {option}", key=option)
    return AtRest(AtRestStatus.UNKNOWN, f"cannot be shown: the key is a {type(option).__name__}")


def _encrypted_flag(
    app: AppResolver,
    stack: AppStack,
    resource: Resource,
    flag: str,
    key: str,
    *,
    service: str,
    sources: tuple[str, ...] = (),
    off: str = "none",
) -> AtRest:
    """Storage encrypted when ``flag`` is true, with ``key`` or the service's AWS-managed key."""
    managed = AtRest(AtRestStatus.AWS_MANAGED, f"AWS-managed key (aws/{service})")
    results = []
    for _, value in app.values(stack, resource.properties, (flag,)):
        truth = None if value is MISSING else stack.view.truth(value)
        if truth is True:
            results.append(_key(app, stack, resource.properties.get(key, MISSING), managed))
        elif isinstance(value, Unknown) or (value is not MISSING and truth is None):
            reason = value.reason if isinstance(value, Unknown) else shown_value(value)
            results.append(AtRest(AtRestStatus.UNKNOWN, f"cannot be shown: {flag} is {reason}"))
        elif value is MISSING and any(resource.properties.get(source) is not None for source in sources):
            results.append(
                AtRest(
                    AtRestStatus.UNKNOWN,
                    f"cannot be shown: without {flag} it is inherited from the snapshot or source",
                )
            )
        else:
            results.append(AtRest(AtRestStatus.NONE, f"{off} ({flag} is {'false' if truth is False else 'not set'})"))
    return _one_answer(results)


def _one_answer(results: list[AtRest]) -> AtRest:
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


# -- encryption at rest, per type ---------------------------------------------------------------------------


def _s3_at_rest(app: AppResolver, stack: AppStack, resource: Resource) -> AtRest:
    default = AtRest(AtRestStatus.SSE_S3, "SSE-S3 (the S3 default: no BucketEncryption)")
    path = ("BucketEncryption", "ServerSideEncryptionConfiguration", STAR, "ServerSideEncryptionByDefault")
    results = []
    for where, element in app.lookup(stack, resource.properties, path):
        for here, rule in app.located(where, element):
            if rule is MISSING:
                results.append(default)
            elif not isinstance(rule, Mapping):
                reason = rule.reason if isinstance(rule, Unknown) else f"a {type(rule).__name__}"
                results.append(AtRest(AtRestStatus.UNKNOWN, f"cannot be shown: the encryption is {reason}"))
            else:
                for algorithm in app.texts(here, rule.get("SSEAlgorithm", MISSING)) or [Unknown("not set")]:
                    if algorithm == "AES256":
                        results.append(AtRest(AtRestStatus.SSE_S3, "SSE-S3 (AES256)"))
                    elif isinstance(algorithm, str) and algorithm.startswith("aws:kms"):
                        managed = AtRest(AtRestStatus.AWS_MANAGED, "AWS-managed key (aws/s3)")
                        results.append(_key(app, here, rule.get("KMSMasterKeyID", MISSING), managed))
                    else:
                        shown = algorithm.reason if isinstance(algorithm, Unknown) else repr(algorithm)
                        results.append(AtRest(AtRestStatus.UNKNOWN, f"cannot be shown: SSEAlgorithm is {shown}"))
    return _one_answer(results or [default])


def _flagged(flag: str, key: str, service: str, *sources: str, off: str = "none") -> AtRestReader:
    def read(app: AppResolver, stack: AppStack, resource: Resource) -> AtRest:
        return _encrypted_flag(app, stack, resource, flag, key, service=service, sources=sources, off=off)

    return read


def _rds_at_rest(app: AppResolver, stack: AppStack, resource: Resource) -> AtRest:
    if resource.type == "AWS::RDS::DBInstance" and resource.properties.get("DBClusterIdentifier") is not None:
        cluster = app.references(stack, resource.properties["DBClusterIdentifier"])
        name = cluster[0][1] if cluster else "its DB cluster"
        return AtRest(AtRestStatus.NOT_APPLICABLE, f"that of its cluster {name}")
    sources = (
        *("SnapshotIdentifier", "DBSnapshotIdentifier", "SourceDBInstanceIdentifier", "SourceDBClusterIdentifier"),
        *("SourceDBInstanceAutomatedBackupsArn", "SourceDbiResourceId", "RestoreType"),
    )
    return _encrypted_flag(app, stack, resource, "StorageEncrypted", "KmsKeyId", service="rds", sources=sources)


def _service_key(key: str, service: str, *, absent: AtRest | None = None) -> AtRestReader:
    """A key property; when it is absent, the service's AWS-managed key (or ``absent``)."""

    def read(app: AppResolver, stack: AppStack, resource: Resource) -> AtRest:
        fallback = absent or AtRest(AtRestStatus.AWS_MANAGED, f"AWS-managed key (aws/{service})")
        return _key(app, stack, resource.properties.get(key, MISSING), fallback)

    return read


def _dynamodb_at_rest(app: AppResolver, stack: AppStack, resource: Resource) -> AtRest:
    owned = AtRest(AtRestStatus.AWS_OWNED, "AWS-owned key (the DynamoDB default)")
    managed = AtRest(AtRestStatus.AWS_MANAGED, "AWS-managed key (aws/dynamodb)")
    results = []
    for _, value in app.values(stack, resource.properties, ("SSESpecification", "SSEEnabled")):
        truth = None if value is MISSING else stack.view.truth(value)
        if truth is True:
            if resource.type == "AWS::DynamoDB::GlobalTable":
                keys = app.lookup(stack, resource.properties, ("Replicas", STAR, "SSESpecification", "KMSMasterKeyId"))
                results += [_key(app, where, raw, managed) for where, raw in keys] or [managed]
            else:
                key = ("SSESpecification", "KMSMasterKeyId")
                results += [
                    _key(app, where, raw, managed) for where, raw in app.lookup(stack, resource.properties, key)
                ]
        elif truth is False or value is MISSING:
            results.append(owned)
        else:
            results.append(AtRest(AtRestStatus.UNKNOWN, "cannot be shown: SSEEnabled is decided at deploy time"))
    return _one_answer(results)


def _sqs_at_rest(app: AppResolver, stack: AppStack, resource: Resource) -> AtRest:
    if resource.properties.get("KmsMasterKeyId") is not None:
        return _key(app, stack, resource.properties["KmsMasterKeyId"], AtRest(AtRestStatus.NONE, "none"))
    managed = resource.properties.get("SqsManagedSseEnabled", MISSING)
    if managed is not MISSING and stack.view.truth(managed) is False:
        return AtRest(AtRestStatus.NONE, "none (SqsManagedSseEnabled is false, no KmsMasterKeyId)")
    if managed is not MISSING and stack.view.truth(managed) is None:
        return AtRest(AtRestStatus.UNKNOWN, "cannot be shown: SqsManagedSseEnabled is decided at deploy time")
    return AtRest(AtRestStatus.AWS_OWNED, "AWS-owned key (SSE-SQS)")


def _kinesis_at_rest(app: AppResolver, stack: AppStack, resource: Resource) -> AtRest:
    results = []
    for where, encryption in app.values(stack, resource.properties, ("StreamEncryption",)):
        if encryption is MISSING:
            results.append(AtRest(AtRestStatus.NONE, "none (no StreamEncryption)"))
        elif isinstance(encryption, Mapping):
            managed = AtRest(AtRestStatus.AWS_MANAGED, "AWS-managed key (aws/kinesis)")
            results.append(_key(app, where, encryption.get("KeyId", MISSING), managed))
        else:
            results.append(AtRest(AtRestStatus.UNKNOWN, "cannot be shown: StreamEncryption is decided at deploy time"))
    return _one_answer(results)


def _firehose_at_rest(app: AppResolver, stack: AppStack, resource: Resource) -> AtRest:
    kinds = app.texts(stack, resource.properties.get("DeliveryStreamType", MISSING))
    if kinds == ["KinesisStreamAsSource"]:
        return AtRest(AtRestStatus.NOT_APPLICABLE, "that of its source Kinesis stream")
    results = []
    path = ("DeliveryStreamEncryptionConfigurationInput",)
    for where, config in app.values(stack, resource.properties, path):
        if config is MISSING:
            results.append(AtRest(AtRestStatus.NONE, "none (no DeliveryStreamEncryptionConfigurationInput)"))
            continue
        if not isinstance(config, Mapping):
            results.append(AtRest(AtRestStatus.UNKNOWN, "cannot be shown: the encryption is decided at deploy time"))
            continue
        for key_type in app.texts(where, config.get("KeyType", MISSING)) or ["AWS_OWNED_CMK"]:
            if key_type == "CUSTOMER_MANAGED_CMK":
                absent = AtRest(AtRestStatus.UNKNOWN, "cannot be shown: KeyARN is not set")
                results.append(_key(app, where, config.get("KeyARN", MISSING), absent))
            elif key_type == "AWS_OWNED_CMK":
                results.append(AtRest(AtRestStatus.AWS_OWNED, "AWS-owned key (AWS_OWNED_CMK)"))
            else:
                results.append(AtRest(AtRestStatus.UNKNOWN, f"cannot be shown: KeyType is {key_type}"))
    return _one_answer(results)


def _opensearch_at_rest(app: AppResolver, stack: AppStack, resource: Resource) -> AtRest:
    results = []
    for where, config in app.values(stack, resource.properties, ("EncryptionAtRestOptions",)):
        enabled = app.values(where, config, ("Enabled",)) if isinstance(config, Mapping) else [(where, MISSING)]
        for _, value in enabled:
            truth = None if value is MISSING else where.view.truth(value)
            if truth is True and isinstance(config, Mapping):
                managed = AtRest(AtRestStatus.AWS_MANAGED, "AWS-managed key (aws/es)")
                results.append(_key(app, where, config.get("KmsKeyId", MISSING), managed))
            elif isinstance(config, Unknown) or (value is not MISSING and truth is None):
                results.append(AtRest(AtRestStatus.UNKNOWN, "cannot be shown: decided at deploy time"))
            else:
                results.append(AtRest(AtRestStatus.NONE, "none (EncryptionAtRestOptions.Enabled is not true)"))
    return _one_answer(results)


def _ecr_at_rest(app: AppResolver, stack: AppStack, resource: Resource) -> AtRest:
    results = []
    for where, config in app.values(stack, resource.properties, ("EncryptionConfiguration",)):
        if config is MISSING:
            results.append(AtRest(AtRestStatus.SSE_S3, "AES-256 with S3-managed keys (the ECR default)"))
            continue
        if not isinstance(config, Mapping):
            results.append(AtRest(AtRestStatus.UNKNOWN, "cannot be shown: decided at deploy time"))
            continue
        for kind in app.texts(where, config.get("EncryptionType", MISSING)) or ["AES256"]:
            if kind == "AES256":
                results.append(AtRest(AtRestStatus.SSE_S3, "AES-256 with S3-managed keys"))
            elif isinstance(kind, str) and kind.startswith("KMS"):
                managed = AtRest(AtRestStatus.AWS_MANAGED, "AWS-managed key (aws/ecr)")
                results.append(_key(app, where, config.get("KmsKey", MISSING), managed))
            else:
                results.append(
                    AtRest(AtRestStatus.UNKNOWN, "cannot be shown: EncryptionType is decided at deploy time")
                )
    return _one_answer(results)


def _kms_at_rest(app: AppResolver, stack: AppStack, resource: Resource) -> AtRest:
    rotation = stack.view.truth(resource.properties.get("EnableKeyRotation", False))
    state = {True: "rotation on", False: "rotation off", None: "rotation decided at deploy time"}[rotation]
    return AtRest(AtRestStatus.NOT_APPLICABLE, f"not applicable: a KMS key ({state})")


_AT_REST: dict[str, AtRestReader] = {
    "AWS::S3::Bucket": _s3_at_rest,
    "AWS::RDS::DBInstance": _rds_at_rest,
    "AWS::RDS::DBCluster": _rds_at_rest,
    "AWS::DocDB::DBCluster": _flagged("StorageEncrypted", "KmsKeyId", "rds", "SnapshotIdentifier"),
    "AWS::Neptune::DBCluster": _flagged("StorageEncrypted", "KmsKeyId", "rds", "SnapshotIdentifier"),
    "AWS::Redshift::Cluster": _flagged("Encrypted", "KmsKeyId", "redshift", "SnapshotIdentifier"),
    "AWS::EFS::FileSystem": _flagged("Encrypted", "KmsKeyId", "elasticfilesystem"),
    "AWS::EC2::Volume": _flagged("Encrypted", "KmsKeyId", "ebs", "SnapshotId", off="none shown"),
    "AWS::ElastiCache::ReplicationGroup": _flagged("AtRestEncryptionEnabled", "KmsKeyId", "elasticache"),
    "AWS::ElastiCache::CacheCluster": lambda app, stack, resource: AtRest(
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


def encryption_at_rest(app: AppResolver, stack: AppStack, resource: Resource) -> AtRest:
    """How ``resource`` is encrypted at rest, read by its type's reader."""
    reader = _AT_REST.get(resource.type)
    if reader is None:
        return AtRest(AtRestStatus.UNKNOWN, "cannot be shown: a type this inventory does not read")
    return reader(app, stack, resource)
