"""EU-ENC-030: API Gateway stage caches encrypt the responses they hold.

A REST API stage caches responses only when its cache cluster is on (``CacheClusterEnabled``, or
``StageDescription.CacheClusterEnabled`` on the stage a deployment creates). What it caches and whether the
cached copies are encrypted is set per method: the entry for every method (``ResourcePath: /*``,
``HttpMethod: *``) is the stage-wide default, which caches GET responses when it does not say otherwise and
leaves them unencrypted; an entry for one method takes what it does not set from that default.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from eu_residency.core.messages import shortened, shown_value
from eu_residency.core.resolved import Cause
from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import OneOf, Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, descend, elements, values_at
from eu_residency.rules.predicates import prop_path, undecided, unresolved

DEPLOYMENT = "AWS::ApiGateway::Deployment"
STAGE_DESCRIPTION = "StageDescription"
CLUSTER = "CacheClusterEnabled"
SETTINGS = "MethodSettings"
CACHING = "CachingEnabled"
ENCRYPTED = "CacheDataEncrypted"
EVERY_PATH, EVERY_METHOD = "/*", "*"
EVERY_METHOD_LABEL = "all methods"
ALL_METHODS_SETTING = "the setting for all methods (ResourcePath /*, HttpMethod *)"
# With the cache cluster on, a method caches unless told not to: API Gateway turns caching on for GET
# methods by default. Cached data is encrypted only when CacheDataEncrypted is true.
CACHES_BY_DEFAULT, ENCRYPTED_BY_DEFAULT = True, False

State = bool | Unknown


@dataclass(frozen=True)
class Scope:
    """Where caching is set for some methods: the stage-wide default or one method's override."""

    label: str  # "all methods", "GET /items"
    where: PropertyPath  # the entry under Properties (the stage-wide default may have none of its own)
    caching: tuple[Any, ...]  # the options of CachingEnabled, MISSING where the entry leaves it unset
    encrypted: tuple[Any, ...]  # the options of CacheDataEncrypted, likewise
    inherits_encryption: bool = False  # an override that takes CacheDataEncrypted from the stage-wide setting


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    base: PropertyPath = (STAGE_DESCRIPTION,) if resource.type == DEPLOYMENT else ()
    if base and all(value is MISSING for value in values_at(view, resource.properties, base)):
        return  # a deployment that creates no stage of its own caches nothing
    cluster = [_state(view, value, default=False) for value in values_at(view, resource.properties, (*base, CLUSTER))]
    if all(state is False for state in cluster):
        return  # no cache cluster: nothing is cached
    violations = list(_cached_data_violations(resource.properties, view, base))
    if all(state is True for state in cluster):
        yield from violations
        return
    if any(violation.unknown is None for violation in violations):
        depends_on = next((state for state in cluster if isinstance(state, Unknown)), OneOf(()))
        yield unresolved((*base, CLUSTER), "whether the cache that would hold responses unencrypted is on", depends_on)
    yield from (violation for violation in violations if violation.unknown is not None)


def _cached_data_violations(
    properties: Mapping[str, Any], view: TemplateView, base: PropertyPath
) -> Iterator[Violation]:
    """Why the responses the stage may cache would be stored unencrypted, were its cache cluster on. Where
    only some options of an undecided Fn::If over the method settings would, it fails closed."""
    settings_path = (*base, SETTINGS)
    verdicts = [
        _listed_violations(listed, properties, view, base) for listed in values_at(view, properties, settings_path)
    ]
    if any(verdicts) and not all(verdicts):
        yield unresolved(settings_path, "whether the responses the stage caches are encrypted", OneOf(()))
        return
    for verdict in verdicts:
        yield from verdict


