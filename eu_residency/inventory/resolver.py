"""Values across the stacks of one app: what a property may deploy with, following ``Fn::GetStackOutput`` and
``Fn::ImportValue`` into the template whose output gives it, each value kept with the stack it came from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eu_residency.core.settings import RuleSettings
from eu_residency.core.template_view import OneOf, Resource, ResourceRef, TemplateView, Unknown, options
from eu_residency.core.values import MISSING, scalar
from eu_residency.core.vocabulary import CROSS_STACK_FUNCTIONS, MAX_NESTING, SUB_VARIABLE
from eu_residency.inventory.records import UNKNOWN_REGION, stack_name

# In a property path: every element of a list.
STAR = "*"


@dataclass
class AppStack:
    """One template of the app, with the stack it deploys and the region it deploys to."""

    name: str  # the template's name, as given
    stack: str
    region: str
    view: TemplateView


# A value and the stack it was resolved in.
Located = tuple[AppStack, Any]


@dataclass
class AppResolver:
    """Reads the values of every stack of an app, following references from one stack to another's outputs."""

    stacks: list[AppStack]

    @classmethod
    def of(cls, templates: Sequence[tuple[str, Mapping[str, Any], str | None]], settings: RuleSettings) -> AppResolver:
        """The app of the templates given as (name, template, region or None)."""
        stacks = []
        for name, template, region in templates:
            view = TemplateView(template=template, region=region, settings=settings, name=name)
            stacks.append(AppStack(name, stack_name(name), region or UNKNOWN_REGION, view))
        return cls(stacks)

    def located(self, stack: AppStack, value: Any, depth: int = 0) -> list[Located]:
        """The values ``value`` may take, each with the stack it was resolved in (a reference to another
        stack's output is followed there); structures come back with their inner values unresolved.
        """
        if depth > MAX_NESTING:
            return [(stack, Unknown("a value nested too deeply"))]
        if isinstance(value, OneOf):
            return [found for option in value.options for found in self.located(stack, option, depth + 1)]
        if isinstance(value, Mapping) and len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Fn::If" and isinstance(argument, list) and len(argument) == 3 and isinstance(argument[0], str):
                decided = stack.view.condition(argument[0])
                branches = [argument[1], argument[2]]
                if decided is not None:
                    branches = [argument[1] if decided else argument[2]]
                return [found for branch in branches for found in self.located(stack, branch, depth + 1)]
            if key == "Fn::GetStackOutput":
                return self._stack_output(stack, argument, depth + 1)
            if key == "Fn::ImportValue":
                return self._import(stack, argument, depth + 1)
            if key == "Ref" or key.startswith("Fn::"):
                return [(stack, option) for option in options(stack.view.resolve(value))]
        return [(stack, value)]

    def _stack_output(self, stack: AppStack, argument: Any, depth: int) -> list[Located]:
        if not isinstance(argument, Mapping):
            return [(stack, Unknown("a malformed Fn::GetStackOutput"))]
        name = stack.view.resolve(argument.get("StackName"))
        output = stack.view.resolve(argument.get("OutputName"))
        other = next((item for item in self.stacks if item.stack == name), None)
        if other is None or not isinstance(output, str):
            return [(stack, Unknown(f"an output of the stack {name}, which is not among the templates"))]
        return self._output_value(other, output, depth)

    def _import(self, stack: AppStack, argument: Any, depth: int) -> list[Located]:
        name = stack.view.resolve(argument)
        if isinstance(name, str):
            for other in self.stacks:
                outputs = other.view.template.get("Outputs")
                for output_name, body in outputs.items() if isinstance(outputs, Mapping) else ():
                    export = body.get("Export") if isinstance(body, Mapping) else None
                    if isinstance(export, Mapping) and other.view.resolve(export.get("Name")) == name:
                        return self._output_value(other, output_name, depth)
        return [(stack, Unknown(f"the export {name}, which no template of the app gives"))]

    def _output_value(self, other: AppStack, output: str, depth: int) -> list[Located]:
        outputs = other.view.template.get("Outputs")
        body = outputs.get(output) if isinstance(outputs, Mapping) else None
        if not isinstance(body, Mapping) or "Value" not in body:
            return [(other, Unknown(f"the output {output} of {other.stack}, which it does not define"))]
        return self.located(other, body["Value"], depth)

    def lookup(self, stack: AppStack, value: Any, path: tuple[str, ...], depth: int = 0) -> list[Located]:
        """The raw values at ``path`` under ``value`` (``*``: every element of a list); MISSING where absent."""
        if not path:
            return [(stack, value)]
        found: list[Located] = []
        for where, option in self.located(stack, value, depth):
            key, rest = path[0], path[1:]
            if option is MISSING or isinstance(option, Unknown):
                found.append((where, option))
            elif key == STAR:
                if isinstance(option, list):
                    for item in option:
                        found += self.lookup(where, item, rest, depth + 1)
                else:
                    found.append((where, Unknown(f"a {type(option).__name__} where a list was expected")))
            elif isinstance(option, Mapping):
                found += self.lookup(where, option.get(key, MISSING), rest, depth + 1)
            else:
                found.append((where, Unknown(f"a {type(option).__name__} where properties were expected")))
        return found

    def values(self, stack: AppStack, value: Any, path: tuple[str, ...] = ()) -> list[Located]:
        """The resolved values at ``path``, each with its stack."""
        return [found for where, raw in self.lookup(stack, value, path) for found in self.located(where, raw)]

    def texts(self, stack: AppStack, value: Any, path: tuple[str, ...] = ()) -> list[str | Unknown]:
        """The texts the value at ``path`` may take (MISSING left out); what is not text is an Unknown."""
        texts: list[str | Unknown] = []
        for _, option in self.values(stack, value, path):
            if option is MISSING:
                continue
            text = scalar(option)
            texts.append(text if text is not None else Unknown(f"a {type(option).__name__} where text was expected"))
        return texts

    def given(self, stack: AppStack, value: Any, path: tuple[str, ...] = ()) -> list[Located]:
        """The values given at ``path`` (``values`` without MISSING), references kept, for destinations."""
        return [(where, option) for where, option in self.values(stack, value, path) if option is not MISSING]

    def references(self, stack: AppStack, raw: Any, depth: int = 0) -> list[tuple[AppStack, str]]:
        """Every resource ``raw`` refers to anywhere inside it, in its own stack or (outputs) another."""
        if depth > MAX_NESTING:
            return []
        found: list[tuple[AppStack, str]] = []
        if isinstance(raw, list):
            for item in raw:
                found += self.references(stack, item, depth + 1)
        elif isinstance(raw, Mapping):
            if len(raw) == 1:
                ((key, argument),) = raw.items()
                if key in ("Ref", "Fn::GetAtt"):
                    target = argument.split(".", 1)[0] if isinstance(argument, str) else None
                    if isinstance(argument, list) and argument and isinstance(argument[0], str):
                        target = argument[0]
                    if target is not None and stack.view.resource(target) is not None:
                        return [(stack, target)]
                    return []
                if key in CROSS_STACK_FUNCTIONS:
                    located = self.located(stack, raw, depth + 1)
                    return [(where, value.logical_id) for where, value in located if isinstance(value, ResourceRef)]
                if key == "Fn::Sub":
                    pair = isinstance(argument, list) and len(argument) == 2
                    template, variables = (argument[0], argument[1]) if pair else (argument, {})
                    for name in SUB_VARIABLE.findall(template if isinstance(template, str) else ""):
                        target = name.strip().split(".", 1)[0]
                        if stack.view.resource(target) is not None:
                            found.append((stack, target))
                    found += self.references(stack, variables, depth + 1)
                    return found
            for item in raw.values():
                found += self.references(stack, item, depth + 1)
        return found

    def tags(self, stack: AppStack, resource: Resource) -> dict[str, list[str | Unknown]]:
        """Every tag of ``resource`` (Tags, BackupVaultTags, FileSystemTags, a global table's replicas' Tags),
        each key with every text its value may take.
        """
        tags: dict[str, list[str | Unknown]] = {}
        raws = [resource.properties.get(name, MISSING) for name in ("Tags", "BackupVaultTags", "FileSystemTags")]
        if resource.type == "AWS::DynamoDB::GlobalTable":
            raws += [raw for _, raw in self.lookup(stack, resource.properties, ("Replicas", STAR, "Tags"))]
        for raw in raws:
            for where, value in self.located(stack, raw):
                if isinstance(value, Mapping):
                    for key, item in value.items():
                        tags.setdefault(str(key), []).extend(self.texts(where, item))
                elif isinstance(value, list):
                    for _, entry in (found for item in value for found in self.located(where, item)):
                        if not isinstance(entry, Mapping):
                            continue
                        for key in self.texts(where, entry.get("Key", MISSING)):
                            if isinstance(key, str):
                                tags.setdefault(key, []).extend(self.texts(where, entry.get("Value", MISSING)))
        return tags
