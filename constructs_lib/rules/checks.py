"""The small predicates rules are written with, each failing closed on what the template cannot decide."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from constructs_lib.regions import EU_REGIONS, REGIONS_OUTSIDE_EU
from constructs_lib.rules.model import PropertyPath, Resource, Severity, Violation
from constructs_lib.rules.template import NO_VALUE, OneOf, ResourceRef, TemplateView, Unknown, options

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


def require_true(
    resource: Resource, view: TemplateView, path: PropertyPath, what: str, *, default: bool = False
) -> Iterator[Violation]:
    """``what`` must be on: the boolean at ``path`` (under Properties) is true.

    ``default`` is what AWS does when the property is absent.
    """
    raw = get(resource.properties, path)
    if raw is MISSING:
        if not default:
            yield Violation(prop_path(*path), f"{what} is not turned on ({'.'.join(map(str, path))} is not set)")
        return
    truth = view.truth(raw)
    if truth is False:
        yield Violation(prop_path(*path), f"{what} is turned off ({'.'.join(map(str, path))} is false)")
    elif truth is None:
        yield unresolved(path, what, view.resolve(raw))


def require_set(resource: Resource, view: TemplateView, path: PropertyPath, what: str) -> Iterator[Violation]:
    """``what`` must be given: the property at ``path`` is present and not AWS::NoValue."""
    raw = get(resource.properties, path)
    if raw is MISSING:
        yield Violation(prop_path(*path), f"{what} is not set ({'.'.join(map(str, path))} is missing)")
        return
    resolved = view.resolve(raw)
    if resolved is NO_VALUE or resolved == "" or any(option is NO_VALUE for option in options(resolved)):
        yield Violation(prop_path(*path), f"{what} may be left unset ({'.'.join(map(str, path))} can be empty)")


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
            continue  # a resource of this template: in the stack's own region, which EU-RES-001 checks
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
