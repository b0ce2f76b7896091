"""Values across the stacks of one app, as the inventory reads them: what a property may deploy with, each
value kept with the stack it belongs to. The values themselves come from the core's one resolver over the
app view (``core.app_view``), which follows ``Fn::GetStackOutput``, ``Fn::ImportValue`` and CDK's
cross-region references; a resource of another stack is placed in that stack.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eu_residency.core.resolved import scalar
from eu_residency.core.settings import RuleSettings
from eu_residency.core.template_view import OneOf, Resource, ResourceRef, TemplateView, Unknown, options
from eu_residency.core.values import MISSING, resource_refs
from eu_residency.core.vocabulary import MAX_NESTING
from eu_residency.inventory.records import UNKNOWN_REGION, stack_name
from eu_residency.rules.engine import TemplateInput, app_of

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
    def of(cls, inputs: Sequence[TemplateInput], settings: RuleSettings) -> AppResolver:
        """The app of the templates, built as the check builds it (``engine.app_of``): the same stack names,
        nested stacks and parents, so the inventory and the findings read every value alike.
        """
        app = app_of(inputs, settings)
        return cls(
            [
                AppStack(
                    item.name,
                    item.stack_name or stack_name(item.name),
                    item.region or UNKNOWN_REGION,
                    app.view(item.name),
                )
                for item in inputs
            ]
        )

    def located(self, stack: AppStack, value: Any, depth: int = 0) -> list[Located]:
        """The values ``value`` may take, each with the stack it belongs to (a resource of another stack, reached
        through an output, is placed there); structures come back with their inner values unresolved.
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
            if key == "Ref" or key.startswith("Fn::"):
                return [self._placed(stack, option) for option in options(stack.view.resolve(value))]
        return [(stack, value)]

    def _placed(self, stack: AppStack, value: Any) -> Located:
        """A resolved value with the stack it belongs to: a reference to another stack's resource, there."""
        if isinstance(value, ResourceRef) and not value.local:
            other = next((item for item in self.stacks if item.name == value.stack), None)
            if other is not None:
                return other, ResourceRef(value.reason, value.cause, value.label, value.logical_id, value.attribute)
        return stack, value

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

    def references(self, stack: AppStack, raw: Any) -> list[tuple[AppStack, str]]:
        """Every resource ``raw`` refers to anywhere inside it, in its own stack or (outputs) another."""
        found: list[tuple[AppStack, str]] = []
        for reference in resource_refs(stack.view.resolve(raw)):
            where, placed = self._placed(stack, reference)
            if not any(other is where and logical_id == placed.logical_id for other, logical_id in found):
                found.append((where, placed.logical_id))
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
