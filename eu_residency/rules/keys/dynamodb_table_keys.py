"""EU-KEY-002: DynamoDB tables encrypt data under a customer-managed KMS key."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.core.values import get
from eu_residency.rules._kms_keys import key_value_violations
from eu_residency.rules.keys.store_keys import EACH, key_sites
from eu_residency.rules.predicates import require_true

ENABLED = ("SSESpecification", "SSEEnabled")
TABLE_KEY = ("SSESpecification", "KMSMasterKeyId")
REPLICA_KEY = ("Replicas", EACH, "SSESpecification", "KMSMasterKeyId")
OWNED = (
    "the table is encrypted with an AWS-owned key (SSESpecification.SSEEnabled is not true), which the account "
    "can neither control nor audit"
)
MANAGED = (
    "the table is encrypted with the AWS-managed key aws/dynamodb ({path} is not set), whose policy the account "
    "cannot change"
)


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    owned = list(require_true(resource, view, ENABLED, "encryption with a KMS key", absent=OWNED))
    if owned:
        yield from owned  # on an AWS-owned key wherever SSEEnabled is not true: no KMS key is used to judge
        return
    key = REPLICA_KEY if resource.type == "AWS::DynamoDB::GlobalTable" else TABLE_KEY
    for path, values in key_sites(view, resource.properties, key):
        yield from key_value_violations(
            values,
            get(resource.properties, path),
            path,
            what="the table's KMS key",
            missing=MANAGED.format(path=".".join(str(part) for part in path)),
            customer_managed=True,
        )


RULE = Rule(
    id="EU-KEY-002",
    title="DynamoDB tables encrypt data under a customer-managed KMS key",
    explanation=(
        "DynamoDB encrypts every table at rest. Unless SSESpecification.SSEEnabled is true it does so with "
        "an AWS-owned key, and with SSEEnabled but no KMSMasterKeyId with the AWS-managed key aws/dynamodb: "
        "either way the account cannot restrict who may decrypt the data, audit it or revoke it. A "
        "customer-managed key (for a global table, in each replica) puts reading the table under a key "
        "policy the account controls."
    ),
    fix="Set SSESpecification: {SSEEnabled: true, SSEType: KMS, KMSMasterKeyId: <customer-managed key>} "
    "(global tables: SSEEnabled at the top, KMSMasterKeyId in each replica) (L2: "
    "aws_dynamodb.Table(encryption=TableEncryption.CUSTOMER_MANAGED, encryption_key=key) or "
    "aws_dynamodb.TableV2(encryption=TableEncryptionV2.customer_managed_key(key))).",
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"}),
    check_resource=check,
)
