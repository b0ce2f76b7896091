"""EU-RES-035: TLS certificates come from ACM in an allowed region."""

from __future__ import annotations

import re
from collections.abc import Iterator

from eu_residency.core.regions import describe_region
from eu_residency.core.resolved import Cause, Text
from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, ResourceRef, TemplateView, Unknown
from eu_residency.core.values import named_region, text_options
from eu_residency.core.vocabulary import REGION_SHAPE
from eu_residency.rules.predicates import not_shown, prop_path, reference_region
from eu_residency.rules.residency._references import region_references

_CERTIFICATE_KEY = re.compile(r"Certificate(Arn)?$")


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    given = dict(_given_certificates(resource.properties, ()))
    for reference in region_references(view, resource.properties):
        if any(reference.path[: len(path)] == path for path in given):
            continue  # read below, field by field
        if reference.service == "acm" and reference.region not in view.settings.allowed_regions:
            yield _outside(prop_path(*reference.path), reference.text, reference.region)
    for path, raw in given.items():
        for option in text_options(view, raw):
            yield from _certificate(view, option, prop_path(*path))


def _outside(where: PropertyPath, shown: str, region: str) -> Violation:
    return Violation(
        where,
        f"the certificate {shown} is in {describe_region(region)}; its private key and the TLS sessions it "
        "terminates live there",
        Severity.FATAL,
    )


def _given_certificates(value: object, path: PropertyPath) -> Iterator[tuple[PropertyPath, object]]:
    """Certificate properties given by an intrinsic (a literal is scanned by ``region_references``)."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _given_certificates(item, (*path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and _CERTIFICATE_KEY.search(key) and _is_intrinsic(item):
                yield (*path, key), item
            else:
                yield from _given_certificates(item, (*path, key))


def _is_intrinsic(value: object) -> bool:
    """An intrinsic function (``{"Ref": ...}``, ``{"Fn::Sub": ...}``), not an object of properties such as
    CloudFront's ViewerCertificate, which is read key by key."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    (key,) = value
    return isinstance(key, str) and (key == "Ref" or key.startswith("Fn::"))


def _certificate(view: TemplateView, option: str | Unknown, where: PropertyPath) -> Iterator[Violation]:
    """One value a certificate property may take: its region, read wherever the ARN's region field is
    known; ``${AWS::Region}`` is the stack's own region (EU-RES-001's), whatever the account."""
    what = "the certificate"
    if isinstance(option, ResourceRef):
        if not option.local:
            yield from reference_region(view, option, where, what)
        return  # a certificate of this template: issued in the stack's own region
    region = named_region(option)
    shown = option.shown if isinstance(option, Text) else str(option)
    if isinstance(region, str):
        if region not in view.settings.allowed_regions and REGION_SHAPE.match(region):
            yield _outside(where, shown, region)
        return
    if isinstance(region, Unknown):
        if region.cause is not Cause.STACK_REGION:
            yield not_shown(where, f"{what} {shown} cannot be shown to be in an allowed region", region, "its region")
        return
    if isinstance(option, Unknown):
        yield not_shown(where, f"{what} cannot be shown to be in an allowed region", option)


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
