"""The small predicates rules are written with, each failing closed on what the template cannot decide."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from eu_residency.core.messages import shortened, shown_value
from eu_residency.core.regions import describe_region
from eu_residency.core.resolved import Cause, Text
from eu_residency.core.rule_model import PropertyPath, Severity, Violation
from eu_residency.core.template_view import OneOf, Resource, ResourceRef, TemplateView, Unknown
from eu_residency.core.values import (
    MISSING,
    arn_fields,
    descend,
    elements,
    get,
    named_region,
    referenced_ids,
    text_options,
    values_at,
)
from eu_residency.core.vocabulary import (
    NESTED_STACK_TYPE,
    REGION_BOUND_PROPERTIES,
    REGION_SHAPE,
    TEMPLATE_BODY,
    RegionBoundProperty,
)

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
            yield unresolved(
                path, what, Unknown(f"{shown_value(value)}, which is neither true nor false", Cause.MALFORMED)
            )
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
        yield Violation(
            prop_path(*path),
            f"{what} may be left unset ({dotted(path)} can be empty)",
            Severity.ERROR,
            undecided(OneOf(())),
        )


def unresolved(path: PropertyPath, what: str, value: Any) -> Violation:
    """``what`` cannot be shown: it depends on ``value``, which the template does not decide."""
    unknown = undecided(value)
    return Violation(
        prop_path(*path),
        f"{what} cannot be shown from the template: it depends on {unknown.reason} (fails closed)",
        Severity.ERROR,
        unknown,
    )


def undecided(value: Any) -> Unknown:
    """What makes a value undecidable, as an Unknown (an undecided Fn::If is a condition)."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, OneOf):
        return Unknown("an Fn::If whose condition is decided at deploy time", Cause.CONDITION)
    return Unknown("a value that depends on a deploy-time condition", Cause.CONDITION)


def region_violations(
    view: TemplateView, raw: Any, path: PropertyPath, what: str, *, in_properties: bool = True
) -> Iterator[Violation]:
    """``what`` is a region property: each value it may take must be an allowed region.

    Proven outside: fatal. Not provable (parameter, import, unknown name): error. ``${AWS::Region}`` of an
    environment-agnostic stack is the stack's own region, which EU-RES-001 reports.
    """
    full_path = prop_path(*path) if in_properties else path
    for option in text_options(view, raw):
        yield from _region_value(view, option, full_path, what)


def _region_value(view: TemplateView, option: str | Unknown, full_path: PropertyPath, what: str) -> Iterator[Violation]:
    yield from _region_verdict(view, option, full_path, f"{what} is", f"{what} cannot be shown to be an allowed region")


def _region_verdict(
    view: TemplateView,
    region: str | Unknown,
    where: PropertyPath,
    outside: str,
    unprovable: str,
    *,
    subject: str = "it",
) -> Iterator[Violation]:
    """The verdict on a region: none when allowed or the stack's own (EU-RES-001 reports that one); fatal,
    "``outside`` <where the region is>", when proven outside; otherwise "``unprovable``: ``subject`` is <why>"."""
    if isinstance(region, Unknown):
        if region.cause is not Cause.STACK_REGION:
            yield not_shown(where, unprovable, region, subject)
    elif region not in view.settings.allowed_regions:
        if REGION_SHAPE.match(region):
            yield Violation(where, f"{outside} {describe_region(region)}", Severity.FATAL)
        else:
            yield not_shown(where, unprovable, Unknown(f"the text {region!r}, which is not a region's name"), subject)


def not_shown(where: PropertyPath, claim: str, unknown: Unknown, subject: str = "it") -> Violation:
    """``claim`` ("X cannot be shown to be ...") fails closed on ``unknown``: an error that carries it."""
    return Violation(where, f"{claim}: {subject} is {unknown.reason}", Severity.ERROR, unknown)


def unchecked_template(claim: str, prop: str, option: object) -> Violation:
    """A nested stack's or a StackSet's template, given by ``prop`` (TemplateURL, TemplateBody) as ``option``,
    is not among the templates checked: ``claim`` ("what the nested stack deploys cannot be shown: its
    template") fails closed, naming the URL, or why the property shows no template."""
    where, not_checked = prop_path(prop), f"{claim} is not among the templates checked"
    if isinstance(option, Text) and prop == TEMPLATE_BODY:  # a body built around deploy-time values
        option = Unknown("a TemplateBody built from values known only at deploy time", Cause.TEXT)
    if isinstance(option, str) and prop == TEMPLATE_BODY:  # a body, not a place: not shown
        unknown = Unknown("a TemplateBody that is not among the templates checked", Cause.OTHER_STACK)
        return Violation(
            where, f"{claim} (its TemplateBody) is not among the templates checked", Severity.ERROR, unknown
        )
    if isinstance(option, (str, Text)):
        url = shortened(option.shown if isinstance(option, Text) else option)
        cause = Cause.TEXT if isinstance(option, Text) else Cause.OTHER_STACK
        unknown = Unknown(f"the template at {url}, which is not among the templates checked", cause)
        return Violation(where, f"{claim} ({prop} {url}) is not among the templates checked", Severity.ERROR, unknown)
    if not isinstance(option, Unknown):
        option = Unknown(f"a {prop} that is not text", Cause.MALFORMED)
        return Violation(where, f"{not_checked}: its {prop} is not text", Severity.ERROR, option)
    return not_shown(where, not_checked, option, f"its {prop}")


