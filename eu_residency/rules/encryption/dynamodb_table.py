"""EU-ENC-010: DynamoDB tables encrypt data at rest with a KMS key."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.predicates import require_true

NOT_SET = (
    "encryption with a KMS key is not turned on (SSESpecification.SSEEnabled is not set): the table is "
    "encrypted only with an AWS-owned key, which the account can neither control nor audit"
)


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from require_true(
        resource, view, ("SSESpecification", "SSEEnabled"), "encryption with a KMS key", absent=NOT_SET
    )


RULE = Rule(
    id="EU-ENC-010",
    title="DynamoDB tables encrypt data at rest with a KMS key",
    explanation=(
        "DynamoDB encrypts every table, but unless SSESpecification.SSEEnabled is true it does so with "
        "an AWS-owned key: the account cannot see who uses it, cannot restrict or revoke its use, and "
        "cannot make the data unreadable by disabling or deleting it. The privacy policy's reasonable "
        "safeguards for personal data rest on keys the account controls: with SSEEnabled true the table "
        "uses a KMS key, customer-managed when KMSMasterKeyId is given (for a global table, in each "
        "replica's SSESpecification), which is what the account can audit in CloudTrail and revoke."
    ),
    fix="Set SSESpecification: {SSEEnabled: true, SSEType: KMS, KMSMasterKeyId: <customer-managed key>} "
    "(global tables: SSEEnabled at the top, KMSMasterKeyId in each replica) (L2: "
    "aws_dynamodb.Table(encryption=TableEncryption.CUSTOMER_MANAGED, encryption_key=key) or "
    "aws_dynamodb.TableV2(encryption=TableEncryptionV2.customer_managed_key(key))).",
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"}),
    check_resource=check,
)
