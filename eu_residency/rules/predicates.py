"""The small predicates rules are written with, each failing closed on what the template cannot decide."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eu_residency.core.regions import describe_region
from eu_residency.core.rule_model import PropertyPath, Severity, Violation
from eu_residency.core.template_view import OneOf, Resource, ResourceRef, TemplateView, Unknown
from eu_residency.core.values import MISSING, get, referenced_ids, text_options, values_at
from eu_residency.core.vocabulary import REGION_SHAPE, REGIONAL_ARN

# arn:PARTITION:SERVICE:REGION:ACCOUNT:..., and SERVICE.REGION.amazonaws.com(.cn) endpoints.


def prop_path(*parts: str | int) -> PropertyPath:
    return ("Properties", *parts)


def dotted(path: PropertyPath) -> str:
    return ".".join(str(part) for part in path)


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
        match = REGIONAL_ARN.match(option)
        region = match["region"] if match else None
        if region and region not in view.settings.allowed_regions:
            yield Violation(prop_path(*path), f"{what} {option} is in {describe_region(region)}", Severity.FATAL)


def _may_return_any_value(resource_type: str) -> bool:
    """Custom resources and nested stacks return whatever their code or template says."""
    return resource_type.startswith("Custom::") or resource_type in (
        "AWS::CloudFormation::CustomResource",
        "AWS::CloudFormation::Stack",
    )


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
