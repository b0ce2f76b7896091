"""The rules on templates that CDK L2 constructs synthesize: each Fail* construct breaks its rule, no Pass* one does."""

from __future__ import annotations

from typing import Any

from aws_cdk import App, Duration, Environment, SecretValue, Size, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_backup as backup
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_codepipeline_actions as actions
from aws_cdk import aws_docdb as docdb
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_efs as efs
from aws_cdk import aws_elasticloadbalancing as elb
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_events as events
from aws_cdk import aws_globalaccelerator as globalaccelerator
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_opensearchservice as opensearch
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs

from eu_residency.rules.registry import RULES
from tests.eu_residency.rules import (
    test_l2_at_rest_part1,
    test_l2_at_rest_part2,
    test_l2_in_transit,
    test_l2_more_store_keys,
    test_l2_residency_vectors,
)
from tests.eu_residency.rules.l2_harness import (
    ACCOUNT,
    REGION,
    Cases,
    case_tests,
    l2_app,
)

# The files of L2 cases beside this one: the every-rule test below counts their cases too.
PARTS = (
    test_l2_at_rest_part1,
    test_l2_at_rest_part2,
    test_l2_in_transit,
    test_l2_more_store_keys,
    test_l2_residency_vectors,
)

EU_CERTIFICATE = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555"
US_CERTIFICATE = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555"

