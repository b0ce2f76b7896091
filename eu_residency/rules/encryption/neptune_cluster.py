"""EU-ENC-003: Neptune clusters encrypt their storage at rest."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.core.values import MISSING, values_at
from eu_residency.rules.encryption._at_rest import inherited
from eu_residency.rules.predicates import prop_path, require_true

WHAT = "storage encryption"
# A restore from a snapshot or another cluster inherits the source's encryption.
SOURCES = ("SnapshotIdentifier", "SourceDBClusterIdentifier")


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    absent = inherited(view, resource.properties, SOURCES, "StorageEncrypted", WHAT)
    if absent is not None:
        # Restored from a snapshot or another cluster: left unset or false, the source's encryption is kept.
        leaves = values_at(view, resource.properties, ("StorageEncrypted",))
        if all(leaf is MISSING or view.truth(leaf) is False for leaf in leaves):
            yield Violation(prop_path("StorageEncrypted"), absent)
            return
    yield from require_true(resource, view, ("StorageEncrypted",), WHAT)


RULE = Rule(
    id="EU-ENC-003",
    title="Neptune clusters encrypt their storage at rest",
    explanation=(
        "A Neptune cluster is unencrypted unless StorageEncrypted is true, and encryption cannot be "
        "turned on later. The graph of users and their relations, its backups and snapshots would then "
        "be readable by anyone who obtains the storage or a shared snapshot; the privacy policy promises "
        "that personal data is encrypted at rest. A cluster restored from a snapshot or another cluster "
        "inherits its encryption, which the template cannot show."
    ),
    fix=(
        "Set StorageEncrypted: true; any KMS key will do: leave KmsKeyId unset for the account's default "
        "AWS-managed key, or name a key of your own (L2: "
        "aws_neptune_alpha.DatabaseCluster(storage_encrypted=True), and kms_key=key for your own)."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::Neptune::DBCluster"}),
    check_resource=check,
)
