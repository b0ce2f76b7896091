"""EU-ENC-021: SQS queues encrypt messages at rest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import OneOf, Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, get, values_at
from eu_residency.rules._kms_keys import is_unset, key_value_violations, one_verdict
from eu_residency.rules.predicates import prop_path, unresolved

KEY: PropertyPath = ("KmsMasterKeyId",)
SSE_SQS: PropertyPath = ("SqsManagedSseEnabled",)


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    keys = values_at(view, resource.properties, KEY)
    if not any(is_unset(key) for key in keys):  # SSE-KMS
        yield from key_value_violations(
            keys,
            get(resource.properties, KEY),
            KEY,
            what="the queue's KMS key",
            missing="",
            customer_managed=False,
        )
        return

    def judge(enabled: Any) -> Iterator[Violation]:
        if enabled is MISSING:
            return  # SQS turns SSE-SQS on for every new queue that names no KMS key
        truth = view.truth(enabled)
        if truth is False:
            yield Violation(
                prop_path(*SSE_SQS),
                "encryption at rest is turned off (SqsManagedSseEnabled is false and KmsMasterKeyId is not "
                "set): SQS stores the queue's messages unencrypted",
            )
        elif truth is None:
            if not isinstance(enabled, Unknown):
                enabled = Unknown(f"{enabled!r}, neither true nor false")
            yield unresolved(SSE_SQS, "the queue's encryption at rest (SSE-SQS)", enabled)

    findings = list(
        one_verdict(
            SSE_SQS,
            "the queue's encryption at rest (SSE-SQS)",
            values_at(view, resource.properties, SSE_SQS),
            judge,
        )
    )
    if findings and not all(is_unset(key) for key in keys):
        # A KMS key in one branch of an undecided Fn::If, SSE-SQS turned off in the other.
        yield unresolved(KEY, "the queue's encryption at rest", OneOf(tuple(keys)))
    else:
        yield from findings


RULE = Rule(
    id="EU-ENC-021",
    title="SQS queues encrypt messages at rest",
    explanation=(
        "Queued messages carry user data between services and may wait days (up to 14) in the queue and "
        "its dead-letter queue; the privacy policy promises user data is encrypted at rest. SQS encrypts "
        "with SSE-SQS unless it is turned off; SSE-SQS or any KMS key satisfies this rule, and the "
        "EU-KEY rules judge who controls the key."
    ),
    fix=(
        "Keep SSE-SQS on (never SqsManagedSseEnabled: false), or set KmsMasterKeyId to any KMS key: the "
        "AWS-managed alias/aws/sqs or a key of your own (L2: "
        "aws_sqs.Queue(encryption=QueueEncryption.SQS_MANAGED, the default), "
        "QueueEncryption.KMS_MANAGED, or QueueEncryption.KMS with encryption_master_key=key; never "
        "UNENCRYPTED)."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::SQS::Queue"}),
    check_resource=check,
)
