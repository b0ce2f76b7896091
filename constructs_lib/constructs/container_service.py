"""A Fargate service in private subnets with no default egress, secrets injected, logs encrypted."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_kms as kms
from constructs import Construct

from constructs_lib.acknowledgements import acknowledge
from constructs_lib.constructs.classification import DataClassification, classify
from constructs_lib.constructs.log_group import EncryptedLogGroup

# A numeric, unprivileged user: the image's own user is not trusted to be non-root.
CONTAINER_USER = "1000:1000"


class PrivateContainerService(Construct):
    """One container, on Fargate, in ``subnets`` without public IPs.

    The service's security group allows no traffic at all until the caller opens it with
    ``connections`` (ingress from the load balancer, egress to the database, cache and endpoints).
    Configuration reaches the container only as ``secrets`` (Secrets Manager or SSM references), never
    as plain environment variables. The container runs as a non-root user on a read-only root file
    system. Its logs and Container Insights' performance logs go to encrypted groups that expire.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        cluster_name: str,
        image: ecs.ContainerImage,
        container_port: int,
        cpu: int,
        memory_mib: int,
        desired_count: int,
        secrets: Mapping[str, ecs.Secret],
        log_key: kms.IKey,
        log_retention_days: int,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        # Container Insights creates this group itself, unencrypted and kept forever, unless it exists.
        insights_logs = EncryptedLogGroup(
            self,
            "ContainerInsightsLogs",
            log_group_name=f"/aws/ecs/containerinsights/{cluster_name}/performance",
            encryption_key=log_key,
            retention_days=log_retention_days,
            classification=DataClassification.INTERNAL,
            removal_policy=removal_policy,
        )
        self.cluster = ecs.Cluster(
            self,
            "Cluster",
            vpc=vpc,
            cluster_name=cluster_name,
            container_insights_v2=ecs.ContainerInsights.ENABLED,
        )
        self.cluster.node.add_dependency(insights_logs)
        self.log_group = EncryptedLogGroup(
            self,
            "ApplicationLogs",
            encryption_key=log_key,
            retention_days=log_retention_days,
            classification=DataClassification.PERSONAL,
            removal_policy=removal_policy,
        )
        self.task_definition = ecs.FargateTaskDefinition(
            self,
            "TaskDefinition",
            cpu=cpu,
            memory_limit_mib=memory_mib,
            runtime_platform=ecs.RuntimePlatform(
                cpu_architecture=ecs.CpuArchitecture.ARM64,
                operating_system_family=ecs.OperatingSystemFamily.LINUX,
            ),
        )
        self.container = self.task_definition.add_container(
            "App",
            image=image,
            port_mappings=[ecs.PortMapping(container_port=container_port)],
            secrets=dict(secrets),
            logging=ecs.LogDrivers.aws_logs(stream_prefix="app", log_group=self.log_group.log_group),
            readonly_root_filesystem=True,
            user=CONTAINER_USER,
        )
        execution_policy = self.task_definition.obtain_execution_role().node.try_find_child("DefaultPolicy")
        if execution_policy is not None:
            acknowledge(
                execution_policy,
                "AwsSolutions-IAM5[Resource::*]",
                "ecr:GetAuthorizationToken supports no resource-level permissions, so it needs Resource *; "
                "every other statement of this policy names its repository, log group, parameters or secret.",
            )
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description="Chat application tasks: no traffic unless allowed in code",
            allow_all_outbound=False,
        )
        self.service = ecs.FargateService(
            self,
            "Service",
            cluster=self.cluster,
            task_definition=self.task_definition,
            desired_count=desired_count,
            vpc_subnets=subnets,
            security_groups=[self.security_group],
            assign_public_ip=False,
            enable_execute_command=False,
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            min_healthy_percent=100,
        )
        self.connections = self.service.connections
        classify(self, DataClassification.PERSONAL)
