"""The chat session store: a Valkey replication group that is encrypted at rest and in transit."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticache as elasticache
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from constructs_lib.acknowledgements import acknowledge
from constructs_lib.constructs.classification import DataClassification, classify
from constructs_lib.constructs.log_group import EncryptedLogGroup

VALKEY_PORT = 6379
VALKEY_ENGINE_VERSION = "8.0"
VALKEY_PARAMETER_GROUP = "default.valkey8"
# Characters ElastiCache refuses in an AUTH token.
AUTH_TOKEN_FORBIDDEN = "\"'@/\\ "


class SessionCache(Construct):
    """Valkey with Multi-AZ automatic failover in isolated subnets.

    Always: at-rest encryption with ``encryption_key``; in-transit encryption in ``required`` mode;
    an AUTH token generated into Secrets Manager (encrypted with the same key) and passed to
    ElastiCache as a dynamic reference, never as plain text; slow and engine logs to encrypted log
    groups that expire; snapshots kept ``snapshot_retention_days``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        replication_group_id: str,
        node_type: str,
        replicas_per_node_group: int,
        encryption_key: kms.IKey,
        log_key: kms.IKey,
        log_retention_days: int,
        snapshot_retention_days: int,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        if replicas_per_node_group < 1:
            raise ValueError(
                f"session cache replicas: {replicas_per_node_group}; Multi-AZ failover needs at least one replica"
            )
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description="Valkey sessions: accepts connections only from the security groups allowed in code",
            allow_all_outbound=False,
        )
        self.connections = ec2.Connections(
            security_groups=[self.security_group], default_port=ec2.Port.tcp(VALKEY_PORT)
        )
        subnet_group = elasticache.CfnSubnetGroup(
            self,
            "Subnets",
            description="Isolated subnets of the session store",
            subnet_ids=vpc.select_subnets(
                subnet_group_name=subnets.subnet_group_name, subnet_type=subnets.subnet_type
            ).subnet_ids,
            cache_subnet_group_name=replication_group_id,
        )
        self.auth_token = secretsmanager.Secret(
            self,
            "AuthToken",
            description="AUTH token of the Valkey session store",
            encryption_key=encryption_key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_characters=AUTH_TOKEN_FORBIDDEN, exclude_punctuation=True
            ),
            removal_policy=removal_policy,
        )
        acknowledge(
            self.auth_token,
            "AwsSolutions-SMG4",
            "ElastiCache has no Secrets Manager rotation for AUTH tokens; rotating one is a two-step "
            "ModifyReplicationGroup (ROTATE, then SET) run from the operations runbook. The token is 64 "
            "random characters, encrypted with the cache key, readable only by the chat task execution role.",
        )
        self.log_groups = {
            log_type: EncryptedLogGroup(
                self,
                f"{log_type.replace('-', ' ').title().replace(' ', '')}Logs",
                encryption_key=log_key,
                retention_days=log_retention_days,
                classification=DataClassification.PERSONAL,
                removal_policy=removal_policy,
            )
            for log_type in ("slow-log", "engine-log")
        }
        self.replication_group = elasticache.CfnReplicationGroup(
            self,
            "ReplicationGroup",
            replication_group_id=replication_group_id,
            replication_group_description="Chat visitor sessions (cookie-bound, with visitor IP)",
            engine="valkey",
            engine_version=VALKEY_ENGINE_VERSION,
            cache_parameter_group_name=VALKEY_PARAMETER_GROUP,
            cache_node_type=node_type,
            num_node_groups=1,
            replicas_per_node_group=replicas_per_node_group,
            multi_az_enabled=True,
            automatic_failover_enabled=True,
            port=VALKEY_PORT,
            cache_subnet_group_name=subnet_group.ref,  # a reference, so created first
            security_group_ids=[self.security_group.security_group_id],
            at_rest_encryption_enabled=True,
            kms_key_id=encryption_key.key_id,
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            # A dynamic reference: CloudFormation resolves it at deploy time, the template holds no token.
            auth_token=self.auth_token.secret_value.unsafe_unwrap(),
            snapshot_retention_limit=snapshot_retention_days,
            auto_minor_version_upgrade=True,
            log_delivery_configurations=[
                elasticache.CfnReplicationGroup.LogDeliveryConfigurationRequestProperty(
                    destination_type="cloudwatch-logs",
                    destination_details=elasticache.CfnReplicationGroup.DestinationDetailsProperty(
                        cloud_watch_logs_details=elasticache.CfnReplicationGroup.CloudWatchLogsDestinationDetailsProperty(
                            log_group=log_group.log_group.log_group_name
                        )
                    ),
                    log_format="json",
                    log_type=log_type,
                )
                for log_type, log_group in self.log_groups.items()
            ],
        )
        self.replication_group.apply_removal_policy(removal_policy)
        classify(self, DataClassification.PERSONAL)

    @property
    def primary_endpoint(self) -> str:
        return self.replication_group.attr_primary_end_point_address
