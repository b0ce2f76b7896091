"""The in-transit rules EU-ENC-049 to EU-ENC-064 on templates that CDK L2 constructs synthesize: each Fail*
construct breaks its rule, no Pass* one does; rules no L2 can express say why.
"""

from __future__ import annotations

from aws_cdk import App, Duration, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_docdb as docdb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_efs as efs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_elasticloadbalancingv2_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3

from constructs_lib.constructs.load_balancer import TLS_POLICY, TlsLoadBalancer
from tests.eu_residency.rules.l2_harness import (
    ACCOUNT,
    ENVIRONMENT,
    REGION,
    Cases,
    case_tests,
    l2_app,
)

EU_CERTIFICATE = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555"
ISOLATED = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)

# rule id -> (the Fail* constructs it must report, the Pass* constructs it must not); a construct is a top-level
# child of the stack.
CASES: Cases = {
    "EU-ENC-051": ({"FailTlsOffDocDbParameters"}, {"PassTls12DocDbParameters"}),
    "EU-ENC-052": ({"FailTlsOffDocDb"}, {"PassDefaultDocDb", "PassTls12DocDb"}),
    "EU-ENC-054": ({"FailNoTlsProxy"}, {"PassDefaultProxy"}),
    "EU-ENC-055": ({"FailPlainEfsTask"}, {"PassEncryptedEfsTask"}),
    # DomainName leaves SecurityPolicy unset by default: API Gateway then applies TLS_1_2 to custom domains.
    "EU-ENC-057": ({"FailTls10Domain"}, {"PassDefaultDomain", "PassTls12Domain"}),
    "EU-ENC-058": ({"FailTls10V2Domain"}, {"PassDefaultV2Domain"}),
    # PassPlatformEdge is constructs_lib's TlsLoadBalancer with HTTPS targets, as stacks/application_stack.py adds.
    "EU-ENC-064": ({"FailHttpTargetAlb"}, {"PassHttpsTargetAlb", "PassLambdaTargetAlb", "PassPlatformEdge"}),
}

# rule id -> why no construct of aws-cdk-lib above L1 can express the case.
NO_L2: dict[str, str] = {
    "EU-ENC-049": "aws-cdk-lib has no Redshift L2 (only @aws-cdk/aws-redshift-alpha)",
    "EU-ENC-050": "aws-cdk-lib has no Redshift L2 (only @aws-cdk/aws-redshift-alpha)",
    "EU-ENC-053": "aws-cdk-lib has no DMS L2: endpoints are the L1 CfnEndpoint only",
    "EU-ENC-056": "aws-cdk-lib has no Transfer Family L2: servers are the L1 CfnServer only",
    "EU-ENC-059": "aws-cdk-lib has no MemoryDB L2: clusters are the L1 CfnCluster only",
    "EU-ENC-060": "aws-cdk-lib has no DAX L2: clusters are the L1 CfnCluster only",
    "EU-ENC-061": "aws-cdk-lib has no MSK Connect L2: connectors are the L1 CfnConnector only",
    "EU-ENC-062": "aws-cdk-lib has no EMR L2: security configurations are the L1 CfnSecurityConfiguration only",
    "EU-ENC-063": "aws-cdk-lib has no EMR L2: clusters are the L1 CfnCluster only",
}


def _databases(stack: Stack, vpc: ec2.Vpc) -> None:
    instance_type = ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE)

    def documents(construct_id: str, group: docdb.ClusterParameterGroup | None) -> None:
        docdb.DatabaseCluster(
            stack,
            construct_id,
            master_user=docdb.Login(username="docadmin"),
            instance_type=instance_type,
            vpc=vpc,
            vpc_subnets=ISOLATED,
            storage_encrypted=True,
            parameter_group=group,
        )

    tls_off = docdb.ClusterParameterGroup(
        stack, "FailTlsOffDocDbParameters", family="docdb5.0", parameters={"tls": "disabled"}
    )
    tls12 = docdb.ClusterParameterGroup(
        stack, "PassTls12DocDbParameters", family="docdb5.0", parameters={"tls": "tls1.2+"}
    )
    documents("FailTlsOffDocDb", tls_off)
    documents("PassDefaultDocDb", None)
    documents("PassTls12DocDb", tls12)

    database = rds.DatabaseInstance(
        stack,
        "ProxiedDb",
        engine=rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_16),
        vpc=vpc,
        vpc_subnets=ISOLATED,
        storage_encrypted=True,
        credentials=rds.Credentials.from_generated_secret("dbadmin"),
    )
    assert database.secret is not None
    for construct_id, require_tls in (("FailNoTlsProxy", False), ("PassDefaultProxy", None)):
        rds.DatabaseProxy(
            stack,
            construct_id,
            proxy_target=rds.ProxyTarget.from_instance(database),
            secrets=[database.secret],
            vpc=vpc,
            vpc_subnets=ISOLATED,
            require_tls=require_tls,
        )


