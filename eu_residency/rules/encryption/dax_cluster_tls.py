"""EU-ENC-060: DAX clusters accept only TLS connections."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.rules.encryption._transit_links import text_settings
from eu_residency.rules.predicates import prop_path, unresolved

TLS = "TLS"
PATH = ("ClusterEndpointEncryptionType",)


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    for value in text_settings(view, resource.properties, PATH):
        if isinstance(value, Unknown):
            yield unresolved(PATH, "the cluster endpoint's encryption", value)
        elif value is None:
            yield Violation(
                prop_path(*PATH),
                "the cluster endpoint is unencrypted: ClusterEndpointEncryptionType is not set, so it is NONE "
                "and cached items cross the network in plain text",
            )
        elif value.upper() != TLS:
            yield Violation(
                prop_path(*PATH),
                f"the cluster endpoint is unencrypted (ClusterEndpointEncryptionType is {value}, not {TLS})",
            )


RULE = Rule(
    id="EU-ENC-060",
    title="DAX clusters accept only TLS connections",
    explanation=(
        "A DAX cluster caches the DynamoDB items the application reads and writes, user records among them. "
        "Its endpoint is unencrypted unless ClusterEndpointEncryptionType is TLS (the default is NONE), and "
        "the setting can only be chosen when the cluster is created; the privacy policy promises that user "
        "data is encrypted in transit."
    ),
    fix=(
        "Set ClusterEndpointEncryptionType: TLS on the AWS::DAX::Cluster (L1: dax.CfnCluster("
        "cluster_endpoint_encryption_type='TLS')); aws-cdk-lib has no DAX L2."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::DAX::Cluster"}),
    check_resource=check,
)
