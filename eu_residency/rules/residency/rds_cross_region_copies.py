"""EU-RES-013: RDS backup replication and read replicas stay in allowed regions."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.residency._replication import arn_violations, region_leaf, settled, walk

DATABASES = ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster")

# Region properties: where backups are replicated to, where a read replica's source is.
REGIONS = {
    "AWS::RDS::DBInstance": (
        ("AutomaticBackupReplicationRegion", "the automated backup replication region"),
        ("SourceRegion", "the source region of the read replica"),
    ),
    "AWS::RDS::DBCluster": (("SourceRegion", "the source region of the replica cluster"),),
}
# ARN (or identifier) properties naming the source database: an ARN of another region is a cross-region
# replica; a plain identifier is in the stack's own region.
SOURCES = {
    "AWS::RDS::DBInstance": (
        ("SourceDBInstanceIdentifier", "the source DB instance of the read replica"),
        ("SourceDBClusterIdentifier", "the source DB cluster of the read replica"),
    ),
    "AWS::RDS::DBCluster": (
        ("ReplicationSourceIdentifier", "the replication source of the replica cluster"),
        ("SourceDBClusterIdentifier", "the source DB cluster"),
    ),
}


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from settled(_violations(resource, view))


def _violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    for name, what in REGIONS.get(resource.type, ()):
        for path, region in walk(view, resource.properties, (name,)):
            yield from region_leaf(view, path, region, what, required=False)
    for name, what in SOURCES.get(resource.type, ()):
        for path, source in walk(view, resource.properties, (name,)):
            yield from arn_violations(view, source, path, what, DATABASES)


RULE = Rule(
    id="EU-RES-013",
    title="RDS backups are replicated, and read replicas placed, only in allowed regions",
    explanation=(
        "Automated backup replication copies every snapshot and transaction log of a database, user data "
        "included, to another region; a cross-region read replica keeps a full, continuously updated copy "
        "there, and a replica created here from a source in another region proves the data is already "
        "kept there. Any of these outside the allowed regions transfers the database out of the EU. A "
        "region proven to be outside the allowed set is fatal; one that cannot be shown (a parameter, an "
        "import, an ARN built from one) is an error."
    ),
    fix="Set AutomaticBackupReplicationRegion and SourceRegion only to an allowed region, and name source "
    "databases (SourceDBInstanceIdentifier, ReplicationSourceIdentifier) by a resource of this stack or an "
    "ARN in an allowed region (L2: DatabaseInstanceReadReplica(source_database_instance=eu_instance)).",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset(DATABASES),
    check_resource=check,
)
