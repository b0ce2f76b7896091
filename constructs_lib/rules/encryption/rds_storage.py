"""EU-ENC-001: RDS and Aurora storage is encrypted at rest."""

from __future__ import annotations

from collections.abc import Iterator

from constructs_lib.rules.checks import MISSING, get, require_true
from constructs_lib.rules.model import Resource, Rule, Severity, Violation
from constructs_lib.rules.template import TemplateView


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    if resource.type == "AWS::RDS::DBInstance" and get(resource.properties, ("DBClusterIdentifier",)) is not MISSING:
        return  # an Aurora instance: its cluster holds the storage, and is checked itself
    yield from require_true(resource, view, ("StorageEncrypted",), "storage encryption")


RULE = Rule(
    id="EU-ENC-001",
    title="RDS instances and Aurora clusters encrypt their storage at rest",
    explanation=(
        "Unencrypted database storage, its snapshots, backups and read replicas can be read by anyone who "
        "gets hold of the volumes or a shared snapshot; the privacy policy promises safeguards against "
        "unauthorized access."
    ),
    fix="Set StorageEncrypted: true and KmsKeyId to a customer-managed key (L2: storage_encrypted=True, "
    "storage_encryption_key=key); or use constructs_lib's PostgresDatabase.",
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::RDS::DBInstance", "AWS::RDS::DBCluster"}),
    check=check,
)
