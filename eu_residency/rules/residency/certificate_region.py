"""EU-RES-035: TLS certificates come from ACM in an allowed region."""

from __future__ import annotations

import re
from collections.abc import Iterator

from eu_residency.core.regions import describe_region
from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, ResourceRef, TemplateView, Unknown
from eu_residency.core.values import text_options
from eu_residency.rules.predicates import prop_path
from eu_residency.rules.residency._references import region_references

_CERTIFICATE_KEY = re.compile(r"Certificate(Arn)?$")


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    for reference in region_references(resource.properties):
        if reference.service == "acm" and reference.region not in view.settings.allowed_regions:
            yield Violation(
                prop_path(*reference.path),
                f"the certificate {reference.text} is in {describe_region(reference.region)}; its private key "
                "and the TLS sessions it terminates live there",
                Severity.FATAL,
            )
    yield from _unprovable_certificates(resource.properties, (), view)


def _unprovable_certificates(value: object, path: tuple[str | int, ...], view: TemplateView) -> Iterator[Violation]:
    """Certificate properties given by a value the template does not decide (a literal is scanned above)."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unprovable_certificates(item, (*path, index), view)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and _CERTIFICATE_KEY.search(key) and isinstance(item, dict):
                for option in text_options(view, item):
                    if isinstance(option, Unknown) and not isinstance(option, ResourceRef):
                        yield Violation(
                            prop_path(*path, key),
                            f"the certificate cannot be shown to be in an allowed region: it is {option.reason}",
                            Severity.ERROR,
                        )
            else:
                yield from _unprovable_certificates(item, (*path, key), view)


RULE = Rule(
    id="EU-RES-035",
    title="TLS certificates are ACM certificates in an allowed region",
    explanation=(
        "A certificate from us-east-1 is the mark of an edge (CloudFront) or cross-region set-up; the TLS "
        "sessions of EU users must be terminated by certificates held in the EU region that serves them."
    ),
    fix="Issue or import the certificate in the stack's region (constructs_lib reads certificate_arn from "
    "cdk.json and refuses one from another region) and reference it directly, not through a parameter.",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({"*"}),
    check_resource=check,
)
