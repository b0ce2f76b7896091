"""EU-ENC-012: MSK clusters encrypt data at rest with a customer-managed key."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import OneOf, Resource, ResourceRef, TemplateView, Unknown
from eu_residency.core.values import MISSING, values_at
from eu_residency.core.vocabulary import AWS_MANAGED_KEY_ALIAS
from eu_residency.rules.predicates import prop_path, unresolved

PATH = ("EncryptionInfo", "EncryptionAtRest", "DataVolumeKMSKeyId")
WHAT = "encryption at rest with a customer-managed key"
# alias/aws/kafka, or its ARN: an AWS-managed key, whatever the service.


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from dict.fromkeys(_violations(resource, view))  # undecided Fn::If options may repeat a fault


def _violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    keys = values_at(view, resource.properties, PATH)
    for key in keys:
        if key is MISSING or key == "":
            if all(other is MISSING or other == "" for other in keys):
                yield Violation(
                    prop_path(*PATH),
                    "data is encrypted at rest only with the AWS-managed key "
                    f"({'.'.join(PATH)} is not set): no customer-managed key is given",
                )
            else:  # one branch of an undecided Fn::If gives a key, another none
                yield unresolved(PATH, WHAT, OneOf(()))
        elif isinstance(key, ResourceRef):
            continue  # a key (or alias) of this template: customer-managed
        elif isinstance(key, Unknown):
            yield unresolved(PATH, WHAT, key)
        elif not isinstance(key, str):
            yield unresolved(PATH, WHAT, Unknown(f"a {type(key).__name__} where a key was expected"))
        elif AWS_MANAGED_KEY_ALIAS.search(key):
            yield Violation(
                prop_path(*PATH),
                f"data is encrypted at rest with the AWS-managed key {key}, not a customer-managed one",
            )


RULE = Rule(
    id="EU-ENC-012",
    title="MSK clusters encrypt data at rest with a customer-managed key",
    explanation=(
        "MSK always encrypts its broker volumes, but without "
        "EncryptionInfo.EncryptionAtRest.DataVolumeKMSKeyId it uses the AWS-managed key aws/kafka, whose "
        "policy the account cannot change: it cannot restrict who may decrypt the event streams, which "
        "carry user data, nor revoke access by disabling the key. The privacy policy's safeguards rest on "
        "keys the account controls. MSK Serverless clusters are always encrypted with a key of MSK's own "
        "and are not checked by this rule."
    ),
    fix="Set EncryptionInfo.EncryptionAtRest.DataVolumeKMSKeyId to a customer-managed key (L2: "
    "aws_msk_alpha.Cluster(ebs_storage_info=EbsStorageInfo(encryption_key=key))).",
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::MSK::Cluster"}),
    check_resource=check,
)
