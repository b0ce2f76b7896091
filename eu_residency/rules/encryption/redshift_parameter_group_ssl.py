"""EU-ENC-049: Redshift parameter groups require SSL for every client connection."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.encryption._parameter_groups import REDSHIFT_GROUP, require_ssl_violations


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from require_ssl_violations(resource, view)


RULE = Rule(
    id="EU-ENC-049",
    title="Redshift parameter groups require SSL for every client connection",
    explanation=(
        "A Redshift cluster accepts connections with or without SSL unless its parameter group sets "
        "require_ssl to true, so a client configured without SSL sends queries and the personal data they "
        "return across the network in plain text. The privacy policy promises that user data is encrypted "
        "in transit; only the server refusing plain connections shows that it is."
    ),
    fix=(
        "In the AWS::Redshift::ClusterParameterGroup add Parameters [{ParameterName: require_ssl, "
        "ParameterValue: 'true'}] (L1: redshift.CfnClusterParameterGroup(parameters=[...]); L2 alpha: "
        "aws_redshift_alpha.ClusterParameterGroup(parameters={'require_ssl': 'true'}))."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({REDSHIFT_GROUP}),
    check_resource=check,
)