def _tasks(stack: Stack, vpc: ec2.Vpc) -> None:
    files = efs.FileSystem(stack, "SharedFiles", vpc=vpc, vpc_subnets=ISOLATED, encrypted=True)
    for construct_id, transit_encryption in (("FailPlainEfsTask", None), ("PassEncryptedEfsTask", "ENABLED")):
        task = ecs.FargateTaskDefinition(
            stack,
            construct_id,
            volumes=[
                ecs.Volume(
                    name="attachments",
                    efs_volume_configuration=ecs.EfsVolumeConfiguration(
                        file_system_id=files.file_system_id, transit_encryption=transit_encryption
                    ),
                )
            ],
        )
        task.add_container(
            "App", image=ecs.ContainerImage.from_registry("public.ecr.aws/docker/library/busybox:latest")
        )


def _domains(stack: Stack) -> None:
    certificate = acm.Certificate.from_certificate_arn(stack, "Certificate", EU_CERTIFICATE)
    for construct_id, policy in (
        ("FailTls10Domain", apigateway.SecurityPolicy.TLS_1_0),
        ("PassDefaultDomain", None),
        ("PassTls12Domain", apigateway.SecurityPolicy.TLS_1_2),
    ):
        apigateway.DomainName(
            stack,
            construct_id,
            domain_name=f"{construct_id.lower()}.example.eu",
            certificate=certificate,
            security_policy=policy,
        )
    for construct_id, v2_policy in (
        ("FailTls10V2Domain", apigatewayv2.SecurityPolicy.TLS_1_0),
        ("PassDefaultV2Domain", None),
    ):
        apigatewayv2.DomainName(
            stack,
            construct_id,
            domain_name=f"{construct_id.lower()}.example.eu",
            certificate=certificate,
            security_policy=v2_policy,
        )


def _load_balancers(stack: Stack, vpc: ec2.Vpc) -> None:
    certificate = elbv2.ListenerCertificate.from_arn(EU_CERTIFICATE)

    def https_listener(construct_id: str) -> elbv2.ApplicationListener:
        balancer = elbv2.ApplicationLoadBalancer(stack, construct_id, vpc=vpc, internet_facing=True)
        return balancer.add_listener("Https", port=443, certificates=[certificate], ssl_policy=TLS_POLICY, open=False)

    for construct_id, protocol in (
        ("FailHttpTargetAlb", elbv2.ApplicationProtocol.HTTP),
        ("PassHttpsTargetAlb", elbv2.ApplicationProtocol.HTTPS),
    ):
        https_listener(construct_id).add_targets(
            "App", port=8443, protocol=protocol, targets=[targets.IpTarget("10.0.0.10")]
        )
    webhook = lambda_.Function(
        stack,
        "Webhook",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return None\n"),
    )
    https_listener("PassLambdaTargetAlb").add_targets("Hook", targets=[targets.LambdaTarget(webhook)])

    logs = s3.Bucket(
        stack,
        "AlbLogs",
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
    )
    edge = TlsLoadBalancer(
        stack,
        "PassPlatformEdge",
        vpc=vpc,
        subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
        certificate=acm.Certificate.from_certificate_arn(stack, "EdgeCertificate", EU_CERTIFICATE),
        access_log_bucket=logs,
        access_log_prefix="alb",
        deletion_protection=False,
    )
    edge.https_listener.add_targets(
        "Chat",
        port=8443,
        protocol=elbv2.ApplicationProtocol.HTTPS,
        targets=[targets.IpTarget("10.0.0.20")],
        health_check=elbv2.HealthCheck(path="/health", protocol=elbv2.Protocol.HTTPS),
    )


def _build() -> tuple[App, Stack]:
    app = l2_app()
    stack = Stack(app, "L2InTransit", env=ENVIRONMENT)
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    _databases(stack, vpc)
    _tasks(stack, vpc)
    _domains(stack)
    _load_balancers(stack, vpc)
    return app, stack


def _build_stacks() -> tuple[App, list[Stack]]:
    app, stack = _build()
    return app, [stack]


l2_run, test_l2_case_breaks_exactly_its_rule = case_tests(_build_stacks, CASES)
