"""EU-ENC-040: S3 buckets deny every request that does not use TLS."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from eu_residency.core.resolved import Cause, Text, scalar
from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import NO_VALUE, Resource, ResourceRef, TemplateView, Unknown, options
from eu_residency.core.values import MISSING, referent
from eu_residency.core.vocabulary import ARN_PARTITION_PREFIX

BUCKET = "AWS::S3::Bucket"
BUCKET_POLICY = "AWS::S3::BucketPolicy"
SECURE_TRANSPORT = "aws:securetransport"
TLS_CONDITION_OPERATORS = frozenset({"Bool", "BoolIfExists"})


class Verdict(Enum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    reason: str = ""  # for UNKNOWN: what the template does not decide; for NO: what is missing


YES = Outcome(Verdict.YES)


def _both(*outcomes: Outcome) -> Outcome:
    """All must hold: the first NO, else the first UNKNOWN, else YES."""
    for verdict in (Verdict.NO, Verdict.UNKNOWN):
        for outcome in outcomes:
            if outcome.verdict is verdict:
                return outcome
    return YES


def _every_option(results: list[Outcome], undecided: str) -> Outcome:
    """Every option of an undecided Fn::If must hold; options that disagree cannot be shown."""
    if not results:
        return Outcome(Verdict.NO, "is empty")
    verdicts = {result.verdict for result in results}
    if verdicts == {Verdict.YES}:
        return YES
    if verdicts == {Verdict.NO}:
        return results[0]
    unknown = [result for result in results if result.verdict is Verdict.UNKNOWN]
    return unknown[0] if unknown else Outcome(Verdict.UNKNOWN, undecided)


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    names = _bucket_names(resource, view)
    unknown: list[str] = []
    refused: list[str] = []
    for policy in _candidate_policies(resource, names, view):
        attached = _attached(policy, resource, names, view)
        if attached.verdict is Verdict.NO:
            continue
        deployed = view.condition(policy.condition) if policy.condition else True
        if deployed is False:
            continue
        outcome = _policy_denies_plain_requests(policy, resource.logical_id, names, view)
        if attached.verdict is Verdict.UNKNOWN and outcome.verdict is not Verdict.NO:
            outcome = _both(outcome, attached)
        if deployed is None and outcome.verdict is Verdict.YES:
            outcome = Outcome(
                Verdict.UNKNOWN,
                f"its Condition {policy.condition}, which decides at deploy time whether it exists",
            )
        if outcome.verdict is Verdict.YES:
            return
        if outcome.verdict is Verdict.UNKNOWN:
            unknown.append(f"the bucket policy {policy.logical_id}: {outcome.reason}")
        elif attached.verdict is Verdict.YES:
            refused.append(f"{policy.logical_id} {outcome.reason}")
    if unknown:
        yield Violation(
            (),
            "that the bucket refuses requests without TLS cannot be shown from the template: it depends on "
            + "; ".join(unknown)
            + " (fails closed)",
        )
    elif refused:
        yield Violation(
            (),
            "the bucket accepts requests without TLS: no statement of its bucket policy denies them "
            "(Effect Deny, Principal *, Action s3:*, the bucket and its objects, aws:SecureTransport false); "
            + "; ".join(refused),
        )
    else:
        yield Violation(
            (),
            "the bucket accepts requests without TLS: no AWS::S3::BucketPolicy of the template denies "
            "requests whose aws:SecureTransport is false",
        )


# -- which bucket a policy belongs to ------------------------------------------------------------------


def _token(logical_id: str) -> str:
    """Stands for the name of the template's bucket ``logical_id`` in a rendered ARN."""
    return f"\x00{logical_id}\x00"


def _bucket_names(bucket: Resource, view: TemplateView) -> set[str]:
    names = {_token(bucket.logical_id)}
    name = view.resolve(bucket.properties.get("BucketName", MISSING))
    if isinstance(name, str) and name:
        names.add(name)
    return names


