"""A read-only view of one CloudFormation template, and the resolver rules use to read its values.

The one resolver: it works out ``Ref``, ``Fn::GetAtt``, ``Fn::Sub``, ``Fn::Join``, ``Fn::Select``,
``Fn::If``, ``Fn::FindInMap`` and conditions where the template decides them, and, in an app
(``core.app_view``), ``Fn::ImportValue``, ``Fn::GetStackOutput``, CDK's cross-region references and the
parameters a parent passes to its nested stack. What it cannot decide is typed (``core.resolved``): text
with holes, a reference to a resource of the app, the options of an undecided ``Fn::If`` with the
conditions each assumes, or an ``Unknown`` that says why, so that rules fail closed instead of guessing.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from eu_residency.core.conditions import ConditionSolver
from eu_residency.core.messages import shown_value
from eu_residency.core.regions import partition_of
from eu_residency.core.resolved import (
    NO_VALUE,
    Assumptions,
    Cause,
    OneOf,
    Piece,
    ResourceRef,
    Text,
    Unknown,
    cases,
    options,
    relocated,
    scalar,
    text_of,
)
from eu_residency.core.settings import RuleSettings
from eu_residency.core.vocabulary import (
    ACCOUNT_ID,
    CDK_PATH_METADATA,
    CONDITION_FUNCTIONS,
    MAX_COMBINATIONS,
    MAX_NESTING,
    NO_VALUE_NAME,
    PARTITION,
    PSEUDO_PREFIX,
    REGION,
    STANDARD_URL_SUFFIX,
    URL_SUFFIX,
    split_sub,
)

T = TypeVar("T")

# CDK's reader of values another region's stack exports (crossRegionReferences): Fn::GetAtt of it, by the
# export's name, is the value the writer in the other stack exports under that name.
CROSS_REGION_EXPORT_READER = "Custom::CrossRegionExportReader"
CROSS_REGION_EXPORT_WRITER = "Custom::CrossRegionExportWriter"


@dataclass(frozen=True)
class Resource:
    """One resource as CloudFormation sees it."""

    logical_id: str
    type: str
    properties: Mapping[str, Any]
    metadata: Mapping[str, Any] = field(default_factory=dict)
    condition: str | None = None

    @property
    def construct_path(self) -> str | None:
        path = self.metadata.get(CDK_PATH_METADATA)
        return path if isinstance(path, str) else None


class AppLinks(Protocol):
    """What a template view asks of the app it belongs to (``core.app_view.AppView``): the values other
    templates give it, each as (the view of the template that gives it, the raw value there)."""

    def export(self, name: str) -> tuple[TemplateView, Any] | None: ...

    def stack_output(self, stack: str, output: str, region: str | None) -> tuple[TemplateView, Any] | str: ...

    def passed_parameter(self, view: TemplateView, name: str) -> tuple[TemplateView, Any] | None: ...

    def cross_region_export(self, name: str) -> tuple[TemplateView, Any] | None: ...

    def nested_child(self, parent: str, logical_id: str) -> str | None: ...


@dataclass
class TemplateView:
    """One template, the stack's region and account when known, and the settings rules read."""

    template: Mapping[str, Any]
    region: str | None
    settings: RuleSettings
    account: str | None = None
    name: str = "template"
    # Buckets of every template checked together (an app's stacks): bucket name -> region.
    app_buckets: Mapping[str, str | None] = field(default_factory=dict)
    # For a nested stack: the template of the stack it deploys with (its region is that stack's).
    parent: str | None = None
    # The app this template is checked in: exports, stack outputs, parameters a parent passes.
    app: AppLinks | None = None

    def __post_init__(self) -> None:
        resources = self.template.get("Resources")
        self._resources: Mapping[str, Any] = resources if isinstance(resources, Mapping) else {}
        parameters = self.template.get("Parameters")
        self._parameters: Mapping[str, Any] = parameters if isinstance(parameters, Mapping) else {}
        conditions = self.template.get("Conditions")
        self._conditions: Mapping[str, Any] = conditions if isinstance(conditions, Mapping) else {}
        self._condition_cache: dict[str, bool | None] = {}
        self._solver: ConditionSolver | None = None
        # Built once: rules that look for related resources (a bucket's policy) stay linear.
        self._all = [
            _resource(logical_id, body)
            for logical_id, body in self._resources.items()
            if isinstance(body, Mapping) and isinstance(body.get("Type"), str)
        ]
        self._by_id = {resource.logical_id: resource for resource in self._all}
        self._by_type: dict[str, list[Resource]] = {}
        for resource in self._all:
            self._by_type.setdefault(resource.type, []).append(resource)
        self._memo: dict[str, Any] = {}
        self._ifs: dict[int, tuple[Any, Any]] = {}

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()``, once per view: for indexes rules build over the whole template."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[no-any-return]

    # -- resources ---------------------------------------------------------------------------------

    def resources(self) -> Iterator[Resource]:
        return iter(self._all)

    def resource(self, logical_id: str) -> Resource | None:
        return self._by_id.get(logical_id)

    def resources_of_type(self, resource_type: str) -> Iterator[Resource]:
        return iter(self._by_type.get(resource_type, ()))

    @property
    def partition(self) -> str:
        return partition_of(self.region)

    # -- values -----------------------------------------------------------------------------------

    def resolve(self, value: Any, depth: int = 0) -> Any:
        """The value with every intrinsic the app decides worked out; the rest typed (``core.resolved``)."""
        if depth > MAX_NESTING:
            return Unknown(f"a value nested deeper than {MAX_NESTING} levels", Cause.LIMIT)
        if isinstance(value, list):
            return [self.resolve(item, depth + 1) for item in value]
        if not isinstance(value, Mapping):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self._ref(argument, depth + 1)
            if key == "Fn::GetAtt":
                return self._get_att(argument, depth + 1)
            if key.startswith("Fn::") or key == "Condition":
                return self._function(key, argument, depth + 1)
        return {key: self.resolve(item, depth + 1) for key, item in value.items()}

    def resolve_string(self, value: Any) -> str | Unknown | OneOf:
        """A value that should be a string, resolved; anything else comes back as Unknown."""
        resolved = self.resolve(value)
        if isinstance(resolved, (str, Unknown, OneOf)):
            return resolved
        if isinstance(resolved, (int, float)) and not isinstance(resolved, bool):
            return str(resolved)
        return Unknown(f"a {type(resolved).__name__} where text was expected")

    def cases(self, value: Any, resource: Resource | None = None) -> list[tuple[Assumptions, Any]]:
        """Every value a resolved value may take, with the conditions it assumes, leaving out what the
        template's conditions make impossible (under ``resource``'s own condition, when it has one)."""
        base: Assumptions = frozenset({(resource.condition, True)}) if resource and resource.condition else frozenset()
        return [(assumed, option) for assumed, option in cases(value, base) if self.possible(assumed)]

    def possible(self, assumptions: Assumptions) -> bool:
        """Whether the conditions ``assumptions`` names can hold together (see ``core.conditions``)."""
        if not assumptions:
            return True
        if self._solver is None:
            self._solver = ConditionSolver(self._conditions, self._parameters, self.resolve)
        return self._solver.possible(assumptions)

    def truth(self, value: Any) -> bool | None:
        """True or False when the template decides a boolean property, None when it does not."""
        resolved = self.resolve(value)
        if isinstance(resolved, bool):
            return resolved
        if isinstance(resolved, str) and resolved.lower() in ("true", "false"):
            return resolved.lower() == "true"
        if isinstance(resolved, OneOf):
            found = {self.truth(option) for option in options(resolved)}
            return found.pop() if len(found) == 1 else None
        return None

    def condition(self, name: str) -> bool | None:
        """The value of a named condition, or None when it depends on deploy-time input."""
        if name not in self._condition_cache:
            self._condition_cache[name] = None  # a cycle resolves to unknown
            body = self._conditions.get(name)
            decided = None if body is None else self._evaluate(body, 0)
            if decided is None and body is not None:
                # Deploy-time input that can make it only one way (AllowedValues, a contradiction) decides it.
                if not self.possible(frozenset({(name, True)})):
                    decided = False
                elif not self.possible(frozenset({(name, False)})):
                    decided = True
            self._condition_cache[name] = decided
        return self._condition_cache[name]

    # -- intrinsic functions ------------------------------------------------------------------------

    def _ref(self, name: Any, depth: int = 0) -> Any:
        if not isinstance(name, str):
            return Unknown(f"a Ref to {shown_value(name)}, which is not a name")
        label = f"${{{name}}}"
        if name == REGION:
            return self.region or Unknown("the stack's region, which is not set", Cause.STACK_REGION, label)
        if name == ACCOUNT_ID:
            return self.account or Unknown("the stack's account, which is not set", Cause.STACK_ACCOUNT, label)
        if name == PARTITION:
            return self.partition
        if name == URL_SUFFIX:
            return STANDARD_URL_SUFFIX
        if name == NO_VALUE_NAME:
            return NO_VALUE
        if name.startswith(PSEUDO_PREFIX):
            return Unknown(f"the pseudo parameter {name}, known only at deploy time", Cause.PSEUDO, label)
        if name in self._parameters:
            passed = self.app.passed_parameter(self, name) if self.app is not None else None
            if passed is not None:
                parent, raw = passed
                return relocated(parent.resolve(raw, depth + 1), parent.name, parent.region)
            return Unknown(f"the parameter {name}, chosen at deploy time", Cause.PARAMETER, label)
        if name in self._resources:
            return ResourceRef(f"the resource {name}", Cause.RESOURCE, label, logical_id=name)
        return Unknown(f"a Ref to {name}, which the template does not define", Cause.MALFORMED, label)

    def _get_att(self, argument: Any, depth: int = 0) -> Any:
        if isinstance(argument, str) and "." in argument:
            argument = argument.split(".", 1)
        if not (isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str)):
            return Unknown(f"a malformed Fn::GetAtt {shown_value(argument)}")
        logical_id, attribute = argument
        attribute_name = attribute if isinstance(attribute, str) else "?"
        label = f"${{{logical_id}.{attribute_name}}}"
        if logical_id not in self._resources:
            return Unknown(f"Fn::GetAtt of {logical_id}, which the template does not define", Cause.MALFORMED, label)
        resource = self._by_id.get(logical_id)
        if resource is not None and resource.type == CROSS_REGION_EXPORT_READER and self.app is not None:
            found = self.app.cross_region_export(attribute_name)
            if found is not None:
                other, raw = found
                return relocated(other.resolve(raw, depth + 1), other.name, other.region)
        return ResourceRef(
            f"the {attribute_name} of {logical_id}",
            Cause.RESOURCE,
            label,
            logical_id=logical_id,
            attribute=attribute_name,
        )

    def _function(self, key: str, argument: Any, depth: int) -> Any:
        if key == "Fn::Join":
            return self._join(argument, depth)
        if key == "Fn::Sub":
            return self._sub(argument, depth)
        if key == "Fn::Select":
            return self._select(argument, depth)
        if key == "Fn::If":
            return self._if(argument, depth)
        if key == "Fn::FindInMap":
            return self._find_in_map(argument, depth)
        if key == "Fn::ImportValue":
            return self._import(argument, depth)
        if key == "Fn::GetStackOutput":
            return self._stack_output(argument, depth)
        if key in CONDITION_FUNCTIONS:
            decided = self._evaluate({key: argument}, depth)
            if decided is not None:
                return decided
            return Unknown("a condition decided at deploy time", Cause.CONDITION)
        return Unknown(f"the result of {key}, worked out at deploy time", Cause.FUNCTION, f"${{{key}}}")

    def _import(self, argument: Any, depth: int) -> Any:
        name = self.resolve(argument, depth)
        if not isinstance(name, str):
            if isinstance(name, Unknown):
                return Unknown(f"an export whose name is {name.reason}", name.cause, "${ImportValue}")
            return Unknown("an export whose name is not text", Cause.MALFORMED, "${ImportValue}")
        found = self.app.export(name) if self.app is not None else None
        if found is None:
            return Unknown(
                f"the export {name}, which no template checked with this one gives",
                Cause.OTHER_STACK,
                f"${{ImportValue {name}}}",
            )
        other, raw = found
        return relocated(other.resolve(raw, depth + 1), other.name, other.region)

    def _stack_output(self, argument: Any, depth: int) -> Any:
        if not isinstance(argument, Mapping):
            return Unknown("a malformed Fn::GetStackOutput")
        stack, output = self.resolve(argument.get("StackName"), depth), self.resolve(argument.get("OutputName"), depth)
        region = self.resolve(argument.get("Region"), depth) if "Region" in argument else self.region
        if not (isinstance(stack, str) and isinstance(output, str)):
            return Unknown("an output of a stack the template does not name", Cause.OTHER_STACK, "${GetStackOutput}")
        label = f"${{GetStackOutput {stack}.{output}}}"
        if self.app is None:
            return Unknown(
                f"the output {output} of the stack {stack}, not checked with this one", Cause.OTHER_STACK, label
            )
        found = self.app.stack_output(stack, output, region if isinstance(region, str) else None)
        if isinstance(found, str):
            return Unknown(found, Cause.OTHER_STACK, label)
        other, raw = found
        return relocated(other.resolve(raw, depth + 1), other.name, other.region)

    def _combined(self, choices: list[list[tuple[Assumptions, Any]]], build: Callable[[list[Any]], Any]) -> Any:
        """``build`` over every possible combination of the parts' options: one value, or a OneOf."""
        if all(len(choice) == 1 and not choice[0][0] for choice in choices):
            return build([choice[0][1] for choice in choices])  # one combination that assumes nothing
        count = 1
        for choice in choices:
            count *= max(len(choice), 1)
        if count > MAX_COMBINATIONS:
            return Unknown(f"a text with more than {MAX_COMBINATIONS} conditional combinations", Cause.LIMIT)
        built: list[Any] = []
        assumed: list[Assumptions] = []
        for combination in itertools.product(*choices):
            assumptions: Assumptions = frozenset().union(*(part[0] for part in combination))
            if self.possible(assumptions):
                built.append(build([part[1] for part in combination]))
                assumed.append(assumptions)
        if len(built) == 1 and not assumed[0]:
            return built[0]
        if not built:
            return Unknown("a value no combination of the template's conditions can give", Cause.CONDITION)
        return OneOf(tuple(built), tuple(assumed))

    def _join(self, argument: Any, depth: int) -> Any:
        if not (isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str)):
            return Unknown(f"a malformed Fn::Join {shown_value(argument)}")
        delimiter, parts = argument
        parts = self.resolve(parts, depth)
        if not isinstance(parts, list):
            if isinstance(parts, Unknown):
                return Unknown(f"a text joined from a list that is {parts.reason}", parts.cause)
            return Unknown("an Fn::Join over a list the template does not give")

        def build(values: list[Any]) -> Any:
            pieces: list[Piece] = []
            for value in values:
                if value is NO_VALUE:
                    continue
                if pieces:
                    pieces.append(delimiter)
                pieces.append(_piece(value))
            return text_of(pieces)

        return self._combined([cases(part) for part in parts], build)

    def _sub(self, argument: Any, depth: int) -> Any:
        variables: Mapping[str, Any] = {}
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], Mapping):
            argument, variables = argument
        if not isinstance(argument, str):
            return Unknown(f"a malformed Fn::Sub {shown_value(argument)}")
        split = split_sub(argument)  # literal, name, literal, name, ..., literal
        choices: list[list[tuple[Assumptions, Any]]] = []
        for index, piece in enumerate(split):
            if index % 2 == 0:
                choices.append([(frozenset(), piece.replace("${!", "${"))])
                continue
            name = piece.strip()
            if name in variables:
                value = self.resolve(variables[name], depth)
                if isinstance(value, Unknown) and value.label == "${?}":
                    value = Unknown(value.reason, value.cause, f"${{{name}}}")
            elif "." in name:
                value = self._get_att(name.split(".", 1), depth)
            else:
                value = self._ref(name, depth)
            choices.append(cases(value))
        return self._combined(choices, lambda values: text_of([_piece(value) for value in values]))

    def _select(self, argument: Any, depth: int) -> Any:
        if not (isinstance(argument, list) and len(argument) == 2):
            return Unknown(f"a malformed Fn::Select {shown_value(argument)}")
        index, items = self.resolve(argument[0], depth), self.resolve(argument[1], depth)
        if isinstance(index, str) and index.isdigit():
            index = int(index)
        if isinstance(index, int) and not isinstance(index, bool) and isinstance(items, list):
            if 0 <= index < len(items):
                return items[index]
            return Unknown(f"Fn::Select index {index} out of range")
        if isinstance(items, Unknown):
            return Unknown(f"an item of a list that is {items.reason}", items.cause)
        return Unknown("an Fn::Select the template does not decide", Cause.FUNCTION)

    def _if(self, argument: Any, depth: int) -> Any:
        if not (isinstance(argument, list) and len(argument) == 3 and isinstance(argument[0], str)):
            return Unknown(f"a malformed Fn::If {shown_value(argument)}")
        # Each Fn::If is worked out once: a template may share one (YAML aliases) in many places.
        known = self._ifs.get(id(argument))
        if known is not None and known[0] is argument:
            return known[1]
        result = self._branches(argument, depth)
        self._ifs[id(argument)] = (argument, result)  # the argument kept, so its id is not reused
        return result

    def _branches(self, argument: list[Any], depth: int) -> Any:
        name, when_true, when_false = argument
        decided = self.condition(name)
        if decided is True:
            return self.resolve(when_true, depth)
        if decided is False:
            return self.resolve(when_false, depth)
        branches = (self.resolve(when_true, depth), self.resolve(when_false, depth))
        for branch in branches:
            if isinstance(branch, Unknown) and branch.cause is Cause.LIMIT:
                return branch
        chosen = OneOf(branches, (frozenset({(name, True)}), frozenset({(name, False)})))
        if chosen.size > MAX_COMBINATIONS:
            return Unknown(f"a value with more than {MAX_COMBINATIONS} conditional options", Cause.LIMIT)
        return chosen

    def _find_in_map(self, argument: Any, depth: int) -> Any:
        if not (isinstance(argument, list) and len(argument) >= 3):
            return Unknown(f"a malformed Fn::FindInMap {shown_value(argument)}")
        keys = [self.resolve(key, depth) for key in argument[:3]]
        if not all(isinstance(key, str) for key in keys):
            unknown = next((key for key in keys if isinstance(key, Unknown)), None)
            why = f": one of its keys is {unknown.reason}" if unknown else ""
            return Unknown(f"an Fn::FindInMap with keys chosen at deploy time{why}", Cause.FUNCTION)
        mappings = self.template.get("Mappings")
        try:
            return self.resolve(mappings[keys[0]][keys[1]][keys[2]], depth)  # type: ignore[index]
        except (KeyError, TypeError):
            # AWS::LanguageExtensions: a fourth argument {DefaultValue: X} is what a missing entry gives.
            options = argument[3] if len(argument) > 3 else None
            if isinstance(options, Mapping) and "DefaultValue" in options:
                return self.resolve(options["DefaultValue"], depth)
            return Unknown(f"Fn::FindInMap {'/'.join(keys)}, which the mappings do not hold")

    def _evaluate(self, body: Any, depth: int) -> bool | None:
        """A condition expression: True, False, or None when deploy-time input decides it."""
        if depth > MAX_NESTING or not isinstance(body, Mapping) or len(body) != 1:
            return None
        ((key, argument),) = body.items()
        if key == "Condition":
            return self.condition(argument) if isinstance(argument, str) else None
        if key == "Fn::Not" and isinstance(argument, list) and len(argument) == 1:
            inner = self._evaluate(argument[0], depth + 1)
            return None if inner is None else not inner
        if key in ("Fn::And", "Fn::Or") and isinstance(argument, list):
            values = [self._evaluate(item, depth + 1) for item in argument]
            if key == "Fn::And":
                return False if False in values else (None if None in values else True)
            return True if True in values else (None if None in values else False)
        if key == "Fn::Equals" and isinstance(argument, list) and len(argument) == 2:
            left, right = (self.resolve(item, depth + 1) for item in argument)
            if isinstance(left, (Unknown, OneOf)) or isinstance(right, (Unknown, OneOf)):
                return None
            return bool(str(left) == str(right))
        return None


def _piece(value: Any) -> Piece:
    """A resolved part of a text: text, a number as CloudFormation writes it, or a hole."""
    text = scalar(value)
    return text if text is not None else Unknown(f"a {type(value).__name__} where text was expected")


def _resource(logical_id: str, body: Mapping[str, Any]) -> Resource:
    properties = body.get("Properties")
    metadata = body.get("Metadata")
    condition = body.get("Condition")
    return Resource(
        logical_id=logical_id,
        type=body["Type"],
        properties=properties if isinstance(properties, Mapping) else {},
        metadata=metadata if isinstance(metadata, Mapping) else {},
        condition=condition if isinstance(condition, str) else None,
    )


__all__ = [
    "NO_VALUE",
    "AppLinks",
    "Cause",
    "OneOf",
    "Resource",
    "ResourceRef",
    "TemplateView",
    "Text",
    "Unknown",
    "options",
]
