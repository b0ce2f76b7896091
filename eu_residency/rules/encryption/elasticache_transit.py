"""EU-ENC-044: ElastiCache replication groups require TLS for every connection."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.resolved import scalar
from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown, options
from eu_residency.core.values import MISSING, get
from eu_residency.rules.predicates import prop_path, require_true, unresolved

REQUIRED = "required"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from _violations(resource, view)


def _violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    enabled = get(resource.properties, ("TransitEncryptionEnabled",))
    if enabled is MISSING and get(resource.properties, ("GlobalReplicationGroupId",)) is not MISSING:
        yield Violation(
            prop_path("TransitEncryptionEnabled"),
            "in-transit encryption cannot be shown from the template: TransitEncryptionEnabled is not set, "
            "so this member of a Global Datastore (GlobalReplicationGroupId) takes it from the datastore's "
            "primary (fails closed)",
        )
        return
    yield from require_true(resource, view, ("TransitEncryptionEnabled",), "in-transit encryption")
    if enabled is MISSING or view.truth(enabled) is False:
        return
    # Absent: a group created with TransitEncryptionEnabled true is in "required" mode.
    for mode in options(view.resolve(get(resource.properties, ("TransitEncryptionMode",)))):
        text = scalar(mode)
        if isinstance(text, Unknown):
            yield unresolved(("TransitEncryptionMode",), "the in-transit encryption mode", text)
        elif text is not None and text.lower() != REQUIRED:
            yield Violation(
                prop_path("TransitEncryptionMode"),
                f"clients may still connect without TLS (TransitEncryptionMode is {text}, not {REQUIRED})",
            )


RULE = Rule(
    id="EU-ENC-044",
    title="ElastiCache replication groups require TLS for every client connection",
    explanation=(
        "Session stores and caches hold personal data (sessions, tokens, cached messages); without "
        "in-transit encryption, or in 'preferred' mode where clients may still connect in plain text, that "
        "data crosses the network unencrypted. The privacy policy promises encryption in transit."
    ),
    fix=(
        "Set TransitEncryptionEnabled: true and TransitEncryptionMode: required, or leave the mode unset "
        "when creating the group (L1: CfnReplicationGroup(transit_encryption_enabled=True, "
        "transit_encryption_mode='required')); or use constructs_lib's SessionCache."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::ElastiCache::ReplicationGroup"}),
    check_resource=check,
)
