"""EU-ENC-062: EMR security configurations turn on encryption in transit."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.encryption._emr_security import SECURITY_CONFIGURATION, in_transit_violations


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from in_transit_violations(resource, view)


RULE = Rule(
    id="EU-ENC-062",
    title="EMR security configurations turn on encryption in transit",
    explanation=(
        "An EMR cluster's nodes shuffle, replicate and serve the data they process, personal data among it, "
        "between each other and to clients. Unless its security configuration sets "
        "EncryptionConfiguration.EnableInTransitEncryption to true, Hadoop, Spark and the other applications "
        "exchange it in plain text; the privacy policy promises encryption in transit. Encryption at rest is "
        "judged by its own rule."
    ),
    fix=(
        "In the AWS::EMR::SecurityConfiguration's SecurityConfiguration document set EncryptionConfiguration "
        "{EnableInTransitEncryption: true, InTransitEncryptionConfiguration: {TLSCertificateConfiguration: "
        "...}} (L1: emr.CfnSecurityConfiguration(security_configuration={...})); aws-cdk-lib has no EMR L2."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({SECURITY_CONFIGURATION}),
    check_resource=check,
)
