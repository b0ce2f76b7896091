"""EU-ENC-002: DocumentDB clusters encrypt their storage at rest."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, ResourceRef, TemplateView
from eu_residency.core.values import values_at
from eu_residency.rules.encryption._at_rest import inherited, may_be_set
from eu_residency.rules.predicates import require_true

WHAT = "storage encryption"
# A restore from a snapshot or another cluster inherits the source's encryption.
SOURCES = ("SnapshotIdentifier", "SourceDBClusterIdentifier")


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    absent = inherited(view, resource.properties, SOURCES, "StorageEncrypted", WHAT)
    if (
        absent is not None
        and _key_given(view, resource)
        and not may_be_set(view, resource.properties, ("StorageEncrypted",))
    ):
        return  # a restore given KmsKeyId is encrypted with that key, whatever the source
    yield from require_true(resource, view, ("StorageEncrypted",), WHAT, absent=absent)


def _key_given(view: TemplateView, resource: Resource) -> bool:
    """KmsKeyId names a key in every option: a key of this template or a literal id, ARN or alias (a
    parameter could be left empty, and an empty KmsKeyId restores with the source's encryption).
    """
    keys = values_at(view, resource.properties, ("KmsKeyId",))
    return all(isinstance(key, ResourceRef) or (isinstance(key, str) and key != "") for key in keys)


RULE = Rule(
    id="EU-ENC-002",
    title="DocumentDB clusters encrypt their storage at rest",
    explanation=(
        "A DocumentDB cluster is unencrypted unless StorageEncrypted is true, and the setting cannot be "
        "changed later. Its volumes, automated backups and snapshots then hold users' documents in the "
        "clear, readable by anyone who obtains the storage or a shared snapshot; the privacy policy "
        "promises that personal data is encrypted at rest. A cluster restored from a snapshot inherits "
        "the snapshot's encryption unless it is given KmsKeyId, which the template cannot otherwise show."
    ),
    fix=(
        "Set StorageEncrypted: true; any KMS key will do: leave KmsKeyId unset for the account's default "
        "AWS-managed key, or name a key of your own (L2: "
        "aws_docdb.DatabaseCluster(storage_encrypted=True), and kms_key=key for your own)."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::DocDB::DBCluster"}),
    check_resource=check,
)
