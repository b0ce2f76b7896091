"""EU-KEY-020: symmetric KMS keys rotate their key material automatically."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.core.values import values_at
from eu_residency.rules.predicates import judge_true, where_applicable

KEY_SPEC: PropertyPath = ("KeySpec",)
ORIGIN: PropertyPath = ("Origin",)
ROTATION: PropertyPath = ("EnableKeyRotation",)
SYMMETRIC = "SYMMETRIC_DEFAULT"
IMPORTED = "EXTERNAL"  # Origin of a key whose material is imported


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    if IMPORTED in values_at(view, resource.properties, ORIGIN):
        return  # KMS cannot rotate imported key material automatically: EU-KEY-021 judges such keys

    def rotation() -> Iterator[Violation]:
        return judge_true(
            view,
            values_at(view, resource.properties, ROTATION),
            ROTATION,
            "automatic key rotation",
            absent="automatic key rotation is not turned on (EnableKeyRotation is not set, and KMS keys do "
            "not rotate by default)",
        )

    # Asymmetric and HMAC keys cannot rotate automatically.
    yield from where_applicable(
        values_at(view, resource.properties, KEY_SPEC),
        SYMMETRIC,
        rotation,
        KEY_SPEC,
        whether="whether the key is symmetric (and must rotate)",
        what="the key's rotation",
    )


RULE = Rule(
    id="EU-KEY-020",
    title="Symmetric KMS keys rotate their key material automatically",
    explanation=(
        "The customer-managed keys encrypt user data at rest. Rotating their key material every year "
        "(or more often) limits how much data any one key version protects and how long a leaked "
        "version is useful, a safeguard the privacy policy promises; KMS keys do not rotate unless told "
        "to. Asymmetric and HMAC keys, and keys with imported material, cannot rotate automatically and are not "
        "checked here (EU-KEY-021 judges imported key material)."
    ),
    fix="Set EnableKeyRotation: true (optionally RotationPeriodInDays) (L2: aws_kms.Key(enable_key_rotation="
    "True)); or use constructs_lib's DataKey, which always rotates.",
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::KMS::Key"}),
    check_resource=check,
)
