"""EU-ENC-046: PostgreSQL and MySQL databases use a parameter group that forces TLS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eu_residency.core.resolved import scalar
from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown, options
from eu_residency.core.values import MISSING, get, referent
from eu_residency.rules.encryption._in_transit import (
    DEFAULT_GROUP_PREFIX,
    DefaultTls,
    default_group_tls,
    engine_kind,
    parameter_group_violations,
)
from eu_residency.rules.predicates import READ_REPLICA_SOURCE, prop_path, read_replica_source, unresolved

INSTANCE = "AWS::RDS::DBInstance"
CLUSTER = "AWS::RDS::DBCluster"
# The database's property naming its group, the group's type, and the group's own name property.
GROUPS = {
    INSTANCE: ("DBParameterGroupName", "AWS::RDS::DBParameterGroup", "DBParameterGroupName"),
    CLUSTER: (
        "DBClusterParameterGroupName",
        "AWS::RDS::DBClusterParameterGroup",
        "DBClusterParameterGroupName",
    ),
}


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    if resource.type == INSTANCE and get(resource.properties, ("DBClusterIdentifier",)) is not MISSING:
        return  # an Aurora instance: the cluster's parameter group decides, and the cluster is checked
    source = read_replica_source(resource, view)
    if source is None or get(resource.properties, (GROUPS[INSTANCE][0],)) is not MISSING:
        yield from _violations(resource, view)
    elif isinstance(source, Unknown):
        yield unresolved((READ_REPLICA_SOURCE,), "the parameter group the read replica inherits", source)
    else:
        # A read replica that names no parameter group runs with its source's (same-region replicas
        # cannot be given another at creation).
        for violation in _violations(source, view):
            yield Violation(
                prop_path(READ_REPLICA_SOURCE),
                f"the read replica runs with the parameter group of {source.logical_id}: {violation.message}",
                violation.severity,
            )


def _violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    engines = [scalar(option) for option in options(view.resolve(get(resource.properties, ("Engine",))))]
    engines = [engine.lower() if isinstance(engine, str) else engine for engine in engines]
    if all(isinstance(engine, str) and engine_kind(engine) is None for engine in engines):
        return  # Oracle, SQL Server, Db2: not covered by this rule
    group_property, group_type, _ = GROUPS[resource.type]
    for group in options(view.resolve(get(resource.properties, (group_property,)))):
        if group is MISSING:
            yield from _default_group(resource, view, engines, group_property)
        elif referent(group) is not None:
            target = view.resource(referent(group) or "")
            if target is None or target.type != group_type:
                yield Violation(
                    prop_path(group_property),
                    f"{group_property} refers to {referent(group)}, which is not an {group_type}, so that "
                    "the database forces TLS cannot be shown",
                )
            else:
                yield from _group(target, view, group_property)
        elif isinstance(group, Unknown):
            yield unresolved((group_property,), "the parameter group that would force TLS", group)
        else:
            yield from _named_group(group, view, resource.type)


def _group(group: Resource, view: TemplateView, group_property: str) -> Iterator[Violation]:
    for violation in parameter_group_violations(group, view):
        yield Violation(
            prop_path(group_property),
            f"the database uses the parameter group {group.logical_id}: {violation.message}",
        )


def _groups_by_name(view: TemplateView, group_type: str, name_property: str) -> dict[str, Resource]:
    """The template's parameter groups of ``group_type`` by the name they are given (the first one a name
    is given to), read once per template."""
    groups: dict[str, Resource] = {}
    for group in view.resources_of_type(group_type):
        name = view.resolve(group.properties.get(name_property))
        if isinstance(name, str):
            groups.setdefault(name, group)
    return groups


def _named_group(name: Any, view: TemplateView, database_type: str) -> Iterator[Violation]:
    group_property, group_type, name_property = GROUPS[database_type]
    text = scalar(name)
    groups = view.memo(f"{__name__}.groups.{group_type}", lambda: _groups_by_name(view, group_type, name_property))
    if isinstance(text, str) and text in groups:
        yield from _group(groups[text], view, group_property)
        return
    if isinstance(text, str) and text.lower().startswith(DEFAULT_GROUP_PREFIX):
        yield from _named_default_group(text, group_property)
        return
    yield Violation(
        prop_path(group_property),
        f"the parameter group {text} is not defined in this template, so that it forces TLS cannot be shown",
    )


def _named_default_group(name: str, group_property: str) -> Iterator[Violation]:
    known = default_group_tls(name[len(DEFAULT_GROUP_PREFIX) :])
    if known is None or known.forces:
        return
    opening = f"the parameter group {name} is one of AWS's default groups, whose values cannot be changed: {known.why}"
    yield Violation(prop_path(group_property), f"{opening}{_consequence(known)}")


def _consequence(known: DefaultTls) -> str:
    if known.forces is None:
        return ", so that it forces TLS cannot be shown"
    return ", so clients may connect without TLS"


def _default_group(
    resource: Resource, view: TemplateView, engines: list[Any], group_property: str
) -> Iterator[Violation]:
    for engine in engines:
        if isinstance(engine, Unknown):
            yield unresolved(("Engine",), "the engine, and so whether its default parameter group forces TLS,", engine)
        elif engine is None:
            yield Violation(
                prop_path(group_property),
                f"the database names no {group_property} and no Engine: that it forces TLS cannot be shown",
            )
        elif engine_kind(engine) is not None:
            yield from _engine_default(resource, view, engine, group_property)


# Engines whose default groups agree about TLS in every version: a family that stands for them all.
_VERSIONLESS = {"aurora-postgresql": "aurora-postgresql16", "aurora-mysql": "aurora-mysql8.0", "aurora": "aurora5.6"}
_LABELS = {"postgres": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB"}


def _engine_default(resource: Resource, view: TemplateView, engine: str, group_property: str) -> Iterator[Violation]:
    """The database names no group: RDS gives it the default group of its engine's family."""
    if engine in _VERSIONLESS:
        known = default_group_tls(_VERSIONLESS[engine])
        if known is not None and not known.forces:
            yield _no_group(group_property, f"AWS's default {engine} group", known)
        return
    version_raw = get(resource.properties, ("EngineVersion",))
    if version_raw is MISSING:
        yield Violation(
            prop_path(group_property),
            f"the database names no {group_property} and no EngineVersion: whether AWS's default "
            f"{_LABELS.get(engine, engine)} group forces TLS depends on the version, so that it does cannot be shown",
        )
        return
    for option in options(view.resolve(version_raw)):
        version = scalar(option)
        if isinstance(version, Unknown):
            yield unresolved(
                ("EngineVersion",),
                "the engine version, and so whether its default parameter group forces TLS,",
                version,
            )
            continue
        family = _family(engine, version or "")
        known = default_group_tls(family) if family else None
        if family is None or known is None:
            yield Violation(
                prop_path("EngineVersion"),
                f"the {_LABELS.get(engine, engine)} version {version!r} cannot be read, so that its default "
                "parameter group forces TLS cannot be shown",
            )
        elif not known.forces:
            yield _no_group(group_property, f"AWS's default group {DEFAULT_GROUP_PREFIX}{family}", known)


