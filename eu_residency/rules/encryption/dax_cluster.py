"""EU-ENC-014: DAX clusters encrypt the items they cache at rest."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.predicates import require_true

WHAT = "encryption at rest"
NOT_SET = (
    "encryption at rest is not turned on (SSESpecification.SSEEnabled is not set): the cluster's nodes write "
    "the items they cache to disk unencrypted, and it cannot be turned on once the cluster exists"
)


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from require_true(resource, view, ("SSESpecification", "SSEEnabled"), WHAT, absent=NOT_SET)


RULE = Rule(
    id="EU-ENC-014",
    title="DAX clusters encrypt the items they cache at rest",
    explanation=(
        "A DAX cluster caches the DynamoDB items the platform reads and writes, user records among them, "
        "and persists them on its nodes' disks as it propagates changes to its read replicas. Unless "
        "SSESpecification.SSEEnabled is true that data is stored unencrypted (DAX does not encrypt by "
        "default), and encryption at rest can only be chosen when the cluster is created. The privacy "
        "policy promises that personal data is encrypted at rest; the table itself is always encrypted, "
        "its cache is not."
    ),
    fix="Set SSESpecification: {SSEEnabled: true} (DAX then uses its AWS-managed KMS key, aws/dax); the cluster "
    "is replaced (aws-cdk-lib has no DAX L2: aws_dax.CfnCluster(sse_specification="
    "CfnCluster.SSESpecificationProperty(sse_enabled=True))).",
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::DAX::Cluster"}),
    check_resource=check,
)
