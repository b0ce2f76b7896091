"""EU-KEY-003: Secrets Manager secrets, and their replicas, are encrypted under a customer-managed KMS key."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, descend, get, values_at
from eu_residency.rules._kms_keys import key_value_violations, key_violations
from eu_residency.rules.predicates import unresolved

REPLICAS: PropertyPath = ("ReplicaRegions",)


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from key_violations(
        view,
        resource.properties,
        ("KmsKeyId",),
        what="the secret's KMS key",
        missing=_aws_managed("the secret", "KmsKeyId"),
        customer_managed=True,
    )
    for replicas in values_at(view, resource.properties, REPLICAS):
        if replicas is MISSING:
            continue
        if not isinstance(replicas, list):
            reason = replicas if isinstance(replicas, Unknown) else Unknown("a value that is not a list")
            yield unresolved(REPLICAS, "the encryption of the secret's replicas", reason)
            continue
        for index, replica in enumerate(replicas):
            path: PropertyPath = (*REPLICAS, index, "KmsKeyId")
            yield from key_value_violations(
                descend(replica, ("KmsKeyId",)),
                get(resource.properties, path),
                path,
                what="the replica's KMS key",
                missing=_aws_managed("the replica", f"ReplicaRegions.{index}.KmsKeyId"),
                customer_managed=True,
            )


def _aws_managed(what: str, prop: str) -> str:
    return (
        f"{what} is encrypted with the AWS-managed key aws/secretsmanager ({prop} is not set), which gives "
        "no key control: its key policy cannot be changed, so anyone allowed GetSecretValue reads the "
        "secret and use of the key cannot be restricted or revoked"
    )


RULE = Rule(
    id="EU-KEY-003",
    title="Secrets Manager secrets and their replicas are encrypted under a customer-managed KMS key",
    explanation=(
        "Secrets Manager always encrypts secrets. Secrets unlock the stores of user data: database "
        "passwords, cache tokens, API keys. With the "
        "AWS-managed aws/secretsmanager key, an IAM permission alone reads them; a customer-managed key "
        "adds a key policy that can restrict reading to the services that need it, be audited and be "
        "revoked, as the privacy policy's safeguards against unauthorized access require."
    ),
    fix="Set KmsKeyId (and KmsKeyId of each ReplicaRegions entry) to a customer-managed key whose policy "
    "lets secretsmanager.<region>.amazonaws.com use it (L2: aws_secretsmanager.Secret(encryption_key=key, "
    "replica_regions=[ReplicaRegion(region=..., encryption_key=...)])).",
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::SecretsManager::Secret"}),
    check_resource=check,
)
