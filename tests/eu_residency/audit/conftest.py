"""The live-audit tests' account: a moto server on 127.0.0.1, seeded through boto3 with dummy credentials.

The server runs once per session on a free loopback port (``ThreadedMotoServer(ip_address="127.0.0.1",
port=0)``); each test module resets it (``POST /moto-api/reset``) and seeds the account it needs, once.
The audit runs through ``eu_residency.cli.main.main`` exactly as on a terminal, with
``EU_RESIDENCY_AWS_ENDPOINT_URL`` pointing every client at the server.

Where moto lacks an API, botocore's Stubber answers for one (service, region) client instead, with
responses shaped as in the AWS API reference (the Stubber validates them against botocore's models):
see ``STUBBED`` below. ``ClientFactory.new_client`` is wrapped for that, and to record every call.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber
from moto.server import ThreadedMotoServer

from eu_residency.audit.session import ENDPOINT_ENV, ClientFactory
from eu_residency.cli.main import main

ACCOUNT = "123456789012"
EU = "eu-west-1"
REQUEST_TIMEOUT = 10  # seconds, for the reset call

# Credentials that exist nowhere: moto accepts any; nothing real is read from ~/.aws.
DUMMY_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": EU,
    "AWS_EC2_METADATA_DISABLED": "true",
}
CLEARED_ENV = (
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_ENDPOINT_URL",
)


# -- the server and the environment --------------------------------------------------------------------


@dataclass(frozen=True)
class Moto:
    url: str
    config_file: Path

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            assert response.status == 200

    def client(self, service: str, region: str = EU) -> Any:
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(s3={"addressing_style": "path"}, retries={"mode": "standard", "max_attempts": 2}),
        )


@pytest.fixture(scope="session")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Moto]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    home = tmp_path_factory.mktemp("aws")
    config_file = home / "config"
    # A profile for the --profile test; dummy keys, like the environment's.
    config_file.write_text(
        "[profile audit]\nregion = eu-west-1\naws_access_key_id = testing\naws_secret_access_key = testing\n",
        encoding="utf-8",
    )
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    assert host == "127.0.0.1"
    with pytest.MonkeyPatch.context() as patch:
        for name in CLEARED_ENV:
            patch.delenv(name, raising=False)
        for name, value in DUMMY_ENV.items():
            patch.setenv(name, value)
        patch.setenv("AWS_CONFIG_FILE", str(config_file))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "credentials-none"))
        patch.setenv(ENDPOINT_ENV, f"http://{host}:{port}")
        try:
            yield Moto(url=f"http://{host}:{port}", config_file=config_file)
        finally:
            server.stop()


# -- running the command -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.stdout)
        return document


StubPlan = Callable[[Stubber], None]


@dataclass
class Harness:
    """Wraps ``ClientFactory.new_client``: stubs some (service, region) clients, records every call."""

    stubs: dict[tuple[str, str], StubPlan] = field(default_factory=dict)
    before_send: dict[tuple[str, str], Callable[..., Any]] = field(default_factory=dict)
    calls: set[tuple[str, str]] = field(default_factory=set)  # (service name, operation name)
    stubbers: list[Stubber] = field(default_factory=list)

    def install(self, patch: pytest.MonkeyPatch) -> None:
        original = ClientFactory.new_client

        def new_client(factory: ClientFactory, service: str, region: str, *, probe: bool = False) -> Any:
            client = original(factory, service, region, probe=probe)
            client.meta.events.register_first("before-call.*.*", self._record)
            if (service, region) in self.before_send:
                client.meta.events.register_first("before-send.*.*", self.before_send[service, region])
            if (service, region) in self.stubs:
                stubber = Stubber(client)
                self.stubs[service, region](stubber)
                stubber.activate()
                self.stubbers.append(stubber)
            return client

        patch.setattr(ClientFactory, "new_client", new_client)

    def _record(self, model: Any, **_: Any) -> None:
        self.calls.add((model.service_model.service_name, model.name))

    def assert_stubs_used(self) -> None:
        for stubber in self.stubbers:
            stubber.assert_no_pending_responses()


def run_audit_command(argv: Sequence[str], harness: Harness | None = None) -> Run:
    """``eu-residency audit ARGV`` through main(), with its output captured (module-scoped fixtures too)."""
    harness = harness if harness is not None else Harness(stubs=dict(NO_ACCELERATORS))
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        harness.install(patch)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(["audit", *argv])
    return Run(code, stdout.getvalue(), stderr.getvalue())


# -- Stubber plans, where moto has no API (or not the field) ------------------------------------------

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def accelerators(*names: str) -> StubPlan:
    """Global Accelerator (moto has no backend for it): ListAccelerators, as in the API reference."""

    def plan(stubber: Stubber) -> None:
        stubber.add_response(
            "list_accelerators",
            {
                "Accelerators": [
                    {
                        "AcceleratorArn": f"arn:aws:globalaccelerator::{ACCOUNT}:accelerator/{name}",
                        "Name": name,
                        "IpAddressType": "IPV4",
                        "Enabled": True,
                        "IpSets": [{"IpFamily": "IPv4", "IpAddresses": ["198.51.100.10", "198.51.100.11"]}],
                        "DnsName": f"{name}.awsglobalaccelerator.com",
                        "Status": "DEPLOYED",
                        "CreatedTime": NOW,
                        "LastModifiedTime": NOW,
                    }
                    for name in names
                ]
            },
        )

    return plan


NO_ACCELERATORS: dict[tuple[str, str], StubPlan] = {("globalaccelerator", "us-west-2"): accelerators()}


def access_denied(operation: str, action: str) -> StubPlan:
    """An IAM refusal, as AWS returns it (HTTP 403, code AccessDenied)."""

    def plan(stubber: Stubber) -> None:
        stubber.add_client_error(
            operation,
            service_error_code="AccessDenied",
            service_message=f"User: arn:aws:iam::{ACCOUNT}:user/auditor is not authorized to perform: {action}",
            http_status_code=403,
        )

    return plan


# -- seeding -------------------------------------------------------------------------------------------


def tls_only_statement(bucket: str) -> dict[str, Any]:
    return {
        "Sid": "DenyPlainRequests",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def kms_bucket(moto: Moto, region: str, bucket: str, key: str, *, classification: str | None = None) -> None:
    """A bucket as DataBucket makes it: SSE-KMS with a customer key and a Bucket Key, TLS only."""
    s3 = moto.client("s3", region)
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key},
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    s3.put_bucket_policy(
        Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [tls_only_statement(bucket)]})
    )
    if classification:
        s3.put_bucket_tagging(
            Bucket=bucket, Tagging={"TagSet": [{"Key": "data-classification", "Value": classification}]}
        )


def key(moto: Moto, region: str, **kwargs: Any) -> str:
    arn: str = moto.client("kms", region).create_key(Description="data key", **kwargs)["KeyMetadata"]["Arn"]
    return arn


def tags(classification: str) -> list[dict[str, str]]:
    return [{"Key": "data-classification", "Value": classification}]


def seed_compliant(moto: Moto) -> dict[str, str]:
    """The platform in eu-west-1, every store as the constructs make it: no finding. Returns ARNs by name."""
    arns: dict[str, str] = {}
    data_key = arns["key"] = key(moto, EU)
    kms_bucket(moto, EU, "chat-attachments-eu", data_key, classification="personal")
    # The access-log bucket: SSE-S3, as log delivery needs, and a policy admitting S3 server access logs.
    s3 = moto.client("s3", EU)
    s3.create_bucket(Bucket="chat-access-logs-eu", CreateBucketConfiguration={"LocationConstraint": EU})
    s3.put_bucket_encryption(
        Bucket="chat-access-logs-eu",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_bucket_policy(
        Bucket="chat-access-logs-eu",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    tls_only_statement("chat-access-logs-eu"),
                    {
                        "Sid": "S3ServerAccessLogs",
                        "Effect": "Allow",
                        "Principal": {"Service": "logging.s3.amazonaws.com"},
                        "Action": "s3:PutObject",
                        "Resource": "arn:aws:s3:::chat-access-logs-eu/*",
                    },
                ],
            }
        ),
    )
    moto.client("sqs").create_queue(QueueName="chat-events", Attributes={"KmsMasterKeyId": data_key})
    moto.client("sns").create_topic(Name="chat-notifications", Attributes={"KmsMasterKeyId": data_key})
    moto.client("dynamodb").create_table(
        TableName="chat-sessions",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": data_key},
        Tags=tags("personal"),
    )
    logs = moto.client("logs")
    logs.create_log_group(logGroupName="/chat/app", kmsKeyId=data_key)
    logs.put_retention_policy(logGroupName="/chat/app", retentionInDays=30)
    rds = moto.client("rds")
    rds.create_db_parameter_group(
        DBParameterGroupName="chat-postgres-tls", DBParameterGroupFamily="postgres16", Description="TLS only"
    )
    rds.modify_db_parameter_group(
        DBParameterGroupName="chat-postgres-tls",
        Parameters=[{"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"}],
    )
    rds.create_db_instance(
        DBInstanceIdentifier="chat-db",
        Engine="postgres",
        DBInstanceClass="db.t4g.micro",
        AllocatedStorage=20,
        MasterUsername="chat",
        MasterUserPassword="not-a-real-password",
        StorageEncrypted=True,
        KmsKeyId=data_key,
        DBParameterGroupName="chat-postgres-tls",
        Tags=tags("personal"),
    )
    rds.create_db_cluster_parameter_group(
        DBClusterParameterGroupName="chat-aurora-tls", DBParameterGroupFamily="aurora-postgresql16", Description="TLS"
    )
    rds.modify_db_cluster_parameter_group(
        DBClusterParameterGroupName="chat-aurora-tls",
        Parameters=[{"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"}],
    )
    rds.create_db_cluster(
        DBClusterIdentifier="chat-analytics",
        Engine="aurora-postgresql",
        MasterUsername="chat",
        MasterUserPassword="not-a-real-password",
        StorageEncrypted=True,
        KmsKeyId=data_key,
        DBClusterParameterGroupName="chat-aurora-tls",
    )
    moto.client("elasticache").create_replication_group(
        ReplicationGroupId="chat-session-store",
        ReplicationGroupDescription="sessions",
        Engine="valkey",
        CacheNodeType="cache.t4g.micro",
        AtRestEncryptionEnabled=True,
        TransitEncryptionEnabled=True,
        KmsKeyId=data_key,
    )
    moto.client("efs").create_file_system(
        CreationToken="chat-exports", Encrypted=True, KmsKeyId=data_key, Tags=[{"Key": "Name", "Value": "chat-exports"}]
    )
    moto.client("secretsmanager").create_secret(
        Name="chat/db-credentials", SecretString="{}", KmsKeyId=data_key, Tags=tags("internal")
    )
    kinesis = moto.client("kinesis")
    kinesis.create_stream(StreamName="chat-activity", ShardCount=1)
    kinesis.start_stream_encryption(StreamName="chat-activity", EncryptionType="KMS", KeyId=data_key)
    moto.client("ecr").create_repository(
        repositoryName="chat-app", encryptionConfiguration={"encryptionType": "KMS", "kmsKey": data_key}
    )
    backup = moto.client("backup")
    backup.create_backup_vault(BackupVaultName="chat-vault", EncryptionKeyArn=data_key)
    plan = backup.create_backup_plan(
        BackupPlan={
            "BackupPlanName": "chat-database",
            "Rules": [
                {
                    "RuleName": "daily",
                    "TargetBackupVaultName": "chat-vault",
                    "CopyActions": [
                        {"DestinationBackupVaultArn": f"arn:aws:backup:eu-central-1:{ACCOUNT}:backup-vault:chat-dr"}
                    ],
                }
            ],
        }
    )
    arns["plan"] = plan["BackupPlanArn"]
    moto.client("opensearch").create_domain(
        DomainName="chat-search",
        EncryptionAtRestOptions={"Enabled": True, "KmsKeyId": data_key},
        NodeToNodeEncryptionOptions={"Enabled": True},
        DomainEndpointOptions={"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"},
    )
    return arns


def redshift_warehouse(
    region: str, *, name: str = "chat-warehouse", require_ssl: str = "true", copy_to: str | None = None
) -> StubPlan:
    """Redshift (moto cannot modify a parameter group): DescribeClusters with one encrypted cluster on its own
    parameter group, and DescribeClusterParameters of that group, as in the API reference.
    """
    group = f"{name}-params"

    def plan(stubber: Stubber) -> None:
        cluster: dict[str, Any] = {
            "ClusterIdentifier": name,
            "NodeType": "ra3.xlplus",
            "ClusterStatus": "available",
            "Encrypted": True,
            "KmsKeyId": f"arn:aws:kms:{region}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "ClusterParameterGroups": [{"ParameterGroupName": group, "ParameterApplyStatus": "in-sync"}],
            "Tags": [{"Key": "data-classification", "Value": "personal"}],
        }
        if copy_to:
            cluster["ClusterSnapshotCopyStatus"] = {"DestinationRegion": copy_to, "RetentionPeriod": 7}
        stubber.add_response("describe_clusters", {"Clusters": [cluster]}, {})
        stubber.add_response(
            "describe_cluster_parameters",
            {"Parameters": [{"ParameterName": "require_ssl", "ParameterValue": require_ssl, "Source": "user"}]},
            {"ParameterGroupName": group},
        )

    return plan
