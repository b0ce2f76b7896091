"""Helpers shared by the at-rest encryption rules EU-KEY-001 to EU-KEY-020.

``values_at`` resolves every level of a property path, following each option of an undecided ``Fn::If``,
so that a value nested under an intrinsic function is still judged. ``key_violations`` judges a property
that names a KMS key: it must be given wherever the stack may deploy and, where the rule asks for a
customer-managed key, must not be an AWS-managed key (``alias/aws/...``), whose key policy no one can
change. A key the template cannot name (a parameter, an import) counts as given: which key it is, is
for the key's own rules (rotation, residency) to judge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from eu_residency.core.rule_model import PropertyPath, Violation
from eu_residency.core.template_view import OneOf, TemplateView, Unknown, options
from eu_residency.core.values import MISSING, get, values_at, written_texts
from eu_residency.core.vocabulary import AWS_MANAGED_KEY_ALIAS, AWS_MANAGED_KEY_ALIAS_PREFIX
from eu_residency.rules.predicates import dotted, prop_path, unresolved

NO_KEY_CONTROL = "which gives no key control: its key policy cannot be changed to restrict or revoke its use"


def is_unset(value: Any) -> bool:
    return value is MISSING or value == ""


def texts(values: Iterable[Any]) -> list[str]:
    """The texts among resolved values, lists of texts flattened (an IAM Action, a Principal)."""
    found: list[str] = []
    for value in values:
        for option in options(value):
            if isinstance(option, str):
                found.append(option)
            elif isinstance(option, list):
                found.extend(texts(option))
    return found


def mentions(raw: Any, text: str) -> bool:
    """Whether any text in ``raw`` (a property as written, intrinsic functions and all) contains ``text``."""
    return any(text in written for written in written_texts(raw))


def one_verdict(
    path: PropertyPath, what: str, values: list[Any], judge: Callable[[Any], Iterable[Violation]]
) -> Iterator[Violation]:
    """``judge`` each value a property may take. Where only some of them (the branches of an undecided
    Fn::If) break the rule, the outcome is decided at deploy time: one finding that fails closed.
    """
    verdicts = [list(judge(value)) for value in values]
    failing = [verdict for verdict in verdicts if verdict]
    if not failing:
        return
    if len(failing) < len(verdicts):
        yield unresolved(path, what, OneOf(tuple(values)))
        return
    seen: set[tuple[PropertyPath, str]] = set()
    for verdict in failing:
        for violation in verdict:
            if (violation.path, violation.message) not in seen:
                seen.add((violation.path, violation.message))
                yield violation


def aws_managed_alias(value: Any, raw: Any) -> str | None:
    """The AWS-managed key alias (``alias/aws/s3``) a key property names, if it names one.

    ``value`` is one resolved option; ``raw`` the property as written (checks.MISSING when a level above
    it is an intrinsic function), searched when the value is only partly known (an Fn::Sub with the
    account in it, in an environment-agnostic stack).
    """
    if isinstance(value, str):
        match = AWS_MANAGED_KEY_ALIAS.search(value)
        return match.group("alias") if match else None
    if isinstance(value, Unknown) and mentions(raw, AWS_MANAGED_KEY_ALIAS_PREFIX):
        return "alias/aws/..."
    return None


def key_violations(
    view: TemplateView,
    properties: Mapping[str, Any],
    path: PropertyPath,
    *,
    what: str,
    missing: str,
    customer_managed: bool,
) -> Iterator[Violation]:
    """The KMS key named at ``path`` (under Properties) must be given wherever the stack may deploy.

    ``what`` names the setting (``the topic's KMS key``); ``missing`` is the message when it is not given
    at all. With ``customer_managed``, an AWS-managed key (``alias/aws/...``) is a violation too.
    """
    yield from key_value_violations(
        values_at(view, properties, path),
        get(properties, path),
        path,
        what=what,
        missing=missing,
        customer_managed=customer_managed,
    )


def key_value_violations(
    values: list[Any],
    raw: Any,
    path: PropertyPath,
    *,
    what: str,
    missing: str,
    customer_managed: bool,
) -> Iterator[Violation]:
    """``key_violations`` over values already resolved (``values_at``/``descend``); ``raw`` as written."""
    unset = [value for value in values if is_unset(value)]
    if unset and len(unset) == len(values):
        yield Violation(prop_path(*path), missing)
        return
    if unset:
        yield unresolved(path, f"whether {what} is set", OneOf(tuple(values)))
        return
    for value in values:
        if not isinstance(value, (str, Unknown)):
            yield Violation(
                prop_path(*path),
                f"{what} is a {type(value).__name__}, not a KMS key ({dotted(path)} must name a key)",
            )
            return
        alias = aws_managed_alias(value, raw) if customer_managed else None
        if alias:
            yield Violation(
                prop_path(*path),
                f"{what} is the AWS-managed key {alias} ({dotted(path)}), {NO_KEY_CONTROL}",
            )
            return
