"""Shared reading for the replication and copy rules (EU-RES-010 to EU-RES-023).

``walk`` reaches the values a rule checks inside lists that ``Fn::If`` may change; ``arn_violations``
reads ARNs built around references (``Fn::Sub``/``Fn::Join``) piece by piece, so that a literal region
beside a reference still counts; ``bucket_violations`` finds where an S3 bucket named by ARN or name is,
since bucket ARNs carry no region.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from eu_residency.core.rule_model import PropertyPath, Severity, Violation
from eu_residency.core.template_view import NO_VALUE, OneOf, ResourceRef, TemplateView, Unknown, options
from eu_residency.core.values import MISSING, get
from eu_residency.core.vocabulary import MAX_COMBINATIONS, MAX_NESTING, S3_BUCKET_ARN_PREFIX, SUB_VARIABLE
from eu_residency.rules.predicates import arn_region_violations, prop_path, region_violations

STAR = "*"  # in a ``walk`` pattern: every element of a list

_HOLE = "\x00"

Piece = str | Unknown
Text = tuple[Piece, ...]  # literal text and holes (values the template does not give), in order


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
        return Unknown(value.reason)
    return Unknown(f"a {type(value).__name__} where an object was expected")


def _shapes(view: TemplateView, value: Any, *, resolve: bool, depth: int = 0) -> Iterator[Any]:
    """The values ``value`` may take: Fn::If branches, AWS::NoValue as MISSING and, when ``resolve``,
    other intrinsics worked out (a structure given by Fn::FindInMap, say)."""
    if depth > MAX_NESTING:
        yield Unknown("a value nested too deeply")
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
            message = f"{what} cannot be shown to be an allowed region: it is not set"
            yield Violation(prop_path(*path), message)
        return
    yield from region_violations(view, value, path, what)


# -- texts and ARNs ------------------------------------------------------------------------------------


def texts(view: TemplateView, raw: Any) -> list[Text]:
    """Every text ``raw`` may take (AWS::NoValue: none), literal pieces and holes kept apart, so that a
    reference inside an ``Fn::Sub``/``Fn::Join`` does not hide the literal text around it."""
    return [_normalize(text) for text in _texts(view, raw, 0) if text is not None]


def _texts(view: TemplateView, raw: Any, depth: int) -> list[Text | None]:
    if depth > MAX_NESTING:
        return [(Unknown("a value nested too deeply"),)]
    if isinstance(raw, Mapping) and len(raw) == 1:
        ((key, argument),) = raw.items()
        branches = _if_branches(view, key, argument)
        if branches is not None:
            return [text for branch in branches for text in _texts(view, branch, depth + 1)]
        if key == "Fn::Sub":
            return _sub(view, argument, depth + 1)
        if key == "Fn::Join" and _is_join(argument):
            return _join(view, argument[0], argument[1], depth + 1)
    result: list[Text | None] = []
    for option in options(view.resolve(raw)):
        if option is NO_VALUE:
            result.append(None)
        elif isinstance(option, (str, Unknown)):
            result.append((option,))
        elif isinstance(option, (int, float)) and not isinstance(option, bool):
            result.append((str(option),))
        else:
            result.append((Unknown(f"a {type(option).__name__} where text was expected"),))
    return result


def _is_join(argument: Any) -> bool:
    return isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str)


def _join(view: TemplateView, delimiter: str, parts: Any, depth: int) -> list[Text | None]:
    if not isinstance(parts, list):
        parts = view.resolve(parts)
        if not isinstance(parts, list):
            return [(Unknown("an Fn::Join over a list the template does not give"),)]
    choices = [_texts(view, part, depth + 1) for part in parts]
    result: list[Text | None] = []
    for combination in _combinations(choices):
        if combination is None:
            return [(Unknown("an Fn::Join with too many conditional parts"),)]
        joined: list[Piece] = []
        for part in (part for part in combination if part is not None):
            if joined:
                joined.append(delimiter)
            joined.extend(part)
        result.append(tuple(joined))
    return result


def _sub(view: TemplateView, argument: Any, depth: int) -> list[Text | None]:
    variables: Mapping[str, Any] = {}
    if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], Mapping):
        argument, variables = argument
    if not isinstance(argument, str):
        return [(Unknown("a malformed Fn::Sub"),)]
    literals = SUB_VARIABLE.split(argument)  # literal, name, literal, name, ..., literal
    choices: list[list[Text | None]] = []
    for index, piece in enumerate(literals):
        if index % 2 == 0:
            choices.append([(piece.replace("${!", "${"),)])
            continue
        name = piece.strip()
        if name in variables:
            choices.append(_texts(view, variables[name], depth + 1))
        elif "." in name:
            choices.append(_texts(view, {"Fn::GetAtt": name.split(".", 1)}, depth + 1))
        else:
            choices.append(_texts(view, {"Ref": name}, depth + 1))
    result: list[Text | None] = []
    for combination in _combinations(choices):
        if combination is None:
            return [(Unknown("an Fn::Sub with too many conditional parts"),)]
        result.append(tuple(piece for part in combination if part is not None for piece in part))
    return result


def _combinations(choices: list[list[Text | None]]) -> Iterator[tuple[Text | None, ...] | None]:
    """Every combination of the parts' options; a single None when there are too many to read."""
    count = 1
    for choice in choices:
        count *= max(len(choice), 1)
    if count > MAX_COMBINATIONS:
        yield None
        return
    yield from itertools.product(*(choice or [None] for choice in choices))


