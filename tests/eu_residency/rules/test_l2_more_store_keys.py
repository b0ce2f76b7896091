"""EU-KEY-010 on the L2 constructs of stores AWS always encrypts: a build project, an exporting report group, an
event bus, a Lustre file system and a Glue security configuration name no customer-managed key unless given one;
a Lustre scratch file system takes none.
"""

from __future__ import annotations

from aws_cdk import App, Stack
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_fsx as fsx
from aws_cdk import aws_glue as glue
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from tests.eu_residency.rules.l2_harness import ENVIRONMENT, Cases, case_tests, l2_app

CASES: Cases = {
    "EU-KEY-010": (
        {
            "FailBuildProject",
            "FailExportedReports",
            "FailEventBus",
            "FailPersistentLustre",
            "FailS3ManagedSecurityConfiguration",
        },
        {
            "PassBuildProject",
            "PassExportedReports",
            "PassEventBus",
            "PassPersistentLustre",
            "PassScratchLustre",
            "PassSecurityConfiguration",
        },
    ),
}
# The other L2 case files account for every rule; this one adds cases to a rule that has them already.
NO_L2: dict[str, str] = {}
BUILD_SPEC = codebuild.BuildSpec.from_object({"version": "0.2", "phases": {"build": {"commands": ["make"]}}})


def _lustre(
    stack: Stack, construct_id: str, vpc: ec2.IVpc, deployment: fsx.LustreDeploymentType, key: kms.IKey | None
) -> None:
    per_unit = 125 if deployment is fsx.LustreDeploymentType.PERSISTENT_2 else None
    fsx.LustreFileSystem(
        stack,
        construct_id,
        vpc=vpc,
        vpc_subnet=vpc.isolated_subnets[0],
        storage_capacity_gib=1200,
        lustre_configuration=fsx.LustreConfiguration(deployment_type=deployment, per_unit_storage_throughput=per_unit),
        kms_key=key,
    )


def _build() -> tuple[App, list[Stack]]:
    app = l2_app()
    stack = Stack(app, "L2MoreStoreKeys", env=ENVIRONMENT)
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    codebuild.Project(stack, "FailBuildProject", build_spec=BUILD_SPEC)
    codebuild.Project(stack, "PassBuildProject", build_spec=BUILD_SPEC, encryption_key=key)
    plain = s3.Bucket(stack, "Reports", encryption=s3.BucketEncryption.S3_MANAGED)
    keyed = s3.Bucket(stack, "KeyedReports", encryption=s3.BucketEncryption.KMS, encryption_key=key)
    codebuild.ReportGroup(stack, "FailExportedReports", export_bucket=plain)
    codebuild.ReportGroup(stack, "PassExportedReports", export_bucket=keyed)
    events.EventBus(stack, "FailEventBus")
    events.EventBus(stack, "PassEventBus", kms_key=key)
    vpc = ec2.Vpc(
        stack,
        "Network",
        max_azs=1,
        nat_gateways=0,
        subnet_configuration=[ec2.SubnetConfiguration(name="private", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)],
    )
    _lustre(stack, "FailPersistentLustre", vpc, fsx.LustreDeploymentType.PERSISTENT_2, None)
    _lustre(stack, "PassPersistentLustre", vpc, fsx.LustreDeploymentType.PERSISTENT_2, key)
    _lustre(stack, "PassScratchLustre", vpc, fsx.LustreDeploymentType.SCRATCH_2, None)
    glue.SecurityConfiguration(
        stack,
        "FailS3ManagedSecurityConfiguration",
        s3_encryption=glue.S3Encryption.s3_managed(),
        cloud_watch_encryption=glue.CloudWatchEncryption.kms(key),
        job_bookmarks_encryption=glue.JobBookmarksEncryption.client_side_kms(key),
    )
    glue.SecurityConfiguration(
        stack,
        "PassSecurityConfiguration",
        s3_encryption=glue.S3Encryption.kms(key),
        cloud_watch_encryption=glue.CloudWatchEncryption.kms(key),
        job_bookmarks_encryption=glue.JobBookmarksEncryption.client_side_kms(key),
    )
    return app, [stack]


l2_run, test_l2_case_breaks_exactly_its_rule = case_tests(_build, CASES)
