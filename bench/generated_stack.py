"""A generated CDK stack of N resources of mixed types with references between them, for scale benchmarks.

The mix: S3 buckets (with their TLS-only policies), DynamoDB tables, SQS queues, CloudWatch log groups,
Lambda functions (with their roles and policies, reading the bucket, table and queue of their unit and
the load balancer's name) and HTTPS listeners of Application Load Balancers, in one VPC without NAT
gateways. Every resource is compliant with the EU-Residency rules, so that a synthesis with the pack
succeeds and the checks run to the end.
"""

from __future__ import annotations

from aws_cdk import App, Duration, Environment, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs

ENV = Environment(account="123456789012", region="eu-west-1")
CERTIFICATE_ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000001"
# Each unit adds nine CloudFormation resources: bucket and its policy, table, queue, log group, a function
# with its role and policy, and an HTTPS listener.
RESOURCES_PER_UNIT = 9
# Units share a load balancer (and its security group) up to this many listeners; ALB allows 50.
LISTENERS_PER_LOAD_BALANCER = 25
# The key and the VPC: VPC, internet gateway and its attachment, and per public subnet the subnet, its
# route table, the association and the default route.
AVAILABILITY_ZONES = 2
SHARED_RESOURCES = 1 + 3 + 4 * AVAILABILITY_ZONES
# CloudFormation deploys at most 500 resources per stack; a benchmark template may hold more.
RESOURCE_LIMIT_CONTEXT = {"@aws-cdk/core:stackResourceLimit": 100_000}


def units_for(resources: int) -> int:
    """How many units make a stack of about ``resources`` resources (load balancers included)."""
    per_unit = RESOURCES_PER_UNIT + 2 / LISTENERS_PER_LOAD_BALANCER
    return max(1, round((resources - SHARED_RESOURCES) / per_unit))


def build(app: App, resources: int) -> Stack:
    """One stack of about ``resources`` resources: compliant, encrypted, with references between them."""
    stack = Stack(app, f"Generated{resources}", env=ENV)
    key = kms.Key(stack, "Key", enable_key_rotation=True, removal_policy=RemovalPolicy.DESTROY)
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        nat_gateways=0,
        availability_zones=[f"{ENV.region}{zone}" for zone in "abc"[:AVAILABILITY_ZONES]],
        subnet_configuration=[ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC)],
    )
    certificate = elbv2.ListenerCertificate.from_arn(CERTIFICATE_ARN)
    load_balancer: elbv2.ApplicationLoadBalancer | None = None
    for unit in range(units_for(resources)):
        if unit % LISTENERS_PER_LOAD_BALANCER == 0:
            load_balancer = elbv2.ApplicationLoadBalancer(
                stack, f"LoadBalancer{unit // LISTENERS_PER_LOAD_BALANCER}", vpc=vpc, internet_facing=True
            )
        assert load_balancer is not None
        bucket = s3.Bucket(
            stack,
            f"Bucket{unit}",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=key,
            bucket_key_enabled=True,
            enforce_ssl=True,
            removal_policy=RemovalPolicy.DESTROY,
        )
        table = dynamodb.Table(
            stack,
            f"Table{unit}",
            partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=key,
            removal_policy=RemovalPolicy.DESTROY,
        )
        queue = sqs.Queue(stack, f"Queue{unit}", encryption=sqs.QueueEncryption.KMS, encryption_master_key=key)
        log_group = logs.LogGroup(
            stack,
            f"Logs{unit}",
            encryption_key=key,
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        function = lambda_.Function(
            stack,
            f"Function{unit}",
            runtime=lambda_.Runtime.PYTHON_3_13,
            handler="index.handler",
            code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"),
            log_group=log_group,
            timeout=Duration.seconds(10),
            environment={
                "BUCKET": bucket.bucket_name,
                "TABLE": table.table_name,
                "QUEUE": queue.queue_url,
                "LOAD_BALANCER": load_balancer.load_balancer_dns_name,
            },
        )
        bucket.grant_read(function)
        table.grant_read_write_data(function)
        queue.grant_send_messages(function)
        load_balancer.add_listener(
            f"Listener{unit}",
            port=8443 + unit % LISTENERS_PER_LOAD_BALANCER,
            protocol=elbv2.ApplicationProtocol.HTTPS,
            certificates=[certificate],
            ssl_policy=elbv2.SslPolicy.TLS13_12_RES_PQ,
            open=False,
            default_action=elbv2.ListenerAction.fixed_response(200, content_type="text/plain", message_body="ok"),
        )
    return stack