def _normalize(text: Text) -> Text:
    pieces: list[Piece] = []
    for piece in text:
        if isinstance(piece, str):
            if not piece:
                continue
            if pieces and isinstance(pieces[-1], str):
                pieces[-1] += piece
                continue
        pieces.append(piece)
    return tuple(pieces)


def _holes(text: Text) -> list[Unknown]:
    return [piece for piece in text if isinstance(piece, Unknown)]


def _display(text: Text) -> str:
    """The text with its holes shown as ``${...}``."""
    shown = []
    for piece in text:
        if isinstance(piece, ResourceRef):
            attribute = f".{piece.attribute}" if piece.attribute else ""
            shown.append(f"${{{piece.logical_id}{attribute}}}")
        elif isinstance(piece, Unknown):
            shown.append("${?}")
        else:
            shown.append(piece)
    return "".join(shown)


def _hole_reason(text: Text) -> str:
    plain = [hole for hole in _holes(text) if not isinstance(hole, ResourceRef)]
    return (plain or _holes(text))[0].reason


def local_reference(view: TemplateView, reference: ResourceRef, types: Collection[str]) -> str | None:
    """None when ``reference`` names a resource of this template of one of ``types`` (so in the stack's
    own region, which EU-RES-001 checks); otherwise why that cannot be relied on."""
    resource = view.resource(reference.logical_id)
    if resource is None:
        return f"{reference.reason}, which the template does not define"
    if resource.type in types:
        return None
    return f"{reference.reason}, a {resource.type} whose value the template does not show"


def arn_violations(
    view: TemplateView, raw: Any, path: PropertyPath, what: str, local_types: Collection[str]
) -> Iterator[Violation]:
    """``what`` is an ARN (or a plain name or id, which is of the stack's own region): its region must be
    allowed. A bare reference to a resource of ``local_types`` in this template is in the stack's region.
    """
    where = prop_path(*path)
    for text in texts(view, raw):
        if len(text) == 1 and isinstance(text[0], ResourceRef):
            problem = local_reference(view, text[0], local_types)
            if problem:
                yield Violation(where, f"{what} cannot be shown to be in an allowed region: it is {problem}")
        elif len(text) <= 1:  # literal text (merged into one piece), or a value the template does not give
            yield from arn_region_violations(view, text[0] if text else "", path, what)
        else:
            yield from _partial_arn(view, text, path, what)


def _partial_arn(view: TemplateView, text: Text, path: PropertyPath, what: str) -> Iterator[Violation]:
    """An ARN with holes: its region field must be literal text (and allowed). A text whose literal start
    cannot begin an ARN is a name or id, of the stack's own region."""
    prefix = _flat(text).split(_HOLE, 1)[0]
    if prefix and not prefix.startswith("arn:") and not "arn:".startswith(prefix):
        return
    yield from _region_of_arn(view, text, path, what)


