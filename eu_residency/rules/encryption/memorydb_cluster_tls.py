"""EU-ENC-059: MemoryDB clusters keep TLS on."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.predicates import require_true


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    # Absent TLSEnabled means true: MemoryDB encrypts in transit unless told not to.
    yield from require_true(resource, view, ("TLSEnabled",), "encryption in transit", default=True)


RULE = Rule(
    id="EU-ENC-059",
    title="MemoryDB clusters keep TLS on",
    explanation=(
        "A MemoryDB cluster is a durable primary database for the data it holds, sessions and user records "
        "among them. With TLSEnabled false, clients and replicas exchange that data in plain text (and the "
        "cluster must use the open-access ACL), against the privacy policy's promise of encryption in "
        "transit. TLS is on by default and can only be chosen when the cluster is created."
    ),
    fix=(
        "Set TLSEnabled: true on the AWS::MemoryDB::Cluster or leave it unset (L1: memorydb.CfnCluster("
        "tls_enabled=True)); aws-cdk-lib has no MemoryDB L2."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::MemoryDB::Cluster"}),
    check_resource=check,
)
