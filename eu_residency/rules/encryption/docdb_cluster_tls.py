"""EU-ENC-052: DocumentDB clusters use a parameter group that requires TLS."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.encryption._parameter_groups import DOCDB_GROUP, docdb_tls_violations
from eu_residency.rules.encryption._transit_links import SettingsLink, linked_violations

LINK = SettingsLink(
    property="DBClusterParameterGroupName",
    target_type=DOCDB_GROUP,
    name_property="Name",
    what="the cluster parameter group",
    default_prefix="default.",
)


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from linked_violations(resource, view, LINK, docdb_tls_violations, _default_group)


def _default_group(name: str | None) -> Iterator[Violation]:
    return iter(())  # DocumentDB's default cluster parameter groups have tls enabled, and cannot be changed


RULE = Rule(
    id="EU-ENC-052",
    title="DocumentDB clusters use a parameter group that requires TLS",
    explanation=(
        "A DocumentDB cluster requires TLS unless its cluster parameter group turns tls off. The default "
        "groups keep it on; a group of this template that sets tls to disabled, or a group defined outside "
        "the template or chosen at deploy time (which cannot be shown to keep it on), may let users' "
        "documents cross the network in plain text, against the privacy policy's promise of encryption in "
        "transit."
    ),
    fix=(
        "Leave DBClusterParameterGroupName unset, or make it a Ref to an AWS::DocDB::DBClusterParameterGroup "
        "of this template whose tls is enabled, tls1.2+ or tls1.3+ (L2: docdb.DatabaseCluster("
        "parameter_group=docdb.ClusterParameterGroup(family='docdb5.0', parameters={'tls': 'tls1.2+'})))."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::DocDB::DBCluster"}),
    check_resource=check,
)
