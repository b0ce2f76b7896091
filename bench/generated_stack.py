"""A generated CDK stack of N resources of mixed types with references between them, for scale benchmarks."""

from __future__ import annotations

from aws_cdk import App, Duration, Environment, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs

ENV = Environment(account="123456789012", region="eu-west-1")
# Each unit adds eight CloudFormation resources: bucket and its policy, table, queue, log group, and a
# function with its role and policy.
RESOURCES_PER_UNIT = 8
# CloudFormation deploys at most 500 resources per stack; a benchmark template may hold more.
RESOURCE_LIMIT_CONTEXT = {"@aws-cdk/core:stackResourceLimit": 100_000}


def build(app: App, resources: int) -> Stack:
    """One stack of about ``resources`` resources: compliant, encrypted, with references between them."""
    stack = Stack(app, f"Generated{resources}", env=ENV)
    key = kms.Key(stack, "Key", enable_key_rotation=True, removal_policy=RemovalPolicy.DESTROY)
    for unit in range(max(1, resources // RESOURCES_PER_UNIT)):
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
            environment={"BUCKET": bucket.bucket_name, "TABLE": table.table_name, "QUEUE": queue.queue_url},
        )
        bucket.grant_read(function)
        table.grant_read_write_data(function)
        queue.grant_send_messages(function)
    return stack
