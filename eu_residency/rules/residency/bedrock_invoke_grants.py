"""EU-RES-037: IAM policies do not grant invoking Bedrock inference profiles that route outside allowed regions."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from fnmatch import fnmatchcase
from typing import Any

from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, options
from eu_residency.core.values import MISSING, get, text_options
from eu_residency.rules.predicates import prop_path
from eu_residency.rules.residency._bedrock_models import named_profile_violations
from eu_residency.rules.residency._replication import settled

# Where each policy resource keeps its documents: PolicyDocument, or each Policies[].PolicyDocument.
DOCUMENT_TYPES = frozenset(
    {
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::RolePolicy",
        "AWS::IAM::UserPolicy",
        "AWS::IAM::GroupPolicy",
    }
)
INLINE_TYPES = frozenset({"AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"})
# The actions that invoke a model (Converse and ConverseStream are authorized as these two).
INVOKE_ACTIONS = ("bedrock:invokemodel", "bedrock:invokemodelwithresponsestream")
WHAT = "the granted resource"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from settled(_violations(resource, view))


def _violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    if resource.type in DOCUMENT_TYPES:
        yield from _document(view, get(resource.properties, ("PolicyDocument",)), ("PolicyDocument",))
        return
    for policies in options(view.resolve(get(resource.properties, ("Policies",)))):
        for index, policy in enumerate(policies if isinstance(policies, list) else ()):
            for option in options(policy):
                if isinstance(option, Mapping):
                    yield from _document(view, option.get("PolicyDocument"), ("Policies", index, "PolicyDocument"))


def _document(view: TemplateView, raw: Any, path: PropertyPath) -> Iterator[Violation]:
    for option in options(view.resolve(raw)):
        document = _parsed(option)
        if not isinstance(document, Mapping):
            continue
        for statements in options(document.get("Statement", MISSING)):
            if isinstance(statements, list):
                for index, statement in enumerate(statements):
                    yield from _statement(view, statement, (*path, "Statement", index))
            else:
                yield from _statement(view, statements, (*path, "Statement"))


def _parsed(document: Any) -> Any:
    """A document given as JSON text, parsed; any other value as it is."""
    if not isinstance(document, str):
        return document
    try:
        return json.loads(document)
    except ValueError:
        return None


def _statement(view: TemplateView, raw: Any, path: PropertyPath) -> Iterator[Violation]:
    for statement in options(raw):
        if not isinstance(statement, Mapping) or not _allows_invoke(view, statement):
            continue
        for resources in options(statement.get("Resource", MISSING)):
            items = list(enumerate(resources)) if isinstance(resources, list) else [(None, resources)]
            for index, item in items:
                where = prop_path(*path, "Resource", *(() if index is None else (index,)))
                for option in text_options(view, item):
                    yield from named_profile_violations(view, option, where, WHAT)


def _allows_invoke(view: TemplateView, statement: Mapping[str, Any]) -> bool:
    """Whether the statement allows invoking a model (an Action of ``bedrock:InvokeModel*``, ``bedrock:*`` or
    ``*``); a Deny, a NotAction or actions the template does not decide grant nothing this rule can read."""
    if text_options(view, statement.get("Effect")) != ["Allow"]:
        return False
    actions: list[Any] = []
    for value in options(statement.get("Action", MISSING)):
        actions += value if isinstance(value, list) else [value]
    for action in actions:
        for text in text_options(view, action):
            if isinstance(text, str) and any(fnmatchcase(wanted, text.lower()) for wanted in INVOKE_ACTIONS):
                return True
    return False


RULE = Rule(
    id="EU-RES-037",
    title="IAM policies grant invoking only Bedrock inference profiles that stay in allowed regions",
    explanation=(
        "Granting bedrock:InvokeModel on a cross-Region inference profile is what lets code send prompts, which "
        "may carry user data, through it: a global. profile routes them to any commercial region and a us., "
        "apac., jp., au., ca., us-gov. or amer. profile to regions outside the EU (fatal); an eu. profile's "
        "European destinations vary by model and include, for some, London and Zurich (an error: it cannot be "
        "shown). A grant on a model ARN must name an allowed region."
    ),
    fix="Grant bedrock:InvokeModel on foundation-model ARNs of allowed regions, and not on inference-profile/"
    "global.*, us.* or other cross-Region profiles (L2: grant a model of the stack's region, e.g. "
    "aws_bedrock.FoundationModel.from_foundation_model_id(...), instead of a profile ARN).",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=DOCUMENT_TYPES | INLINE_TYPES,
    check_resource=check,
)
