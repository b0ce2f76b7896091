"""EU-ENC-009: EFS file systems encrypt data at rest."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.predicates import require_true


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from require_true(resource, view, ("Encrypted",), "at-rest encryption")


RULE = Rule(
    id="EU-ENC-009",
    title="EFS file systems encrypt data at rest",
    explanation=(
        "Through CloudFormation an EFS file system is unencrypted unless Encrypted is true (the console's "
        "default does not apply), and encryption cannot be turned on later. Files written by the "
        "platform, uploads and exports of user data among them, and the file system's backups would "
        "then be stored in the clear, against the privacy policy's promise that personal data is "
        "encrypted at rest."
    ),
    # https://docs.aws.amazon.com/efs/latest/ug/API_CreateFileSystem.html (KmsKeyId: aws/elasticfilesystem)
    fix=(
        "Set Encrypted: true; any KMS key will do: leave KmsKeyId unset for EFS's AWS-managed "
        "aws/elasticfilesystem, or name a key of your own (L2: aws_efs.FileSystem(encrypted=True), and "
        "kms_key=key for your own)."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::EFS::FileSystem"}),
    check_resource=check,
)
