"""The way in: TLS load balancer behind a regional WAF, and the chat application on Fargate behind it."""

from __future__ import annotations

from aws_cdk import CfnOutput
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as route53_targets
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from constructs_lib.constructs import (
    PostgresDatabase,
    PrivateContainerService,
    PrivateNetwork,
    RegionalWebAcl,
    SessionCache,
    TlsLoadBalancer,
)
from constructs_lib.constructs.cache import VALKEY_PORT
from constructs_lib.constructs.database import POSTGRES_PORT
from stacks.base import PlatformStack
from stacks.config import PlatformConfig

# The application's own database user, authenticated with IAM tokens rather than a password.
APPLICATION_DATABASE_USER = "chat_app"


class ApplicationStack(PlatformStack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: PlatformConfig,
        network: PrivateNetwork,
        database: PostgresDatabase,
        sessions: SessionCache,
        attachments_bucket: s3.IBucket,
        attachments_access: iam.IManagedPolicy,
        access_log_bucket: s3.IBucket,
        cache_key: kms.IKey,
        logs_key: kms.IKey,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            config=config,
            description="TLS load balancer, WAF and the chat service on Fargate",
        )
        zone = None
        if config.dns_validated_certificate is not None:
            zone = route53.HostedZone.from_hosted_zone_attributes(
                self,
                "Zone",
                hosted_zone_id=config.dns_validated_certificate.hosted_zone_id,
                zone_name=config.dns_validated_certificate.zone_name,
            )
            certificate: acm.ICertificate = acm.Certificate(
                self,
                "Certificate",
                domain_name=config.domain_name,
                validation=acm.CertificateValidation.from_dns(zone),
            )
        else:
            assert config.certificate_arn is not None  # load_config requires one of the two
            certificate = acm.Certificate.from_certificate_arn(self, "Certificate", config.certificate_arn)

        self.load_balancer = TlsLoadBalancer(
            self,
            "Edge",
            vpc=network.vpc,
            subnets=network.public_subnets,
            certificate=certificate,
            access_log_bucket=access_log_bucket,
            access_log_prefix="alb",
            deletion_protection=config.retain_data,
        )
        RegionalWebAcl(
            self,
            "Firewall",
            name=config.resource_name("edge"),
            resource_arn=self.load_balancer.load_balancer.load_balancer_arn,
            requests_per_five_minutes=config.app.requests_per_five_minutes,
            log_key=logs_key,
            log_retention_days=config.retention.log_days,
        )

        settings = {
            "DATABASE_HOST": database.instance.db_instance_endpoint_address,
            "DATABASE_PORT": str(POSTGRES_PORT),
            "DATABASE_USER": APPLICATION_DATABASE_USER,
            "SESSION_STORE_HOST": sessions.primary_endpoint,
            "SESSION_STORE_PORT": str(VALKEY_PORT),
            "ATTACHMENTS_BUCKET": attachments_bucket.bucket_name,
        }
        secrets = {
            name: ecs.Secret.from_ssm_parameter(
                ssm.StringParameter(
                    self,
                    f"{name.title().replace('_', '')}Setting",
                    parameter_name=f"/chat/{config.env_name}/{name.lower()}",
                    string_value=value,
                    description=f"{name} of the chat application (not secret; injected with the secrets)",
                )
            )
            for name, value in settings.items()
        }
        # Imported, not passed: Secret.grant_read would put this stack's role into the key stack's key
        # policy (a dependency cycle); the decrypt permission is granted on the role below instead.
        auth_token = secretsmanager.Secret.from_secret_complete_arn(
            self, "SessionStoreAuthToken", sessions.auth_token.secret_arn
        )
        secrets["SESSION_STORE_AUTH_TOKEN"] = ecs.Secret.from_secrets_manager(auth_token)

        self.chat = PrivateContainerService(
            self,
            "Chat",
            vpc=network.vpc,
            subnets=network.application_subnets,
            cluster_name=config.resource_name("cluster"),
            image=ecs.ContainerImage.from_ecr_repository(
                ecr.Repository.from_repository_arn(self, "ImageRepository", config.app.image_repository_arn),
                tag=config.app.image_tag,
            ),
            container_port=config.app.container_port,
            cpu=config.app.cpu,
            memory_mib=config.app.memory_mib,
            desired_count=config.app.desired_count,
            secrets=secrets,
            log_key=logs_key,
            log_retention_days=config.retention.log_days,
            removal_policy=self.data_removal_policy,
        )
        # The load balancer re-encrypts: the container serves TLS on its port (any certificate).
        self.load_balancer.https_listener.add_targets(
            "Chat",
            port=config.app.container_port,
            protocol=elbv2.ApplicationProtocol.HTTPS,
            targets=[self.chat.service],
            health_check=elbv2.HealthCheck(path=config.app.health_check_path, protocol=elbv2.Protocol.HTTPS),
        )
        # Egress: the database, the session store, and AWS services through in-region endpoints only.
        self.chat.connections.allow_to(database.connections, ec2.Port.tcp(POSTGRES_PORT), "chat app to PostgreSQL")
        self.chat.connections.allow_to(sessions.connections, ec2.Port.tcp(VALKEY_PORT), "chat app to Valkey sessions")
        self.chat.connections.allow_to(
            network.endpoint_security_group, ec2.Port.HTTPS, "chat app to in-region AWS endpoints"
        )
        self.chat.connections.allow_to(
            ec2.Peer.prefix_list(config.app.s3_prefix_list_id),
            ec2.Port.HTTPS,
            "chat app to S3 (gateway endpoint)",
        )

        execution_role = self.chat.task_definition.obtain_execution_role()
        execution_role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="DecryptSessionStoreAuthTokenThroughSecretsManager",
                actions=["kms:Decrypt"],
                resources=[cache_key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"secretsmanager.{self.region}.amazonaws.com"}},
            )
        )
        task_role = self.chat.task_definition.task_role
        database.instance.grant_connect(task_role, APPLICATION_DATABASE_USER)
        task_role.add_managed_policy(attachments_access)

        if zone is not None:
            route53.ARecord(
                self,
                "ChatRecord",
                zone=zone,
                record_name=config.domain_name,
                target=route53.RecordTarget.from_alias(
                    route53_targets.LoadBalancerTarget(self.load_balancer.load_balancer)
                ),
            )
        CfnOutput(self, "LoadBalancerDnsName", value=self.load_balancer.load_balancer.load_balancer_dns_name)
