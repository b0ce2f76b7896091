"""EU-ENC-053: DMS endpoints of database engines connect with SSL."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.rules.encryption._transit_links import text_settings
from eu_residency.rules.predicates import prop_path, unresolved

# The engines whose endpoint encrypts only when SslMode asks it to (AWS Control Tower's CT.DMS.PR.2 list).
# Other engines (s3, dynamodb, kinesis, kafka, redshift, opensearch, neptune, ...) have no SslMode to set:
# they use HTTPS or their own settings.
SSL_MODE_ENGINES = frozenset(
    {
        "mysql",
        "oracle",
        "postgres",
        "mariadb",
        "aurora",
        "aurora-postgresql",
        "db2",
        "sybase",
        "mongodb",
        "docdb",
        "sqlserver",
    }
)
ENCRYPTING_MODES = frozenset({"require", "verify-ca", "verify-full"})
# What DMS uses when SslMode is not set.
DEFAULT_MODE = "none"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    engines = [
        engine
        for engine in text_settings(view, resource.properties, ("EngineName",))
        if isinstance(engine, Unknown) or (engine is not None and engine.lower() in SSL_MODE_ENGINES)
    ]
    if not engines:
        return  # engines without an SslMode to set, or no engine (a template CloudFormation rejects)
    for mode in text_settings(view, resource.properties, ("SslMode",)):
        if isinstance(mode, Unknown):
            yield unresolved(("SslMode",), "the endpoint's SSL mode", mode)
        elif (mode or DEFAULT_MODE).lower() not in ENCRYPTING_MODES:
            yield from _unencrypted(engines, mode)


def _unencrypted(engines: list[str | Unknown], mode: str | None) -> Iterator[Violation]:
    """``engines``: the SslMode engines (or undecided ones) the endpoint may have."""
    shown = f"SslMode is {mode!r}" if mode else f"SslMode is not set, so it is {DEFAULT_MODE!r}"
    engine = next((engine for engine in engines if isinstance(engine, str)), None)
    if engine is None:
        yield unresolved(("EngineName",), f"that the endpoint needs no SslMode ({shown})", engines[0])
        return
    yield Violation(
        prop_path("SslMode"),
        f"the {engine} endpoint connects without SSL ({shown}): the data it migrates crosses the network unencrypted",
    )


RULE = Rule(
    id="EU-ENC-053",
    title="DMS endpoints of database engines connect with SSL",
    explanation=(
        "A DMS endpoint for MySQL, MariaDB, Aurora, PostgreSQL, Oracle, SQL Server, Db2, SAP ASE, MongoDB or "
        "DocumentDB connects to its database without SSL unless SslMode says otherwise (the default is "
        "none), so every row it migrates or replicates, personal data included, crosses the network in "
        "plain text; the privacy policy promises encryption in transit."
    ),
    fix=(
        "Set SslMode: verify-full (or verify-ca or require, as the engine supports) and CertificateArn to "
        "the server's CA certificate where the mode verifies it (L1: dms.CfnEndpoint(ssl_mode='verify-full', "
        "certificate_arn=...)); aws-cdk-lib has no DMS L2."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::DMS::Endpoint"}),
    check_resource=check,
)
