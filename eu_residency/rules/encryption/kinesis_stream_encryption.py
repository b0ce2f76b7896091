"""EU-ENC-023: Kinesis data streams encrypt records at rest with a KMS key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, descend, get, values_at
from eu_residency.rules._kms_keys import key_value_violations, one_verdict
from eu_residency.rules.predicates import prop_path, unresolved

ENCRYPTION: PropertyPath = ("StreamEncryption",)
TYPE: PropertyPath = ("StreamEncryption", "EncryptionType")
KEY: PropertyPath = ("StreamEncryption", "KeyId")


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    def judge_encryption(encryption: Any) -> Iterator[Violation]:
        if encryption is MISSING:
            yield Violation(
                prop_path(*ENCRYPTION),
                "encryption at rest is not turned on (StreamEncryption is missing): Kinesis stores the "
                "stream's records unencrypted",
            )
        elif isinstance(encryption, Unknown):
            yield unresolved(ENCRYPTION, "the stream's encryption at rest", encryption)
        else:
            yield from one_verdict(
                TYPE,
                "the stream's encryption type",
                descend(encryption, ("EncryptionType",)),
                lambda kind: judge_type(encryption, kind),
            )

    def judge_type(encryption: Any, kind: Any) -> Iterator[Violation]:
        if isinstance(kind, Unknown):
            yield unresolved(TYPE, "the stream's encryption type", kind)
        elif kind == "KMS":
            yield from key_value_violations(
                descend(encryption, ("KeyId",)),
                get(resource.properties, KEY),
                KEY,
                what="the stream's KMS key",
                missing="the stream's KMS key is not set (StreamEncryption.KeyId is missing)",
                customer_managed=False,
            )
        elif kind is MISSING:
            message = "the encryption type is not set (StreamEncryption.EncryptionType is missing)"
            yield Violation(prop_path(*TYPE), message)
        else:
            yield Violation(
                prop_path(*TYPE),
                f"encryption at rest is turned off (StreamEncryption.EncryptionType is {kind!r}, not KMS)",
            )

    yield from one_verdict(
        ENCRYPTION,
        "the stream's encryption at rest",
        values_at(view, resource.properties, ENCRYPTION),
        judge_encryption,
    )


RULE = Rule(
    id="EU-ENC-023",
    title="Kinesis data streams encrypt records at rest with a KMS key",
    explanation=(
        "A Kinesis stream keeps every record, often events about users, for its retention period (a day "
        "up to a year); the privacy policy promises user data is encrypted at rest. Without "
        "StreamEncryption the records are stored unencrypted. A customer-managed key also puts reading "
        "them under a key policy that can be restricted, audited and revoked."
    ),
    fix="Set StreamEncryption to EncryptionType KMS with KeyId a customer-managed key (L2: "
    "aws_kinesis.Stream(encryption=StreamEncryption.KMS, encryption_key=key)); the AWS-managed "
    "alias/aws/kinesis (StreamEncryption.MANAGED) also encrypts, without key control.",
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::Kinesis::Stream"}),
    check_resource=check,
)
