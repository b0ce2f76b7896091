"""EU-ENC-015: the Glue Data Catalog encrypts its metadata at rest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import OneOf, Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, values_at
from eu_residency.rules.predicates import prop_path, unresolved

SETTINGS: PropertyPath = ("DataCatalogEncryptionSettings",)
MODE: PropertyPath = (*SETTINGS, "EncryptionAtRest", "CatalogEncryptionMode")
PASSWORDS: PropertyPath = (*SETTINGS, "ConnectionPasswordEncryption", "ReturnConnectionPasswordEncrypted")
ENCRYPTED_MODES = frozenset({"SSE-KMS", "SSE-KMS-WITH-SERVICE-ROLE"})
DISABLED = "DISABLED"
WHAT = "the catalog's encryption at rest"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    modes = values_at(view, resource.properties, MODE)
    for mode in modes:
        if isinstance(mode, Unknown):
            yield unresolved(MODE, WHAT, mode)
            return
    encrypted = [mode in ENCRYPTED_MODES for mode in modes]
    if all(encrypted):
        return
    if any(encrypted):
        yield unresolved(MODE, WHAT, OneOf(tuple(modes)))
    elif all(mode is MISSING or mode == DISABLED for mode in modes):
        yield Violation(prop_path(*MODE), _unencrypted(resource, view, modes))
    # Any other text is no mode Glue accepts: the stack cannot deploy, and no metadata is written.


def _unencrypted(resource: Resource, view: TemplateView, modes: list[Any]) -> str:
    state = "is not set" if all(mode is MISSING for mode in modes) else f"is {DISABLED}"
    stored = "new databases, tables and partitions are stored unencrypted"
    if not _passwords_encrypted(resource, view):
        stored += ", connection passwords too (ConnectionPasswordEncryption is not on)"
    return f"{WHAT} is off (EncryptionAtRest.CatalogEncryptionMode {state}): {stored}"


def _passwords_encrypted(resource: Resource, view: TemplateView) -> bool:
    """Whether connection passwords are encrypted on their own wherever the stack may deploy."""
    return all(view.truth(value) is True for value in values_at(view, resource.properties, PASSWORDS))


RULE = Rule(
    id="EU-ENC-015",
    title="The Glue Data Catalog encrypts its metadata at rest",
    explanation=(
        "The Data Catalog holds the table definitions, partitions and statistics that describe where user "
        "data lies and how it is shaped, and the connections (JDBC URLs, user names, passwords) to the "
        "databases that hold it. An AWS::Glue::DataCatalogEncryptionSettings resource decides the account's "
        "catalog encryption: with CatalogEncryptionMode DISABLED, or none, Glue writes new metadata "
        "unencrypted, and only metadata written after encryption is turned on is encrypted. The privacy "
        "policy promises that personal data is encrypted at rest. Connection passwords are encrypted with the "
        "catalog, or on their own when ConnectionPasswordEncryption is on. A template without the settings "
        "resource leaves the catalog as the account has it, which no template can show: no finding."
    ),
    fix="Set DataCatalogEncryptionSettings.EncryptionAtRest.CatalogEncryptionMode to SSE-KMS (SseAwsKmsKeyId "
    "names the key; without it Glue uses aws/glue) and ConnectionPasswordEncryption: "
    "{ReturnConnectionPasswordEncrypted: true} (L2: aws_glue.Catalog.encrypt_account(scope, "
    "encryption_at_rest=DataCatalogEncryptionAtRest.kms(), "
    "connection_password_encryption=ConnectionPasswordEncryption())).",
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::Glue::DataCatalogEncryptionSettings"}),
    check_resource=check,
)
