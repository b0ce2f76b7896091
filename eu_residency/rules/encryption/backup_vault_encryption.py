"""EU-ENC-026: AWS Backup vaults encrypt recovery points with a customer-managed KMS key."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.encryption._customer_keys import NO_KEY_CONTROL, key_violations


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from key_violations(
        view,
        resource.properties,
        ("EncryptionKeyArn",),
        what="the vault's KMS key",
        missing="the vault encrypts recovery points with the AWS-managed key aws/backup (EncryptionKeyArn "
        f"is not set), {NO_KEY_CONTROL}",
        customer_managed=True,
    )


RULE = Rule(
    id="EU-ENC-026",
    title="AWS Backup vaults encrypt recovery points with a customer-managed KMS key",
    explanation=(
        "A backup vault holds copies of every backed-up database and file system, long after the data "
        "itself may have been deleted. With the AWS-managed aws/backup key, anyone the account lets use "
        "AWS Backup can restore them; a customer-managed key keeps restoring under a key policy that can "
        "be restricted, audited and revoked, as the privacy policy's safeguards require."
    ),
    fix="Set EncryptionKeyArn to a customer-managed key (L2: aws_backup.BackupVault(encryption_key=key)).",
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::Backup::BackupVault"}),
    check_resource=check,
)
