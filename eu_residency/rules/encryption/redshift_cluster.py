"""EU-ENC-004: Redshift clusters encrypt their data at rest."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.encryption._at_rest import inherited
from eu_residency.rules.predicates import require_true

WHAT = "at-rest encryption"

NOT_SET = (
    "at-rest encryption is not turned on (Encrypted is not set): the cluster is left to Redshift's "
    "defaults, which have changed over time and which the template does not show"
)


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    absent = inherited(view, resource.properties, ("SnapshotIdentifier",), "Encrypted", WHAT) or NOT_SET
    yield from require_true(resource, view, ("Encrypted",), WHAT, absent=absent)


RULE = Rule(
    id="EU-ENC-004",
    title="Redshift clusters encrypt their data at rest",
    explanation=(
        "A Redshift cluster holds copies of user data for analysis, on its nodes and in its snapshots; "
        "unencrypted, it is readable by anyone who obtains the storage or a shared snapshot, and the "
        "privacy policy promises that personal data is encrypted at rest. Only Encrypted: true shows "
        "encryption: an absent property leaves the cluster to Redshift's defaults, which have changed over "
        "time (older clusters were unencrypted, newer ones are encrypted with a key AWS chooses), and a "
        "cluster restored from a snapshot keeps the snapshot's encryption. Redshift Serverless namespaces "
        "are always encrypted and are not checked by this rule."
    ),
    # https://docs.aws.amazon.com/kms/latest/developerguide/services-redshift.html (no key given: AWS-managed key)
    fix=(
        "Set Encrypted: true; any KMS key will do: leave KmsKeyId unset for Redshift's AWS-managed key, "
        "or name a key of your own (L2: aws_redshift_alpha.Cluster(encrypted=True), and "
        "encryption_key=key for your own)."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::Redshift::Cluster"}),
    check_resource=check,
)
