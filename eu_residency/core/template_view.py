"""A read-only view of one CloudFormation template, and the resolver rules use to read its values.

The resolver works out ``Ref``, ``Fn::GetAtt``, ``Fn::Sub``, ``Fn::Join``, ``Fn::Select``, ``Fn::If``,
``Fn::FindInMap`` and conditions where the template alone decides them. What it cannot decide becomes
an ``Unknown`` that says why, so that rules fail closed instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from eu_residency.core.regions import partition_of
from eu_residency.core.settings import RuleSettings
from eu_residency.core.vocabulary import (
    ACCOUNT_ID,
    CONDITION_FUNCTIONS,
    CROSS_STACK_FUNCTIONS,
    MAX_NESTING,
    NO_VALUE_NAME,
    PARTITION,
    PSEUDO_PREFIX,
    REGION,
    STANDARD_URL_SUFFIX,
    SUB_VARIABLE,
    URL_SUFFIX,
)

T = TypeVar("T")


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
        path = self.metadata.get("aws:cdk:path")
        return path if isinstance(path, str) else None


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be known from the template; ``reason`` says why, for the finding."""

    reason: str


@dataclass(frozen=True)
class ResourceRef(Unknown):
    """A Ref or Fn::GetAtt to a resource of this template: unknown as text, known as a referent."""

    logical_id: str = ""
    attribute: str | None = None


@dataclass(frozen=True)
class OneOf:
    """An ``Fn::If`` whose condition the template does not decide: any of the options may deploy."""

    options: tuple[Any, ...]


class _NoValue:
    """AWS::NoValue, and (as checks.MISSING) a property that is absent: falsy, like an empty value."""

    def __repr__(self) -> str:
        return "AWS::NoValue"

    def __bool__(self) -> bool:
        return False