# The cases (l2_harness says how a finding is named).
CASES: Cases = {
    "EU-RES-001": ({"Agnostic"}, {"L2Cases"}),
    # A bucket of another app, named by from_bucket_name: its region cannot be shown (an error, not fatal).
    "EU-RES-010": ({"FailReplicatedOutsideAppBucket"}, {"PassReplicatedBucket"}),
    "EU-RES-011": ({"FailUsReplicaTable"}, {"PassEuReplicaTable"}),
    "EU-RES-012": ({"FailUsCopyPlan"}, {"PassEuCopyPlan"}),
    "EU-RES-013": ({"FailUsReplicaCluster"}, {"PassEuReplicaCluster", "PassReadReplicaDb"}),
    "EU-RES-016": ({"FailUsReplicatedFileSystem"}, {"PassEuReplicatedFileSystem"}),
    "EU-RES-017": ({"FailUsReplicaSecret"}, {"PassEuReplicaSecret"}),
    "EU-RES-020": ({"FailMultiRegionKey"}, {"PassRotatedKey"}),
    "EU-RES-023": ({"FailUsPipeline"}, {"PassEuPipeline"}),
    # Every distribution and accelerator is fatal: no L2 setting makes one compliant.
    "EU-RES-030": ({"FailDistribution"}, set()),
    "EU-RES-031": ({"FailAccelerator"}, set()),
    "EU-RES-032": ({"FailEdgeRestApi"}, {"PassRegionalRestApi"}),
    "EU-RES-033": ({"FailAcceleratedBucket"}, {"PassKmsBucket"}),
    "EU-RES-035": ({"FailUsCertificateAlb"}, {"PassHttpsAlb", "PassTlsNlb"}),
    "EU-RES-050": ({"FailHttpEndpointFirehose"}, {"PassEncryptedFirehose"}),
    # With RuleSettings() no endpoint is vetted, so every API destination is reported.
    "EU-RES-051": ({"FailApiDestination"}, set()),
    "EU-RES-052": (
        {"FailUrlSubscribedTopic", "FailEmailSubscribedTopic", "FailSmsSubscribedTopic"},
        {"PassQueueSubscribedTopic"},
    ),
    # FailUsReplicaSecret: its replica's KMS key ARN names us-east-1 too (a property EU-RES-017 does not read).
    # FailUsPipeline: its deploy action's role may act on a CloudFormation stack in us-east-1 (an ARN CDK
    # joins from pieces, read through the resolver).
    "EU-RES-060": (
        {"FailUsTopicFunction", "FailUsReplicaSecret", "FailUsPipeline"},
        {"PassEuTopicFunction", "PassEuReplicaSecret"},
    ),
    # FailDefaultAuroraMysqlCluster: DatabaseCluster leaves StorageEncrypted unset by default.
    "EU-ENC-001": (
        {"FailUnencryptedDb", "FailDefaultAuroraMysqlCluster"},
        {"PassEncryptedDb", "PassTlsAuroraCluster", "PassEuReplicaCluster", "PassReadReplicaDb"},
    ),
    "EU-ENC-002": ({"FailUnencryptedDocDb"}, {"PassDocDb"}),
    "EU-ENC-007": ({"FailUnencryptedVolume"}, {"PassEncryptedVolume"}),
    "EU-ENC-008": (
        {"FailImageRootInstance", "FailRootVolumeInstance", "FailRootVolumeLaunchTemplate"},
        {"PassRootVolumeInstance", "PassRootVolumeLaunchTemplate"},
    ),
    "EU-ENC-009": ({"FailUnencryptedFileSystem"}, {"PassEncryptedFileSystem"}),
    # The replica tables use the AWS-managed key: EU-RES-011's Pass is EU-KEY-002's Fail.
    "EU-KEY-002": (
        {"FailDefaultTable", "FailDefaultTableV2", "FailUsReplicaTable", "PassEuReplicaTable"},
        {"PassKmsTable"},
    ),
    "EU-ENC-011": ({"FailDefaultDomain", "FailUnencryptedDomain"}, {"PassSecureDomain"}),
    # FailPlainBucket is s3.Bucket() as it comes: no encryption configuration and no TLS-only policy.
    "EU-KEY-001": (
        {"FailPlainBucket", "FailSseS3Bucket", "FailAwsManagedKeyBucket"},
        {"PassKmsBucket", "PassNoBucketKeyBucket", "PassAlbLogBucket", "PassAccessLogBucket"},
    ),
    "EU-ENC-021": ({"FailUnencryptedQueue"}, {"PassDefaultQueue", "PassKmsQueue"}),
    "EU-ENC-022": ({"FailPlainTopic"}, {"PassKmsTopic", "PassQueueSubscribedTopic"}),
    "EU-ENC-023": ({"FailUnencryptedStream"}, {"PassDefaultStream", "PassKmsStream"}),
    "EU-ENC-024": ({"FailUnencryptedFirehose"}, {"PassEncryptedFirehose"}),
    # Every store without a key of the customer's: its own rule's Pass (encrypted with an AWS-managed key) is this
    # rule's Fail, and so is an unencrypted store (EU-ENC reports it unencrypted, this rule that no key is named).
    # FailUsTopicFunction, PassEuTopicFunction: their environment is a topic ARN written in the template, which a
    # key would not keep from whoever reads the template.
    "EU-KEY-010": (
        {
            "FailUnencryptedLogGroup",
            "FailDefaultVault",
            "FailPlainTopic",
            "FailUnencryptedQueue",
            "PassDefaultQueue",
            "FailUnencryptedStream",
            "PassDefaultStream",
            "FailUnencryptedFirehose",
            "FailUnencryptedDb",
            "PassEncryptedDb",
            "FailForceSslOffDb",
            "PassForceSslDb",
            "FailDefaultMysqlDb",
            "PassSecureTransportMysqlDb",
            "FailDefaultAuroraMysqlCluster",
            "PassTlsAuroraCluster",
            "FailUsReplicaCluster",
            "PassEuReplicaCluster",
            "FailUnencryptedDocDb",
            "PassDocDb",
            "FailUnencryptedVolume",
            "PassEncryptedVolume",
            "FailUnencryptedFileSystem",
            "PassEncryptedFileSystem",
            "FailUsReplicatedFileSystem",
            "PassEuReplicatedFileSystem",
            "FailDefaultDomain",
            "FailUnencryptedDomain",
            "FailTls10Domain",
            "PassSecureDomain",
        },
        # PassReadReplicaDb: a read replica in its source's region takes its source's key.
        {
            "PassEncryptedLogGroup",
            "PassKmsVault",
            "PassKmsQueue",
            "PassKmsTopic",
            "PassKmsStream",
            "PassReadReplicaDb",
            "FailUsTopicFunction",
            "PassEuTopicFunction",
        },
    ),
    # A read replica DatabaseCluster refuses credentials yet still generates and attaches a master secret under
    # aws/secretsmanager: the L2 gives both replica clusters a secret this rule rightly reports.
    "EU-KEY-003": (
        {"FailPlainSecret", "FailAwsKeyReplicaSecret", "FailUsReplicaCluster", "PassEuReplicaCluster"},
        {"PassKmsSecret", "PassEuReplicaSecret", "PassEncryptedDb", "PassDocDb"},
    ),
    "EU-KEY-004": ({"FailPlainRepository", "FailAwsManagedKeyRepository"}, {"PassKmsRepository"}),
    "EU-KEY-020": ({"FailUnrotatedKey"}, {"PassRotatedKey", "PassAsymmetricKey"}),
    "EU-ENC-040": ({"FailPlainBucket", "FailNoTlsPolicyBucket"}, {"PassKmsBucket", "PassAlbLogBucket"}),
    "EU-ENC-041": (
        {"FailHttpAlb", "FailHttpRuleForwardAlb", "FailTcpNlb"},
        {"PassHttpRedirectAlb", "PassHttpsAlb", "PassTlsNlb", "PassTlsPassthroughNlb"},
    ),
    "EU-ENC-042": ({"FailOldTlsPolicyAlb", "FailDefaultTlsPolicyAlb"}, {"PassHttpsAlb", "PassTlsNlb"}),
    # The classic L2 cannot define an SSLNegotiationPolicyType policy, so none of its HTTPS listeners complies.
    "EU-ENC-043": ({"FailHttpClassicElb", "FailHttpsClassicElb"}, set()),
    "EU-ENC-045": ({"FailForceSslOffDb"}, {"PassForceSslDb", "PassSecureTransportMysqlDb", "PassTlsAuroraCluster"}),
    # FailDefaultAuroraMysqlCluster: that the default aurora-mysql cluster parameter group requires TLS cannot be shown.
    "EU-ENC-046": (
        {"FailForceSslOffDb", "FailDefaultMysqlDb", "FailDefaultAuroraMysqlCluster"},
        {
            "PassEncryptedDb",
            "PassForceSslDb",
            "PassSecureTransportMysqlDb",
            "PassTlsAuroraCluster",
            "PassReadReplicaDb",
        },
    ),
    # FailDefaultDomain: Domain's defaults leave HTTPS unenforced and node-to-node encryption off.
    "EU-ENC-047": ({"FailDefaultDomain", "FailTls10Domain"}, {"PassSecureDomain"}),
    "EU-RET-001": ({"FailForeverLogGroup"}, {"PassEncryptedLogGroup"}),
    "EU-RET-002": (
        {"FailVersionedBucket", "FailPrefixLifecycleBucket"},
        {"PassVersionedBucket", "PassReplicatedBucket"},
    ),
    "EU-RET-003": ({"FailForeverPlan", "FailForeverCopyPlan"}, {"PassDailyPlan", "PassEuCopyPlan"}),
}

