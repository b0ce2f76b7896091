"""Shared reading for the replication and copy rules (EU-RES-010 to EU-RES-023).

``walk`` reaches the values a rule checks inside lists that ``Fn::If`` may change; ``arn_violations``
reads ARNs through the core's resolver (text with holes, field by field), so that a literal region beside
a reference still counts; ``bucket_violations`` finds where an S3 bucket named by ARN or name is, since
bucket ARNs carry no region.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from eu_residency.core.resolved import Cause, Text
from eu_residency.core.rule_model import PropertyPath, Severity, Violation
from eu_residency.core.template_view import NO_VALUE, OneOf, ResourceRef, TemplateView, Unknown, options
from eu_residency.core.values import MISSING, arn_fields, get, named_region, text_options
from eu_residency.core.vocabulary import MAX_NESTING
from eu_residency.rules.predicates import arn_region_of, not_shown, prop_path, reference_region, region_violations

STAR = "*"  # in a ``walk`` pattern: every element of a list


# -- severities ----------------------------------------------------------------------------------------


def settled(violations: Iterable[Violation]) -> Iterator[Violation]:
    """Each violation once, its severity explicit: fatal when proven outside (the helpers set that),
    otherwise an error, whatever the rule's own severity says."""
    seen: set[tuple[PropertyPath, str, Severity | None]] = set()
    for found in violations:
        violation = found if found.severity else replace(found, severity=Severity.ERROR)
        key = (violation.path, violation.message, violation.severity)
        if key not in seen:
            seen.add(key)
            yield violation


# -- structure -----------------------------------------------------------------------------------------


def walk(
    view: TemplateView,
    raw: Any,
    pattern: tuple[str, ...],
    path: PropertyPath = (),
    *,
    structures: bool = False,
) -> Iterator[tuple[PropertyPath, Any]]:
    """Each value at ``pattern`` under ``raw`` (``*``: each element of a list) with its path.

    An ``Fn::If`` the template decides takes its branch, an undecided one both. An absent structure
    yields nothing, an absent last key yields MISSING; a structure the template does not give (a
    parameter, an import) yields an Unknown at the path where it stops. Leaves come back unresolved
    (but for ``Fn::If``), for the checks to read; with ``structures`` the leaves are objects, resolved,
    and anything else comes back as an Unknown.
    """
    for value in _shapes(view, raw, resolve=bool(pattern) or structures):
        if not pattern:
            if structures and value is not MISSING and not isinstance(value, Mapping):
                yield path, _not_a_structure(value)
            else:
                yield path, value
        elif value is MISSING:
            continue
        elif isinstance(value, Unknown):
            yield path, _not_a_structure(value)
        elif pattern[0] == STAR:
            if isinstance(value, list):
                for index, item in enumerate(value):
                    yield from walk(view, item, pattern[1:], (*path, index))
            else:
                yield path, Unknown(f"a {type(value).__name__} where a list was expected")
        elif isinstance(value, Mapping):
            key = pattern[0]
            if key in value:
                yield from walk(view, value[key], pattern[1:], (*path, key))
            elif len(pattern) == 1:
                yield (*path, key), MISSING
        else:
            yield path, Unknown(f"a {type(value).__name__} where an object was expected")


def _not_a_structure(value: Any) -> Unknown:
    """Where an object or list should be: a reference there is no resource of this template."""
    if isinstance(value, Unknown):
        return Unknown(value.reason, value.cause, value.label)
    return Unknown(f"a {type(value).__name__} where an object was expected")


def _shapes(view: TemplateView, value: Any, *, resolve: bool, depth: int = 0) -> Iterator[Any]:
    """The values ``value`` may take: Fn::If branches, AWS::NoValue as MISSING and, when ``resolve``,
    other intrinsics worked out (a structure given by Fn::FindInMap, say)."""
    if depth > MAX_NESTING:
        yield Unknown("a value nested too deeply", Cause.LIMIT)
        return
    if value is NO_VALUE:
        yield MISSING
    elif isinstance(value, OneOf):
        for option in value.options:
            yield from _shapes(view, option, resolve=resolve, depth=depth + 1)
    elif isinstance(value, Mapping) and len(value) == 1:
        ((key, argument),) = value.items()
        branches = _if_branches(view, key, argument)
        if branches is not None:
            for branch in branches:
                yield from _shapes(view, branch, resolve=resolve, depth=depth + 1)
        elif key == "Ref" and argument == "AWS::NoValue":
            yield MISSING
        elif resolve and (key == "Ref" or key.startswith("Fn::")):
            yield from _shapes(view, view.resolve(value), resolve=False, depth=depth + 1)
        else:
            yield value
    else:
        yield value


