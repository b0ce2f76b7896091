"""EU-RES-016: EFS replication copies file systems only to allowed regions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, text_options
from eu_residency.core.vocabulary import AVAILABILITY_ZONE
from eu_residency.rules.predicates import prop_path, region_violations
from eu_residency.rules.residency._replication import STAR, region_leaf, settled, walk

# eu-west-1a: the region, then one zone letter.
WHAT = "the replication destination region"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from settled(_violations(resource, view))


def _violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    destinations = ("ReplicationConfiguration", "Destinations", STAR)
    for path, destination in walk(view, resource.properties, destinations, structures=True):
        if isinstance(destination, Unknown):
            yield from region_violations(view, destination, path, WHAT)
            continue
        if destination is MISSING:
            continue
        region = destination.get("Region", MISSING)
        zone = destination.get("AvailabilityZoneName", MISSING)
        if region is MISSING and zone is MISSING:
            yield Violation(
                prop_path(*path),
                f"{WHAT} cannot be shown: neither Region nor AvailabilityZoneName is set",
            )
        for region_path, value in walk(view, region, (), (*path, "Region")):
            yield from region_leaf(view, region_path, value, WHAT, required=False)
        for zone_path, value in walk(view, zone, (), (*path, "AvailabilityZoneName")):
            yield from _zone(view, zone_path, value)


def _zone(view: TemplateView, path: PropertyPath, raw: Any) -> Iterator[Violation]:
    what = "the availability zone of the replication destination"
    for option in text_options(view, raw):
        if isinstance(option, Unknown):
            yield from region_violations(view, option, path, what)
            continue
        match = AVAILABILITY_ZONE.match(option)
        if match is None:
            yield Violation(
                prop_path(*path),
                f"{what} {option!r} cannot be shown to be in an allowed region: it is not a zone name",
            )
        else:
            yield from region_violations(view, match["region"], path, f"the region of {what} {option}")


RULE = Rule(
    id="EU-RES-016",
    title="EFS file systems replicate only to allowed regions",
    explanation=(
        "EFS replication keeps a full, continuously synchronised copy of the file system, user files "
        "included, in the destination region (or the availability zone of a One Zone destination); a "
        "destination outside the allowed regions transfers the files out of the EU. A destination proven "
        "to be outside the allowed regions is fatal; one that cannot be shown (a parameter, an import) is "
        "an error."
    ),
    fix="Set ReplicationConfiguration.Destinations[].Region (and AvailabilityZoneName) to an allowed "
    "region (L2: FileSystem(replication_configuration=ReplicationConfiguration.regional_file_system("
    "region='eu-central-1'))).",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({"AWS::EFS::FileSystem"}),
    check_resource=check,
)
