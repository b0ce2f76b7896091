"""EU-ENC-013: Batch compute environments on EC2 launch their instances with encrypted EBS volumes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from eu_residency.core.resolved import Cause
from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, descend, elements, values_at
from eu_residency.rules.encryption._launch_templates import foreign_launch_templates
from eu_residency.rules.predicates import prop_path, unresolved

ENVIRONMENT_TYPE: PropertyPath = ("Type",)
COMPUTE_TYPE: PropertyPath = ("ComputeResources", "Type")
LAUNCH_TEMPLATE: PropertyPath = ("ComputeResources", "LaunchTemplate")
# Batch launches and manages EC2 instances only for these; Fargate's storage is AWS's, and the instances of
# an unmanaged compute environment are launched by the account itself (and judged where they are defined).
EC2_COMPUTE_TYPES = frozenset({"EC2", "SPOT"})
MANAGED = "MANAGED"  # CloudFormation takes the environment's Type in any case (CDK writes "managed")

WHAT = "the encryption of the instances' volumes"
TAKEN_FROM = "they take their block devices from"
NO_LAUNCH_TEMPLATE = (
    "the instances' root volumes cannot be shown encrypted from the template: without a launch template "
    "(ComputeResources.LaunchTemplate) they come from the image Batch launches (its ECS- or EKS-optimized AMI, "
    "or an ImageIdOverride) as it is (fails closed)"
)


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    on_ec2 = _launches_ec2_instances(resource, view)
    if on_ec2 is False:
        return
    findings = list(dict.fromkeys(_volumes(resource, view)))
    if not findings:
        return
    if isinstance(on_ec2, Unknown):
        yield unresolved(COMPUTE_TYPE, "whether this environment launches EC2 instances", on_ec2)
    else:
        yield from findings


def _launches_ec2_instances(resource: Resource, view: TemplateView) -> bool | Unknown:
    """True when Batch launches EC2 instances for this environment wherever it may deploy, False when it
    never does, else what that depends on."""
    managed = [_is(value, MANAGED) for value in values_at(view, resource.properties, ENVIRONMENT_TYPE)]
    on_ec2 = [_is(value, *EC2_COMPUTE_TYPES) for value in values_at(view, resource.properties, COMPUTE_TYPE)]
    if all(outcome is False for outcome in managed) or all(outcome is False for outcome in on_ec2):
        return False
    for outcome in (*managed, *on_ec2):
        if isinstance(outcome, Unknown):
            return outcome
    if all(outcome is True for outcome in (*managed, *on_ec2)):
        return True
    return Unknown("an Fn::If whose condition is decided at deploy time", Cause.CONDITION)


def _is(value: Any, *names: str) -> bool | Unknown:
    if isinstance(value, Unknown):
        return value
    return isinstance(value, str) and value.upper() in names


def _volumes(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    """The instances take their volumes from the launch template (and any override for some instance
    types) that EU-ENC-008 judges; without one, from the image as it is."""
    for specification in values_at(view, resource.properties, LAUNCH_TEMPLATE):
        if specification is MISSING:
            yield Violation(prop_path(*LAUNCH_TEMPLATE), NO_LAUNCH_TEMPLATE)
        elif not isinstance(specification, Mapping):
            reason = specification if isinstance(specification, Unknown) else Unknown("a malformed launch template")
            yield unresolved(LAUNCH_TEMPLATE, WHAT, reason)
        else:
            yield from foreign_launch_templates(view, specification, LAUNCH_TEMPLATE, WHAT, TAKEN_FROM)
            overrides = (*LAUNCH_TEMPLATE, "Overrides")
            for listed in descend(specification, ("Overrides",)):
                for index, override in elements(listed):
                    if index is None:
                        yield unresolved(overrides, WHAT, override)
                    else:
                        yield from foreign_launch_templates(view, override, (*overrides, index), WHAT, TAKEN_FROM)


RULE = Rule(
    id="EU-ENC-013",
    title="Batch compute environments on EC2 launch their instances with encrypted EBS volumes",
    explanation=(
        "A managed Batch compute environment of type EC2 or SPOT launches instances whose EBS volumes hold "
        "the jobs' containers, their scratch files and the user data they process. Without a launch "
        "template, their root volume is the one of the image Batch chooses, as it is: a public AMI's "
        "snapshot is never encrypted, so the volume is encrypted only if the account has turned on EBS "
        "encryption by default, which the template cannot show. The privacy policy promises that personal "
        "data is encrypted at rest. A launch template of this template is judged by EU-ENC-008 (and so are "
        "the ones in LaunchTemplate.Overrides); Fargate environments run on storage AWS encrypts; an "
        "unmanaged environment's instances are launched, and judged, elsewhere."
    ),
    fix="Set ComputeResources.LaunchTemplate to a launch template of this template whose "
    "LaunchTemplateData.BlockDeviceMappings give the root device (/dev/xvda) Ebs.Encrypted: true (L2: "
    "aws_batch.ManagedEc2EcsComputeEnvironment(launch_template=aws_ec2.LaunchTemplate(block_devices="
    "[BlockDevice(device_name='/dev/xvda', volume=BlockDeviceVolume.ebs(30, encrypted=True))]))).",
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::Batch::ComputeEnvironment"}),
    check_resource=check,
)