def _listed_violations(
    listed: Any, properties: Mapping[str, Any], view: TemplateView, base: PropertyPath
) -> list[Violation]:
    """The faults of one option of the method settings (a list, MISSING, or what it depends on)."""
    if isinstance(listed, Unknown):
        return [unresolved((*base, SETTINGS), "whether the responses the stage caches are encrypted", listed)]
    defaults, overrides, unread = _scopes(listed, properties, view, base)
    found = list(_default_violations(defaults, unread, base, view))
    default_caching = tuple(option for scope in defaults for option in scope.caching)
    default_encrypted = tuple(option for scope in defaults for option in scope.encrypted)
    for scope in overrides:
        if found and all(option is MISSING for option in scope.encrypted):
            continue  # it takes its encryption from the stage-wide setting already reported
        inherited = Scope(
            scope.label,
            scope.where,
            _inheriting(scope.caching, default_caching),
            _inheriting(scope.encrypted, default_encrypted),
            inherits_encryption=all(option is MISSING for option in scope.encrypted),
        )
        found.extend(_scope_violations(inherited, view))
    return list(dict.fromkeys(found))


def _scopes(
    listed: Any, properties: Mapping[str, Any], view: TemplateView, base: PropertyPath
) -> tuple[list[Scope], list[Scope], list[tuple[PropertyPath, Unknown]]]:
    """The stage-wide defaults, the per-method overrides, and the entries whose method is not decided."""
    defaults: list[Scope] = []
    overrides: list[Scope] = []
    undecided_entries: list[tuple[PropertyPath, Unknown]] = []
    if base and _may_set_defaults(properties, view, base):  # a deployment's StageDescription sets them too
        defaults.append(_scope(EVERY_METHOD_LABEL, base, view.resolve(properties[STAGE_DESCRIPTION])))
    for index, entry in elements(listed):
        where = (*base, SETTINGS) if index is None else (*base, SETTINGS, index)
        label = _label(entry)
        if isinstance(label, Unknown):
            undecided_entries.append((where, label))
            overrides.append(_scope("a method the template does not decide", where, entry))
        elif label == EVERY_METHOD_LABEL:
            defaults.append(_scope(label, where, entry))
        else:
            overrides.append(_scope(label, where, entry))
    return defaults, overrides, undecided_entries


def _may_set_defaults(properties: Mapping[str, Any], view: TemplateView, base: PropertyPath) -> bool:
    return any(
        value is not MISSING for field in (CACHING, ENCRYPTED) for value in values_at(view, properties, (*base, field))
    )


def _scope(label: str, where: PropertyPath, entry: Any) -> Scope:
    return Scope(label, where, tuple(descend(entry, (CACHING,))), tuple(descend(entry, (ENCRYPTED,))))


def _label(entry: Any) -> str | Unknown:
    """``all methods`` for the stage-wide entry, ``GET /items`` for one method; what it depends on when the
    template does not decide which methods the entry is for."""
    if isinstance(entry, Unknown):
        return entry
    if not isinstance(entry, Mapping):
        return Unknown(f"a method setting that is {shown_value(entry)}, not properties", Cause.MALFORMED)
    paths, methods = descend(entry, ("ResourcePath",)), descend(entry, ("HttpMethod",))
    unknown = next((value for value in (*paths, *methods) if isinstance(value, Unknown)), None)
    if unknown is not None:
        return unknown
    if len(paths) != 1 or len(methods) != 1:
        return undecided(OneOf(()))
    path, method = paths[0], methods[0]
    if path == EVERY_PATH and method == EVERY_METHOD:
        return EVERY_METHOD_LABEL
    return f"{shown_value(method) if not isinstance(method, str) else method} {_shown_path(path)}"


def _shown_path(path: Any) -> str:
    """A ResourcePath as the resource it names (``/~1items``, slashes escaped after the first, is ``/items``)."""
    if not isinstance(path, str):
        return shown_value(path)
    return shortened((path[1:] if path.startswith("/~1") else path).replace("~1", "/"))


def _inheriting(own: tuple[Any, ...], default: tuple[Any, ...]) -> tuple[Any, ...]:
    """An override's options, taking the stage-wide default's wherever it leaves the setting unset."""
    found: list[Any] = []
    for option in own:
        if option is MISSING:
            found.extend(default or (MISSING,))
        else:
            found.append(option)
    return tuple(found)


