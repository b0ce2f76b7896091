"""EU-RES-017: Secrets Manager replicates secrets only to allowed regions."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.residency._replication import STAR, region_leaf, settled, walk


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    for path, region in walk(view, resource.properties, ("ReplicaRegions", STAR, "Region")):
        yield from settled(region_leaf(view, path, region, "the secret's replica region"))


RULE = Rule(
    id="EU-RES-017",
    title="Secrets are replicated only to allowed regions",
    explanation=(
        "A replica secret holds the same value as the primary (credentials that open the databases and "
        "queues holding user data, or user data itself); a replica outside the allowed regions transfers "
        "it out of the EU. A replica region proven to be outside the allowed regions is fatal; one that "
        "cannot be shown (a parameter, an import) is an error."
    ),
    fix="List only allowed regions in ReplicaRegions[].Region (L2: Secret(replica_regions=[ReplicaRegion("
    "region='eu-central-1')])).",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({"AWS::SecretsManager::Secret"}),
    check_resource=check,
)
