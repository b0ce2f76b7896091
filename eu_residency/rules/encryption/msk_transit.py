"""EU-ENC-048: MSK clusters accept only TLS from clients and encrypt traffic between brokers."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.resolved import scalar
from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import values_at
from eu_residency.rules.predicates import prop_path, require_true, unresolved

IN_TRANSIT = ("EncryptionInfo", "EncryptionInTransit")
CLIENT_BROKER = (*IN_TRANSIT, "ClientBroker")
TLS = "TLS"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from _client_broker(resource, view)
    # Absent InCluster means true: brokers talk TLS to each other.
    yield from require_true(resource, view, (*IN_TRANSIT, "InCluster"), "encryption between brokers", default=True)


def _client_broker(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    # Absent ClientBroker means TLS.
    for option in values_at(view, resource.properties, CLIENT_BROKER):
        text = scalar(option)
        if isinstance(text, Unknown):
            yield unresolved(CLIENT_BROKER, "the encryption between clients and brokers", text)
        elif text is not None and text.upper() != TLS:
            yield Violation(
                prop_path(*CLIENT_BROKER),
                f"clients may reach the brokers without TLS (ClientBroker is {text}, not {TLS})",
            )


RULE = Rule(
    id="EU-ENC-048",
    title="MSK clusters accept only TLS from clients and encrypt traffic between brokers",
    explanation=(
        "Kafka topics carry events that hold user data. With ClientBroker PLAINTEXT or TLS_PLAINTEXT a "
        "producer or consumer may send and read them unencrypted, and with InCluster false brokers "
        "replicate them in plain text; the privacy policy promises encryption in transit."
    ),
    fix=(
        "Set EncryptionInfo.EncryptionInTransit {ClientBroker: TLS, InCluster: true}, or leave both unset "
        "(L1: msk.CfnCluster(encryption_info=CfnCluster.EncryptionInfoProperty(encryption_in_transit="
        "CfnCluster.EncryptionInTransitProperty(client_broker='TLS', in_cluster=True))); L2 alpha: "
        "msk_alpha.Cluster(encryption_in_transit=EncryptionInTransitConfig(client_broker="
        "ClientBrokerEncryption.TLS, enable_in_cluster=True)))."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::MSK::Cluster"}),
    check_resource=check,
)
