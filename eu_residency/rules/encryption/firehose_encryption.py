"""EU-ENC-024: Firehose delivery streams that receive records directly encrypt them at rest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import OneOf, Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, descend, get, values_at
from eu_residency.rules._kms_keys import key_value_violations, one_verdict
from eu_residency.rules.predicates import prop_path, unresolved

STREAM_TYPE: PropertyPath = ("DeliveryStreamType",)
ENCRYPTION: PropertyPath = ("DeliveryStreamEncryptionConfigurationInput",)
KEY_TYPE: PropertyPath = (*ENCRYPTION, "KeyType")
KEY: PropertyPath = (*ENCRYPTION, "KeyARN")
DIRECT_PUT = "DirectPut"  # the default; only such streams can (and must) use server-side encryption


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    stream_types = values_at(view, resource.properties, STREAM_TYPE)
    direct = [kind for kind in stream_types if kind is MISSING or kind == DIRECT_PUT]
    undecided = [kind for kind in stream_types if isinstance(kind, Unknown)]
    if not direct and not undecided:
        return  # Kinesis stream, MSK or database source: the records are encrypted where they come from

    def judge_encryption(encryption: Any) -> Iterator[Violation]:
        if encryption is MISSING:
            yield Violation(
                prop_path(*ENCRYPTION),
                "server-side encryption is not turned on (DeliveryStreamEncryptionConfigurationInput is "
                "missing): Firehose buffers the records it receives unencrypted",
            )
        elif isinstance(encryption, Unknown):
            yield unresolved(ENCRYPTION, "the delivery stream's server-side encryption", encryption)
        else:
            yield from one_verdict(
                KEY_TYPE,
                "the delivery stream's key type",
                descend(encryption, ("KeyType",)),
                lambda key_type: judge_key_type(encryption, key_type),
            )

    def judge_key_type(encryption: Any, key_type: Any) -> Iterator[Violation]:
        if isinstance(key_type, Unknown):
            yield unresolved(KEY_TYPE, "the delivery stream's key type", key_type)
        elif key_type == "CUSTOMER_MANAGED_CMK":
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

    findings = list(
        one_verdict(
            ENCRYPTION,
            "the delivery stream's server-side encryption",
            values_at(view, resource.properties, ENCRYPTION),
            judge_encryption,
        )
    )
    if not findings:
        return
    if undecided:
        what = "whether the delivery stream receives records directly (and must encrypt)"
        yield unresolved(STREAM_TYPE, what, undecided[0])
    elif len(direct) < len(stream_types):
        yield unresolved(STREAM_TYPE, "the delivery stream's encryption at rest", OneOf(tuple(stream_types)))
    else:
        yield from findings


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
    fix="Set DeliveryStreamEncryptionConfigurationInput with KeyType CUSTOMER_MANAGED_CMK and KeyARN a "
    "customer-managed key, for key control, or KeyType AWS_OWNED_CMK (L2: "
    "aws_kinesisfirehose.DeliveryStream(encryption=StreamEncryption.customer_managed_key(key)) or "
    "StreamEncryption.aws_owned_key()).",
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::KinesisFirehose::DeliveryStream"}),
    check_resource=check,
)
