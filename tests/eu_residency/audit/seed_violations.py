"""The violations of the audit tests' account, in several regions; see test_audit.py for what each breaks."""

from __future__ import annotations

from typing import Any

from tests.eu_residency.audit.conftest import ACCOUNT, Moto, key, kms_bucket

LONDON, ZURICH, VIRGINIA, FRANKFURT = "eu-west-2", "eu-central-2", "us-east-1", "eu-central-1"
REPLICATION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/replication"


def _replicate(moto: Moto, region: str, bucket: str, destination: str) -> None:
    s3 = moto.client("s3", region)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(
        Bucket=bucket,
        ReplicationConfiguration={
            "Role": REPLICATION_ROLE,
            "Rules": [
                {
                    "ID": "everything",
                    "Priority": 1,
                    "Filter": {},
                    "Status": "Enabled",
                    "DeleteMarkerReplication": {"Status": "Disabled"},
                    "Destination": {"Bucket": f"arn:aws:s3:::{destination}"},
                }
            ],
        },
    )


def _table(moto: Moto, region: str, name: str, **kwargs: Any) -> str:
    arn: str = moto.client("dynamodb", region).create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        **kwargs,
    )["TableDescription"]["TableArn"]
    return arn


def seed_violations(moto: Moto) -> dict[str, str]:
    """Returns the ARNs moto makes up (key ids, file systems, plans, distributions) by a short name."""
    arns: dict[str, str] = {}

    # us-east-1 (N. Virginia): a store of every kind that breaks a rule, and the replication target.
    s3 = moto.client("s3", VIRGINIA)
    s3.create_bucket(Bucket="us-replica")  # no default encryption, no policy
    s3.put_bucket_versioning(Bucket="us-replica", VersioningConfiguration={"Status": "Enabled"})
    moto.client("sqs", VIRGINIA).create_queue(QueueName="us-jobs", Attributes={"SqsManagedSseEnabled": "false"})
    moto.client("elasticache", VIRGINIA).create_replication_group(
        ReplicationGroupId="us-cache",
        ReplicationGroupDescription="cache",
        Engine="redis",
        CacheNodeType="cache.t4g.micro",
    )
    moto.client("opensearch", VIRGINIA).create_domain(DomainName="us-search")
    moto.client("ecr", VIRGINIA).create_repository(repositoryName="us-images")
    moto.client("backup", VIRGINIA).create_backup_vault(BackupVaultName="us-vault")
    distribution = moto.client("cloudfront", VIRGINIA).create_distribution(
        DistributionConfig={
            "CallerReference": "chat-edge",
            "Comment": "edge",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "alb",
                        "DomainName": "chat.example.eu",
                        "CustomOriginConfig": {
                            "HTTPPort": 80,
                            "HTTPSPort": 443,
                            "OriginProtocolPolicy": "https-only",
                        },
                    }
                ],
            },
            "DefaultCacheBehavior": {"TargetOriginId": "alb", "ViewerProtocolPolicy": "redirect-to-https"},
        }
    )
    arns["distribution"] = distribution["Distribution"]["ARN"]

    # eu-west-2 (London, outside the EU).
    s3 = moto.client("s3", LONDON)
    s3.create_bucket(Bucket="uk-exports", CreateBucketConfiguration={"LocationConstraint": LONDON})
    s3.put_bucket_encryption(
        Bucket="uk-exports",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    _replicate(moto, LONDON, "uk-exports", "us-replica")
    arns["uk-sessions"] = _table(moto, LONDON, "uk-sessions")  # the AWS-owned key
    moto.client("sqs", LONDON).create_queue(QueueName="uk-events")  # SQS is denied in London: never seen
    secret = moto.client("secretsmanager", LONDON).create_secret(
        Name="uk/api-token", SecretString="token", AddReplicaRegions=[{"Region": VIRGINIA}]
    )
    arns["uk-secret"] = secret["ARN"]
    arns["uk-secret-replica"] = moto.client("secretsmanager", VIRGINIA).describe_secret(SecretId="uk/api-token")["ARN"]
    moto.client("logs", LONDON).create_log_group(logGroupName="/uk/app")  # no retention, no key

    # eu-central-2 (Zurich, outside the EU): well configured, but outside; and some stores that are not.
    zurich_key = arns["zurich-key"] = key(moto, ZURICH)
    kms_bucket(moto, ZURICH, "ch-archive", zurich_key)
    rds = moto.client("rds", ZURICH)
    rds.create_db_parameter_group(
        DBParameterGroupName="ch-postgres", DBParameterGroupFamily="postgres16", Description="defaults"
    )
    rds.create_db_instance(
        DBInstanceIdentifier="ch-db",
        Engine="postgres",
        DBInstanceClass="db.t4g.micro",
        AllocatedStorage=20,
        MasterUsername="chat",
        MasterUserPassword="not-a-real-password",
        DBParameterGroupName="ch-postgres",
    )
    arns["ch-files"] = moto.client("efs", ZURICH).create_file_system(CreationToken="ch-files")["FileSystemArn"]
    moto.client("kinesis", ZURICH).create_stream(StreamName="ch-clicks", ShardCount=1)
    moto.client("sns", ZURICH).create_topic(Name="ch-alerts")

    # eu-central-1 (Frankfurt, an allowed region): stores that copy their data out of the allowed set.
    frankfurt_key = arns["frankfurt-key"] = key(moto, FRANKFURT)
    kms_bucket(moto, FRANKFURT, "eu-dr-copy", frankfurt_key)
    # A destination in no listed bucket (another account's, or gone): its region cannot be shown.
    _replicate(moto, FRANKFURT, "eu-dr-copy", "partner-archive-7f3a")
    moto.client("s3", FRANKFURT).put_bucket_accelerate_configuration(
        Bucket="eu-dr-copy", AccelerateConfiguration={"Status": "Enabled"}
    )
    multi_region = arns["multi-region-key"] = key(moto, FRANKFURT, MultiRegion=True)
    replica = moto.client("kms", FRANKFURT).replicate_key(
        KeyId=multi_region.rsplit("/", 1)[-1],
        ReplicaRegion=VIRGINIA,  # moto takes the key id only
    )
    arns["multi-region-replica"] = replica["ReplicaKeyMetadata"]["Arn"]
    backup = moto.client("backup", FRANKFURT)
    backup.create_backup_vault(BackupVaultName="chat-dr", EncryptionKeyArn=frankfurt_key)
    plan = backup.create_backup_plan(
        BackupPlan={
            "BackupPlanName": "copy-to-virginia",
            "Rules": [
                {
                    "RuleName": "daily",
                    "TargetBackupVaultName": "chat-dr",
                    "CopyActions": [
                        {"DestinationBackupVaultArn": f"arn:aws:backup:{VIRGINIA}:{ACCOUNT}:backup-vault:us-vault"}
                    ],
                }
            ],
        }
    )
    arns["copy-plan"] = plan["BackupPlanArn"]
    moto.client("ecr", FRANKFURT).put_replication_configuration(
        replicationConfiguration={"rules": [{"destinations": [{"region": VIRGINIA, "registryId": ACCOUNT}]}]}
    )
    return arns
