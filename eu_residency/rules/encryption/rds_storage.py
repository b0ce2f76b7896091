"""EU-ENC-001: RDS and Aurora storage is encrypted at rest."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, get, values_at
from eu_residency.rules.predicates import READ_REPLICA_SOURCE, prop_path, read_replica_source, require_true, unresolved

SERVERLESS_V1 = "serverless"


def check(resource: Resource, view: TemplateView, depth: int = 0) -> Iterator[Violation]:
    if resource.type == "AWS::RDS::DBInstance" and get(resource.properties, ("DBClusterIdentifier",)) is not MISSING:
        return  # an Aurora instance: its cluster holds the storage, and is checked itself
    if resource.type == "AWS::RDS::DBCluster" and _is_serverless_v1(resource, view):
        return  # Aurora Serverless v1 always encrypts its cluster volume: it cannot be turned off
    source = read_replica_source(resource, view)
    if source is None:
        yield from require_true(resource, view, ("StorageEncrypted",), "storage encryption")
    elif get(resource.properties, ("KmsKeyId",)) is not MISSING:
        return  # a cross-region replica encrypted with a key of its own region
    elif isinstance(source, Unknown) or depth > 8:
        reason = source if isinstance(source, Unknown) else Unknown("a chain of read replicas too long to follow")
        yield unresolved((READ_REPLICA_SOURCE,), "storage encryption of the read replica (inherited)", reason)
    else:
        # A read replica inherits its source's storage encryption (CloudFormation forbids setting it).
        for violation in check(source, view, depth + 1):
            yield Violation(
                prop_path(READ_REPLICA_SOURCE),
                f"the read replica inherits the storage of {source.logical_id}, whose {violation.message}",
                violation.severity,
            )


def _is_serverless_v1(resource: Resource, view: TemplateView) -> bool:
    """EngineMode serverless wherever the cluster may deploy (provisioned, Serverless v2's, is judged)."""
    modes = [view.resolve(mode) for mode in values_at(view, resource.properties, ("EngineMode",))]
    return bool(modes) and all(isinstance(mode, str) and mode.lower() == SERVERLESS_V1 for mode in modes)


RULE = Rule(
    id="EU-ENC-001",
    title="RDS instances and Aurora clusters encrypt their storage at rest",
    explanation=(
        "Unencrypted database storage, its snapshots, backups and read replicas can be read by anyone who "
        "gets hold of the volumes or a shared snapshot; the privacy policy promises safeguards against "
        "unauthorized access."
    ),
    # https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (KmsKeyId: default KMS key)
    fix=(
        "Set StorageEncrypted: true; any KMS key will do: leave KmsKeyId unset for RDS's AWS-managed "
        "aws/rds, or name a key of your own (L2: storage_encrypted=True, and storage_encryption_key=key "
        "for your own); or use constructs_lib's PostgresDatabase."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::RDS::DBInstance", "AWS::RDS::DBCluster"}),
    check_resource=check,
)
