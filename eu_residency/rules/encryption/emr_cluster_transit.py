"""EU-ENC-063: EMR clusters use a security configuration that encrypts in transit."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.encryption._emr_security import SECURITY_CONFIGURATION, in_transit_violations
from eu_residency.rules.encryption._transit_links import SettingsLink, linked_violations
from eu_residency.rules.predicates import prop_path

LINK = SettingsLink(
    property="SecurityConfiguration",
    target_type=SECURITY_CONFIGURATION,
    name_property="Name",
    what="the security configuration",
)


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from linked_violations(resource, view, LINK, in_transit_violations, _no_configuration)


def _no_configuration(name: str | None) -> Iterator[Violation]:
    yield Violation(
        prop_path(LINK.property),
        "the cluster names no security configuration, so EMR does not encrypt the data its nodes and "
        "applications exchange",
    )


RULE = Rule(
    id="EU-ENC-063",
    title="EMR clusters use a security configuration that encrypts in transit",
    explanation=(
        "An EMR cluster encrypts the data its nodes exchange only when it names a security configuration "
        "that turns encryption in transit on; without one, the data it processes, personal data among it, "
        "crosses the cluster's network in plain text, against the privacy policy's promise. A configuration "
        "defined outside the template, or chosen at deploy time, cannot be shown to turn it on."
    ),
    fix=(
        "Set SecurityConfiguration on the AWS::EMR::Cluster to a Ref to an AWS::EMR::SecurityConfiguration "
        "of this template with EncryptionConfiguration.EnableInTransitEncryption true (L1: emr.CfnCluster("
        "security_configuration=configuration.ref)); aws-cdk-lib has no EMR L2."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::EMR::Cluster"}),
    check_resource=check,
)