NO_VALUE = _NoValue()


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

    def __post_init__(self) -> None:
        resources = self.template.get("Resources")
        self._resources: Mapping[str, Any] = resources if isinstance(resources, Mapping) else {}
        self._condition_cache: dict[str, bool | None] = {}
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
        """The value with every intrinsic the template decides worked out; the rest as Unknown/OneOf."""
        if depth > MAX_NESTING:
            return Unknown(f"a value nested deeper than {MAX_NESTING} levels")
        if isinstance(value, list):
            return [self.resolve(item, depth + 1) for item in value]
        if not isinstance(value, Mapping):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self._ref(argument)
            if key == "Fn::GetAtt":
                return self._get_att(argument)
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
        return Unknown(f"expected text, found {type(resolved).__name__}")

    def truth(self, value: Any) -> bool | None:
        """True or False when the template decides a boolean property, None when it does not."""
        resolved = self.resolve(value)
        if isinstance(resolved, bool):
            return resolved
        if isinstance(resolved, str) and resolved.lower() in ("true", "false"):
            return resolved.lower() == "true"
        if isinstance(resolved, OneOf):
            options = {self.truth(option) for option in resolved.options}
            return options.pop() if len(options) == 1 else None
        return None

    def condition(self, name: str) -> bool | None:
        """The value of a named condition, or None when it depends on deploy-time input."""
        if name not in self._condition_cache:
            self._condition_cache[name] = None  # a cycle resolves to unknown
            conditions = self.template.get("Conditions")
            body = conditions.get(name) if isinstance(conditions, Mapping) else None
            self._condition_cache[name] = None if body is None else self._evaluate(body, 0)
        return self._condition_cache[name]

    # -- intrinsic functions ------------------------------------------------------------------------

    def _ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            return Unknown(f"a Ref to {name!r}, which is not a name")
        pseudo = {
            REGION: self.region if self.region else Unknown("the stack's region is not set"),
            ACCOUNT_ID: self.account if self.account else Unknown("the stack's account is not set"),
            PARTITION: self.partition,
            URL_SUFFIX: STANDARD_URL_SUFFIX,
            NO_VALUE_NAME: NO_VALUE,
        }
        if name in pseudo:
            return pseudo[name]
        if name.startswith(PSEUDO_PREFIX):
            return Unknown(f"the pseudo parameter {name}, known only at deploy time")
        parameters = self.template.get("Parameters")
        if isinstance(parameters, Mapping) and name in parameters:
            return Unknown(f"the parameter {name}, chosen at deploy time")
        if name in self._resources:
            return ResourceRef(f"the resource {name}", logical_id=name)
        return Unknown(f"a Ref to {name}, which the template does not define")

    def _get_att(self, argument: Any) -> Any:
        if isinstance(argument, str) and "." in argument:
            argument = argument.split(".", 1)
        if not (isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str)):
            return Unknown(f"a malformed Fn::GetAtt {argument!r}")
        logical_id, attribute = argument
        attribute_name = attribute if isinstance(attribute, str) else "?"
        if logical_id not in self._resources:
            return Unknown(f"Fn::GetAtt of {logical_id}, which the template does not define")
        return ResourceRef(f"the {attribute_name} of {logical_id}", logical_id=logical_id, attribute=attribute_name)

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
        if key in CROSS_STACK_FUNCTIONS:
            return Unknown(f"a value {key} takes from another stack at deploy time")
        if key in CONDITION_FUNCTIONS:
            decided = self._evaluate({key: argument}, depth)
            return decided if decided is not None else Unknown("a condition decided at deploy time")
        return Unknown(f"the result of {key}")

    def _join(self, argument: Any, depth: int) -> Any:
        if not (isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str)):
            return Unknown(f"a malformed Fn::Join {argument!r}"[:200])
        delimiter, parts = argument
        parts = self.resolve(parts, depth)
        if not isinstance(parts, list):
            return Unknown("an Fn::Join over a list the template does not give")
        text = []
        for part in parts:
            if isinstance(part, ResourceRef) and len(parts) > 1:
                # Text around a reference is not the referent: never let it pass for the resource itself.
                return Unknown(f"a text joined from {part.reason} and other parts")
            if isinstance(part, (Unknown, OneOf)):
                return part if isinstance(part, Unknown) else Unknown("an Fn::Join with a conditional part")
            if part is NO_VALUE:
                continue
            text.append(str(part))
        return delimiter.join(text)

    def _sub(self, argument: Any, depth: int) -> Any:
        variables: Mapping[str, Any] = {}
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], Mapping):
            argument, variables = argument
        if not isinstance(argument, str):
            return Unknown(f"a malformed Fn::Sub {argument!r}"[:200])
        unknown: list[Unknown] = []

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name in variables:
                value = self.resolve(variables[name], depth)
            elif "." in name:
                value = self._get_att(name.split(".", 1))
            else:
                value = self._ref(name)
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                return str(value)
            unknown.append(value if isinstance(value, Unknown) else Unknown(f"${{{name}}}"))
            return ""

        text = SUB_VARIABLE.sub(substitute, argument).replace("${!", "${")
        if not unknown:
            return text
        first = unknown[0]
        if isinstance(first, ResourceRef) and argument.strip() != "${" + first.logical_id + "}":
            return Unknown(f"a text built around {first.reason}")
        return first

    def _select(self, argument: Any, depth: int) -> Any:
        if not (isinstance(argument, list) and len(argument) == 2):
            return Unknown(f"a malformed Fn::Select {argument!r}"[:200])
        index, items = self.resolve(argument[0], depth), self.resolve(argument[1], depth)
        if isinstance(index, str) and index.isdigit():
            index = int(index)
        if isinstance(index, int) and not isinstance(index, bool) and isinstance(items, list):
            return items[index] if 0 <= index < len(items) else Unknown(f"Fn::Select index {index} out of range")
        return Unknown("an Fn::Select the template does not decide")

    def _if(self, argument: Any, depth: int) -> Any:
        if not (isinstance(argument, list) and len(argument) == 3 and isinstance(argument[0], str)):
            return Unknown(f"a malformed Fn::If {argument!r}"[:200])
        name, when_true, when_false = argument
        decided = self.condition(name)
        if decided is True:
            return self.resolve(when_true, depth)
        if decided is False:
            return self.resolve(when_false, depth)
        return OneOf((self.resolve(when_true, depth), self.resolve(when_false, depth)))

    def _find_in_map(self, argument: Any, depth: int) -> Any:
        if not (isinstance(argument, list) and len(argument) >= 3):
            return Unknown(f"a malformed Fn::FindInMap {argument!r}"[:200])
        keys = [self.resolve(key, depth) for key in argument[:3]]
        if not all(isinstance(key, str) for key in keys):
            return Unknown("an Fn::FindInMap with keys chosen at deploy time")
        mappings = self.template.get("Mappings")
        try:
            return self.resolve(mappings[keys[0]][keys[1]][keys[2]], depth)  # type: ignore[index]
        except (KeyError, TypeError):
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


def options(value: Any) -> list[Any]:
    """Every value a resolved value may take: the options of an undecided Fn::If, flattened."""
    if isinstance(value, OneOf):
        return [leaf for option in value.options for leaf in options(option)]
    return [value]


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
