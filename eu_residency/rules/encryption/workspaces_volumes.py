"""EU-ENC-017: WorkSpaces encrypt their root and user volumes."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.predicates import require_true

VOLUMES = (
    ("RootVolumeEncryptionEnabled", "root volume encryption", "the C: drive or root file system"),
    ("UserVolumeEncryptionEnabled", "user volume encryption", "the user's D: drive or home directory"),
)


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    for prop, what, volume in VOLUMES:
        absent = f"{what} is not turned on ({prop} is not set): {volume} is stored unencrypted"
        yield from require_true(resource, view, (prop,), what, absent=absent)


RULE = Rule(
    id="EU-ENC-017",
    title="WorkSpaces encrypt their root and user volumes",
    explanation=(
        "A WorkSpace is a desktop whose user works with the platform's data: downloads, exports, browser "
        "caches and documents land on its user volume, and temporary files and page files on its root "
        "volume. Each is encrypted only when RootVolumeEncryptionEnabled and UserVolumeEncryptionEnabled are "
        "true; they are off unless set, and CloudFormation applies a change to them only together with one that "
        "replaces the WorkSpace. The privacy policy promises that personal data is encrypted at rest."
    ),
    fix="Set RootVolumeEncryptionEnabled: true and UserVolumeEncryptionEnabled: true with VolumeEncryptionKey "
    "the KMS key (alias/aws/workspaces for the AWS-managed one); CloudFormation applies this to an existing "
    "WorkSpace only with a change that replaces it, such as UserName (aws-cdk-lib has no WorkSpaces L2: "
    "aws_workspaces.CfnWorkspace(root_volume_encryption_enabled=True, user_volume_encryption_enabled=True, "
    "volume_encryption_key=...)).",
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::WorkSpaces::Workspace"}),
    check_resource=check,
)
