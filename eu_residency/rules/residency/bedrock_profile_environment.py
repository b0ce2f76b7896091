"""EU-RES-038: functions and containers are not configured with Bedrock profiles that route outside allowed regions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, options
from eu_residency.core.values import get, text_options
from eu_residency.rules.predicates import prop_path
from eu_residency.rules.residency._bedrock_models import named_profile_violations
from eu_residency.rules.residency._replication import settled

FUNCTION = "AWS::Lambda::Function"
TASK_DEFINITION = "AWS::ECS::TaskDefinition"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from settled(_violations(resource, view))


def _violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    for path, value in _environment_values(resource, view):
        what = f"the environment variable {path[-1]}" if resource.type == FUNCTION else "the environment value"
        for option in text_options(view, value):
            yield from named_profile_violations(view, option, prop_path(*path), what)


def _environment_values(resource: Resource, view: TemplateView) -> Iterator[tuple[PropertyPath, Any]]:
    """Each environment value as resolved, with its path: a function's Environment.Variables, a task
    definition's ContainerDefinitions[].Environment[].Value."""
    if resource.type == FUNCTION:
        for variables in options(view.resolve(get(resource.properties, ("Environment", "Variables")))):
            if isinstance(variables, Mapping):
                for name, value in variables.items():
                    yield ("Environment", "Variables", name), value
        return
    for containers in options(view.resolve(get(resource.properties, ("ContainerDefinitions",)))):
        for index, container in enumerate(containers if isinstance(containers, list) else ()):
            for definition in options(container):
                if not isinstance(definition, Mapping):
                    continue
                for pairs in options(definition.get("Environment")):
                    for position, pair in enumerate(pairs if isinstance(pairs, list) else ()):
                        for entry in options(pair):
                            if isinstance(entry, Mapping) and "Value" in entry:
                                yield ("ContainerDefinitions", index, "Environment", position, "Value"), entry["Value"]


RULE = Rule(
    id="EU-RES-038",
    title="Functions and containers are configured only with Bedrock models that run in allowed regions",
    explanation=(
        "An environment value holding a cross-Region inference profile's id or ARN is the model the code "
        "invokes: a global. profile routes its prompts, which may carry user data, to any commercial region and "
        "a us., apac., jp., au., ca., us-gov. or amer. profile to regions outside the EU (fatal); an eu. "
        "profile's European destinations vary by model and include, for some, London and Zurich (an error: it "
        "cannot be shown). Only values that are a profile's id or a Bedrock ARN are read; other text is not a "
        "model."
    ),
    fix="Give the code an in-region model id (anthropic.claude-...) or a foundation-model ARN of an allowed "
    "region instead of the profile: Lambda Environment.Variables (L2: Function(environment={...})), ECS "
    "ContainerDefinitions[].Environment (L2: add_container(environment={...})).",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({FUNCTION, TASK_DEFINITION}),
    check_resource=check,
)
