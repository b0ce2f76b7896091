"""EU-KEY-004: ECR repositories encrypt images under a customer-managed KMS key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.core.values import MISSING, descend, get
from eu_residency.rules._kms_keys import key_value_violations
from eu_residency.rules._typed_encryption import typed_encryption_violations
from eu_residency.rules.predicates import prop_path

ENCRYPTION: PropertyPath = ("EncryptionConfiguration",)
TYPE: PropertyPath = (*ENCRYPTION, "EncryptionType")
KEY: PropertyPath = (*ENCRYPTION, "KmsKey")
KMS_TYPES = frozenset({"KMS", "KMS_DSSE"})
NO_KEY_CONTROL = "which gives no key control: no key policy limits who can pull the images"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    def judge_type(encryption: Any, kind: Any) -> Iterator[Violation]:
        if kind in KMS_TYPES:
            yield from key_value_violations(
                descend(encryption, ("KmsKey",)),
                get(resource.properties, KEY),
                KEY,
                what="the repository's KMS key",
                missing=f"images are encrypted with the AWS-managed key aws/ecr (EncryptionType is {kind} "
                f"but KmsKey is not set), {NO_KEY_CONTROL}",
                customer_managed=True,
            )
        elif kind == "AES256" or kind is MISSING:
            setting = "EncryptionType is not set" if kind is MISSING else "EncryptionType is AES256"
            message = f"images are encrypted with SSE-S3 ({setting}), {NO_KEY_CONTROL}"
            yield Violation(prop_path(*TYPE), message)
        else:
            yield Violation(prop_path(*TYPE), f"EncryptionType {kind!r} is not an ECR encryption type")

    default = "images are encrypted with SSE-S3 (AES256: EncryptionConfiguration is missing)"
    yield from typed_encryption_violations(
        view,
        resource.properties,
        ENCRYPTION,
        "EncryptionType",
        what="the repository's encryption",
        type_what="the repository's encryption type",
        missing=f"{default}, {NO_KEY_CONTROL}",
        judge_type=judge_type,
    )


RULE = Rule(
    id="EU-KEY-004",
    title="ECR repositories encrypt images under a customer-managed KMS key",
    explanation=(
        "Container images carry the application's code and configuration, often with the credentials "
        "and endpoints that reach user data. By default ECR encrypts them with SSE-S3, which no key "
        "policy governs; a customer-managed key puts pulling images under a key policy that can be "
        "restricted, audited and revoked. Encryption is fixed when the repository is created."
    ),
    fix="Set EncryptionConfiguration to EncryptionType KMS with KmsKey a customer-managed key (L2: "
    "aws_ecr.Repository(encryption=RepositoryEncryption.KMS, encryption_key=key)); the repository must be "
    "replaced to change it. Repository creation templates take the same EncryptionConfiguration.",
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::ECR::Repository", "AWS::ECR::RepositoryCreationTemplate"}),
    check_resource=check,
)
