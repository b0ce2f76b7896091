"""EU-ENC-011: OpenSearch and Elasticsearch domains encrypt data at rest."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.predicates import require_true


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from require_true(resource, view, ("EncryptionAtRestOptions", "Enabled"), "at-rest encryption")


RULE = Rule(
    id="EU-ENC-011",
    title="OpenSearch and Elasticsearch domains encrypt data at rest",
    explanation=(
        "A search domain is unencrypted at rest unless EncryptionAtRestOptions.Enabled is true. Its "
        "indexes, logs, swap files and automated snapshots hold copies of the documents indexed, "
        "messages and user profiles among them, readable by anyone who obtains the storage; the privacy "
        "policy promises that personal data is encrypted at rest."
    ),
    # aws-cdk-lib aws_opensearchservice.EncryptionAtRestOptions.kms_key (default: aws/es)
    fix=(
        "Set EncryptionAtRestOptions: {Enabled: true}; any KMS key will do: leave KmsKeyId unset for the "
        "AWS-managed aws/es, or name a key of your own (L2: "
        "aws_opensearchservice.Domain(encryption_at_rest=EncryptionAtRestOptions(enabled=True)), and "
        "kms_key=key for your own; likewise aws_elasticsearch.Domain)."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain"}),
    check_resource=check,
)
