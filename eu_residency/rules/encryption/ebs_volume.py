"""EU-ENC-007: EBS volumes are encrypted at rest."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.encryption._at_rest import inherited
from eu_residency.rules.predicates import require_true

WHAT = "at-rest encryption"

NOT_SET = (
    "at-rest encryption is not turned on (Encrypted is not set): the volume is encrypted only if the "
    "account and region have EBS encryption by default turned on, which the template cannot show"
)


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    absent = inherited(view, resource.properties, ("SnapshotId",), "Encrypted", WHAT) or NOT_SET
    yield from require_true(resource, view, ("Encrypted",), WHAT, absent=absent)


RULE = Rule(
    id="EU-ENC-007",
    title="EBS volumes are encrypted at rest",
    explanation=(
        "An EBS volume is unencrypted unless Encrypted is true or the account has turned on EBS "
        "encryption by default, a setting outside the template that anyone with access to the account "
        "can change. An unencrypted volume, and every snapshot taken of it, holds whatever the instance "
        "wrote, user data included, readable by anyone who obtains the volume or a shared snapshot; the "
        "privacy policy promises that personal data is encrypted at rest. A volume created from a "
        "snapshot without Encrypted: true keeps the snapshot's encryption, which the template cannot show."
    ),
    fix=(
        "Set Encrypted: true; any KMS key will do: leave KmsKeyId unset for the account's default EBS "
        "key (the AWS-managed aws/ebs unless changed), or name a key of your own (L2: "
        "aws_ec2.Volume(encrypted=True), and encryption_key=key for your own)."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::EC2::Volume"}),
    check_resource=check,
)
