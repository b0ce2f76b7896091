"""The at-rest rules EU-ENC-008 (launch configurations) and EU-ENC-013 to EU-ENC-017 on templates that CDK L2
constructs synthesize: each Fail* construct breaks its rule, no Pass* one does."""

from __future__ import annotations

from typing import Any

from aws_cdk import App, Stack
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_batch as batch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_glue as glue

from tests.eu_residency.rules.l2_harness import (
    ENVIRONMENT,
    REGION,
    Cases,
    case_tests,
    l2_app,
)

IMAGE = ec2.MachineImage.generic_linux({REGION: "ami-0123456789abcdef0"})

# The cases (l2_harness says how a finding is named: glue.Catalog's encryption settings, one construct per stack
# named by CDK, by their stack).
CASES: Cases = {
    # Without @aws-cdk/aws-autoscaling:generateLaunchTemplateInsteadOfLaunchConfig (no feature flags here) an
    # AutoScalingGroup synthesizes an AWS::AutoScaling::LaunchConfiguration.
    "EU-ENC-008": ({"FailImageRootAsg", "FailRootVolumeAsg"}, {"PassRootVolumeAsg", "BatchCases"}),
    "EU-ENC-013": ({"FailDefaultBatch", "FailSpotBatch"}, {"PassTemplateBatch", "PassFargateBatch"}),
    "EU-ENC-015": ({"FailDisabledCatalog", "FailPasswordsOnlyCatalog"}, {"PassKmsCatalog"}),
}

# rule id -> why no construct of aws-cdk-lib above L1 can express the case.
NO_L2: dict[str, str] = {
    "EU-ENC-014": "aws-cdk-lib has no DAX L2: clusters are the L1 CfnCluster only",
    "EU-ENC-016": "aws-cdk-lib has no EMR L2: security configurations and clusters are L1 only",
    "EU-ENC-017": "aws-cdk-lib has no WorkSpaces L2: workspaces are the L1 CfnWorkspace only",
}


def _auto_scaling(stack: Stack, vpc: ec2.IVpc) -> None:
    instance_type = ec2.InstanceType("t3.micro")
    autoscaling.AutoScalingGroup(
        stack, "FailImageRootAsg", vpc=vpc, instance_type=instance_type, machine_image=IMAGE
    )  # no block devices: the image's root volume as it is
    for prefix, encrypted in (("Fail", None), ("Pass", True)):
        volume = autoscaling.BlockDeviceVolume.ebs(8, encrypted=encrypted)
        autoscaling.AutoScalingGroup(
            stack,
            f"{prefix}RootVolumeAsg",
            vpc=vpc,
            instance_type=instance_type,
            machine_image=IMAGE,
            block_devices=[autoscaling.BlockDevice(device_name="/dev/xvda", volume=volume)],
        )


def _batch(stack: Stack, vpc: ec2.IVpc) -> None:
    batch.ManagedEc2EcsComputeEnvironment(stack, "FailDefaultBatch", vpc=vpc)  # no launch template
    batch.ManagedEc2EcsComputeEnvironment(stack, "FailSpotBatch", vpc=vpc, spot=True)
    root = ec2.BlockDevice(device_name="/dev/xvda", volume=ec2.BlockDeviceVolume.ebs(30, encrypted=True))
    template = ec2.LaunchTemplate(stack, "EncryptedWorkerTemplate", block_devices=[root])
    batch.ManagedEc2EcsComputeEnvironment(stack, "PassTemplateBatch", vpc=vpc, launch_template=template)
    batch.FargateComputeEnvironment(stack, "PassFargateBatch", vpc=vpc)


def _glue_catalogs(app: App) -> list[Stack]:
    """One account catalog's encryption settings per stack (CDK names the construct)."""
    settings: dict[str, dict[str, Any]] = {
        "FailDisabledCatalog": {"encryption_at_rest": glue.DataCatalogEncryptionAtRest.disabled()},
        "FailPasswordsOnlyCatalog": {"connection_password_encryption": glue.ConnectionPasswordEncryption()},
        "PassKmsCatalog": {
            "encryption_at_rest": glue.DataCatalogEncryptionAtRest.kms(),
            "connection_password_encryption": glue.ConnectionPasswordEncryption(),
        },
    }
    stacks = []
    for stack_id, props in settings.items():
        stack = Stack(app, stack_id, env=ENVIRONMENT)
        glue.Catalog.encrypt_account(stack, **props)
        stacks.append(stack)
    return stacks


def _build() -> tuple[App, list[Stack]]:
    app = l2_app()
    stack = Stack(app, "BatchCases", env=ENVIRONMENT)
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    _auto_scaling(stack, vpc)
    _batch(stack, vpc)
    return app, [stack, *_glue_catalogs(app)]


l2_run, test_l2_case_breaks_exactly_its_rule = case_tests(_build, CASES)