def arn_region_violations(view: TemplateView, raw: Any, path: PropertyPath, what: str) -> Iterator[Violation]:
    """``what`` is an ARN: its region, when it has one, must be allowed; a region-less ARN passes. A text
    with holes is read field by field (``core.values.named_region``): its region counts wherever it is known.
    """
    for option in text_options(view, raw):
        yield from arn_region_of(view, option, prop_path(*path), what)


def arn_region_of(
    view: TemplateView,
    option: str | Unknown,
    where: PropertyPath,
    what: str,
    *,
    bound: RegionBoundProperty | None = None,
) -> Iterator[Violation]:
    """The verdict on one value ``option`` of an ARN (or endpoint) property (see ``arn_region_violations``).
    ``bound``: AWS accepts the property only from one region (``core.vocabulary.REGION_BOUND_PROPERTIES``),
    so a value the template does not decide is in that region, and a literal of another cannot deploy."""
    if isinstance(option, ResourceRef):
        if bound is None:
            yield from reference_region(view, option, where, what)
        else:
            yield from _bound_verdict(view, _referent_region(view, option), where, what, bound)
        return
    if isinstance(option, Unknown) and not isinstance(option, Text):
        if bound is not None:
            yield from _bound_verdict(view, option, where, what, bound)
        else:
            yield not_shown(where, f"{what} cannot be shown to be in an allowed region", option)
        return
    region = named_region(option)
    if isinstance(option, Text) and region is None and arn_fields(option) is None and not _may_be_arn(option):
        return  # known text shows a name or id, not an ARN: of the stack's own region
    if region is None:
        return  # an ARN that names no region
    shown = f"{what} {shortened(option.shown if isinstance(option, Text) else option)}"
    if bound is not None:
        yield from _bound_verdict(view, region, where, shown, bound)
    elif isinstance(option, Text):
        unprovable = f"{shown} cannot be shown to be in an allowed region"
        yield from _region_verdict(view, region, where, f"{shown} is in", unprovable, subject="its region")
    elif isinstance(region, str) and region not in view.settings.allowed_regions and REGION_SHAPE.match(region):
        yield Violation(where, f"{shown} is in {describe_region(region)}", Severity.FATAL)


def region_bound_values(
    view: TemplateView, resource: Resource, bound: RegionBoundProperty
) -> Iterator[tuple[PropertyPath, str | Unknown]]:
    """Every text the region-bound property ``bound`` of ``resource`` may take, with its path under
    Properties (``*`` read item by item, through every branch of an undecided Fn::If)."""
    if "*" not in bound.path:
        for value in values_at(view, resource.properties, bound.path):
            for option in text_options(view, value):
                yield bound.path, option
        return
    star = bound.path.index("*")
    head, tail = bound.path[:star], bound.path[star + 1 :]
    for value in values_at(view, resource.properties, head):
        for index, item in elements(value):
            where: PropertyPath = head if index is None else (*head, index, *tail)
            for leaf in descend(item, tail) if index is not None else [item]:
                for option in text_options(view, leaf):
                    yield where, option


def bound_property_at(resource_type: str, path: PropertyPath) -> RegionBoundProperty | None:
    """The region-bound property of ``resource_type`` that ``path`` (under Properties) is in, if any."""
    for bound in REGION_BOUND_PROPERTIES.get(resource_type, ()):
        if len(path) >= len(bound.path) and all(
            (part == "*" and isinstance(step, int)) or part == step
            for part, step in zip(bound.path, path, strict=False)
        ):
            return bound
    return None


def _referent_region(view: TemplateView, reference: ResourceRef) -> str | Unknown:
    """The region of a resource a property refers to: this stack's, or that of the stack defining it."""
    region = view.region if reference.local else reference.stack_region
    return region or Unknown(f"{reference.reason}, in an environment-agnostic stack", Cause.STACK_REGION)