def _candidate_policies(bucket: Resource, names: set[str], view: TemplateView) -> list[Resource]:
    """The bucket policies that may be attached to ``bucket``, in template order, from an index built once
    per template (so that checking every bucket stays linear in the number of resources).
    """
    by_bucket, by_name, undecided, position = view.memo(f"{__name__}.policies", lambda: _index_policies(view))
    found = {policy.logical_id: policy for policy in by_bucket.get(bucket.logical_id, [])}
    found |= {policy.logical_id: policy for name in names for policy in by_name.get(name, [])}
    found |= {policy.logical_id: policy for policy in undecided}
    return sorted(found.values(), key=lambda policy: position[policy.logical_id])


def _index_policies(
    view: TemplateView,
) -> tuple[dict[str, list[Resource]], dict[str, list[Resource]], list[Resource], dict[str, int]]:
    """Bucket policies by the bucket they name (logical id, literal name, or undecided), and each policy's
    place among them."""
    by_bucket: dict[str, list[Resource]] = {}
    by_name: dict[str, list[Resource]] = {}
    undecided: list[Resource] = []
    position: dict[str, int] = {}
    for policy in view.resources_of_type(BUCKET_POLICY):
        position[policy.logical_id] = len(position)
        raw = policy.properties.get("Bucket", MISSING)
        for option in [] if raw is MISSING else options(view.resolve(raw)):
            target = referent(option)
            if target is not None:
                by_bucket.setdefault(target, []).append(policy)
            elif isinstance(option, str):
                by_name.setdefault(option, []).append(policy)
            elif isinstance(option, Unknown):
                undecided.append(policy)
    return by_bucket, by_name, undecided, position


def _attached(policy: Resource, bucket: Resource, names: set[str], view: TemplateView) -> Outcome:
    raw = policy.properties.get("Bucket", MISSING)
    if raw is MISSING:
        return Outcome(Verdict.NO)
    results = []
    for option in options(view.resolve(raw)):
        if referent(option) == bucket.logical_id or (isinstance(option, str) and option in names):
            results.append(YES)
        elif isinstance(option, Unknown) and referent(option) is None:
            results.append(Outcome(Verdict.UNKNOWN, f"its Bucket, which is {option.reason}"))
        else:
            results.append(Outcome(Verdict.NO))
    if any(result.verdict is Verdict.YES for result in results):
        return _every_option(results, "its Bucket, chosen by an Fn::If decided at deploy time")
    unknown = [result for result in results if result.verdict is Verdict.UNKNOWN]
    return unknown[0] if unknown else Outcome(Verdict.NO)


# -- what a policy denies ------------------------------------------------------------------------------


def _policy_denies_plain_requests(
    policy: Resource,
    bucket_id: str,
    names: set[str],
    view: TemplateView,
) -> Outcome:
    document = policy.properties.get("PolicyDocument", MISSING)
    results = []
    for document_option in _choices(document, view):
        parsed = document_option
        if isinstance(document_option, str):
            try:
                parsed = json.loads(document_option)
            except ValueError:
                results.append(Outcome(Verdict.NO, "has a PolicyDocument that is not JSON"))
                continue
        if isinstance(parsed, Unknown):
            results.append(Outcome(Verdict.UNKNOWN, f"its PolicyDocument, which is {parsed.reason}"))
            continue
        if not isinstance(parsed, Mapping):
            results.append(Outcome(Verdict.NO, "has no PolicyDocument"))
            continue
        results.append(_document(parsed, bucket_id, names, view))
    return _every_option(results, "its PolicyDocument, chosen by an Fn::If decided at deploy time")


def _document(document: Mapping[str, Any], bucket_id: str, names: set[str], view: TemplateView) -> Outcome:
    statements: list[Outcome] = []
    for statements_option in _choices(document.get("Statement", MISSING), view):
        items = statements_option if isinstance(statements_option, list) else [statements_option]
        outcomes = []
        for item in items:
            item_options = _choices(item, view)
            outcomes.append(
                _every_option(
                    [_statement(option, bucket_id, names, view) for option in item_options],
                    "a statement chosen by an Fn::If decided at deploy time",
                )
                if item_options
                else Outcome(Verdict.NO)
            )
        statements.append(_any_statement(outcomes))
    return _every_option(statements, "statements chosen by an Fn::If decided at deploy time")


