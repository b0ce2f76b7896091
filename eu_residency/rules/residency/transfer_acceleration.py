"""EU-RES-033: S3 buckets do not use Transfer Acceleration."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, get, text_options
from eu_residency.rules.predicates import not_shown, prop_path


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    path = ("AccelerateConfiguration", "AccelerationStatus")
    raw = get(resource.properties, path)
    if raw is MISSING:
        return
    for option in text_options(view, raw):
        if isinstance(option, Unknown):
            yield not_shown(prop_path(*path), "Transfer Acceleration cannot be shown to be off", option)
        elif option == "Enabled":
            yield Violation(
                prop_path(*path),
                "Transfer Acceleration uploads and downloads through CloudFront edge locations worldwide",
                Severity.FATAL,
            )


RULE = Rule(
    id="EU-RES-033",
    title="S3 buckets keep Transfer Acceleration off",
    explanation=(
        "Transfer Acceleration routes every request through the nearest CloudFront edge location, which for "
        "travelling users and mobile apps can be anywhere in the world."
    ),
    fix="Remove AccelerateConfiguration or set AccelerationStatus: Suspended (CDK: transfer_acceleration=False).",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({"AWS::S3::Bucket"}),
    check_resource=check,
)
