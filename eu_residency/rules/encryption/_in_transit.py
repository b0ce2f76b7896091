"""Helpers shared by the in-transit rules (EU-ENC-040 to EU-ENC-048) and the retention rules.

Everything here reads *resolved* values (``TemplateView.resolve``): an undecided ``Fn::If`` is a ``OneOf``
whose every option is followed, and a value the template does not decide stays an ``Unknown``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from eu_residency.core.resolved import scalar
from eu_residency.core.rule_model import PropertyPath, Violation
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


# -- AWS's default parameter groups ----------------------------------------------------------------------------
#
# A default group (``default.<family>``) holds AWS's values for its family and cannot be modified, so what it
# forces is what AWS documents as the default of the family's TLS parameter:
# - RDS for PostgreSQL, rds.force_ssl: 0 before major version 15, 1 from 15
#   (docs.aws.amazon.com/AmazonRDS/latest/UserGuide/ssl-certificate-rotation-postgresql.html);
# - Aurora PostgreSQL, rds.force_ssl: 0 (repost.aws/knowledge-center/aurora-postgresql-ssl-certificates);
# - RDS for MySQL, require_secure_transport: OFF for 8.4 and earlier, ON for 9.7
#   (docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mysql-ssl-connections.require-ssl.html);
# - RDS for MariaDB, require_secure_transport: OFF for 11.4 and earlier, ON from 11.8, absent before 10.5
#   (docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mariadb-ssl-connections.require-ssl.html);
# - Aurora MySQL: no AWS page found stating its default, and a recent change to ON has been reported, so its
#   default groups fail closed. Families between the documented versions fail closed too.

DEFAULT_GROUP_PREFIX = "default."
_POSTGRES = re.compile(r"^postgres(\d+)(?:\.\d+)?$")
_AURORA_POSTGRES = re.compile(r"^aurora-postgresql(\d+)$")
_MYSQL_LIKE = re.compile(r"^(?P<engine>mysql|mariadb)(?P<major>\d+)\.(?P<minor>\d+)$")
_AURORA_MYSQL = re.compile(r"^(?:aurora-mysql\d+\.\d+|aurora5\.6)$")
# The families of the engines this rule does not cover (what any other family is, it cannot show).
UNCOVERED_FAMILIES = ("sqlserver", "oracle", "db2", "custom-")


@dataclass(frozen=True)
class DefaultTls:
    """What AWS's default group of one family does about TLS: ``forces`` None where that is not known; ``why``
    a clause saying what the default is, or why it is not known."""

    forces: bool | None
    why: str


@dataclass(frozen=True)
class _Documented:
    """The versions (major, minor) for which AWS documents require_secure_transport's default."""

    label: str
    off_to: tuple[int, int]  # OFF up to this version
    on_from: tuple[int, int]  # ON from this version ...
    on_to: tuple[int, int] | None  # ... up to this one (None: and later)
    shown: str  # the documented versions, in words


_MYSQL = _Documented("MySQL", (8, 4), (9, 7), (9, 7), "8.4 and earlier (OFF) and 9.7 (ON)")
_MARIADB = _Documented("MariaDB", (11, 4), (11, 8), None, "11.4 and earlier (OFF) and 11.8 and later (ON)")


def _shown(version: tuple[int, int]) -> str:
    return ".".join(map(str, version))


def default_group_tls(family: str) -> DefaultTls | None:
    """What the default group of ``family`` forces; None for the engines this rule does not cover."""
    family = family.lower()
    if family.startswith(UNCOVERED_FAMILIES):
        return None
    if match := _POSTGRES.match(family):
        if postgres_forces_ssl_by_default(int(match[1])):
            return DefaultTls(True, "rds.force_ssl is 1 there (AWS's default from PostgreSQL 15)")
        return DefaultTls(False, "rds.force_ssl is 0 there (AWS's default before PostgreSQL 15)")
    if _AURORA_POSTGRES.match(family):
        return DefaultTls(False, "rds.force_ssl is 0 there (AWS's default for Aurora PostgreSQL)")
    if match := _MYSQL_LIKE.match(family):
        version = (int(match["major"]), int(match["minor"]))
        if match["engine"] == "mariadb" and version < (10, 5):
            return DefaultTls(False, "MariaDB before 10.5 has no require_secure_transport to force TLS with")
        return _documented(version, _MYSQL if match["engine"] == "mysql" else _MARIADB)
    if _AURORA_MYSQL.match(family):
        return DefaultTls(None, "this rule does not know require_secure_transport to be ON there")
    return DefaultTls(None, f"{family} is not an engine family whose defaults this rule knows")


def _documented(version: tuple[int, int], documented: _Documented) -> DefaultTls:
    if version <= documented.off_to:
        return DefaultTls(
            False,
            f"require_secure_transport is OFF there (AWS's default for {documented.label} "
            f"{_shown(documented.off_to)} and earlier)",
        )
    if version >= documented.on_from and (documented.on_to is None or version <= documented.on_to):
        return DefaultTls(True, f"require_secure_transport is ON there (AWS's default for {documented.label})")
    return DefaultTls(
        None,
        f"AWS documents require_secure_transport's default for {documented.label} {documented.shown}, "
        f"not for {_shown(version)}",
    )


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
    else:
        name, accepted, shown = MYSQL_SECURE_TRANSPORT, {"1", "ON", "TRUE"}, "ON"
    # A parameter the group leaves unset keeps the family's default, as in AWS's default group of the family.
    default = default_group_tls(family)
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
                yield from _unset(family, name, shown, default, path)
            elif text.upper() not in accepted:
                yield Violation(
                    path,
                    f"the {family} parameter group lets clients connect without TLS ({name} is {text!r})",
                )


def _unset(family: str, name: str, shown: str, default: DefaultTls | None, path: PropertyPath) -> Iterator[Violation]:
    """A group that leaves ``name`` unset: it keeps the family's default."""
    if default is not None and default.forces:
        return
    if default is not None and default.forces is None:
        yield Violation(
            path,
            f"the {family} parameter group does not set {name}, and {default.why}, so that it forces TLS "
            f"cannot be shown (set it to {shown})",
        )
        return
    yield Violation(
        path,
        f"the {family} parameter group does not force TLS: {name} is not set, and its "
        f"default lets clients connect without TLS (set it to {shown})",
    )


def _parameter(parameters: Any, name: str) -> list[Any]:
    """The options of one parameter (names compared without case, as RDS does); [MISSING] when unset."""
    if not isinstance(parameters, Mapping):
        return [MISSING]
    for key, value in parameters.items():
        if isinstance(key, str) and key.lower() == name:
            return list(options(value))
    return [MISSING]
