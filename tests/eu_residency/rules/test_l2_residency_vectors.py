"""The residency-vector rules (DLM, EventBridge global endpoints, DataSync, Bedrock) on templates CDK synthesizes:
each Fail* construct breaks its rule, no Pass* one does (the pattern of test_l2_cases.py, in a small app of its
own). aws-cdk-lib has no L2 for DLM policies, global endpoints, DataSync or Bedrock agents (Bedrock's L2s are
in @aws-cdk/aws-bedrock-alpha, which this project does not install): those cases are CDK's L1 constructs, which
still show that the rules read what CDK writes; the IAM grants and the function environment are L2s."""

from __future__ import annotations

from aws_cdk import App, Stack
from aws_cdk import aws_bedrock as bedrock
from aws_cdk import aws_datasync as datasync
from aws_cdk import aws_dlm as dlm
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3

from tests.eu_residency.rules.l2_harness import (
    ACCOUNT,
    ENVIRONMENT,
    REGION,
    Cases,
    case_tests,
    l2_app,
)

STACK_ID = "L2ResidencyVectors"
GLOBAL_PROFILE = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
HEALTH_CHECK = "arn:aws:route53:::healthcheck/11111111-2222-3333-4444-555555555555"
DLM_ROLE = f"arn:aws:iam::{ACCOUNT}:role/AWSDataLifecycleManagerDefaultRole"

# rule id -> (the Fail* constructs it must report, the Pass* constructs it must not); a construct is a top-level
# child of the stack. test_l2_cases.py's every-rule meta-test counts these too.
CASES: Cases = {
    "EU-RES-024": ({"FailUsCopyPolicy"}, {"PassEuCopyPolicy"}),
    "EU-RES-025": ({"FailUsSecondaryEndpoint"}, {"PassEuSecondaryEndpoint"}),
    # The NFS server is outside AWS and vetted by no one; the task between two buckets of the stack passes.
    "EU-RES-026": ({"FailNfsLocation", "FailUsDestinationTask"}, {"PassArchiveLocation", "PassArchiveTask"}),
    "EU-RES-036": ({"FailGlobalProfileAgent"}, {"PassInRegionAgent"}),
    # Role.add_to_policy writes the grant into the role's DefaultPolicy, a child of the role construct.
    "EU-RES-037": ({"FailGlobalProfileRole"}, {"PassInRegionModelRole"}),
    "EU-RES-038": ({"FailGlobalProfileFunction"}, {"PassInRegionModelFunction"}),
}

# rule id -> why no construct of aws-cdk-lib above L1 can express the case (the L1 cases above still run).
NO_L2: dict[str, str] = {}


def _lifecycle_policy(stack: Stack, construct_id: str, target: str) -> None:
    schedule = dlm.CfnLifecyclePolicy.ScheduleProperty(
        name="daily",
        create_rule=dlm.CfnLifecyclePolicy.CreateRuleProperty(interval=24, interval_unit="HOURS"),
        retain_rule=dlm.CfnLifecyclePolicy.RetainRuleProperty(count=7),
        cross_region_copy_rules=[dlm.CfnLifecyclePolicy.CrossRegionCopyRuleProperty(encrypted=True, target=target)],
    )
    dlm.CfnLifecyclePolicy(
        stack,
        construct_id,
        description="daily snapshots of the chat volumes",
        state="ENABLED",
        execution_role_arn=DLM_ROLE,
        policy_details=dlm.CfnLifecyclePolicy.PolicyDetailsProperty(
            policy_type="EBS_SNAPSHOT_MANAGEMENT",
            resource_types=["VOLUME"],
            target_tags=[{"key": "backup", "value": "daily"}],
            schedules=[schedule],
        ),
    )


