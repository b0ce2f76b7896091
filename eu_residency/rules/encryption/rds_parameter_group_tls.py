"""EU-ENC-045: PostgreSQL and MySQL parameter groups force TLS for every connection."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.encryption._in_transit import parameter_group_violations


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from parameter_group_violations(resource, view)


RULE = Rule(
    id="EU-ENC-045",
    title="PostgreSQL and MySQL parameter groups force TLS for every client connection",
    explanation=(
        "PostgreSQL, MySQL and MariaDB accept unencrypted connections unless the server refuses them, so a "
        "misconfigured client sends queries and personal data in plain text; the privacy policy promises "
        "encryption in transit. rds.force_ssl (PostgreSQL; on by default only from RDS for PostgreSQL 15) "
        "and require_secure_transport (MySQL, MariaDB, Aurora MySQL) make the server refuse them."
    ),
    fix=(
        "In the AWS::RDS::DBParameterGroup or DBClusterParameterGroup set Parameters rds.force_ssl: '1' "
        "(postgres, aurora-postgresql families) or require_secure_transport: 'ON' (mysql, aurora-mysql, "
        "mariadb) (L2: rds.ParameterGroup(engine=..., parameters={'rds.force_ssl': '1'})); or use "
        "constructs_lib's PostgresDatabase."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::RDS::DBParameterGroup", "AWS::RDS::DBClusterParameterGroup"}),
    check_resource=check,
)
