"""EU-ENC-056: Transfer Family servers offer no plain FTP."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.resolved import scalar
from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, elements
from eu_residency.rules.predicates import prop_path, unresolved

FTP = "FTP"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    # Protocols not set: the server offers SFTP only.
    for index, protocol in elements(view.resolve(resource.properties.get("Protocols", MISSING))):
        text = scalar(protocol)
        if index is None or isinstance(text, Unknown):
            where = ("Protocols",) if index is None else ("Protocols", index)
            yield unresolved(where, "that the server offers no plain FTP", text if text is not None else protocol)
        elif text is not None and text.upper() == FTP:
            yield Violation(
                prop_path("Protocols", index),
                "the server offers plain FTP, which sends credentials and every file in clear text",
            )


RULE = Rule(
    id="EU-ENC-056",
    title="Transfer Family servers offer no plain FTP",
    explanation=(
        "FTP has no encryption: user names, passwords and the files users exchange, personal data among "
        "them, cross the network in plain text, even inside a VPC. SFTP, FTPS and AS2 encrypt them; the "
        "privacy policy promises encryption in transit."
    ),
    fix=(
        "Remove FTP from the AWS::Transfer::Server's Protocols (use SFTP, the default, or FTPS with a "
        "Certificate) (L1: transfer.CfnServer(protocols=['SFTP'])); aws-cdk-lib has no Transfer Family L2."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::Transfer::Server"}),
    check_resource=check,
)
