"""What AWS makes impossible, and what it requires, on templates CDK L2 constructs synthesize (issue 13): each
Fail* construct breaks its rule, no Pass* one does (the pattern of test_l2_cases.py, in a small app of its own).

A certificate or image AWS takes only from the stack's region is no finding when given by reference, an error
(the stack cannot deploy) when named in another region (a Client VPN endpoint's too); a Cognito or AppSync custom
domain, which CloudFront serves with a us-east-1 certificate, is fatal; an AwsCustomResource's JSON call is read; Aurora
Serverless v1 is always encrypted; a TableV2 whose one replica is its own region copies nothing; an S3
replication destination is where its replica key is; an NLB passing TLS through on 443 encrypts end to end."""

from __future__ import annotations

from aws_cdk import App, CfnParameter, Environment, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3
from aws_cdk import custom_resources as cr

from tests.eu_residency.rules.l2_harness import (
    ACCOUNT,
    ENVIRONMENT,
    Cases,
    case_tests,
    l2_app,
)

US_CERTIFICATE = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555"
KEY_IN = f"arn:aws:kms:{{region}}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"

CASES: Cases = {
    "EU-RES-035": (
        {
            "FailUsCertificateHttpApiDomain",
            "FailUsCertificateClientVpn",
            "FailCustomDomainUserPoolDomain",
            "FailCustomDomainEventApi",
        },
        {
            "PassParameterCertificateRegionalDomain",
            "PassDefaultCertificateDistribution",
            "PassParameterCertificateClientVpn",
        },
    ),
    # The replication role of FailUsKeyReplicatedBucket is granted the us-east-1 key: EU-RES-060 rightly reports it.
    "EU-RES-060": (
        {"FailUsWest2KeyReplica", "FailUsImageFunction", "FailUsKeyReplicatedBucket"},
        {"PassOwnRepositoryImageFunction", "PassOwnRegionTableV2"},
    ),
    "EU-RES-011": (set(), {"PassOwnRegionTableV2"}),
    "EU-ENC-001": ({"FailUnencryptedCluster"}, {"PassServerlessV1Cluster"}),
    "EU-RES-010": ({"FailUsKeyReplicatedBucket"}, {"PassFrankfurtKeyReplicatedBucket"}),
    "EU-ENC-041": ({"FailTcpToPlainTargetsNlb"}, {"PassTlsPassThroughNlb"}),
}


def _certificates(stack: Stack) -> None:
    parameter = CfnParameter(stack, "CertificateArn", type="String")
    apigateway.DomainName(
        stack,
        "PassParameterCertificateRegionalDomain",
        domain_name="api.example.eu",
        certificate=acm.Certificate.from_certificate_arn(stack, "ParameterCertificate", parameter.value_as_string),
        endpoint_type=apigateway.EndpointType.REGIONAL,
    )
    apigatewayv2.DomainName(
        stack,
        "FailUsCertificateHttpApiDomain",
        domain_name="chat.example.eu",
        certificate=acm.Certificate.from_certificate_arn(stack, "UsCertificate", US_CERTIFICATE),
    )
    cloudfront.Distribution(
        stack,
        "PassDefaultCertificateDistribution",
        default_behavior=cloudfront.BehaviorOptions(origin=origins.HttpOrigin("app.example.eu")),
    )


def _endpoint_certificates(stack: Stack, vpc: ec2.Vpc) -> None:
    """A Client VPN endpoint takes its certificates from its own region; CloudFront serves Cognito and AppSync
    custom domains, with the us-east-1 certificate AWS requires for them."""
    parameter = CfnParameter(stack, "VpnCertificateArn", type="String")
    for construct_id, certificate_arn in (
        ("PassParameterCertificateClientVpn", parameter.value_as_string),
        ("FailUsCertificateClientVpn", US_CERTIFICATE),
    ):
        ec2.ClientVpnEndpoint(
            stack,
            construct_id,
            vpc=vpc,
            cidr="10.100.0.0/16",
            server_certificate_arn=certificate_arn,
            client_certificate_arn=certificate_arn,
            logging=False,
        )
    edge_certificate = acm.Certificate.from_certificate_arn(stack, "EdgeCertificate", US_CERTIFICATE)
    pool = cognito.UserPool(stack, "UserPool", removal_policy=RemovalPolicy.DESTROY)
    cognito.UserPoolDomain(
        stack,
        "FailCustomDomainUserPoolDomain",
        user_pool=pool,
        custom_domain=cognito.CustomDomainOptions(domain_name="auth.example.eu", certificate=edge_certificate),
    )
    appsync.EventApi(
        stack,
        "FailCustomDomainEventApi",
        api_name="events",
        domain_name=appsync.AppSyncDomainOptions(certificate=edge_certificate, domain_name="events.example.eu"),
    )