def _family(engine: str, version: str) -> str | None:
    """The parameter group family of ``engine`` at ``version`` (``postgres16``, ``mysql8.0``); None when the
    version cannot be read."""
    parts = version.split(".")
    if engine == "postgres":
        return f"postgres{parts[0]}" if parts[0].isdigit() else None
    if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
        return f"{engine}{parts[0]}.{parts[1]}"
    return None


def _no_group(group_property: str, group: str, known: DefaultTls) -> Violation:
    return Violation(
        prop_path(group_property),
        f"the database names no {group_property}, so it runs with {group}: {known.why}{_consequence(known)}",
    )


RULE = Rule(
    id="EU-ENC-046",
    title="PostgreSQL and MySQL databases use a parameter group that forces TLS",
    explanation=(
        "A database accepts unencrypted connections unless its parameter group makes it refuse them, so personal "
        "data may cross the network in plain text, against the privacy policy's promise of encryption in transit. "
        "A default group (default.<family>, also what a database naming no group uses) keeps AWS's values, which "
        "cannot be changed: they force TLS for PostgreSQL from 15, MySQL 9.7 and MariaDB from 11.8, not for "
        "earlier versions nor Aurora PostgreSQL, and for Aurora MySQL this rule cannot show that they do. A group "
        "defined outside the template cannot be shown to force TLS."
    ),
    fix=(
        "Give the DBInstance a DBParameterGroupName (the DBCluster a DBClusterParameterGroupName) that is a "
        "Ref to a parameter group of this template setting rds.force_ssl: '1' or require_secure_transport: "
        "'ON' (L2: rds.DatabaseInstance(parameter_group=rds.ParameterGroup(engine=..., parameters="
        "{'rds.force_ssl': '1'})), rds.DatabaseCluster(parameter_group=...)); or use constructs_lib's "
        "PostgresDatabase."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({INSTANCE, CLUSTER}),
    check_resource=check,
)