# rule id -> why no construct of aws-cdk-lib above L1 can express the case.
NO_L2: dict[str, str] = {
    "EU-KEY-005": "aws-cdk-lib has no OpenSearch Serverless L2: security policies are the L1 CfnSecurityPolicy only",
    "EU-KEY-021": "aws_kms.Key has no origin prop: imported key material is the L1 CfnKey(origin='EXTERNAL') only",
    "EU-RES-002": "CDK's NestedStack puts its template in the assembly; a remote TemplateURL is an L1 case",
    "EU-RES-003": "aws-cdk-lib has no StackSet L2: StackSets are the L1 CfnStackSet only",
    "EU-RES-014": "DatabaseCluster has no global-database prop; AWS::RDS::GlobalCluster is L1 only (CfnGlobalCluster)",
    "EU-RES-015": "aws-cdk-lib has no ElastiCache L2 (only @aws-cdk/aws-elasticache-alpha); global datastores are L1",
    "EU-RES-018": "ecr.Repository has no replication prop; registry replication is the L1 CfnReplicationConfiguration",
    "EU-RES-019": "aws-cdk-lib has no Redshift L2 (only @aws-cdk/aws-redshift-alpha)",
    "EU-RES-021": "S3 Multi-Region Access Points exist only as the L1 CfnMultiRegionAccessPoint",
    "EU-RES-022": "ec2.Vpc has no peering; VPC and transit gateway peering are L1 only (CfnVPCPeeringConnection, ...)",
    "EU-RES-034": "aws-cdk-lib has no WAFv2 L2: web ACLs, rule groups and sets are L1 only",
    "EU-ENC-003": "aws-cdk-lib has no Neptune L2 (only @aws-cdk/aws-neptune-alpha)",
    "EU-ENC-004": "aws-cdk-lib has no Redshift L2 (only @aws-cdk/aws-redshift-alpha)",
    "EU-ENC-005": "aws-cdk-lib has no ElastiCache L2 (only @aws-cdk/aws-elasticache-alpha)",
    "EU-ENC-006": "aws-cdk-lib has no ElastiCache L2 (only @aws-cdk/aws-elasticache-alpha)",
    "EU-ENC-044": "aws-cdk-lib has no ElastiCache L2 (only @aws-cdk/aws-elasticache-alpha)",
    "EU-ENC-048": "aws-cdk-lib has no MSK L2 (only @aws-cdk/aws-msk-alpha)",
}