def _if_branches(view: TemplateView, key: str, argument: Any) -> list[Any] | None:
    """The branches of an Fn::If that may deploy, or None when this is no well-formed Fn::If."""
    if key != "Fn::If" or not (isinstance(argument, list) and len(argument) == 3):
        return None
    if not isinstance(argument[0], str):
        return None
    decided = view.condition(argument[0])
    if decided is True:
        return [argument[1]]
    if decided is False:
        return [argument[2]]
    return [argument[1], argument[2]]


# -- regions -------------------------------------------------------------------------------------------


def region_leaf(
    view: TemplateView, path: PropertyPath, value: Any, what: str, *, required: bool = True
) -> Iterator[Violation]:
    """A region property reached by ``walk``; absent is a finding when ``required`` (AWS has no default)."""
    if value is MISSING:
        if required:
            unknown = Unknown("a region that is not set", Cause.MALFORMED)
            message = f"{what} cannot be shown to be an allowed region: it is not set"
            yield Violation(prop_path(*path), message, Severity.ERROR, unknown)
        return
    yield from region_violations(view, value, path, what)


# -- ARNs ----------------------------------------------------------------------------------------------


def local_reference(view: TemplateView, reference: ResourceRef, types: Collection[str]) -> Unknown | None:
    """None when ``reference`` names a resource of this template of one of ``types`` (so in the stack's
    own region, which EU-RES-001 checks); otherwise what cannot be relied on, as an Unknown."""
    resource = view.resource(reference.logical_id)
    if resource is None:
        return Unknown(f"{reference.reason}, which the template does not define", Cause.RESOURCE, reference.label)
    if resource.type in types:
        return None
    return Unknown(
        f"{reference.reason}, a {resource.type} whose value the template does not show", Cause.RESOURCE, reference.label
    )


def _referenced(
    view: TemplateView, reference: ResourceRef, where: PropertyPath, what: str, types: Collection[str]
) -> Iterator[Violation]:
    """A bare reference: to another template of the app, in that stack's region; to this template, a
    resource of ``types`` (in the stack's own region)."""
    if not reference.local:
        yield from reference_region(view, reference, where, what)
        return
    problem = local_reference(view, reference, types)
    if problem is not None:
        yield _unprovable(where, what, problem)


def _unprovable(where: PropertyPath, what: str, unknown: Unknown, shown: str = "") -> Violation:
    subject = f"{what} {shown}" if shown else what
    return not_shown(where, f"{subject} cannot be shown to be in an allowed region", unknown)


def arn_violations(
    view: TemplateView, raw: Any, path: PropertyPath, what: str, local_types: Collection[str]
) -> Iterator[Violation]:
    """``what`` is an ARN (or a plain name or id, which is of the stack's own region): its region must be
    allowed, wherever the ARN's region field is known (``core.values.named_region``). A bare reference to a
    resource of ``local_types`` in this template is in the stack's region; one to another template of the
    app, in that stack's region.
    """
    where = prop_path(*path)
    for option in text_options(view, raw):
        if isinstance(option, ResourceRef):
            yield from _referenced(view, option, where, what, local_types)
        else:
            yield from arn_region_of(view, option, where, what)


# -- S3 buckets ----------------------------------------------------------------------------------------

BUCKET = "AWS::S3::Bucket"


def bucket_violations(view: TemplateView, raw: Any, path: PropertyPath, what: str) -> Iterator[Violation]:
    """``what`` is an S3 bucket, by ARN (``arn:aws:s3:::NAME``) or by name; bucket ARNs carry no region,
    so the bucket must be one of this template, one of the app's stacks in an allowed region, or listed in
    the settings' replication_destinations with an allowed region."""
    where = prop_path(*path)
    for option in text_options(view, raw):
        name: str | Unknown = option
        fields = arn_fields(option)
        if fields is not None:
            if fields.service == "s3" and fields.region == "" and fields.account == "":
                name = fields.resource
            else:
                yield from _other_arn(view, option, where, what)
                continue
        elif isinstance(option, Text) and isinstance(option.parts[0], str) and option.parts[0].startswith("arn:"):
            yield from _other_arn(view, option, where, what)
            continue
        yield from _bucket_named(view, name, option, where, what)


