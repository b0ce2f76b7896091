"""Helpers shared by the in-transit rules (EU-ENC-040 to EU-ENC-048) and the retention rules.

Everything here reads *resolved* values (``TemplateView.resolve``): an undecided ``Fn::If`` is a ``OneOf``
whose every option is followed, and a value the template does not decide stays an ``Unknown``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from enum import Enum
from typing import Any

from eu_residency.core.resolved import scalar
from eu_residency.core.rule_model import Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown, options
from eu_residency.core.values import MISSING
from eu_residency.rules.predicates import prop_path, unresolved

# Load balancer security policies (ALB, NLB, and the classic ELB's Reference-Security-Policy) whose minimum
# protocol is TLS 1.2. A policy name is accepted when it is one of these or starts with one of them
# followed by "-" (dated, -Res-, -Ext1-, -FIPS- and post-quantum -PQ- variants). Everything else (2016-08,
# 2015-05, TLS-1-1-*, TLS13-1-0-*, TLS13-1-1-*, FS-2018-06, FS-1-1-*, ...) also accepts TLS 1.0 or 1.1.
TLS12_POLICY_FAMILIES: tuple[str, ...] = (
    "ELBSecurityPolicy-TLS13-1-2",
    "ELBSecurityPolicy-TLS13-1-3",
    "ELBSecurityPolicy-TLS-1-2",
    "ELBSecurityPolicy-FS-1-2",
    "ELBSecurityPolicy-TLS13-1-2-FIPS",
    "ELBSecurityPolicy-TLS13-1-3-FIPS",
    "ELBSecurityPolicy-TLS13-1-2-Res",
    "ELBSecurityPolicy-TLS13-1-2-Ext",
    "ELBSecurityPolicy-TLS13-1-2-PQ",
    "ELBSecurityPolicy-TLS13-1-3-PQ",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ",
)
# What AWS applies to an HTTPS/TLS listener, or a classic ELB HTTPS/SSL listener, that names no policy.
ELB_DEFAULT_POLICY = "ELBSecurityPolicy-2016-08"


def is_tls12_policy(name: str) -> bool:
    return any(name == family or name.startswith(f"{family}-") for family in TLS12_POLICY_FAMILIES)


# -- load balancer listeners ----------------------------------------------------------------------------

LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
ENCRYPTED_LISTENER_PROTOCOLS = frozenset({"HTTPS", "TLS"})


def protocols(listener: Resource, view: TemplateView) -> list[str | Unknown | None]:
    """The protocols a listener may have, upper-cased; None when Protocol is not set."""
    raw = listener.properties.get("Protocol", MISSING)
    found: list[str | Unknown | None] = []
    for option in options(view.resolve(raw)):
        text = scalar(option)
        found.append(text.upper() if isinstance(text, str) else text)
    return found


# -- RDS parameter groups that force TLS ---------------------------------------------------------------


class EngineKind(Enum):
    POSTGRES = "postgres"
    MYSQL = "mysql"


POSTGRES_FORCE_SSL = "rds.force_ssl"
MYSQL_SECURE_TRANSPORT = "require_secure_transport"
# RDS for PostgreSQL turned rds.force_ssl on by default from major version 15 (not Aurora PostgreSQL).
POSTGRES_FORCE_SSL_DEFAULT_FROM = 15
_POSTGRES_FAMILY = re.compile(r"^postgres(\d+)")
_DEFAULT_POSTGRES_GROUP = re.compile(r"^default\.postgres(\d+)$")


def engine_kind(engine_or_family: str) -> EngineKind | None:
    """PostgreSQL-like or MySQL-like for an RDS engine name (``aurora-mysql``) or family (``mysql8.0``);
    None for the engines these rules do not cover (Oracle, SQL Server, Db2).
    """
    name = engine_or_family.lower()
    if name.startswith(("postgres", "aurora-postgresql")):
        return EngineKind.POSTGRES
    if name.startswith(("mysql", "aurora-mysql", "mariadb", "aurora5")) or name == "aurora":
        return EngineKind.MYSQL
    return None


def postgres_forces_ssl_by_default(major: int) -> bool:
    return major >= POSTGRES_FORCE_SSL_DEFAULT_FROM


def default_group_forces_tls(group_name: str) -> bool:
    """A literal ``default.postgresNN`` group forces TLS from PostgreSQL 15; no other default group does."""
    match = _DEFAULT_POSTGRES_GROUP.match(group_name.lower())
    return bool(match) and postgres_forces_ssl_by_default(int(match[1]))  # type: ignore[index]


def parameter_group_violations(group: Resource, view: TemplateView) -> Iterator[Violation]:
    """Why a DBParameterGroup or DBClusterParameterGroup does not force TLS (nothing when it does, or
    when its family is not PostgreSQL- or MySQL-like).
    """
    family_raw = group.properties.get("Family", MISSING)
    if family_raw is MISSING:
        yield Violation(
            prop_path("Family"),
            "the parameter group has no Family, so what it forces cannot be shown",
        )
        return
    resolved_parameters = view.resolve(group.properties.get("Parameters", {}))
    for family in options(view.resolve(family_raw)):
        text = scalar(family)
        if isinstance(text, Unknown):
            yield unresolved(("Family",), "the parameter group's engine family", text)
        elif text is not None:
            yield from _family_violations(text, resolved_parameters)


def _family_violations(family: str, parameters: Any) -> Iterator[Violation]:
    kind = engine_kind(family)
    if kind is None:
        return
    if kind is EngineKind.POSTGRES:
        name, accepted, shown = POSTGRES_FORCE_SSL, {"1"}, "1"
        match = _POSTGRES_FAMILY.match(family.lower())
        on_by_default = bool(match) and postgres_forces_ssl_by_default(int(match[1]))  # type: ignore[index]
    else:
        name, accepted, shown = MYSQL_SECURE_TRANSPORT, {"1", "ON", "TRUE"}, "ON"
        on_by_default = False
    for parameters_option in options(parameters):
        if isinstance(parameters_option, Unknown):
            yield unresolved(("Parameters",), f"the parameter group's {name}", parameters_option)
            continue
        values = _parameter(parameters_option, name)
        for value in values:
            text = scalar(value)
            path = prop_path("Parameters", name)
            if isinstance(text, Unknown):
                yield unresolved(("Parameters", name), f"{name} of the {family} parameter group", text)
            elif text is None:
                if not on_by_default:
                    yield Violation(
                        path,
                        f"the {family} parameter group does not force TLS: {name} is not set, and its "
                        f"default lets clients connect without TLS (set it to {shown})",
                    )
            elif text.upper() not in accepted:
                yield Violation(
                    path,
                    f"the {family} parameter group lets clients connect without TLS ({name} is {text!r})",
                )


def _parameter(parameters: Any, name: str) -> list[Any]:
    """The options of one parameter (names compared without case, as RDS does); [MISSING] when unset."""
    if not isinstance(parameters, Mapping):
        return [MISSING]
    for key, value in parameters.items():
        if isinstance(key, str) and key.lower() == name:
            return list(options(value))
    return [MISSING]