def _endpoints(stack: Stack) -> None:
    bus = events.EventBus(stack, "Bus", event_bus_name="chat-events")
    secondaries = (("FailUsSecondaryEndpoint", "us-east-1"), ("PassEuSecondaryEndpoint", "eu-central-1"))
    for construct_id, secondary in secondaries:
        events.CfnEndpoint(
            stack,
            construct_id,
            name=construct_id.lower(),
            routing_config=events.CfnEndpoint.RoutingConfigProperty(
                failover_config=events.CfnEndpoint.FailoverConfigProperty(
                    primary=events.CfnEndpoint.PrimaryProperty(health_check=HEALTH_CHECK),
                    secondary=events.CfnEndpoint.SecondaryProperty(route=secondary),
                )
            ),
            event_buses=[
                events.CfnEndpoint.EndpointEventBusProperty(event_bus_arn=bus.event_bus_arn),
                events.CfnEndpoint.EndpointEventBusProperty(
                    event_bus_arn=stack.format_arn(
                        service="events", region=secondary, resource="event-bus", resource_name="chat-events"
                    )
                ),
            ],
        )


def _transfers(stack: Stack) -> None:
    access = datasync.CfnLocationS3.S3ConfigProperty(bucket_access_role_arn=f"arn:aws:iam::{ACCOUNT}:role/datasync")
    uploads = s3.Bucket(stack, "Uploads", enforce_ssl=True)
    archive = s3.Bucket(stack, "Archive", enforce_ssl=True)
    source = datasync.CfnLocationS3(stack, "UploadsLocation", s3_bucket_arn=uploads.bucket_arn, s3_config=access)
    target = datasync.CfnLocationS3(stack, "PassArchiveLocation", s3_bucket_arn=archive.bucket_arn, s3_config=access)
    datasync.CfnTask(
        stack,
        "PassArchiveTask",
        source_location_arn=source.attr_location_arn,
        destination_location_arn=target.attr_location_arn,
    )
    datasync.CfnTask(
        stack,
        "FailUsDestinationTask",
        source_location_arn=source.attr_location_arn,
        destination_location_arn=f"arn:aws:datasync:us-east-1:{ACCOUNT}:location/loc-0123456789abcdef0",
    )
    datasync.CfnLocationNFS(
        stack,
        "FailNfsLocation",
        server_hostname="nas.office.example.com",
        subdirectory="/exports/chat",
        on_prem_config=datasync.CfnLocationNFS.OnPremConfigProperty(
            agent_arns=[f"arn:aws:datasync:{REGION}:{ACCOUNT}:agent/agent-0123456789abcdef0"]
        ),
    )


def _bedrock(stack: Stack) -> None:
    haiku = bedrock.FoundationModel.from_foundation_model_id(
        stack, "Haiku", bedrock.FoundationModelIdentifier.ANTHROPIC_CLAUDE_3_HAIKU_20240307_V1_0
    )
    role = f"arn:aws:iam::{ACCOUNT}:role/bedrock-agent"
    for construct_id, model in (("FailGlobalProfileAgent", GLOBAL_PROFILE), ("PassInRegionAgent", haiku.model_id)):
        bedrock.CfnAgent(
            stack,
            construct_id,
            agent_name=construct_id.lower(),
            agent_resource_role_arn=role,
            foundation_model=model,
            instruction="Answer questions about the chat service for signed-in users.",
        )
    profile_arn = stack.format_arn(service="bedrock", resource="inference-profile", resource_name=GLOBAL_PROFILE)
    for construct_id, arn in (("FailGlobalProfileRole", profile_arn), ("PassInRegionModelRole", haiku.model_arn)):
        grantee = iam.Role(stack, construct_id, assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        grantee.add_to_policy(iam.PolicyStatement(actions=["bedrock:InvokeModel"], resources=[arn]))
    for construct_id, model in (("FailGlobalProfileFunction", GLOBAL_PROFILE), ("PassInRegionModelFunction", HAIKU)):
        lambda_.Function(
            stack,
            construct_id,
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"),
            environment={"MODEL_ID": model, "API_HOST": "us.api.example.com"},
        )


def _build() -> tuple[App, list[Stack]]:
    app = l2_app()
    stack = Stack(app, STACK_ID, env=ENVIRONMENT)
    _lifecycle_policy(stack, "FailUsCopyPolicy", "us-east-1")
    _lifecycle_policy(stack, "PassEuCopyPolicy", "eu-central-1")
    _endpoints(stack)
    _transfers(stack)
    _bedrock(stack)
    return app, [stack]


l2_run, test_l2_case_breaks_exactly_its_rule = case_tests(_build, CASES)