def _default_violations(
    defaults: list[Scope], unread: list[tuple[PropertyPath, Unknown]], base: PropertyPath, view: TemplateView
) -> Iterator[Violation]:
    if not defaults:
        where = (*base, ENCRYPTED) if base else (SETTINGS,)
        violation = Violation(
            prop_path(*where),
            "the cache is on and no method setting for all methods (ResourcePath /*, HttpMethod *) sets "
            "CacheDataEncrypted to true: the GET responses API Gateway caches by default are stored unencrypted",
        )
        yield _unless_unread(violation, unread)
        return
    for scope in defaults:
        for violation in _scope_violations(scope, view):
            yield _unless_unread(violation, unread)


def _unless_unread(violation: Violation, unread: list[tuple[PropertyPath, Unknown]]) -> Violation:
    """A proven stage-wide fault, unless an entry whose methods the template does not decide may be the
    stage-wide entry and encrypt what it caches: then it cannot be shown either way."""
    if violation.unknown is not None or not unread:
        return violation
    where, unknown = unread[0]
    return unresolved(where, "whether the responses cached for all methods are encrypted", unknown)


def _scope_violations(scope: Scope, view: TemplateView) -> Iterator[Violation]:
    caching = [_state(view, value, default=CACHES_BY_DEFAULT) for value in scope.caching]
    encrypted = [_state(view, value, default=ENCRYPTED_BY_DEFAULT) for value in scope.encrypted]
    if all(state is True for state in encrypted) or all(state is False for state in caching):
        return
    if all(state is True for state in caching) and all(state is False for state in encrypted):
        yield Violation(prop_path(*scope.where, ENCRYPTED), _unencrypted(scope))
        return
    # Some option caches unencrypted, another does not, or a value is not decided: fail closed on the
    # setting that is undecided (the encryption when it is not false throughout).
    field, states = (ENCRYPTED, encrypted) if not all(state is False for state in encrypted) else (CACHING, caching)
    depends_on = next((state for state in states if isinstance(state, Unknown)), OneOf(()))
    yield unresolved((*scope.where, field), f"whether the responses cached for {scope.label} are encrypted", depends_on)


def _unencrypted(scope: Scope) -> str:
    written = any(value is not MISSING for value in scope.encrypted)
    if scope.label == EVERY_METHOD_LABEL:
        whose = "the StageDescription" if scope.where == (STAGE_DESCRIPTION,) else ALL_METHODS_SETTING
        how = "sets CacheDataEncrypted to false" if written else "leaves CacheDataEncrypted unset (false)"
    else:
        whose = f"the method setting for {scope.label}"
        if not scope.inherits_encryption:
            how = "caches with CacheDataEncrypted false"
        elif written:
            how = "caches and takes CacheDataEncrypted false from the setting for all methods"
        else:
            how = "caches and neither it nor the setting for all methods sets CacheDataEncrypted (false)"
    return f"the cache is on and {whose} {how}: the responses it caches are stored unencrypted"


def _state(view: TemplateView, value: Any, *, default: bool) -> State:
    """A boolean setting as true, false or what it depends on; ``default`` where it is not set."""
    if value is MISSING:
        return default
    if isinstance(value, Unknown):
        return value
    truth = view.truth(value)
    if truth is None:
        return Unknown(f"{shown_value(value)}, which is neither true nor false", Cause.MALFORMED)
    return truth


RULE = Rule(
    id="EU-ENC-030",
    title="API Gateway stage caches encrypt the responses they hold",
    explanation=(
        "A REST API stage with its cache cluster on keeps copies of the responses it caches (profiles, "
        "messages, search results: user data) for up to an hour on API Gateway's cache nodes. Unless the "
        "method settings set CacheDataEncrypted to true, which is off by default, those copies are stored "
        "unencrypted, against the privacy policy's promise that personal data is encrypted at rest. A stage "
        "without a cache cluster caches nothing and is not reported."
    ),
    fix=(
        "Set CacheDataEncrypted: true in the MethodSettings entry with ResourcePath '/*' and HttpMethod '*' "
        "(Deployment: StageDescription.CacheDataEncrypted), and in no method setting false (L2: "
        "aws_apigateway.RestApi(deploy_options=StageOptions(caching_enabled=True, cache_data_encrypted=True)); "
        "per method: MethodDeploymentOptions(cache_data_encrypted=True))."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::ApiGateway::Stage", DEPLOYMENT}),
    check_resource=check,
)