def _region_of_arn(view: TemplateView, text: Text, path: PropertyPath, what: str) -> Iterator[Violation]:
    fields = _flat(text).split(":", 4)
    shown = _display(text)
    if len(fields) < 5 or _HOLE in ":".join(fields[:4]):
        yield Violation(
            prop_path(*path),
            f"{what} {shown} cannot be shown to be in an allowed region: its region is not given, it "
            f"depends on {_hole_reason(text)}",
        )
    elif fields[3]:
        yield from region_violations(view, fields[3], path, f"the region of {what} {shown}")


def _flat(text: Text) -> str:
    return "".join(piece if isinstance(piece, str) else _HOLE for piece in text)


# -- S3 buckets ----------------------------------------------------------------------------------------


def bucket_violations(view: TemplateView, raw: Any, path: PropertyPath, what: str) -> Iterator[Violation]:
    """``what`` is an S3 bucket, by ARN (``arn:aws:s3:::NAME``) or by name; bucket ARNs carry no region,
    so the bucket must be one of this template, one of the app's stacks in an allowed region, or listed in
    the settings' replication_destinations with an allowed region."""
    where = prop_path(*path)
    for text in texts(view, raw):
        name: Text = text
        if text and isinstance(text[0], str):
            match = S3_BUCKET_ARN_PREFIX.match(text[0])
            if match:
                name = _normalize((text[0][match.end() :], *text[1:]))
            elif text[0].startswith("arn:"):
                yield from _other_arn(view, text, path, what)
                continue
        if len(name) == 1 and isinstance(name[0], ResourceRef):
            problem = local_reference(view, name[0], ("AWS::S3::Bucket",))
            if problem:
                yield Violation(where, f"{what} cannot be shown to be in an allowed region: it is {problem}")
        elif len(name) == 1 and isinstance(name[0], str):
            yield from _named_bucket(view, name[0], path, what)
        elif len(name) == 1 and isinstance(name[0], Unknown):
            reason = name[0].reason
            yield Violation(where, f"{what} cannot be shown to be in an allowed region: it is {reason}")
        elif not name:
            yield Violation(where, f"{what} cannot be shown to be in an allowed region: it names no bucket")
        else:
            yield Violation(
                where,
                f"{what} {_display(text)} cannot be shown to be in an allowed region: its bucket name "
                f"depends on {_hole_reason(text)}",
            )


def _other_arn(view: TemplateView, text: Text, path: PropertyPath, what: str) -> Iterator[Violation]:
    """An ARN that is not a plain bucket's (S3 on Outposts, an access point): it must carry a region."""
    fields = _flat(text).split(":", 4)
    if len(fields) == 5 and fields[3] and _HOLE not in ":".join(fields[:4]):
        yield from region_violations(view, fields[3], path, f"the region of {what} {_display(text)}")
    else:
        yield Violation(
            prop_path(*path),
            f"{what} {_display(text)} cannot be shown to be in an allowed region: it is not an S3 bucket "
            "ARN and names no region of its own",
        )


def _named_bucket(view: TemplateView, name: str, path: PropertyPath, what: str) -> Iterator[Violation]:
    if name in local_bucket_names(view):
        return  # a bucket of this template: in the stack's own region, which EU-RES-001 checks
    if name in view.app_buckets:
        region = view.app_buckets[name]
        if region is None:
            yield Violation(
                prop_path(*path),
                f"{what} {name} cannot be shown to be in an allowed region: the stack of this app that "
                "defines it is environment-agnostic (its region is chosen at deploy time)",
            )
        else:
            described = f"the region of {what} {name} (a bucket of this app)"
            yield from region_violations(view, region, path, described)
        return
    listed = view.settings.replication_destinations.get(name)
    if listed is not None:
        yield from region_violations(
            view, listed, path, f"the region of {what} {name} (listed in replication_destinations)"
        )
        return
    yield Violation(
        prop_path(*path),
        f"{what} {name} cannot be shown to be in an allowed region: no stack of this app defines the "
        "bucket and it is not listed in replication_destinations (bucket ARNs carry no region)",
    )


def local_bucket_names(view: TemplateView) -> set[str]:
    names: set[str] = set()
    for bucket in view.resources_of_type("AWS::S3::Bucket"):
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
    yield Violation(
        prop_path(prop),
        f"{joins} ({prop} {given}), which replicates it to regions this template does not name: where its "
        "copies are kept cannot be shown",
        Severity.ERROR,
    )
