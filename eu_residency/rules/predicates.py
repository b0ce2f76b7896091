"""The small predicates rules are written with, each failing closed on what the template cannot decide."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from eu_residency.core.regions import EU_REGIONS, REGIONS_OUTSIDE_EU
from eu_residency.core.rule_model import PropertyPath, Resource, Severity, Violation
from eu_residency.core.template_view import NO_VALUE, OneOf, ResourceRef, TemplateView, Unknown, options

MISSING: Any = NO_VALUE

# arn:PARTITION:SERVICE:REGION:ACCOUNT:..., and SERVICE.REGION.amazonaws.com(.cn) endpoints.
ARN_REGION = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:(?P<region>[a-z]{2,4}(?:-[a-z]+)+-\d+):")
ENDPOINT_REGION = re.compile(r"\.(?P<region>[a-z]{2,4}(?:-[a-z]+)+-\d+)\.amazonaws\.com")
REGION_SHAPE = re.compile(r"^[a-z]{2,4}(?:-[a-z]+)+-\d+$")


def get(properties: Mapping[str, Any], path: PropertyPath) -> Any:
    """The raw value at ``path`` under ``properties``, or MISSING."""
    value: Any = properties
    for part in path:
        if isinstance(part, int) and isinstance(value, list):
            if not 0 <= part < len(value):
                return MISSING
            value = value[part]
        elif isinstance(part, str) and isinstance(value, Mapping):
            if part not in value:
                return MISSING
            value = value[part]
        else:
            return MISSING
    return value


def prop_path(*parts: str | int) -> PropertyPath:
    return ("Properties", *parts)


def dotted(path: PropertyPath) -> str:
    return ".".join(str(part) for part in path)


def values_at(view: TemplateView, properties: Mapping[str, Any], path: PropertyPath) -> list[Any]:
    """Every value the property at ``path`` (under Properties) may deploy with, resolved.

    Unlike ``get``, an intrinsic part-way down the path is followed: a decided Fn::If takes its branch, an
    undecided one gives the values of both. MISSING where the property or a level above it is absent or
    AWS::NoValue; an ``Unknown`` where a level is not decided by the template or not shaped as the path
    expects.
    """
    if not path or not isinstance(path[0], str):
        return [Unknown("a property path that does not start with a property name")]
    first = path[0]
    return descend(view.resolve(properties[first]) if first in properties else MISSING, path[1:])


def descend(value: Any, path: PropertyPath) -> list[Any]:
    """Like ``values_at``, below an already resolved value (``path`` empty: the value's options)."""
    found: list[Any] = []
    _descend(value, path, found)
    return found


def _descend(value: Any, rest: PropertyPath, found: list[Any]) -> None:
    for option in options(value):
        if not rest or option is MISSING or isinstance(option, Unknown):
            found.append(option)
            continue
        key, tail = rest[0], rest[1:]
        if isinstance(key, str) and isinstance(option, Mapping):
            _descend(option.get(key, MISSING), tail, found)
        elif isinstance(key, int) and isinstance(option, list):
            _descend(option[key] if 0 <= key < len(option) else MISSING, tail, found)
        else:
            expected = "a list" if isinstance(key, int) else "properties"
            found.append(Unknown(f"a {type(option).__name__} where {expected} were expected"))


def scalar(value: Any) -> str | Unknown | None:
    """A resolved leaf as text (numbers and booleans as CloudFormation passes them); None when absent or
    not a scalar.
    """
    if isinstance(value, (str, Unknown)):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return None


def judge_true(
    view: TemplateView,
    values: list[Any],
    path: PropertyPath,
    what: str,
    *,
    default: bool = False,
    absent: str | None = None,
) -> Iterator[Violation]:
    """``what`` is on when every value in ``values`` (from ``values_at``) is true. ``default`` is what AWS
    does when the property is absent; ``absent`` replaces the message for that case. Where only some
    branches of an undecided Fn::If are on, the outcome is decided at deploy time: it fails closed.
    """
    truths: list[bool] = []
    for value in values:
        if isinstance(value, Unknown):
            yield unresolved(path, what, value)
            return
        if value is MISSING:
            truths.append(default)
            continue
        truth = view.truth(value)
        if truth is None:
            yield unresolved(path, what, Unknown(f"{value!r:.80}, which is neither true nor false"))
            return
        truths.append(truth)
    if all(truths):
        return
    if True in truths:
        yield unresolved(path, what, OneOf(()))
    elif any(value is not MISSING for value in values):
        yield Violation(prop_path(*path), f"{what} is turned off ({dotted(path)} is false)")
    else:
        yield Violation(prop_path(*path), absent or f"{what} is not turned on ({dotted(path)} is not set)")


def require_true(
    resource: Resource,
    view: TemplateView,
    path: PropertyPath,
    what: str,
    *,
    default: bool = False,
    absent: str | None = None,
) -> Iterator[Violation]:
    """``what`` must be on: the boolean at ``path`` (under Properties, any depth) is true wherever it may
    deploy. ``default`` is what AWS does when the property is absent.
    """
    yield from judge_true(view, values_at(view, resource.properties, path), path, what, default=default, absent=absent)


def require_set(resource: Resource, view: TemplateView, path: PropertyPath, what: str) -> Iterator[Violation]:
    """``what`` must be given: the property at ``path`` is present (not AWS::NoValue, not empty) wherever
    it may deploy.
    """
    values = values_at(view, resource.properties, path)
    if all(value is MISSING or value == "" for value in values):
        yield Violation(prop_path(*path), f"{what} is not set ({dotted(path)} is missing)")
    elif any(value is MISSING or value == "" for value in values):
        yield Violation(prop_path(*path), f"{what} may be left unset ({dotted(path)} can be empty)", Severity.ERROR)


def unresolved(path: PropertyPath, what: str, value: Any) -> Violation:
    reason = value.reason if isinstance(value, Unknown) else "a value that depends on a deploy-time condition"
    if isinstance(value, OneOf):
        reason = "an Fn::If whose condition is decided at deploy time"
    return Violation(
        prop_path(*path),
        f"{what} cannot be shown from the template: it depends on {reason} (fails closed)",
        Severity.ERROR,
    )


def text_options(view: TemplateView, raw: Any) -> list[str | Unknown]:
    """Every text a property may take; unknown parts stay Unknown."""
    resolved = view.resolve(raw)
    result: list[str | Unknown] = []
    for option in options(resolved):
        if isinstance(option, (str, Unknown)):
            result.append(option)
        elif option is NO_VALUE:
            continue
        elif isinstance(option, (int, float)) and not isinstance(option, bool):
            result.append(str(option))
        else:
            result.append(Unknown(f"a {type(option).__name__} where text was expected"))
    return result


def describe_region(region: str) -> str:
    if region in REGIONS_OUTSIDE_EU:
        return f"{region} ({REGIONS_OUTSIDE_EU[region]}, outside the EU)"
    if region in EU_REGIONS:
        return f"{region} (in the EU but not in the allowed regions)"
    return f"{region} (outside the EU)"


def region_violations(
    view: TemplateView, raw: Any, path: PropertyPath, what: str, *, in_properties: bool = True
) -> Iterator[Violation]:
    """``what`` is a region property: each value it may take must be an allowed region.

    Proven outside: fatal. Not provable (parameter, import, unknown name): error.
    """
    full_path = prop_path(*path) if in_properties else path
    for option in text_options(view, raw):
        if isinstance(option, Unknown):
            yield Violation(
                full_path, f"{what} cannot be shown to be an allowed region: it is {option.reason}", Severity.ERROR
            )
        elif option not in view.settings.allowed_regions:
            if REGION_SHAPE.match(option):
                yield Violation(full_path, f"{what} is {describe_region(option)}", Severity.FATAL)
            else:
                yield Violation(full_path, f"{what} {option!r} cannot be shown to be an allowed region", Severity.ERROR)


def arn_region_violations(view: TemplateView, raw: Any, path: PropertyPath, what: str) -> Iterator[Violation]:
    """``what`` is an ARN: its region, when it has one, must be allowed; a region-less ARN passes."""
    for option in text_options(view, raw):
        if isinstance(option, ResourceRef):
            referent = view.resource(option.logical_id)
            if referent is not None and not _may_return_any_value(referent.type):
                continue  # a resource of this template: in the stack's own region, which EU-RES-001 checks
            reason = f"{option.reason}, a custom resource or nested stack that may return any ARN"
            yield Violation(
                prop_path(*path), f"{what} cannot be shown to be in an allowed region: it is {reason}", Severity.ERROR
            )
            continue
        if isinstance(option, Unknown):
            yield Violation(
                prop_path(*path),
                f"{what} cannot be shown to be in an allowed region: it is {option.reason}",
                Severity.ERROR,
            )
            continue
        match = ARN_REGION.match(option)
        region = match["region"] if match else None
        if region and region not in view.settings.allowed_regions:
            yield Violation(prop_path(*path), f"{what} {option} is in {describe_region(region)}", Severity.FATAL)


def _may_return_any_value(resource_type: str) -> bool:
    """Custom resources and nested stacks return whatever their code or template says."""
    return resource_type.startswith("Custom::") or resource_type in (
        "AWS::CloudFormation::CustomResource",
        "AWS::CloudFormation::Stack",
    )


def referenced_ids(raw: Any) -> list[str]:
    """The logical ids a raw value refers to (Ref, Fn::GetAtt, Fn::Sub variables), pseudo parameters excluded."""
    found: list[str] = []
    if isinstance(raw, list):
        for item in raw:
            found += referenced_ids(item)
    elif isinstance(raw, Mapping):
        for key, value in raw.items():
            if key == "Ref" and isinstance(value, str) and not value.startswith("AWS::"):
                found.append(value)
            elif key == "Fn::GetAtt" and isinstance(value, list) and value and isinstance(value[0], str):
                found.append(value[0])
            elif key == "Fn::GetAtt" and isinstance(value, str):
                found.append(value.split(".", 1)[0])
            elif key == "Fn::Sub":
                template = value[0] if isinstance(value, list) and value else value
                if isinstance(template, str):
                    found += [name.split(".", 1)[0] for name in _SUB_NAMES.findall(template) if "::" not in name]
                found += referenced_ids(value[1] if isinstance(value, list) and len(value) > 1 else None)
            else:
                found += referenced_ids(value)
    return found


_SUB_NAMES = re.compile(r"\$\{([^}!][^}]*)\}")

READ_REPLICA_SOURCE = "SourceDBInstanceIdentifier"


def read_replica_source(resource: Resource, view: TemplateView) -> Resource | Unknown | None:
    """For an RDS DB instance that is a read replica: its source instance when it is in this template, an
    Unknown when it is elsewhere; None when the instance is not a read replica.
    """
    raw = get(resource.properties, (READ_REPLICA_SOURCE,))
    if resource.type != "AWS::RDS::DBInstance" or raw is MISSING:
        return None
    for logical_id in referenced_ids(raw):
        source = view.resource(logical_id)
        if source is not None and source.type == "AWS::RDS::DBInstance" and source.logical_id != resource.logical_id:
            return source
    resolved = view.resolve(raw)
    if isinstance(resolved, str):
        name = resolved.rsplit(":", 1)[-1]
        for candidate in view.resources_of_type("AWS::RDS::DBInstance"):
            if view.resolve(candidate.properties.get("DBInstanceIdentifier")) == name:
                return candidate
    return Unknown("a source database instance that this template does not define")
