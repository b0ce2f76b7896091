"""EU-ENC-022: SNS topics encrypt messages at rest with a KMS key."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules._kms_keys import key_violations


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from key_violations(
        view,
        resource.properties,
        ("KmsMasterKeyId",),
        what="the topic's KMS key",
        missing="encryption at rest is not turned on (KmsMasterKeyId is not set): SNS stores the topic's "
        "messages unencrypted until they are delivered",
        customer_managed=False,
    )


RULE = Rule(
    id="EU-ENC-022",
    title="SNS topics encrypt messages at rest with a KMS key",
    explanation=(
        "SNS keeps published messages, which may carry user data, until every subscriber has them, and "
        "stores them unencrypted unless the topic names a KMS key; the privacy policy promises user data "
        "is encrypted at rest. A customer-managed key also lets the key policy restrict which services "
        "may publish encrypted messages and read them."
    ),
    fix="Set KmsMasterKeyId to a customer-managed KMS key (L2: aws_sns.Topic(master_key=key)); its key "
    "policy must let the publishing services use it.",
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::SNS::Topic"}),
    check_resource=check,
)
