"""EU-KEY-010: stores of user data name a customer-managed KMS key.

One table, ``STORE_KEYS``: for each resource type, where its KMS key is named, what the service uses when
none is, and the CDK prop that sets it. Stores with more to judge than one key property have rules of their
own (S3 EU-KEY-001, DynamoDB EU-KEY-002, Secrets Manager EU-KEY-003, ECR EU-KEY-004).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown, options
from eu_residency.core.values import MISSING, descend, get, values_at
from eu_residency.core.vocabulary import DYNAMIC_REFERENCE_PREFIX
from eu_residency.rules._kms_keys import key_value_violations
from eu_residency.rules.predicates import dotted

EACH = "*"  # in a key path: every element of a list
Applies = Callable[[Resource, TemplateView], bool]


@dataclass(frozen=True)
class StoreKey:
    """Where a resource type names the KMS key of the data it stores."""

    path: PropertyPath  # under Properties; ``EACH`` for every element of a list
    default: str  # what the service does when no key is named: a clause that is true in every case
    cdk: str  # the CDK prop that names the key
    # Whether the key property applies to this resource (None: always).
    applies: Applies | None = None


def _not_all_written(*path: str | int) -> Applies:
    """The key matters only where a value of the map at ``path`` (Lambda's environment variables) may be
    something other than text written in the template: a key protects nothing that whoever reads the stack's
    template reads anyway (CDK's own handlers carry only such text, AWS_CA_BUNDLE: /etc/pki/...)."""

    def applies(resource: Resource, view: TemplateView) -> bool:
        for variables in values_at(view, resource.properties, path):
            if variables is MISSING:
                continue
            if not isinstance(variables, Mapping):
                return True  # not decided by the template, or not a map: fails closed
            if any(not _written(option) for value in variables.values() for option in options(value)):
                return True
        return False

    return applies


def _written(value: Any) -> bool:
    """Whether a resolved value is text written in the template (a dynamic reference is not: CloudFormation
    replaces it at deploy time with what SSM or Secrets Manager holds)."""
    if value is MISSING or isinstance(value, (bool, int, float)):
        return True
    return isinstance(value, str) and DYNAMIC_REFERENCE_PREFIX not in value


def _not_given(*names: str) -> Applies:
    """The key is named elsewhere where one of the properties ``names`` is given (an Aurora instance: its cluster's
    key; a read replica: its source's)."""
    return lambda resource, view: all(
        value is MISSING for name in names for value in values_at(view, resource.properties, (name,))
    )


def _one_of(path: PropertyPath, accepted: frozenset[str], absent: str | None, *, ignore_case: bool = False) -> Applies:
    """The key matters only where the property at ``path`` (``absent`` when not given) is one of ``accepted``
    (compared upper-cased with ``ignore_case``: Amazon MQ's EngineType)."""

    def applies(resource: Resource, view: TemplateView) -> bool:
        values = [absent if value is MISSING else value for value in values_at(view, resource.properties, path)]
        if ignore_case:
            values = [value.upper() if isinstance(value, str) else value for value in values]
        return any(isinstance(value, Unknown) or value in accepted for value in values)

    return applies


def _switched(path: PropertyPath, *, on: bool, absent: bool) -> Applies:
    """The key matters only where the boolean at ``path`` (``absent`` when not given) may be ``on``; a value the
    template does not decide fails closed."""

    def applies(resource: Resource, view: TemplateView) -> bool:
        for value in values_at(view, resource.properties, path):
            truth = absent if value is MISSING else None if isinstance(value, Unknown) else view.truth(value)
            if truth is None or truth is on:
                return True
        return False

    return applies


def _given(*path: str) -> Applies:
    """The key matters only where the property at ``path`` may be given (a feature group's offline store)."""
    return lambda resource, view: any(value is not MISSING for value in values_at(view, resource.properties, path))


# FSx for Lustre scratch file systems take no key: FSx encrypts them with keys it manages, one per file system
# (docs.aws.amazon.com/fsx/latest/LustreGuide/encryption-at-rest.html). No DeploymentType is read as scratch:
# where the template leaves it out the key may not apply, so no finding is made.
_SCRATCH = ("SCRATCH_1", "SCRATCH_2")


def _not_scratch_lustre(resource: Resource, view: TemplateView) -> bool:
    """The key matters unless the file system is, in every case, a Lustre scratch file system."""
    kinds = values_at(view, resource.properties, ("FileSystemType",))
    if any(kind != "LUSTRE" for kind in kinds):
        return True
    deployments = values_at(view, resource.properties, ("LustreConfiguration", "DeploymentType"))
    return any(deployment is not MISSING and deployment not in _SCRATCH for deployment in deployments)


# Conditional on purpose: a store may not be encrypted at all (the EU-ENC rules say so), and this clause stays true.
AWS_MANAGED = (
    "what is encrypted at rest is under the AWS-managed key {alias}, whose key policy the account cannot change "
    "(whether it is encrypted at all is the EU-ENC rules' finding)"
)
SERVICE_OWNED = "the data is encrypted with a key {service} owns, which no key policy of the account controls"
# For services that always encrypt, where the doc names no single default key (an AWS-owned or an AWS-managed one).
CHOSEN_BY_SERVICE = (
    "{service} encrypts the data with a key it chooses (AWS-owned or AWS-managed), whose key policy the account "
    "cannot change"
)
# For services that always encrypt with an AWS-managed key when none is named.
ALWAYS_AWS_MANAGED = (
    "{service} encrypts the data with {key}, an AWS-managed key whose key policy the account cannot change"
)
# Where the data lands in S3, which encrypts every new object, with SSE-S3 unless the bucket's default encryption
# names a KMS key (docs.aws.amazon.com/AmazonS3/latest/userguide/UsingServerSideEncryption.html).
S3_DEFAULT = (
    "{what} are encrypted as {writer} or the S3 bucket's default encryption says (SSE-S3 unless one names a KMS "
    "key), not with a key this {where} names"
)
UNENCRYPTED = "the data is not encrypted at rest at all"

STORE_KEYS: Mapping[str, tuple[StoreKey, ...]] = {
    "AWS::Logs::LogGroup": (
        StoreKey(("KmsKeyId",), SERVICE_OWNED.format(service="CloudWatch Logs"), "aws_logs.LogGroup(encryption_key=)"),
    ),
    "AWS::Backup::BackupVault": (
        StoreKey(
            ("EncryptionKeyArn",),
            AWS_MANAGED.format(alias="aws/backup"),
            "aws_backup.BackupVault(encryption_key=)",
        ),
    ),
    "AWS::MSK::Cluster": (
        StoreKey(
            ("EncryptionInfo", "EncryptionAtRest", "DataVolumeKMSKeyId"),
            AWS_MANAGED.format(alias="aws/kafka"),
            "aws_msk_alpha.Cluster(ebs_storage_info=EbsStorageInfo(encryption_key=))",
        ),
    ),
    "AWS::SQS::Queue": (
        StoreKey(
            ("KmsMasterKeyId",),
            SERVICE_OWNED.format(service="SQS") + " (SSE-SQS), if any",
            "aws_sqs.Queue(encryption=QueueEncryption.KMS, encryption_master_key=)",
        ),
    ),
    "AWS::SNS::Topic": (StoreKey(("KmsMasterKeyId",), UNENCRYPTED, "aws_sns.Topic(master_key=)"),),
    "AWS::Kinesis::Stream": (
        StoreKey(
            ("StreamEncryption", "KeyId"),
            UNENCRYPTED,
            "aws_kinesis.Stream(encryption=StreamEncryption.KMS, encryption_key=)",
        ),
    ),
    "AWS::KinesisFirehose::DeliveryStream": (
        StoreKey(
            ("DeliveryStreamEncryptionConfigurationInput", "KeyARN"),
            "records are encrypted with an AWS-owned key, if at all",
            "aws_kinesisfirehose.DeliveryStream(encryption=StreamEncryption.customer_managed_key())",
            _one_of(("DeliveryStreamType",), frozenset({"DirectPut"}), "DirectPut"),
        ),
    ),
    "AWS::RDS::DBInstance": (
        StoreKey(
            ("KmsKeyId",),
            AWS_MANAGED.format(alias="aws/rds"),
            "aws_rds.DatabaseInstance(storage_encryption_key=)",
            _not_given("DBClusterIdentifier", "SourceDBInstanceIdentifier"),
        ),
    ),
    "AWS::RDS::DBCluster": (
        StoreKey(
            ("KmsKeyId",),
            AWS_MANAGED.format(alias="aws/rds"),
            "aws_rds.DatabaseCluster(storage_encryption_key=)",
        ),
    ),
    "AWS::DocDB::DBCluster": (
        StoreKey(
            ("KmsKeyId",),
            AWS_MANAGED.format(alias="aws/rds"),
            "aws_docdb.DatabaseCluster(kms_key=)",
        ),
    ),
    "AWS::Neptune::DBCluster": (
        StoreKey(
            ("KmsKeyId",),
            AWS_MANAGED.format(alias="aws/rds"),
            "aws_neptune_alpha.DatabaseCluster(kms_key=)",
        ),
    ),
    "AWS::Redshift::Cluster": (StoreKey(("KmsKeyId",), AWS_MANAGED.format(alias="aws/redshift"), "KmsKeyId"),),
    "AWS::ElastiCache::ReplicationGroup": (
        StoreKey(
            ("KmsKeyId",),
            SERVICE_OWNED.format(service="ElastiCache"),
            "CfnReplicationGroup(kms_key_id=)",
        ),
    ),
    "AWS::ElastiCache::ServerlessCache": (
        StoreKey(("KmsKeyId",), SERVICE_OWNED.format(service="ElastiCache"), "CfnServerlessCache(kms_key_id=)"),
    ),
    "AWS::EC2::Volume": (
        StoreKey(
            ("KmsKeyId",),
            "encrypted volumes use the account's default EBS key, aws/ebs unless it was changed",
            "aws_ec2.Volume(encryption_key=)",
        ),
    ),
    "AWS::EFS::FileSystem": (
        StoreKey(
            ("KmsKeyId",),
            AWS_MANAGED.format(alias="aws/elasticfilesystem"),
            "aws_efs.FileSystem(kms_key=)",
        ),
    ),
    "AWS::OpenSearchService::Domain": (
        StoreKey(
            ("EncryptionAtRestOptions", "KmsKeyId"),
            AWS_MANAGED.format(alias="aws/es"),
            "aws_opensearchservice.Domain(encryption_at_rest=EncryptionAtRestOptions(kms_key=))",
        ),
    ),
    "AWS::Elasticsearch::Domain": (
        StoreKey(
            ("EncryptionAtRestOptions", "KmsKeyId"),
            AWS_MANAGED.format(alias="aws/es"),
            "CfnDomain(encryption_at_rest_options=)",
        ),
    ),
    "AWS::Lambda::Function": (
        StoreKey(
            ("KmsKeyArn",),
            "the environment variables, not all of them written in the template, are encrypted with the "
            "AWS-managed key aws/lambda, whose key policy the account cannot change",
            "aws_lambda.Function(environment_encryption=)",
            _not_all_written("Environment", "Variables"),
        ),
    ),
    "AWS::CloudTrail::Trail": (
        StoreKey(
            ("KMSKeyId",),
            "the log files are encrypted with SSE-S3, S3's own key, which no key policy of the account controls",
            "aws_cloudtrail.Trail(encryption_key=)",
        ),
    ),
    "AWS::CloudTrail::EventDataStore": (
        StoreKey(("KmsKeyId",), SERVICE_OWNED.format(service="CloudTrail"), "CfnEventDataStore(kms_key_id=)"),
    ),
    "AWS::StepFunctions::StateMachine": (
        StoreKey(
            ("EncryptionConfiguration", "KmsKeyId"),
            SERVICE_OWNED.format(service="Step Functions"),
            "aws_stepfunctions.StateMachine(encryption_configuration=CustomerManagedEncryptionConfiguration())",
        ),
    ),
    "AWS::StepFunctions::Activity": (
        StoreKey(
            ("EncryptionConfiguration", "KmsKeyId"),
            SERVICE_OWNED.format(service="Step Functions"),
            "aws_stepfunctions.Activity(encryption_configuration=CustomerManagedEncryptionConfiguration())",
        ),
    ),
    # Build output, caches and logs: the AWS-managed key for S3 unless a key is named
    # (docs.aws.amazon.com/codebuild/latest/userguide/setting-up-kms.html).
    "AWS::CodeBuild::Project": (
        StoreKey(
            ("EncryptionKey",),
            "CodeBuild encrypts the build output with the AWS-managed key aws/s3 (unless the artifacts turn "
            "encryption off), whose key policy the account cannot change",
            "aws_codebuild.Project(encryption_key=)",
        ),
    ),
    # Exported raw test results: the AWS-managed key for S3 or a customer-managed key
    # (docs.aws.amazon.com/codebuild/latest/userguide/report-group-export-settings.html).
    "AWS::CodeBuild::ReportGroup": (
        StoreKey(
            ("ExportConfig", "S3Destination", "EncryptionKey"),
            "the exported test results are encrypted with the AWS-managed key aws/s3 (unless EncryptionDisabled is "
            "true), whose key policy the account cannot change",
            "aws_codebuild.ReportGroup(export_bucket=) with a bucket under a customer-managed key",
            _one_of(("ExportConfig", "ExportConfigType"), frozenset({"S3"}), None),
        ),
    ),
    # Results in the workgroup's S3 location, or in Athena's managed storage (then under Athena's key when none is
    # named); the two cannot be set together (AWS::Athena::WorkGroup, CloudFormation resource reference).
    "AWS::Athena::WorkGroup": (
        StoreKey(
            ("WorkGroupConfiguration", "ResultConfiguration", "EncryptionConfiguration", "KmsKey"),
            S3_DEFAULT.format(what="query results", writer="each query", where="workgroup"),
            "CfnWorkGroup(work_group_configuration=)",
            _switched(
                ("WorkGroupConfiguration", "ManagedQueryResultsConfiguration", "Enabled"), on=False, absent=False
            ),
        ),
        StoreKey(
            ("WorkGroupConfiguration", "ManagedQueryResultsConfiguration", "EncryptionConfiguration", "KmsKey"),
            SERVICE_OWNED.format(service="Athena"),
            "CfnWorkGroup(work_group_configuration=)",
            _switched(("WorkGroupConfiguration", "ManagedQueryResultsConfiguration", "Enabled"), on=True, absent=False),
        ),
    ),
    # What jobs, crawlers and endpoints write
    # (docs.aws.amazon.com/glue/latest/dg/encryption-security-configuration.html).
    # Only the first S3 encryption is read: the finding stays true where there is none.
    "AWS::Glue::SecurityConfiguration": (
        StoreKey(
            ("EncryptionConfiguration", "S3Encryptions", 0, "KmsKeyArn"),
            S3_DEFAULT.format(what="the objects written to S3", writer="the job", where="security configuration"),
            "aws_glue.SecurityConfiguration(s3_encryption=S3Encryption.kms())",
        ),
        StoreKey(
            ("EncryptionConfiguration", "CloudWatchEncryption", "KmsKeyArn"),
            "the logs are encrypted as their log group is (with a key CloudWatch Logs owns unless the group names "
            "one), not with a key this security configuration names",
            "aws_glue.SecurityConfiguration(cloud_watch_encryption=CloudWatchEncryption.kms())",
        ),
        StoreKey(
            ("EncryptionConfiguration", "JobBookmarksEncryption", "KmsKeyArn"),
            "the job bookmarks are encrypted, if at all, as AWS Glue chooses, with no key whose policy the account "
            "controls",
            "aws_glue.SecurityConfiguration(job_bookmarks_encryption=JobBookmarksEncryption.client_side_kms())",
        ),
    ),
    # The domain's EFS volume: an AWS-managed key by default
    # (AWS::SageMaker::Domain KmsKeyId, CloudFormation resource reference).
    "AWS::SageMaker::Domain": (
        StoreKey(
            ("KmsKeyId",),
            "SageMaker encrypts the domain's EFS volume with an AWS-managed key, whose key policy the account "
            "cannot change",
            "CfnDomain(kms_key_id=)",
        ),
    ),
    # AWS-owned or AWS-managed keys when none is named; the online store is off unless enabled
    # (docs.aws.amazon.com/sagemaker/latest/dg/feature-store-security.html).
    "AWS::SageMaker::FeatureGroup": (
        StoreKey(
            ("OnlineStoreConfig", "SecurityConfig", "KmsKeyId"),
            CHOSEN_BY_SERVICE.format(service="Feature Store"),
            "CfnFeatureGroup(online_store_config=)",
            _switched(("OnlineStoreConfig", "EnableOnlineStore"), on=True, absent=False),
        ),
        StoreKey(
            ("OfflineStoreConfig", "S3StorageConfig", "KmsKeyId"),
            CHOSEN_BY_SERVICE.format(service="Feature Store"),
            "CfnFeatureGroup(offline_store_config=)",
            _given("OfflineStoreConfig"),
        ),
    ),
    # Always encrypted; alias/aws/timestream when no key is named
    # (docs.aws.amazon.com/timestream/latest/developerguide/EncryptionAtRest.html).
    "AWS::Timestream::Database": (
        StoreKey(
            ("KmsKeyId",),
            ALWAYS_AWS_MANAGED.format(service="Timestream", key="aws/timestream"),
            "CfnDatabase(kms_key_id=)",
        ),
    ),
    # An AWS-owned key by default (UseAwsOwnedKey), a default key otherwise; EncryptionOptions does not apply to
    # RabbitMQ brokers (AWS::AmazonMQ::Broker EncryptionOptions, CloudFormation reference).
    "AWS::AmazonMQ::Broker": (
        StoreKey(
            ("EncryptionOptions", "KmsKeyId"),
            CHOSEN_BY_SERVICE.format(service="Amazon MQ"),
            "CfnBroker(encryption_options=EncryptionOptionsProperty(use_aws_owned_key=False, kms_key_id=))",
            _one_of(("EngineType",), frozenset({"ACTIVEMQ"}), None, ignore_case=True),
        ),
    ),
    # Kubernetes API data (secrets among it) is envelope-encrypted with a key EKS chooses from 1.28
    # (docs.aws.amazon.com/eks/latest/userguide/envelope-encryption.html), and etcd's EBS volumes are encrypted in
    # every version (docs.aws.amazon.com/prescriptive-guidance/latest/encryption-best-practices/eks.html).
    # Only the first encryption config is read: the finding stays true where there is none.
    "AWS::EKS::Cluster": (
        StoreKey(
            ("EncryptionConfig", 0, "Provider", "KeyArn"),
            CHOSEN_BY_SERVICE.format(service="EKS"),
            "aws_eks.Cluster(secrets_encryption_key=)",
        ),
    ),
    # An AWS-owned key by default (docs.aws.amazon.com/kendra/latest/dg/encryption-at-rest.html).
    "AWS::Kendra::Index": (
        StoreKey(
            ("ServerSideEncryptionConfiguration", "KmsKeyId"),
            SERVICE_OWNED.format(service="Kendra"),
            "CfnIndex(server_side_encryption_configuration=)",
        ),
    ),
    # AWS-owned keys for agents created since 22 January 2025, an AWS-managed key before
    # (docs.aws.amazon.com/bedrock/latest/userguide/encryption-agents-new.html).
    "AWS::Bedrock::Agent": (
        StoreKey(
            ("CustomerEncryptionKeyArn",),
            CHOSEN_BY_SERVICE.format(service="Bedrock"),
            "CfnAgent(customer_encryption_key_arn=)",
        ),
    ),
    # Always encrypted, service-managed by default
    # (docs.aws.amazon.com/memorydb/latest/devguide/at-rest-encryption.html).
    "AWS::MemoryDB::Cluster": (
        StoreKey(("KmsKeyId",), CHOSEN_BY_SERVICE.format(service="MemoryDB"), "CfnCluster(kms_key_id=)"),
    ),
    # The account's default KMS key when none is named (DocumentDB Elastic CreateCluster kmsKeyId, API reference).
    "AWS::DocDBElastic::Cluster": (
        StoreKey(
            ("KmsKeyId",),
            ALWAYS_AWS_MANAGED.format(service="DocumentDB", key="the default key KMS creates for the account"),
            "CfnCluster(kms_key_id=)",
        ),
    ),
    # The FSx-managed key of the account when none is named (FSx FileSystem KmsKeyId, API reference).
    "AWS::FSx::FileSystem": (
        StoreKey(
            ("KmsKeyId",),
            ALWAYS_AWS_MANAGED.format(service="Amazon FSx", key="its key in the account"),
            "aws_fsx.LustreFileSystem(kms_key=) or CfnFileSystem(kms_key_id=)",
            _not_scratch_lustre,
        ),
    ),
    # AWS_OWNED_KMS_KEY is the default EncryptionType (Keyspaces EncryptionSpecification, API reference).
    "AWS::Cassandra::Table": (
        StoreKey(
            ("EncryptionSpecification", "KmsKeyIdentifier"),
            SERVICE_OWNED.format(service="Keyspaces"),
            "CfnTable(encryption_specification=EncryptionSpecificationProperty(encryption_type="
            '"CUSTOMER_MANAGED_KMS_KEY", kms_key_identifier=))',
        ),
    ),
    # Always encrypted; aws/kinesisvideo when no key is named (Kinesis Video CreateStream KmsKeyId, API reference).
    "AWS::KinesisVideo::Stream": (
        StoreKey(
            ("KmsKeyId",),
            ALWAYS_AWS_MANAGED.format(service="Kinesis Video Streams", key="aws/kinesisvideo"),
            "CfnStream(kms_key_id=)",
        ),
    ),
    # The account's default DMS key when none is named (DMS ReplicationInstance KmsKeyId, API reference).
    "AWS::DMS::ReplicationInstance": (
        StoreKey(
            ("KmsKeyId",),
            ALWAYS_AWS_MANAGED.format(service="DMS", key="the default key KMS creates for the account"),
            "CfnReplicationInstance(kms_key_id=)",
        ),
    ),
    # An AWS-owned key or a customer-managed one (MWAA CreateEnvironment KmsKey, API reference).
    "AWS::MWAA::Environment": (
        StoreKey(("KmsKey",), CHOSEN_BY_SERVICE.format(service="MWAA"), "CfnEnvironment(kms_key=)"),
    ),
    # An AWS-owned key by default (docs.aws.amazon.com/eventbridge/latest/userguide/eb-custom-bus-encryption.html).
    "AWS::Events::EventBus": (
        StoreKey(
            ("KmsKeyIdentifier",),
            SERVICE_OWNED.format(service="EventBridge"),
            "aws_events.EventBus(kms_key=)",
        ),
    ),
    # An AWS-managed key by default (docs.aws.amazon.com/codeartifact/latest/ug/security-encryption.html).
    "AWS::CodeArtifact::Domain": (
        StoreKey(
            ("EncryptionKey",),
            ALWAYS_AWS_MANAGED.format(service="CodeArtifact", key="its key in the account"),
            "CfnDomain(encryption_key=)",
        ),
    ),
    # AWS-owned keys always; a customer-managed key adds a second layer
    # (docs.aws.amazon.com/location/latest/developerguide/encryption-at-rest.html).
    "AWS::Location::Tracker": (
        StoreKey(("KmsKeyId",), SERVICE_OWNED.format(service="Amazon Location"), "CfnTracker(kms_key_id=)"),
    ),
}


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    for store_key in STORE_KEYS.get(resource.type, ()):
        if store_key.applies is None or store_key.applies(resource, view):
            yield from _judge(resource, view, store_key)


def _judge(resource: Resource, view: TemplateView, store_key: StoreKey) -> Iterator[Violation]:
    fix = f"Name a customer-managed KMS key in {dotted(store_key.path)} (L2: {store_key.cdk})."
    for path, values in key_sites(view, resource.properties, store_key.path):
        for violation in key_value_violations(
            values,
            get(resource.properties, path),
            path,
            what="the KMS key",
            missing=f"no customer-managed key is named ({dotted(path)} is not set): {store_key.default}",
            customer_managed=True,
        ):
            yield Violation(violation.path, violation.message, violation.severity, violation.unknown, fix)


def key_sites(
    view: TemplateView, properties: Mapping[str, Any], pattern: PropertyPath
) -> Iterator[tuple[PropertyPath, list[Any]]]:
    """Each concrete path ``pattern`` names (``EACH``: every element of a list), with its resolved values."""
    if EACH not in pattern:
        yield pattern, values_at(view, properties, pattern)
        return
    star = pattern.index(EACH)
    head, tail = pattern[:star], pattern[star + 1 :]
    for lists in values_at(view, properties, head):
        if lists is MISSING:
            continue
        if not isinstance(lists, list):
            reason = lists if isinstance(lists, Unknown) else Unknown(f"a {type(lists).__name__}, not a list")
            yield head, [reason]
            continue
        for index, item in enumerate(lists):
            yield from _item_sites((*head, index), item, tail)


def _item_sites(path: PropertyPath, item: Any, tail: PropertyPath) -> Iterator[tuple[PropertyPath, list[Any]]]:
    if EACH not in tail:
        yield (*path, *tail), descend(item, tail)
        return
    star = tail.index(EACH)
    for lists in descend(item, tail[:star]):
        if isinstance(lists, list):
            for index, element in enumerate(lists):
                yield from _item_sites((*path, *tail[:star], index), element, tail[star + 1 :])
        elif lists is not MISSING:
            yield (*path, *tail[:star]), [lists if isinstance(lists, Unknown) else Unknown("not a list")]


def _judged() -> str:
    return "; ".join(
        f"{resource_type} {', '.join(dotted(key.path) for key in keys)}" for resource_type, keys in STORE_KEYS.items()
    )


RULE = Rule(
    id="EU-KEY-010",
    title="Stores of user data name a customer-managed KMS key",
    explanation=(
        "Logs, queues, topics, streams, databases, file systems, backups, functions' environments, trails "
        "and workflows hold user data (a function's environment only where a value is not text written in the "
        "template, which whoever reads the template reads without any key: a resource's value, a parameter, an "
        "import or a dynamic reference). Named with a customer-managed KMS key, reading that data also needs "
        "the key, whose policy the account can restrict to the services that use it, audit in CloudTrail "
        "and revoke; an AWS-owned or AWS-managed key gives none of that. Whether the data is encrypted at "
        f"all is for the EU-ENC rules. Judged here: {_judged()}."
    ),
    fix="Name a customer-managed KMS key in the store's key property (each finding names the property and "
    "the CDK prop); constructs_lib's DataKey gives one with a key policy limited to the service.",
    severity=Severity.ERROR,
    resource_types=frozenset(STORE_KEYS),
    check_resource=check,
)

__all__ = ["EACH", "STORE_KEYS", "StoreKey", "key_sites"]
