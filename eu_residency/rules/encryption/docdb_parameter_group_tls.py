"""EU-ENC-051: DocumentDB cluster parameter groups keep TLS required."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.encryption._parameter_groups import DOCDB_GROUP, docdb_tls_violations


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from docdb_tls_violations(resource, view)


RULE = Rule(
    id="EU-ENC-051",
    title="DocumentDB cluster parameter groups keep TLS required",
    explanation=(
        "DocumentDB requires TLS for every connection unless the cluster parameter group sets tls to "
        "disabled; then the cluster accepts only plain connections and users' documents cross the network "
        "unencrypted, against the privacy policy's promise of encryption in transit. enabled (the default), "
        "tls1.2+, tls1.3+ and fips-140-3 all require TLS."
    ),
    fix=(
        "In the AWS::DocDB::DBClusterParameterGroup set Parameters {tls: tls1.2+} or leave tls unset "
        "(enabled) (L2: docdb.ClusterParameterGroup(family='docdb5.0', parameters={'tls': 'tls1.2+'}))."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({DOCDB_GROUP}),
    check_resource=check,
)