def _any_statement(outcomes: list[Outcome]) -> Outcome:
    if any(outcome.verdict is Verdict.YES for outcome in outcomes):
        return YES
    unknown = [outcome for outcome in outcomes if outcome.verdict is Verdict.UNKNOWN]
    if unknown:
        return unknown[0]
    explained = [outcome for outcome in outcomes if outcome.reason]
    return explained[0] if explained else Outcome(Verdict.NO, "has no statement that denies them")


def _statement(statement: Any, bucket_id: str, names: set[str], view: TemplateView) -> Outcome:
    if isinstance(statement, Unknown):
        return Outcome(Verdict.UNKNOWN, f"a statement that is {statement.reason}")
    if not isinstance(statement, Mapping):
        return Outcome(Verdict.NO)
    if "NotPrincipal" in statement or "NotAction" in statement or "NotResource" in statement:
        return Outcome(Verdict.NO)
    return _both(
        _effect(view.resolve(statement.get("Effect", MISSING))),
        _principal(view.resolve(statement.get("Principal", MISSING))),
        _action(view.resolve(statement.get("Action", MISSING))),
        _resources(statement.get("Resource", MISSING), bucket_id, names, view),
        _condition(view.resolve(statement.get("Condition", MISSING))),
    )


def _leaf_outcomes(value: Any, what: str, holds: Any) -> Outcome:
    results = []
    for option in options(value):
        if isinstance(option, Unknown):
            results.append(Outcome(Verdict.UNKNOWN, f"its {what}, which is {option.reason}"))
        else:
            results.append(YES if holds(option) else Outcome(Verdict.NO))
    return _every_option(results, f"its {what}, chosen by an Fn::If decided at deploy time")


def _effect(value: Any) -> Outcome:
    return _leaf_outcomes(value, "Effect", lambda option: option == "Deny")


def _principal(value: Any) -> Outcome:
    results = []
    for option in options(value):
        aws = option.get("AWS") if isinstance(option, Mapping) else None
        if option == "*" or aws == "*" or (isinstance(aws, list) and "*" in aws):
            results.append(YES)
        elif (unknown := _unknown_inside(option)) is not None:
            results.append(Outcome(Verdict.UNKNOWN, f"its Principal, which is {unknown.reason}"))
        else:
            results.append(Outcome(Verdict.NO))
    return _every_option(results, "its Principal, chosen by an Fn::If decided at deploy time")


def _action(value: Any) -> Outcome:
    results = []
    for option in options(value):
        items = option if isinstance(option, list) else [option]
        texts = [scalar(item) for item in items]
        if any(isinstance(text, str) and text.lower() in ("s3:*", "*") for text in texts):
            results.append(YES)
        else:
            unknown = next((text for text in texts if isinstance(text, Unknown)), None)
            if unknown is None:
                results.append(Outcome(Verdict.NO))
            else:
                results.append(Outcome(Verdict.UNKNOWN, f"its Action, which is {unknown.reason}"))
    return _every_option(results, "its Action, chosen by an Fn::If decided at deploy time")


def _condition(value: Any) -> Outcome:
    results = []
    for option in options(value):
        if option is NO_VALUE:
            results.append(YES)  # an unconditional Deny of everything also denies plain requests
        elif isinstance(option, Unknown):
            results.append(Outcome(Verdict.UNKNOWN, f"its Condition, which is {option.reason}"))
        elif isinstance(option, Mapping):
            results.append(_secure_transport_only(option))
        else:
            results.append(Outcome(Verdict.NO))
    return _every_option(results, "its Condition, chosen by an Fn::If decided at deploy time")


