"""EU-ENC-024: Firehose delivery streams that receive records directly encrypt them at rest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.core.values import MISSING, descend, get, values_at
from eu_residency.rules._kms_keys import key_value_violations
from eu_residency.rules._typed_encryption import typed_encryption_violations
from eu_residency.rules.predicates import prop_path, where_applicable

STREAM_TYPE: PropertyPath = ("DeliveryStreamType",)
ENCRYPTION: PropertyPath = ("DeliveryStreamEncryptionConfigurationInput",)
KEY_TYPE: PropertyPath = (*ENCRYPTION, "KeyType")
KEY: PropertyPath = (*ENCRYPTION, "KeyARN")
DIRECT_PUT = "DirectPut"  # the default; only such streams can (and must) use server-side encryption


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    def judge_key_type(encryption: Any, key_type: Any) -> Iterator[Violation]:
        if key_type == "CUSTOMER_MANAGED_CMK":
            yield from key_value_violations(
                descend(encryption, ("KeyARN",)),
                get(resource.properties, KEY),
                KEY,
                what="the delivery stream's KMS key",
                missing="KeyType is CUSTOMER_MANAGED_CMK but no key is given (KeyARN is missing)",
                customer_managed=True,
            )
        elif key_type is MISSING:
            message = "the key type is not set (KeyType is missing)"
            yield Violation(prop_path(*KEY_TYPE), message)
        elif key_type != "AWS_OWNED_CMK":
            message = f"KeyType {key_type!r} is not AWS_OWNED_CMK or CUSTOMER_MANAGED_CMK"
            yield Violation(prop_path(*KEY_TYPE), message)

    def encryption() -> Iterator[Violation]:
        return typed_encryption_violations(
            view,
            resource.properties,
            ENCRYPTION,
            "KeyType",
            what="the delivery stream's server-side encryption",
            type_what="the delivery stream's key type",
            missing="server-side encryption is not turned on (DeliveryStreamEncryptionConfigurationInput is "
            "missing): Firehose buffers the records it receives unencrypted",
            judge_type=judge_key_type,
        )

    # Kinesis stream, MSK or database sources: the records are encrypted where they come from.
    yield from where_applicable(
        values_at(view, resource.properties, STREAM_TYPE),
        DIRECT_PUT,
        encryption,
        STREAM_TYPE,
        whether="whether the delivery stream receives records directly (and must encrypt)",
        what="the delivery stream's encryption at rest",
    )


RULE = Rule(
    id="EU-ENC-024",
    title="Firehose delivery streams that receive records directly encrypt them at rest",
    explanation=(
        "A Firehose stream that receives records directly (DirectPut) buffers them, often logs and "
        "events about users, for up to a day when its destination is unavailable, unencrypted unless "
        "server-side encryption is on; the privacy policy promises user data is encrypted at rest. A "
        "stream reading from a Kinesis stream, MSK or a database takes its records from a source that "
        "encrypts them, and cannot turn server-side encryption on itself."
    ),
    # https://docs.aws.amazon.com/firehose/latest/APIReference/API_DeliveryStreamEncryptionConfigurationInput.html
    fix=(
        "Set DeliveryStreamEncryptionConfigurationInput with KeyType AWS_OWNED_CMK, or "
        "CUSTOMER_MANAGED_CMK with KeyARN a key of your own (Firehose offers these two, no AWS-managed "
        "key) (L2: aws_kinesisfirehose.DeliveryStream(encryption=StreamEncryption.aws_owned_key()) or "
        "StreamEncryption.customer_managed_key(key))."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::KinesisFirehose::DeliveryStream"}),
    check_resource=check,
)