def _bound_verdict(
    view: TemplateView, region: str | Unknown, where: PropertyPath, shown: str, bound: RegionBoundProperty
) -> Iterator[Violation]:
    """A region-bound value named ``shown`` in ``region``. Of the stack's own region: a value the template does
    not decide is of it (or the stack does not deploy); a literal of another is an error, the stack cannot deploy.
    Of one required region (CloudFront's us-east-1): any value that deploys is there, fatal when it is not allowed.
    """
    required = bound.region or view.region
    if isinstance(region, Unknown):
        if bound.region is not None and region.cause is not Cause.STACK_REGION and _not_allowed(view, bound.region):
            yield Violation(where, f"{shown} is {region.reason}; {_required_region(bound)}", Severity.FATAL)
    elif required is None:  # the stack's own region, and the stack's region is not set
        if REGION_SHAPE.match(region) and region not in view.settings.allowed_regions:
            requirement = f"AWS requires the {bound.holds} in the stack's own region, so the stack deploys only there"
            yield _undeployable(where, f"{shown} is in {describe_region(region)}: {requirement}")
    elif region != required:
        place = "the stack's own region" if bound.region is None else "the one region"
        requirement = f"AWS requires the {bound.holds} in {place}, {required}"
        yield _undeployable(where, f"{shown} is in {region}, so the stack cannot deploy: {requirement}")
    elif bound.region is not None and _not_allowed(view, region):
        yield Violation(where, f"{shown} is in {describe_region(region)}; {_required_region(bound)}", Severity.FATAL)


def _not_allowed(view: TemplateView, region: str) -> bool:
    return region not in view.settings.allowed_regions


def _required_region(bound: RegionBoundProperty) -> str:
    return (
        f"CloudFront takes {bound.holds}s only from {bound.region} and copies them to edge locations worldwide, "
        "where TLS sessions end"
    )


def _undeployable(where: PropertyPath, message: str) -> Violation:
    """A template AWS refuses: no data goes anywhere, but it is an error, not a pass."""
    return Violation(where, message, Severity.ERROR)


def _may_be_arn(text: Text) -> bool:
    """Whether the known start of ``text`` may begin an ARN (``arn:``, or a hole before any text)."""
    start = text.parts[0]
    return not isinstance(start, str) or start.startswith("arn:") or "arn:".startswith(start)


def reference_region(view: TemplateView, reference: ResourceRef, where: PropertyPath, what: str) -> Iterator[Violation]:
    """A resource the property refers to: of this template, in the stack's own region (which EU-RES-001
    checks); of another template of the app, in that stack's region; a custom resource or nested stack
    may return anything."""
    if not reference.local:
        region = reference.stack_region
        if region is None:
            unknown = Unknown(f"{reference.reason}, an environment-agnostic stack", Cause.STACK_REGION)
            yield not_shown(where, f"{what} cannot be shown to be in an allowed region", unknown)
        elif region not in view.settings.allowed_regions:
            yield Violation(where, f"{what} is {reference.reason}, in {describe_region(region)}", Severity.FATAL)
        return
    referent = view.resource(reference.logical_id)
    if referent is not None and not _may_return_any_value(referent.type):
        return
    unknown = Unknown(f"{reference.reason}, a custom resource or nested stack that may return any ARN", Cause.RESOURCE)
    yield not_shown(where, f"{what} cannot be shown to be in an allowed region", unknown)


def _may_return_any_value(resource_type: str) -> bool:
    """Custom resources and nested stacks return whatever their code or template says."""
    return resource_type.startswith("Custom::") or resource_type in (
        "AWS::CloudFormation::CustomResource",
        NESTED_STACK_TYPE,
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
        named = view.memo(f"{__name__}.db_instances", lambda: _db_instances_by_identifier(view))
        candidate = named.get(resolved.rsplit(":", 1)[-1])
        if candidate is not None:
            return candidate
    return Unknown("a source database instance that this template does not define")


def _db_instances_by_identifier(view: TemplateView) -> dict[str, Resource]:
    """The template's DB instances by their literal DBInstanceIdentifier (the first to take a name), read
    once per template."""
    named: dict[str, Resource] = {}
    for instance in view.resources_of_type("AWS::RDS::DBInstance"):
        identifier = view.resolve(instance.properties.get("DBInstanceIdentifier"))
        if isinstance(identifier, str):
            named.setdefault(identifier, instance)
    return named


# -- Shared by rules that apply only to some values of a property (folded from duplicated code) ---------------


def where_applicable(
    values: list[Any],
    applies_to: str,
    findings: Callable[[], Iterable[Violation]],
    path: PropertyPath,
    *,
    whether: str,
    what: str,
) -> Iterator[Violation]:
    """The ``findings`` of a rule that holds only where the property at ``path`` (its ``values``, from
    ``values_at``) is ``applies_to``, which is also what AWS does when it is absent. Never: nothing. Where the
    findings stand and that property is undecided, one finding fails closed on it (``whether``, "whether the
    key is symmetric"); where only some branches of an undecided Fn::If apply, one on ``what``."""
    applicable = [value for value in values if value is MISSING or value == applies_to]
    undecided_values = [value for value in values if isinstance(value, Unknown)]
    if not applicable and not undecided_values:
        return
    found = list(findings())
    if not found:
        return
    if undecided_values:
        yield unresolved(path, whether, undecided_values[0])
    elif len(applicable) < len(values):
        yield unresolved(path, what, OneOf(tuple(values)))
    else:
        yield from found


def is_always(view: TemplateView, raw: Any, text: str) -> bool:
    """Whether every value ``raw`` may deploy with is the text ``text`` (an absent or undecided one is not)."""
    values = text_options(view, raw)
    return bool(values) and all(value == text for value in values)