def _secure_transport_only(condition: Mapping[str, Any]) -> Outcome:
    """The condition must match every request without TLS: only Bool aws:SecureTransport false (any
    other operator or key narrows the Deny).
    """
    if not condition or set(condition) - TLS_CONDITION_OPERATORS:
        return Outcome(Verdict.NO)
    results = []
    for operator_option in (leaf for body in condition.values() for leaf in options(body)):
        if isinstance(operator_option, Unknown):
            results.append(Outcome(Verdict.UNKNOWN, f"its Condition, which is {operator_option.reason}"))
            continue
        if not isinstance(operator_option, Mapping) or not operator_option:
            results.append(Outcome(Verdict.NO))
            continue
        if any(not isinstance(key, str) or key.lower() != SECURE_TRANSPORT for key in operator_option):
            results.append(Outcome(Verdict.NO))
            continue
        for raw_values in operator_option.values():
            for values in options(raw_values):
                items = values if isinstance(values, list) else [values]
                texts = [scalar(item) for item in items]
                unknown = next((text for text in texts if isinstance(text, Unknown)), None)
                if any(isinstance(text, str) and text.lower() == "false" for text in texts):
                    results.append(YES)
                elif unknown is not None:
                    results.append(
                        Outcome(
                            Verdict.UNKNOWN,
                            f"its aws:SecureTransport condition, which is {unknown.reason}",
                        )
                    )
                else:
                    results.append(Outcome(Verdict.NO))
    return _every_option(results, "its Condition, chosen by an Fn::If decided at deploy time")


def _unknown_inside(value: Any) -> Unknown | None:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Mapping):
        items: list[Any] = list(value.values())
    elif isinstance(value, list):
        items = value
    else:
        return None
    for item in items:
        found = _unknown_inside(item)
        if found is not None:
            return found
    return None


# -- which ARNs a statement covers ----------------------------------------------------------------------


def _resources(raw: Any, bucket_id: str, names: set[str], view: TemplateView) -> Outcome:
    results = []
    for option in _choices(raw, view):
        items = option if isinstance(option, list) else [option]
        bucket, objects = False, False
        unknown: Unknown | None = None
        for item in items:
            renderings = _render(item, view)
            if not renderings:
                continue
            covers_bucket, covers_objects = True, True
            for rendering in renderings:
                if isinstance(rendering, Unknown):
                    unknown = unknown or rendering
                    covers_bucket = covers_objects = False
                    continue
                covers_bucket = covers_bucket and _covers_bucket(rendering, names)
                covers_objects = covers_objects and _covers_objects(rendering, names)
            bucket, objects = bucket or covers_bucket, objects or covers_objects
        if bucket and objects:
            results.append(YES)
        elif unknown is not None:
            results.append(Outcome(Verdict.UNKNOWN, f"its Resource, which is {unknown.reason}"))
        else:
            parts = (("the bucket", bucket), ("its objects (/*)", objects))
            missing = " and ".join(what for what, covered in parts if not covered)
            results.append(Outcome(Verdict.NO, f"denies them, but not on {missing}"))
    return _every_option(results, "its Resource, chosen by an Fn::If decided at deploy time")


def _arns(names: set[str]) -> list[str]:
    return [f"arn:aws:s3:::{name}" for name in names]


def _covers_bucket(pattern: str, names: set[str]) -> bool:
    matches = _glob(pattern)
    return any(matches(arn) for arn in _arns(names))


def _covers_objects(pattern: str, names: set[str]) -> bool:
    """A pattern ending in * that matches ``<bucket ARN>/`` matches every object key after it."""
    matches = _glob(pattern)
    return pattern.endswith("*") and any(matches(f"{arn}/") for arn in _arns(names))


def _choices(value: Any, view: TemplateView) -> list[Any]:
    """Every value ``value`` may take, resolved by the core (each option of an undecided Fn::If; a value
    the template does not decide as an Unknown); AWS::NoValue and an absent value give none."""
    if value is MISSING:
        return []
    return [option for option in options(view.resolve(value)) if option is not NO_VALUE]


def _glob(pattern: str) -> Callable[[str], bool]:
    """Whether a text matches ``pattern`` as IAM matches a Resource (``*``: any run, ``?``: any one
    character), in time linear in the pattern's segments times the text (no backtracking)."""
    # ARN partitions are compared as "aws": the bucket's own partition is the stack's.
    segments = ARN_PARTITION_PREFIX.sub("arn:aws:", pattern).split("*")
    return lambda text: glob_match(segments, text)


