"""EU-KEY-010 on the functions CDK synthesizes: a customer-managed key matters only where a function's environment
holds a value that is not text written in the template. CDK's own handlers (BucketDeployment's carries only
AWS_CA_BUNDLE) are no finding; a function given a queue's URL is one.
"""

from __future__ import annotations

from aws_cdk import App, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from aws_cdk import aws_sqs as sqs

from tests.eu_residency.rules.l2_harness import ENVIRONMENT, Cases, case_tests, l2_app

# PassCdkHandlerStack: the findings on CDK's BucketDeployment handler (a construct CDK names) are named by its stack.
CASES: Cases = {
    "EU-KEY-010": (
        {"FailQueueUrlFunction"},
        {"PassCdkHandlerStack", "PassWrittenEnvironmentFunction", "PassQueueUrlUnderItsKeyFunction"},
    ),
}
INLINE = lambda_.Code.from_inline("def handler(event, context):\n    return None\n")


def _function(stack: Stack, construct_id: str, environment: dict[str, str], key: kms.IKey | None = None) -> None:
    lambda_.Function(
        stack,
        construct_id,
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=INLINE,
        environment=environment,
        environment_encryption=key,
    )


def _build() -> tuple[App, list[Stack]]:
    app = l2_app()
    handlers = Stack(app, "PassCdkHandlerStack", env=ENVIRONMENT)
    site_key = kms.Key(handlers, "Key", enable_key_rotation=True)
    site = s3.Bucket(handlers, "Site", encryption=s3.BucketEncryption.KMS, encryption_key=site_key)
    s3deploy.BucketDeployment(
        handlers, "Deploy", sources=[s3deploy.Source.data("index.html", "<p>chat</p>")], destination_bucket=site
    )
    functions = Stack(app, "L2FunctionEnvironments", env=ENVIRONMENT)
    key = kms.Key(functions, "Key", enable_key_rotation=True)
    jobs = sqs.Queue(functions, "Jobs", encryption=sqs.QueueEncryption.KMS, encryption_master_key=key)
    _function(functions, "FailQueueUrlFunction", {"JOBS_QUEUE_URL": jobs.queue_url})
    _function(functions, "PassWrittenEnvironmentFunction", {"STAGE": "prod", "LOG_LEVEL": "INFO"})
    _function(functions, "PassQueueUrlUnderItsKeyFunction", {"JOBS_QUEUE_URL": jobs.queue_url}, key)
    return app, [handlers, functions]


l2_run, test_l2_case_breaks_exactly_its_rule = case_tests(_build, CASES)
