"""EU-ENC-025: CloudWatch log groups encrypt log events with a customer-managed KMS key."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.encryption._customer_keys import key_violations


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from key_violations(
        view,
        resource.properties,
        ("KmsKeyId",),
        what="the log group's KMS key",
        missing="the log group is encrypted only with a key CloudWatch Logs owns (KmsKeyId is not set), "
        "which gives no key control: no key policy limits who can read the log events",
        customer_managed=True,
    )


RULE = Rule(
    id="EU-ENC-025",
    title="CloudWatch log groups encrypt log events with a customer-managed KMS key",
    explanation=(
        "Application, access and database logs hold user data: IP addresses, identifiers, request "
        "contents. Without a customer-managed key they are encrypted with a key CloudWatch Logs owns, so "
        "anyone allowed to read the log group reads them; with one, reading also needs the key, whose "
        "policy can be restricted to the logs service, audited and revoked, as the privacy policy's "
        "safeguards against unauthorized access require."
    ),
    fix="Set KmsKeyId to the ARN of a customer-managed key whose key policy lets "
    "logs.<region>.amazonaws.com use it (L2: aws_logs.LogGroup(encryption_key=key)); or use "
    "constructs_lib's EncryptedLogGroup with DataKey.allow_cloudwatch_logs.",
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::Logs::LogGroup"}),
    check_resource=check,
)