def _references(stack: Stack) -> None:
    key = kms.Key(stack, "MultiRegionKey", multi_region=True)
    cr.AwsCustomResource(
        stack,
        "FailUsWest2KeyReplica",
        on_create=cr.AwsSdkCall(
            service="KMS",
            action="replicateKey",
            parameters={"KeyId": key.key_arn, "ReplicaRegion": "us-west-2"},
            physical_resource_id=cr.PhysicalResourceId.of("chat-key-replica"),
        ),
        policy=cr.AwsCustomResourcePolicy.from_sdk_calls(resources=cr.AwsCustomResourcePolicy.ANY_RESOURCE),
        install_latest_aws_sdk=False,
    )
    us_repository = ecr.Repository.from_repository_arn(
        stack, "UsRepository", f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/chat"
    )
    own_repository = ecr.Repository(stack, "OwnRepository", removal_policy=RemovalPolicy.DESTROY)
    for construct_id, repository in (
        ("FailUsImageFunction", us_repository),
        ("PassOwnRepositoryImageFunction", own_repository),
    ):
        lambda_.Function(
            stack,
            construct_id,
            code=lambda_.Code.from_ecr_image(repository, tag_or_digest="1"),
            handler=lambda_.Handler.FROM_IMAGE,
            runtime=lambda_.Runtime.FROM_IMAGE,
        )


def _stores(stack: Stack, vpc: ec2.Vpc) -> None:
    rds.ServerlessCluster(stack, "PassServerlessV1Cluster", engine=rds.DatabaseClusterEngine.AURORA_MYSQL, vpc=vpc)
    rds.DatabaseCluster(
        stack,
        "FailUnencryptedCluster",
        engine=rds.DatabaseClusterEngine.aurora_postgres(version=rds.AuroraPostgresEngineVersion.VER_16_4),
        writer=rds.ClusterInstance.serverless_v2("Writer"),
        storage_encrypted=False,
        vpc=vpc,
    )
    destination = CfnParameter(stack, "DestinationBucketArn", type="String")
    for construct_id, region in (
        ("PassFrankfurtKeyReplicatedBucket", "eu-central-1"),
        ("FailUsKeyReplicatedBucket", "us-east-1"),
    ):
        s3.Bucket(
            stack,
            construct_id,
            versioned=True,
            encryption=s3.BucketEncryption.KMS,
            replication_rules=[
                s3.ReplicationRule(
                    destination=s3.Bucket.from_bucket_arn(
                        stack, f"DestinationOf{construct_id}", destination.value_as_string
                    ),
                    kms_key=kms.Key.from_key_arn(stack, f"ReplicaKeyOf{construct_id}", KEY_IN.format(region=region)),
                    sse_kms_encrypted_objects=True,
                    priority=1,
                )
            ],
        )


def _network_load_balancers(stack: Stack, vpc: ec2.Vpc) -> None:
    for construct_id, target_port in (("PassTlsPassThroughNlb", 443), ("FailTcpToPlainTargetsNlb", 8080)):
        balancer = elbv2.NetworkLoadBalancer(stack, construct_id, vpc=vpc)
        listener = balancer.add_listener("Tcp443", port=443, protocol=elbv2.Protocol.TCP)
        listener.add_targets("Targets", port=target_port, protocol=elbv2.Protocol.TCP)


def _build() -> tuple[App, list[Stack]]:
    app = l2_app()
    stack = Stack(app, "L2Impossible", env=ENVIRONMENT)
    vpc = ec2.Vpc(stack, "Network", max_azs=2, nat_gateways=1)
    _certificates(stack)
    _endpoint_certificates(stack, vpc)
    _references(stack)
    _stores(stack, vpc)
    _network_load_balancers(stack, vpc)
    # TableV2 without replicas writes one Replicas entry, {"Ref": "AWS::Region"}: here, us-east-1.
    virginia = Stack(app, "L2ImpossibleVirginia", env=Environment(account=ACCOUNT, region="us-east-1"))
    dynamodb.TableV2(
        virginia,
        "PassOwnRegionTableV2",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
    )
    return app, [stack, virginia]


l2_run, test_l2_case_breaks_exactly_its_rule = case_tests(_build, CASES)
