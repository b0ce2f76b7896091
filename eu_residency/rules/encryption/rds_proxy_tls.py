"""EU-ENC-054: RDS proxies require TLS from every client."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.predicates import require_true

NOT_SET = "the proxy accepts connections without TLS: RequireTLS is not set, and CloudFormation's default is false"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from require_true(resource, view, ("RequireTLS",), "requiring TLS from clients", absent=NOT_SET)


RULE = Rule(
    id="EU-ENC-054",
    title="RDS proxies require TLS from every client",
    explanation=(
        "An RDS proxy sits between the application and the database: unless RequireTLS is true it accepts "
        "plain connections, whatever the database enforces, so queries and the personal data they return "
        "may cross the network unencrypted; the privacy policy promises encryption in transit."
    ),
    fix=(
        "Set RequireTLS: true on the AWS::RDS::DBProxy (L2: rds.DatabaseProxy(require_tls=True), which is "
        "its default; never require_tls=False)."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::RDS::DBProxy"}),
    check_resource=check,
)
