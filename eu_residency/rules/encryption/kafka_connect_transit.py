"""EU-ENC-061: MSK Connect connectors reach their Kafka cluster over TLS."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.rules.encryption._transit_links import text_settings
from eu_residency.rules.predicates import prop_path, unresolved

TLS = "TLS"
PATH = ("KafkaClusterEncryptionInTransit", "EncryptionType")


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    # The property is required: a connector without it does not deploy.
    for value in text_settings(view, resource.properties, PATH):
        if isinstance(value, Unknown):
            yield unresolved(PATH, "the connector's encryption to its Kafka cluster", value)
        elif value is not None and value.upper() != TLS:
            yield Violation(
                prop_path(*PATH),
                f"the connector reads and writes Kafka records without TLS (EncryptionType is {value}, not {TLS})",
            )


RULE = Rule(
    id="EU-ENC-061",
    title="MSK Connect connectors reach their Kafka cluster over TLS",
    explanation=(
        "A connector moves records, which carry user data, between Apache Kafka and other systems. With "
        "KafkaClusterEncryptionInTransit.EncryptionType PLAINTEXT it exchanges them with the brokers "
        "unencrypted, against the privacy policy's promise of encryption in transit; the cluster's own "
        "setting (EU-ENC-048) does not protect a connector that does not use TLS."
    ),
    fix=(
        "Set KafkaClusterEncryptionInTransit: {EncryptionType: TLS} on the AWS::KafkaConnect::Connector (L1: "
        "kafkaconnect.CfnConnector(kafka_cluster_encryption_in_transit=CfnConnector."
        "KafkaClusterEncryptionInTransitProperty(encryption_type='TLS'))); aws-cdk-lib has no L2."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::KafkaConnect::Connector"}),
    check_resource=check,
)