def glob_match(segments: list[str], text: str) -> bool:
    """``text`` matches the pattern whose pieces between ``*`` are ``segments``: the first piece at the
    start, the last at the end, each one between at its earliest place after the previous one (greedy
    earliest placement is optimal, so no choice is ever revisited)."""
    first, *middle = segments
    if not middle:
        return len(text) == len(first) and _piece_at(first, text, 0)
    last = middle.pop()
    if len(text) < len(first) + len(last) or not _piece_at(first, text, 0):
        return False
    end = len(text) - len(last)
    if not _piece_at(last, text, end):
        return False
    position = len(first)
    for piece in middle:
        found = _find_piece(piece, text, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def _piece_at(piece: str, text: str, start: int) -> bool:
    """``piece`` (``?`` matching any one character) is at ``start`` of ``text``."""
    if start + len(piece) > len(text):
        return False
    return all(char == "?" or char == text[start + index] for index, char in enumerate(piece))


def _find_piece(piece: str, text: str, start: int, end: int) -> int:
    """The first place at or after ``start`` where ``piece`` lies wholly before ``end``, or -1."""
    if "?" not in piece:
        return text.find(piece, start, end)
    for position in range(start, end - len(piece) + 1):
        if _piece_at(piece, text, position):
            return position
    return -1


def _render(value: Any, view: TemplateView) -> list[str | Unknown]:
    """Every text a resolved value may take, with the template's buckets written as tokens: ``Fn::GetAtt
    Bucket.Arn`` and ``!Sub ${Bucket.Arn}/*`` keep their suffix around the bucket's token. A text with any
    other hole stays what it depends on. Empty for AWS::NoValue.
    """
    rendered: list[str | Unknown] = []
    for option in options(value):
        if option is NO_VALUE:
            continue
        if isinstance(option, Text):
            pieces = [_bucket_token(part, view) if isinstance(part, Unknown) else part for part in option.parts]
            known = [piece for piece in pieces if isinstance(piece, str)]
            rendered.append("".join(known) if len(known) == len(pieces) else option)
        elif isinstance(option, Unknown):
            token = _bucket_token(option, view)
            rendered.append(token if isinstance(token, str) else option)
        else:
            text = scalar(option)
            rendered.append(text if text is not None else Unknown("a value that is not text", Cause.MALFORMED))
    return rendered


def _bucket_token(hole: Unknown, view: TemplateView) -> str | Unknown:
    """A Ref or Fn::GetAtt Arn of one of the template's buckets, as its token; any other hole as it is."""
    if isinstance(hole, ResourceRef) and hole.local:
        target = view.resource(hole.logical_id)
        if target is not None and target.type == BUCKET:
            if hole.attribute is None:
                return _token(hole.logical_id)
            if hole.attribute == "Arn":
                return f"arn:aws:s3:::{_token(hole.logical_id)}"
    return hole


RULE = Rule(
    id="EU-ENC-040",
    title="S3 buckets deny every request that does not use TLS",
    explanation=(
        "S3 answers plain HTTP requests unless the bucket policy refuses them, so objects holding user data "
        "could cross the network unencrypted and be read or altered on the way; the privacy policy promises "
        "encryption in transit. Only a Deny of s3:* to every principal, on the bucket and its objects, when "
        "aws:SecureTransport is false, closes that door for every client."
    ),
    fix=(
        "Add an AWS::S3::BucketPolicy for the bucket with the statement {Effect: Deny, Principal: {AWS: "
        "'*'}, Action: 's3:*', Resource: [bucket ARN, bucket ARN + '/*'], Condition: {Bool: "
        "{aws:SecureTransport: 'false'}}} (L2: s3.Bucket(..., enforce_ssl=True)); or use constructs_lib's "
        "DataBucket or AccessLogBucket, which always do."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({BUCKET}),
    check_resource=check,
)
