"""EU-RES-036: Bedrock agents, knowledge bases, flows and prompts invoke models only in allowed regions."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from eu_residency.core.resolved import Cause, Text
from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown, options
from eu_residency.core.values import MISSING, get, text_options
from eu_residency.core.vocabulary import MAX_NESTING
from eu_residency.rules.predicates import not_shown, prop_path
from eu_residency.rules.residency._bedrock_models import model_violations
from eu_residency.rules.residency._replication import settled

FLOW = "AWS::Bedrock::Flow"
# The properties, at any depth, that name the model a resource invokes.
MODEL_KEYS: dict[str, frozenset[str]] = {
    # FoundationModel, and each PromptOverrideConfiguration.PromptConfigurations[].FoundationModel
    "AWS::Bedrock::Agent": frozenset({"FoundationModel"}),
    # VectorKnowledgeBaseConfiguration.EmbeddingModelArn
    "AWS::Bedrock::KnowledgeBase": frozenset({"EmbeddingModelArn", "ModelArn"}),
    # the parsing and context-enrichment models: BedrockFoundationModelConfiguration.ModelArn
    "AWS::Bedrock::DataSource": frozenset({"ModelArn"}),
    # each prompt, knowledge base and agent node's ModelId
    FLOW: frozenset({"ModelId"}),
    # each Variants[].ModelId
    "AWS::Bedrock::Prompt": frozenset({"ModelId"}),
    # ModelSource.CopyFrom: the model or system-defined profile the application profile routes to
    "AWS::Bedrock::ApplicationInferenceProfile": frozenset({"CopyFrom"}),
    # Models[].ModelArn and FallbackModel.ModelArn
    "AWS::Bedrock::IntelligentPromptRouter": frozenset({"ModelArn"}),
}
WHAT = "the model"
# A model id in a flow definition given as a JSON string, and a Flow definition substitution (${Name}).
_DEFINITION_MODEL = re.compile(r'"modelId"\s*:\s*"(?P<model>[^"]*)"')
_SUBSTITUTION = re.compile(r"^\$\{(?P<name>[A-Za-z0-9_]+)\}$")
_HOLE = "\x00"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from settled(_violations(resource, view))


def _violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    keys = MODEL_KEYS[resource.type]
    for path, raw in _model_fields(view.resolve(resource.properties), keys, ()):
        yield from model_violations(view, raw, prop_path(*path), WHAT)
    if resource.type == FLOW:
        yield from _definition_string(resource, view)
        if get(resource.properties, ("DefinitionS3Location",)) is not MISSING:
            unknown = Unknown(
                "a flow definition kept in S3, which is not among the templates checked", Cause.OTHER_STACK
            )
            yield not_shown(prop_path("DefinitionS3Location"), "the models the flow invokes cannot be shown", unknown)


def _model_fields(
    value: Any, keys: frozenset[str], path: PropertyPath, depth: int = 0
) -> Iterator[tuple[PropertyPath, Any]]:
    """Each property named one of ``keys`` under the resolved ``value``, in every branch that may deploy."""
    if depth > MAX_NESTING:
        return
    for option in options(value):
        if isinstance(option, Mapping):
            for key, item in option.items():
                if key in keys:
                    yield (*path, key), item
                else:
                    yield from _model_fields(item, keys, (*path, key), depth + 1)
        elif isinstance(option, list):
            for index, item in enumerate(option):
                yield from _model_fields(item, keys, (*path, index), depth + 1)


def _definition_string(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    """A flow definition given as JSON text: each node's modelId, read from the known text; a ${Name} there is
    the flow's DefinitionSubstitutions value of that name."""
    raw = get(resource.properties, ("DefinitionString",))
    if raw is MISSING:
        return
    where = prop_path("DefinitionString")
    substitutions = view.resolve(get(resource.properties, ("DefinitionSubstitutions",)))
    for option in text_options(view, raw):
        if isinstance(option, Text):
            text = option.segments(_HOLE)
        elif isinstance(option, str):
            text = option
        else:
            yield not_shown(where, "the models the flow invokes cannot be shown", option)
            continue
        for match in _DEFINITION_MODEL.finditer(text):
            yield from _definition_model(view, match["model"], substitutions, where)


def _definition_model(view: TemplateView, model: str, substitutions: Any, where: PropertyPath) -> Iterator[Violation]:
    if _HOLE in model:
        unknown = Unknown(f"a model id built from deploy-time values ({model.replace(_HOLE, '${?}')!r})", Cause.TEXT)
        yield not_shown(where, "the model a flow node invokes cannot be shown to run in an allowed region", unknown)
        return
    named = _SUBSTITUTION.match(model)
    if named is None:
        yield from model_violations(view, model, where, WHAT)
        return
    for option in options(substitutions):
        value = option.get(named["name"], MISSING) if isinstance(option, Mapping) else option
        if value is MISSING:
            continue  # not a substitution: CloudFormation leaves the text as written
        yield from model_violations(view, value, where, WHAT)


RULE = Rule(
    id="EU-RES-036",
    title="Bedrock agents, knowledge bases, flows and prompts invoke models only in allowed regions",
    explanation=(
        "A model invocation sends the prompt, which may carry user data and retrieved documents, to where the "
        "model runs, and the answer back. A model id runs in the stack's region and a model ARN in its own; a "
        "cross-Region inference profile routes each request to one of its destination regions: global. profiles "
        "to any commercial region and us., apac., jp., au., ca., us-gov. and amer. profiles to regions outside "
        "the EU (fatal). eu. profiles route among European regions that vary by model and include, for some, "
        "London and Zurich, outside the EU: that cannot be shown (an error), like a model given by parameter."
    ),
    fix="Name an in-region model id or a foundation-model ARN of an allowed region instead of a cross-Region "
    "profile: Agent FoundationModel, KnowledgeBase EmbeddingModelArn, DataSource ModelArn, Flow nodes' "
    "ModelId, Prompt Variants[].ModelId, ApplicationInferenceProfile ModelSource.CopyFrom (L2, "
    "@aws-cdk/aws-bedrock-alpha: foundation_model=BedrockFoundationModel(...), not CrossRegionInferenceProfile).",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset(MODEL_KEYS),
    check_resource=check,
)
