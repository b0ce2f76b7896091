"""Readers of the parameter groups the in-transit rules from EU-ENC-049 on judge: what a Redshift or DocumentDB
parameter group enforces for client connections, read through the resolver (fails closed).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from eu_residency.core.resolved import scalar
from eu_residency.core.rule_model import Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown, options
from eu_residency.core.values import MISSING, elements
from eu_residency.rules.predicates import prop_path, unresolved

REDSHIFT_GROUP = "AWS::Redshift::ClusterParameterGroup"
REQUIRE_SSL = "require_ssl"
NOT_SET = "require_ssl is not set, and Redshift's default (false) lets clients connect and query without SSL"


def require_ssl_violations(group: Resource, view: TemplateView) -> Iterator[Violation]:
    """Why a Redshift parameter group does not require SSL (nothing when it does)."""
    for parameters in options(view.resolve(group.properties.get("Parameters", MISSING))):
        if parameters is MISSING:
            yield Violation(prop_path("Parameters"), NOT_SET)
        elif isinstance(parameters, Unknown):
            yield unresolved(("Parameters",), "the parameter group's require_ssl", parameters)
        else:
            yield from _parameters(parameters)


def _parameters(parameters: object) -> Iterator[Violation]:
    found = False
    undecided: Unknown | None = None
    for index, item in elements(parameters):
        name = scalar(item.get("ParameterName")) if isinstance(item, Mapping) else item
        if isinstance(name, Unknown) or index is None:
            undecided = undecided or (name if isinstance(name, Unknown) else Unknown("an undecided parameter"))
        elif isinstance(name, str) and name.lower() == REQUIRE_SSL and isinstance(item, Mapping):
            found = True
            yield from _value(item.get("ParameterValue", MISSING), index)
    if not found and undecided is not None:
        yield unresolved(("Parameters",), "the parameter group's require_ssl", undecided)
    elif not found:
        yield Violation(prop_path("Parameters"), NOT_SET)


def _value(raw: object, index: int) -> Iterator[Violation]:
    for option in options(raw):
        text = scalar(option)
        if isinstance(text, Unknown):
            yield unresolved(("Parameters", index, "ParameterValue"), "the value of require_ssl", text)
        elif text is None or text.lower() != "true":
            yield Violation(
                prop_path("Parameters", index, "ParameterValue"),
                f"require_ssl is {text or 'empty'!r}, so clients may connect and query without SSL",
            )


# -- DocumentDB: the tls parameter ---------------------------------------------------------------------

DOCDB_GROUP = "AWS::DocDB::DBClusterParameterGroup"
TLS = "tls"
# What DocumentDB accepts for tls: enabled (TLS 1.0 to 1.3, the default), tls1.2+, tls1.3+, fips-140-3 all
# refuse plain connections; disabled accepts only them.
TLS_DISABLED = "disabled"


def docdb_tls_violations(group: Resource, view: TemplateView) -> Iterator[Violation]:
    """Why a DocumentDB cluster parameter group lets clients connect without TLS (nothing when it does not)."""
    for parameters in options(view.resolve(group.properties.get("Parameters", MISSING))):
        if isinstance(parameters, Unknown):
            yield unresolved(("Parameters",), "the parameter group's tls setting", parameters)
        elif isinstance(parameters, Mapping):
            yield from _docdb_tls(parameters)


def _docdb_tls(parameters: Mapping[str, object]) -> Iterator[Violation]:
    for key, raw in parameters.items():
        if not (isinstance(key, str) and key.lower() == TLS):
            continue
        for option in options(raw):
            text = scalar(option)
            if isinstance(text, Unknown):
                yield unresolved(("Parameters", key), "the parameter group's tls setting", text)
            elif text is not None and text.lower() == TLS_DISABLED:
                yield Violation(
                    prop_path("Parameters", key),
                    "tls is 'disabled': the cluster refuses TLS and clients send queries and documents in plain text",
                )
