"""EU-ENC-050: Redshift clusters use a parameter group that requires SSL."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.encryption._parameter_groups import REDSHIFT_GROUP, require_ssl_violations
from eu_residency.rules.encryption._transit_links import SettingsLink, linked_violations
from eu_residency.rules.predicates import prop_path

LINK = SettingsLink(
    property="ClusterParameterGroupName",
    target_type=REDSHIFT_GROUP,
    name_property="ParameterGroupName",
    what="the parameter group",
    default_prefix="default.",
)


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from linked_violations(resource, view, LINK, require_ssl_violations, _default_group)


def _default_group(name: str | None) -> Iterator[Violation]:
    shown = f"the default parameter group {name}" if name else "a default parameter group (none is named)"
    yield Violation(
        prop_path(LINK.property),
        f"the cluster uses {shown}, where require_ssl is false: clients may connect and query without SSL",
    )


RULE = Rule(
    id="EU-ENC-050",
    title="Redshift clusters use a parameter group that requires SSL",
    explanation=(
        "A Redshift cluster that names no parameter group runs with a default one, whose require_ssl is "
        "false and cannot be changed, so clients may query the warehouse and read personal data over plain "
        "connections, against the privacy policy's promise of encryption in transit. A group defined "
        "outside the template, or chosen at deploy time, cannot be shown to require SSL."
    ),
    fix=(
        "Give the AWS::Redshift::Cluster a ClusterParameterGroupName that is a Ref to an "
        "AWS::Redshift::ClusterParameterGroup of this template with require_ssl 'true' (L1: "
        "redshift.CfnCluster(cluster_parameter_group_name=group.ref); L2 alpha: "
        "aws_redshift_alpha.Cluster(parameter_group=ClusterParameterGroup(parameters={'require_ssl': 'true'})))."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::Redshift::Cluster"}),
    check_resource=check,
)
