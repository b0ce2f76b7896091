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
        "is encrypted at rest. Any KMS key satisfies this rule, the AWS-managed alias/aws/sns included; "
        "the EU-KEY rules judge who controls the key."
    ),
    # https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-sns-creating-role.html
    fix=(
        "Set KmsMasterKeyId to a KMS key: the AWS-managed alias/aws/sns, or a key of your own (L2: "
        "aws_sns.Topic(master_key=key)). A topic that AWS services publish to (CloudWatch alarms, "
        "EventBridge, S3 events) needs a key of your own whose key policy lets them use it: "
        "alias/aws/sns's policy cannot be changed."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::SNS::Topic"}),
    check_resource=check,
)