def _bucket_named(
    view: TemplateView, name: str | Unknown, option: str | Unknown, where: PropertyPath, what: str
) -> Iterator[Violation]:
    """The bucket ``name`` (read from ``option``, its ARN or the name itself)."""
    if isinstance(name, ResourceRef):
        yield from _referenced(view, name, where, what, (BUCKET,))
    elif isinstance(name, Text):
        shown = option.shown if isinstance(option, Text) else name.shown
        holes = _and_reasons(name.holes)
        unknown = Unknown(f"a bucket name that depends on {holes}", name.cause, name.label)
        message = f"{what} {shown} cannot be shown to be in an allowed region: its bucket name depends on {holes}"
        yield Violation(where, message, Severity.ERROR, unknown)
    elif isinstance(name, Unknown):
        yield _unprovable(where, what, name)
    elif not name:
        unknown = Unknown("an ARN that names no bucket", Cause.MALFORMED)
        yield Violation(where, f"{what} cannot be shown to be in an allowed region: it names no bucket", None, unknown)
    else:
        yield from _named_bucket(view, name, where, what)


def _and_reasons(holes: tuple[Unknown, ...]) -> str:
    reasons = list(dict.fromkeys(hole.reason for hole in holes))
    return reasons[0] if len(reasons) == 1 else ", ".join(reasons[:-1]) + " and " + reasons[-1]


def _other_arn(view: TemplateView, option: str | Unknown, where: PropertyPath, what: str) -> Iterator[Violation]:
    """An ARN that is not a plain bucket's (S3 on Outposts, an access point): it must carry a region."""
    shown = option.shown if isinstance(option, Text) else str(option)
    region = named_region(option)
    if isinstance(region, str):
        yield from region_violations(view, region, where, f"the region of {what} {shown}", in_properties=False)
    elif isinstance(region, Unknown):
        yield from arn_region_of(view, option, where, what)
    else:
        unknown = Unknown(f"the ARN {shown!r}, which is not an S3 bucket's and names no region", Cause.MALFORMED)
        message = (
            f"{what} {shown} cannot be shown to be in an allowed region: it is not an S3 bucket ARN and names "
            "no region of its own"
        )
        yield Violation(where, message, Severity.ERROR, unknown)


def _named_bucket(view: TemplateView, name: str, where: PropertyPath, what: str) -> Iterator[Violation]:
    if name in local_bucket_names(view):
        return  # a bucket of this template: in the stack's own region, which EU-RES-001 checks
    if name in view.app_buckets:
        region = view.app_buckets[name]
        if region is None:
            unknown = Unknown(
                f"the bucket {name} of an environment-agnostic stack of this app, whose region is chosen at "
                "deploy time",
                Cause.STACK_REGION,
            )
            yield _unprovable(where, what, unknown, name)
        else:
            described = f"the region of {what} {name} (a bucket of this app)"
            yield from region_violations(view, region, where, described, in_properties=False)
        return
    listed = view.settings.replication_destinations.get(name)
    if listed is not None:
        described = f"the region of {what} {name} (listed in replication_destinations)"
        yield from region_violations(view, listed, where, described, in_properties=False)
        return
    unknown = Unknown(
        f"the bucket {name}, which no stack of this app defines and replication_destinations does not list "
        "(bucket ARNs carry no region)",
        Cause.OTHER_STACK,
    )
    yield _unprovable(where, what, unknown, name)


def local_bucket_names(view: TemplateView) -> set[str]:
    """The names the template gives its buckets, read once per template."""
    return view.memo(f"{__name__}.bucket_names", lambda: _bucket_names(view))


def _bucket_names(view: TemplateView) -> set[str]:
    names: set[str] = set()
    for bucket in view.resources_of_type(BUCKET):
        for option in options(view.resolve(bucket.properties.get("BucketName"))):
            if isinstance(option, str):
                names.add(option)
    return names


def joined_global_group(
    view: TemplateView, properties: Mapping[str, Any], prop: str, joins: str
) -> Iterator[Violation]:
    """The resource names a global group (``prop``) that replicates it to regions this template does not
    name: ``joins`` says what it joins ("the cluster joins a global database").
    """
    values = [
        value for value in options(view.resolve(get(properties, (prop,)))) if value is not MISSING and value != ""
    ]
    if not values:
        return
    unknown = next((value for value in values if isinstance(value, Unknown)), None)
    given = f"is {unknown.reason}" if unknown else "is set"
    group = Unknown(f"the regions of the global group that {prop} names", Cause.OTHER_STACK)
    yield Violation(
        prop_path(prop),
        f"{joins} ({prop} {given}), which replicates it to regions this template does not name: where its "
        "copies are kept cannot be shown",
        Severity.ERROR,
        unknown or group,
    )
