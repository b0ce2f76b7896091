"""EU-ENC-008: EC2 instances, launch templates and Auto Scaling launch configurations encrypt every EBS volume
they create."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown, options
from eu_residency.core.values import MISSING, values_at
from eu_residency.rules.encryption._at_rest import may_be_set
from eu_residency.rules.encryption._launch_templates import LAUNCH_TEMPLATE, foreign_launch_templates
from eu_residency.rules.predicates import judge_true, prop_path, unresolved

INSTANCE = "AWS::EC2::Instance"
# Auto Scaling's launch configuration: the same BlockDeviceMappings as an instance (NoDevice a boolean),
# no KMS key of its own, and mappings never taken from an InstanceId it is created from.
LAUNCH_CONFIGURATION = "AWS::AutoScaling::LaunchConfiguration"
# The device names AMIs give their root volume (Amazon Linux, Bottlerocket: /dev/xvda; Ubuntu, RHEL,
# Windows: /dev/sda1). A mapping of one of them replaces the image's root volume.
ROOT_DEVICE_NAMES = frozenset({"/dev/xvda", "/dev/sda1", "/dev/sda"})
WHAT = "the encryption of this EBS volume"

NO_MAPPINGS = (
    "the root volume's encryption cannot be shown from the template: there are no block device mappings, "
    "so the volume comes from the image (ImageId) as it is (fails closed)"
)
NO_ROOT_MAPPING = (
    "the root volume's encryption cannot be shown from the template: no EBS mapping is shown to be of its "
    "device (/dev/xvda or /dev/sda1), so the volume comes from the image (ImageId) as it is (fails closed)"
)
FROM_SNAPSHOT = (
    "this volume's encryption cannot be shown from the template: without Ebs.Encrypted: true it keeps the "
    "encryption of the snapshot named in Ebs.SnapshotId (fails closed)"
)
INSTANCE_VOLUMES = "the encryption of the instance's volumes"
OWN_NONE = "it has no block device mappings of its own and takes them from"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    if resource.type == LAUNCH_TEMPLATE:
        found = _mappings(resource, view, ("LaunchTemplateData", "BlockDeviceMappings"))
    else:
        found = _mappings(resource, view, ("BlockDeviceMappings",))
    yield from dict.fromkeys(found)  # options of an undecided Fn::If can find the same fault twice


def _mappings(resource: Resource, view: TemplateView, prefix: PropertyPath) -> Iterator[Violation]:
    for mappings in values_at(view, resource.properties, prefix):
        if mappings is MISSING:
            yield from _absent(resource, view, prefix)
        elif isinstance(mappings, Unknown):
            yield unresolved(prefix, "the encryption of the block devices", mappings)
        elif not isinstance(mappings, list):
            found = Unknown(f"a {type(mappings).__name__} where a list was expected")
            yield unresolved(prefix, "the encryption of the block devices", found)
        else:
            root = False
            for index, item in enumerate(mappings):
                for mapping in options(item):
                    path = (*prefix, index)
                    if mapping is MISSING:
                        continue
                    if not isinstance(mapping, Mapping):
                        reason = mapping if isinstance(mapping, Unknown) else Unknown("a malformed mapping")
                        yield unresolved(path, "the encryption of this block device", reason)
                        continue
                    if all(ebs is MISSING for ebs in values_at(view, mapping, ("Ebs",))):
                        continue  # an instance store volume (VirtualName) or a suppressed device (NoDevice)
                    yield from _encrypted(view, mapping, path)
                    names = values_at(view, mapping, ("DeviceName",))
                    root = root or all(isinstance(name, str) and name in ROOT_DEVICE_NAMES for name in names)
            if not root:
                yield Violation(prop_path(*prefix), NO_ROOT_MAPPING)


def _encrypted(view: TemplateView, mapping: Mapping[str, Any], path: PropertyPath) -> Iterator[Violation]:
    """An EBS mapping's volume is encrypted (Ebs.Encrypted true); left unset on a volume restored from a
    snapshot, it keeps the snapshot's encryption, which the template cannot show."""
    leaves = values_at(view, mapping, ("Ebs", "Encrypted"))
    absent = FROM_SNAPSHOT if may_be_set(view, mapping, ("Ebs", "SnapshotId")) else None
    yield from judge_true(view, leaves, (*path, "Ebs", "Encrypted"), WHAT, absent=absent)


def _absent(resource: Resource, view: TemplateView, prefix: PropertyPath) -> Iterator[Violation]:
    """No mappings: an instance launched from a launch template of this stack takes them from it (and the
    template is checked itself); otherwise every volume comes from the image as it is.
    """
    if resource.type == INSTANCE and may_be_set(view, resource.properties, ("LaunchTemplate",)):
        yield from _launch_template(resource, view)
    else:
        yield Violation(prop_path(*prefix), NO_MAPPINGS)


def _launch_template(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    for specification in values_at(view, resource.properties, ("LaunchTemplate",)):
        yield from foreign_launch_templates(view, specification, ("LaunchTemplate",), INSTANCE_VOLUMES, OWN_NONE)


RULE = Rule(
    id="EU-ENC-008",
    title="EC2 instances, launch templates and launch configurations encrypt every EBS volume they create",
    explanation=(
        "Every EBS volume an instance, a launch template or an Auto Scaling launch configuration creates, "
        "the root volume included, holds whatever the instance writes, user data among it. A volume is "
        "unencrypted unless its mapping sets Ebs.Encrypted: true, its snapshot (the image's, or SnapshotId) "
        "is encrypted, or the account has turned on EBS encryption by default; the last two are invisible in "
        "the template and can change without it. The root volume is only shown encrypted when a mapping of "
        "the root device (/dev/xvda or /dev/sda1) says so; otherwise it comes from the image as it is. The "
        "privacy policy promises that personal data is encrypted at rest. Instance store volumes (VirtualName) are "
        "not EBS and are not checked."
    ),
    fix="Give every EBS block device mapping, including one for the root device, Ebs.Encrypted: true "
    "(BlockDeviceMappings; a launch template: LaunchTemplateData.BlockDeviceMappings) (L2: "
    "aws_ec2.Instance(block_devices=[BlockDevice(device_name='/dev/xvda', "
    "volume=BlockDeviceVolume.ebs(size, encrypted=True))]), likewise aws_ec2.LaunchTemplate(block_devices=[...]) "
    "and aws_autoscaling.AutoScalingGroup(block_devices=[autoscaling.BlockDevice(device_name='/dev/xvda', "
    "volume=autoscaling.BlockDeviceVolume.ebs(size, encrypted=True))]).",
    severity=Severity.ERROR,
    resource_types=frozenset({INSTANCE, LAUNCH_TEMPLATE, LAUNCH_CONFIGURATION}),
    check_resource=check,
)