class Shared:
    """What the cases share, named without Pass/Fail: compliant itself, reported or not, never asserted on."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.key = kms.Key(stack, "Key", enable_key_rotation=True)
        self.vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
        self.isolated = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)

    def bucket(self, construct_id: str, **props: Any) -> s3.Bucket:
        """A bucket that keeps every rule unless ``props`` says otherwise."""
        defaults: dict[str, Any] = {
            "encryption": s3.BucketEncryption.KMS,
            "encryption_key": self.key,
            "bucket_key_enabled": True,
            "enforce_ssl": True,
        }
        if props.get("versioned") and "lifecycle_rules" not in props:
            defaults["lifecycle_rules"] = [s3.LifecycleRule(noncurrent_version_expiration=Duration.days(30))]
        return s3.Bucket(self.stack, construct_id, **{**defaults, **props})

    def credentials(self) -> rds.Credentials:
        return rds.Credentials.from_generated_secret("dbadmin", encryption_key=self.key)


def _buckets(shared: Shared) -> None:
    stack = shared.stack
    s3.Bucket(stack, "FailPlainBucket")  # the L2 as it comes: no BucketEncryption, no TLS-only bucket policy
    shared.bucket("FailSseS3Bucket", encryption=s3.BucketEncryption.S3_MANAGED, encryption_key=None)
    shared.bucket(
        "FailAwsManagedKeyBucket",
        encryption=s3.BucketEncryption.KMS_MANAGED,
        encryption_key=None,
        bucket_key_enabled=None,
    )
    shared.bucket("PassNoBucketKeyBucket", bucket_key_enabled=None)  # a Bucket Key saves cost; no finding
    access_logs = shared.bucket(
        "PassAccessLogBucket", encryption=s3.BucketEncryption.S3_MANAGED, encryption_key=None, bucket_key_enabled=None
    )
    shared.bucket("PassKmsBucket", server_access_logs_bucket=access_logs)  # S3 server access logs need SSE-S3 too
    shared.bucket("FailNoTlsPolicyBucket", enforce_ssl=False)
    shared.bucket("FailVersionedBucket", versioned=True, lifecycle_rules=None)
    shared.bucket(
        "FailPrefixLifecycleBucket",
        versioned=True,
        lifecycle_rules=[s3.LifecycleRule(prefix="tmp/", noncurrent_version_expiration=Duration.days(30))],
    )
    shared.bucket("PassVersionedBucket", versioned=True)
    shared.bucket("FailAcceleratedBucket", transfer_acceleration=True)
    replica = shared.bucket("ReplicaBucket", versioned=True)
    shared.bucket("PassReplicatedBucket", versioned=True, replication_rules=[s3.ReplicationRule(destination=replica)])
    outside = s3.Bucket.from_bucket_name(stack, "ExternalReplica", "l2cases-replica-elsewhere")
    shared.bucket(
        "FailReplicatedOutsideAppBucket", versioned=True, replication_rules=[s3.ReplicationRule(destination=outside)]
    )


def _keys_and_logs(shared: Shared) -> None:
    stack = shared.stack
    kms.Key(stack, "FailUnrotatedKey")  # rotation is off by default
    kms.Key(stack, "PassRotatedKey", enable_key_rotation=True)
    kms.Key(stack, "PassAsymmetricKey", key_spec=kms.KeySpec.RSA_2048, key_usage=kms.KeyUsage.SIGN_VERIFY)
    kms.Key(stack, "FailMultiRegionKey", enable_key_rotation=True, multi_region=True)
    logs.LogGroup(stack, "FailUnencryptedLogGroup")  # no KMS key by default (the retention defaults to two years)
    logs.LogGroup(stack, "FailForeverLogGroup", encryption_key=shared.key, retention=logs.RetentionDays.INFINITE)
    logs.LogGroup(stack, "PassEncryptedLogGroup", encryption_key=shared.key, retention=logs.RetentionDays.ONE_MONTH)


def _messaging(shared: Shared) -> None:
    stack, key = shared.stack, shared.key
    sqs.Queue(stack, "PassDefaultQueue")  # no encryption property: SQS applies SSE-SQS
    sqs.Queue(stack, "PassKmsQueue", encryption=sqs.QueueEncryption.KMS, encryption_master_key=key)
    sqs.Queue(stack, "FailUnencryptedQueue", encryption=sqs.QueueEncryption.UNENCRYPTED)
    sns.Topic(stack, "FailPlainTopic")  # no KMS key by default
    sns.Topic(stack, "PassKmsTopic", master_key=key)
    sns.Topic(stack, "FailUrlSubscribedTopic", master_key=key).add_subscription(
        subscriptions.UrlSubscription("https://hooks.example.com/alerts")
    )
    sns.Topic(stack, "FailEmailSubscribedTopic", master_key=key).add_subscription(
        subscriptions.EmailSubscription("ops@example.com")
    )
    sns.Topic(stack, "FailSmsSubscribedTopic", master_key=key).add_subscription(
        subscriptions.SmsSubscription("+15555550100")
    )
    sns.Topic(stack, "PassQueueSubscribedTopic", master_key=key).add_subscription(
        subscriptions.SqsSubscription(sqs.Queue(stack, "SubscriberQueue"))
    )
    kinesis.Stream(stack, "PassDefaultStream")  # KMS with alias/aws/kinesis by default (an Fn::If on the region)
    kinesis.Stream(stack, "PassKmsStream", encryption=kinesis.StreamEncryption.KMS, encryption_key=key)
    kinesis.Stream(stack, "FailUnencryptedStream", encryption=kinesis.StreamEncryption.UNENCRYPTED)
    firehose_bucket = shared.bucket("FirehoseBucket")
    encrypted = firehose.StreamEncryption.customer_managed_key(key)

    def delivery_stream(construct_id: str, endpoint: str | None, encryption: Any) -> None:
        logs_of_stream = logs.LogGroup(
            stack, f"LogsOf{construct_id}", encryption_key=key, retention=logs.RetentionDays.ONE_MONTH
        )
        logging = firehose.EnableLogging(logs_of_stream)
        destination: firehose.IDestination = (
            firehose.S3Bucket(firehose_bucket, logging_config=logging)
            if endpoint is None
            else firehose.HttpEndpoint(
                endpoint_config=firehose.HttpEndpointConfig(url=endpoint),
                logging_config=logging,
                s3_backup=firehose.DestinationS3BackupProps(bucket=firehose_bucket, logging_config=logging),
            )
        )
        firehose.DeliveryStream(stack, construct_id, destination=destination, encryption=encryption)

    delivery_stream("FailUnencryptedFirehose", None, None)
    delivery_stream("PassEncryptedFirehose", None, encrypted)
    delivery_stream("FailHttpEndpointFirehose", "https://collector.example.com/ingest", encrypted)
    connection = events.Connection(
        stack,
        "Connection",
        authorization=events.Authorization.api_key("x-api-key", SecretValue.unsafe_plain_text("token")),
    )
    events.ApiDestination(stack, "FailApiDestination", connection=connection, endpoint="https://hooks.example.com/")


def _tables_secrets_repositories(shared: Shared) -> None:
    stack, key = shared.stack, shared.key
    partition_key = dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING)
    dynamodb.Table(stack, "FailDefaultTable", partition_key=partition_key)  # an AWS-owned key by default
    dynamodb.Table(
        stack,
        "PassKmsTable",
        partition_key=partition_key,
        encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryption_key=key,
    )
    dynamodb.TableV2(stack, "FailDefaultTableV2", partition_key=partition_key)
    for construct_id, region in (("FailUsReplicaTable", "us-east-1"), ("PassEuReplicaTable", "eu-central-1")):
        dynamodb.TableV2(
            stack,
            construct_id,
            partition_key=partition_key,
            encryption=dynamodb.TableEncryptionV2.aws_managed_key(),
            replicas=[dynamodb.ReplicaTableProps(region=region)],
        )
    secretsmanager.Secret(stack, "FailPlainSecret")  # aws/secretsmanager by default
    secretsmanager.Secret(stack, "PassKmsSecret", encryption_key=key)
    for construct_id, region in (("FailUsReplicaSecret", "us-east-1"), ("PassEuReplicaSecret", "eu-central-1")):
        replica_key = kms.Key.from_key_arn(
            stack, f"KeyFor{construct_id}", f"arn:aws:kms:{region}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        )
        secretsmanager.Secret(
            stack,
            construct_id,
            encryption_key=key,
            replica_regions=[secretsmanager.ReplicaRegion(region=region, encryption_key=replica_key)],
        )
    secretsmanager.Secret(
        stack,
        "FailAwsKeyReplicaSecret",
        encryption_key=key,
        replica_regions=[secretsmanager.ReplicaRegion(region="eu-central-1")],
    )
    ecr.Repository(stack, "FailPlainRepository")  # AES256 by default
    ecr.Repository(stack, "FailAwsManagedKeyRepository", encryption=ecr.RepositoryEncryption.KMS)
    ecr.Repository(stack, "PassKmsRepository", encryption_key=key)


def _backups(shared: Shared) -> None:
    stack = shared.stack
    backup.BackupVault(stack, "FailDefaultVault")  # aws/backup by default
    vault = backup.BackupVault(stack, "PassKmsVault", encryption_key=shared.key)
    backup.BackupPlan.daily35_day_retention(stack, "PassDailyPlan", vault)
    daily = events.Schedule.cron(hour="3", minute="0")
    backup.BackupPlan(
        stack,
        "FailForeverPlan",
        backup_vault=vault,
        backup_plan_rules=[backup.BackupPlanRule(rule_name="Daily", schedule_expression=daily)],
    )
    cases = (
        ("FailForeverCopyPlan", "eu-central-1", None),
        ("FailUsCopyPlan", "us-east-1", Duration.days(35)),
        ("PassEuCopyPlan", "eu-central-1", Duration.days(35)),
    )
    for construct_id, region, copy_retention in cases:
        destination = backup.BackupVault.from_backup_vault_arn(
            stack, f"VaultFor{construct_id}", f"arn:aws:backup:{region}:{ACCOUNT}:backup-vault:disaster-recovery"
        )
        copy = backup.BackupPlanCopyActionProps(destination_backup_vault=destination, delete_after=copy_retention)
        rule = backup.BackupPlanRule(
            rule_name="Daily", schedule_expression=daily, delete_after=Duration.days(35), copy_actions=[copy]
        )
        backup.BackupPlan(stack, construct_id, backup_vault=vault, backup_plan_rules=[rule])


def _databases(shared: Shared) -> None:
    stack = shared.stack
    postgres16 = rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_16)
    postgres14 = rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_14)
    mysql = rds.DatabaseInstanceEngine.mysql(version=rds.MysqlEngineVersion.VER_8_0)
    instances: tuple[tuple[str, rds.IInstanceEngine, bool | None, dict[str, str] | None], ...] = (
        ("FailUnencryptedDb", postgres16, None, None),
        ("PassEncryptedDb", postgres16, True, None),
        ("FailForceSslOffDb", postgres14, True, {"rds.force_ssl": "0"}),
        ("PassForceSslDb", postgres14, True, {"rds.force_ssl": "1"}),
        ("FailDefaultMysqlDb", mysql, True, None),
        ("PassSecureTransportMysqlDb", mysql, True, {"require_secure_transport": "ON"}),
    )
    built: dict[str, rds.DatabaseInstance] = {}
    for construct_id, engine, encrypted, parameters in instances:
        built[construct_id] = rds.DatabaseInstance(
            stack,
            construct_id,
            engine=engine,
            vpc=shared.vpc,
            vpc_subnets=shared.isolated,
            credentials=shared.credentials(),
            storage_encrypted=encrypted,
            parameters=parameters,
        )
    # Same region: the replica is encrypted like its source and uses the source's parameter group.
    rds.DatabaseInstanceReadReplica(
        stack,
        "PassReadReplicaDb",
        source_database_instance=built["PassForceSslDb"],
        instance_type=ec2.InstanceType("t3.micro"),
        vpc=shared.vpc,
        vpc_subnets=shared.isolated,
    )
    aurora_postgres = rds.DatabaseClusterEngine.aurora_postgres(version=rds.AuroraPostgresEngineVersion.VER_16_9)
    aurora_mysql = rds.DatabaseClusterEngine.aurora_mysql(version=rds.AuroraMysqlEngineVersion.VER_3_09_0)

    def cluster(construct_id: str, engine: rds.IClusterEngine, **props: Any) -> None:
        rds.DatabaseCluster(
            stack,
            construct_id,
            engine=engine,
            writer=rds.ClusterInstance.provisioned("Writer", instance_type=ec2.InstanceType("r6g.large")),
            vpc=shared.vpc,
            vpc_subnets=shared.isolated,
            **props,
        )

    cluster("FailDefaultAuroraMysqlCluster", aurora_mysql, credentials=shared.credentials())
    tls = {"storage_encrypted": True, "parameters": {"rds.force_ssl": "1"}}
    cluster("PassTlsAuroraCluster", aurora_postgres, credentials=shared.credentials(), **tls)
    # A read replica cluster takes no credentials (they are the source cluster's); its source is named by ARN.
    for construct_id, region in (("FailUsReplicaCluster", "us-east-1"), ("PassEuReplicaCluster", "eu-central-1")):
        source = f"arn:aws:rds:{region}:{ACCOUNT}:cluster:primary"
        cluster(construct_id, aurora_postgres, replication_source_identifier=source, **tls)
    for construct_id, encrypted in (("FailUnencryptedDocDb", False), ("PassDocDb", None)):
        docdb.DatabaseCluster(
            stack,
            construct_id,
            master_user=docdb.Login(username="docadmin", kms_key=shared.key),
            instance_type=ec2.InstanceType("r6g.large"),
            vpc=shared.vpc,
            vpc_subnets=shared.isolated,
            storage_encrypted=encrypted,
        )


def _compute_and_files(shared: Shared) -> None:
    stack, vpc = shared.stack, shared.vpc
    ec2.Volume(stack, "FailUnencryptedVolume", availability_zone=f"{REGION}a", size=Size.gibibytes(8))  # unencrypted
    ec2.Volume(stack, "PassEncryptedVolume", availability_zone=f"{REGION}a", size=Size.gibibytes(8), encrypted=True)
    image = ec2.MachineImage.generic_linux({REGION: "ami-0123456789abcdef0"})
    instance_type = ec2.InstanceType("t3.micro")
    # No block devices: the root volume is the image's, as it is.
    ec2.Instance(
        stack,
        "FailImageRootInstance",
        vpc=vpc,
        vpc_subnets=shared.isolated,
        instance_type=instance_type,
        machine_image=image,
    )
    for prefix, encrypted in (("Fail", None), ("Pass", True)):
        root = [ec2.BlockDevice(device_name="/dev/xvda", volume=ec2.BlockDeviceVolume.ebs(8, encrypted=encrypted))]
        ec2.Instance(
            stack,
            f"{prefix}RootVolumeInstance",
            vpc=vpc,
            vpc_subnets=shared.isolated,
            instance_type=instance_type,
            machine_image=image,
            block_devices=root,
        )
        ec2.LaunchTemplate(stack, f"{prefix}RootVolumeLaunchTemplate", block_devices=root)
    efs.FileSystem(stack, "FailUnencryptedFileSystem", vpc=vpc, vpc_subnets=shared.isolated, encrypted=False)
    efs.FileSystem(stack, "PassEncryptedFileSystem", vpc=vpc, vpc_subnets=shared.isolated)  # encrypted by default
    for construct_id, region in (
        ("FailUsReplicatedFileSystem", "us-east-1"),
        ("PassEuReplicatedFileSystem", "eu-central-1"),
    ):
        efs.FileSystem(
            stack,
            construct_id,
            vpc=vpc,
            vpc_subnets=shared.isolated,
            replication_configuration=efs.ReplicationConfiguration.regional_file_system(region=region),
        )
    for construct_id, topic_region in (("FailUsTopicFunction", "us-east-1"), ("PassEuTopicFunction", REGION)):
        topic_arn = f"arn:aws:sns:{topic_region}:{ACCOUNT}:alerts"
        function = lambda_.Function(
            stack,
            construct_id,
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.Code.from_inline("def handler(event, context):\n    return None\n"),
            environment={"ALERTS_TOPIC_ARN": topic_arn},
        )
        sns.Topic.from_topic_arn(stack, f"TopicFor{construct_id}", topic_arn).grant_publish(function)


def _load_balancers(shared: Shared) -> None:
    stack, vpc = shared.stack, shared.vpc
    ok = elbv2.ListenerAction.fixed_response(200)

    def alb(construct_id: str) -> elbv2.ApplicationLoadBalancer:
        return elbv2.ApplicationLoadBalancer(stack, construct_id, vpc=vpc, internet_facing=True)

    def https(balancer: elbv2.ApplicationLoadBalancer, certificate: str, policy: elbv2.SslPolicy | None) -> None:
        balancer.add_listener(
            "Https",
            port=443,
            certificates=[elbv2.ListenerCertificate.from_arn(certificate)],
            ssl_policy=policy,
            default_action=ok,
        )

    passing = alb("PassHttpsAlb")
    https(passing, EU_CERTIFICATE, elbv2.SslPolicy.RECOMMENDED_TLS)
    log_bucket = shared.bucket(
        "PassAlbLogBucket", encryption=s3.BucketEncryption.S3_MANAGED, encryption_key=None, bucket_key_enabled=None
    )
    passing.log_access_logs(log_bucket)  # ALB access logs go only to SSE-S3 buckets: EU-KEY-001 allows it
    https(alb("FailOldTlsPolicyAlb"), EU_CERTIFICATE, elbv2.SslPolicy.TLS13_10)
    https(alb("FailDefaultTlsPolicyAlb"), EU_CERTIFICATE, None)  # no ssl_policy: the L2 emits no SslPolicy
    us_certificate = acm.Certificate.from_certificate_arn(stack, "UsCertificate", US_CERTIFICATE)
    alb("FailUsCertificateAlb").add_listener(
        "Https", port=443, certificates=[us_certificate], ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS, default_action=ok
    )
    alb("PassHttpRedirectAlb").add_redirect()
    alb("FailHttpAlb").add_listener("Http", port=80, default_action=ok)
    redirecting = alb("FailHttpRuleForwardAlb").add_listener(
        "Http",
        port=80,
        default_action=elbv2.ListenerAction.redirect(protocol="HTTPS", port="443", permanent=True),
    )
    target_group = elbv2.ApplicationTargetGroup(
        stack, "TargetGroup", vpc=vpc, port=80, protocol=elbv2.ApplicationProtocol.HTTP, target_type=elbv2.TargetType.IP
    )
    redirecting.add_action(
        "Api",
        priority=10,
        conditions=[elbv2.ListenerCondition.path_patterns(["/api/*"])],
        action=elbv2.ListenerAction.forward([target_group]),
    )
    network_targets = elbv2.NetworkTargetGroup(
        stack, "NetworkTargets", vpc=vpc, port=443, target_type=elbv2.TargetType.IP
    )
    plain_targets = elbv2.NetworkTargetGroup(stack, "PlainTargets", vpc=vpc, port=80, target_type=elbv2.TargetType.IP)
    elbv2.NetworkLoadBalancer(stack, "FailTcpNlb", vpc=vpc).add_listener(
        "Tcp", port=80, default_target_groups=[plain_targets]
    )
    # TCP on 443 to targets on 443: TLS passes through to the targets, which end it.
    elbv2.NetworkLoadBalancer(stack, "PassTlsPassthroughNlb", vpc=vpc).add_listener(
        "Tcp", port=443, default_target_groups=[network_targets]
    )
    elbv2.NetworkLoadBalancer(stack, "PassTlsNlb", vpc=vpc).add_listener(
        "Tls",
        port=443,
        protocol=elbv2.Protocol.TLS,
        certificates=[elbv2.ListenerCertificate.from_arn(EU_CERTIFICATE)],
        ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
        default_target_groups=[network_targets],
    )
    elb.LoadBalancer(
        stack,
        "FailHttpClassicElb",
        vpc=vpc,
        internet_facing=True,
        listeners=[elb.LoadBalancerListener(external_port=80)],
    )
    elb.LoadBalancer(
        stack,
        "FailHttpsClassicElb",
        vpc=vpc,
        internet_facing=True,
        listeners=[
            elb.LoadBalancerListener(
                external_port=443,
                external_protocol=elb.LoadBalancingProtocol.HTTPS,
                internal_port=80,
                ssl_certificate_arn=EU_CERTIFICATE,
            )
        ],
    )


def _domains_and_edges(shared: Shared) -> None:
    stack = shared.stack
    version = opensearch.EngineVersion.OPENSEARCH_2_9
    at_rest = opensearch.EncryptionAtRestOptions(enabled=True)
    tls12 = opensearch.TLSSecurityPolicy.TLS_1_2
    # By default: no encryption at rest, HTTPS not enforced, no node-to-node encryption (TLS 1.2 policy, though).
    opensearch.Domain(stack, "FailDefaultDomain", version=version)
    opensearch.Domain(
        stack,
        "FailUnencryptedDomain",
        version=version,
        enforce_https=True,
        node_to_node_encryption=True,
        tls_security_policy=tls12,
    )
    opensearch.Domain(
        stack,
        "FailTls10Domain",
        version=version,
        encryption_at_rest=at_rest,
        enforce_https=True,
        node_to_node_encryption=True,
        tls_security_policy=opensearch.TLSSecurityPolicy.TLS_1_0,
    )
    opensearch.Domain(
        stack,
        "PassSecureDomain",
        version=version,
        encryption_at_rest=at_rest,
        enforce_https=True,
        node_to_node_encryption=True,
        tls_security_policy=tls12,
    )
    for construct_id, endpoint_types in (
        ("FailEdgeRestApi", None),  # no endpoint_types: EDGE
        ("PassRegionalRestApi", [apigateway.EndpointType.REGIONAL]),
    ):
        api = apigateway.RestApi(stack, construct_id, endpoint_types=endpoint_types)
        api.root.add_method("GET", apigateway.MockIntegration())
    cloudfront.Distribution(
        stack,
        "FailDistribution",
        default_behavior=cloudfront.BehaviorOptions(origin=origins.HttpOrigin("app.example.eu")),
    )
    accelerator = globalaccelerator.Accelerator(stack, "FailAccelerator")
    accelerator.add_listener("Listener", port_ranges=[globalaccelerator.PortRange(from_port=443)])
    artifacts = shared.bucket("PipelineBucket", versioned=True)
    for construct_id, region in (("FailUsPipeline", "us-east-1"), ("PassEuPipeline", "eu-central-1")):
        source = codepipeline.Artifact()
        replication = s3.Bucket.from_bucket_attributes(
            stack, f"ArtifactsFor{construct_id}", bucket_name=f"l2cases-artifacts-{region}", region=region
        )
        codepipeline.Pipeline(
            stack,
            construct_id,
            cross_account_keys=False,
            cross_region_replication_buckets={REGION: artifacts, region: replication},
            stages=[
                codepipeline.StageProps(
                    stage_name="Source",
                    actions=[
                        actions.S3SourceAction(
                            action_name="Source", bucket=artifacts, bucket_key="app.zip", output=source
                        )
                    ],
                ),
                codepipeline.StageProps(
                    stage_name="Deploy",
                    actions=[
                        actions.CloudFormationCreateUpdateStackAction(
                            action_name="Deploy",
                            stack_name="app",
                            template_path=source.at_path("template.yaml"),
                            admin_permissions=False,
                            region=region,
                        )
                    ],
                ),
            ],
        )


def _build() -> tuple[App, list[Stack]]:
    app = l2_app()
    stack = Stack(app, "L2Cases", env=Environment(account=ACCOUNT, region=REGION))
    agnostic = Stack(app, "Agnostic")
    shared = Shared(stack)
    for add in (
        _buckets,
        _keys_and_logs,
        _messaging,
        _tables_secrets_repositories,
        _backups,
        _databases,
        _compute_and_files,
        _load_balancers,
        _domains_and_edges,
    ):
        add(shared)
    return app, [stack, agnostic]


l2_run, test_l2_case_breaks_exactly_its_rule = case_tests(_build, CASES)


def test_every_rule_has_an_l2_case_or_a_reason_why_not() -> None:
    rule_ids = {rule.id for rule in RULES}
    cases = set(CASES).union(*(part.CASES for part in PARTS))
    reasons = set(NO_L2).union(*(part.NO_L2 for part in PARTS))
    assert not cases & reasons, "a rule both has an L2 case and a reason it has none"
    assert cases | reasons == rule_ids, f"unaccounted rules: {sorted(rule_ids - cases - reasons)}"
