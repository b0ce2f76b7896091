"""EU-RES-020: no KMS key is multi-Region, and replica keys come from allowed regions."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.core.values import MISSING, get
from eu_residency.rules.predicates import prop_path, unresolved
from eu_residency.rules.residency._replication import arn_violations, settled, walk


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from settled(_violations(resource, view))


def _violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    if resource.type == "AWS::KMS::ReplicaKey":
        yield Violation(
            (),
            "the replica key belongs to a multi-Region key family, whose primary can be replicated to "
            "other regions outside this template: where its copies are kept cannot be shown",
        )
        for path, primary in walk(view, resource.properties, ("PrimaryKeyArn",)):
            yield from arn_violations(view, primary, path, "the primary key", ("AWS::KMS::Key",))
        return
    raw = get(resource.properties, ("MultiRegion",))
    if raw is MISSING:
        return  # single-Region by default
    multi_region = view.truth(raw)
    if multi_region is None:
        yield unresolved(("MultiRegion",), "whether the key is multi-Region", view.resolve(raw))
    elif multi_region:
        yield Violation(
            prop_path("MultiRegion"),
            "the key is a multi-Region primary (MultiRegion is true): it can be replicated to any region "
            "outside this template, so where its key material is kept cannot be shown",
        )


RULE = Rule(
    id="EU-RES-020",
    title="KMS keys are single-Region, and replica keys replicate a primary in an allowed region",
    explanation=(
        "A multi-Region key shares its key material with replicas that any stack or person can create in "
        "other regions, where they decrypt everything the key protects; data encrypted in the EU can then "
        "be read outside it without a cross-region call, so the safeguard of keeping keys in the EU "
        "cannot be shown. Multi-Region primaries and replica keys are errors; a replica of a primary "
        "proven to be outside the allowed regions is fatal."
    ),
    fix="Leave MultiRegion unset or false (L2: Key(multi_region=False), the default) and remove "
    "AWS::KMS::ReplicaKey resources; use one key per region. If a multi-Region key limited to EU regions is "
    "required, point PrimaryKeyArn at a key in an allowed region and acknowledge the finding.",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({"AWS::KMS::Key", "AWS::KMS::ReplicaKey"}),
    check_resource=check,
)
