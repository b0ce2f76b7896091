"""Expand ``AWS::LanguageExtensions`` as CloudFormation's transform does, before the rules read the template.

``Fn::ForEach`` loops (nested; in Conditions, Resources, Outputs and resource properties) become their
copies, the identifier replaced in output keys (``${Id}``; ``&{Id}``: the item's letters and digits), in
``Ref: Id`` and in ``Fn::Sub``; a name a Ref or Fn::GetAtt takes from an intrinsic is resolved. Fn::Length
and Fn::ToJsonString of literals, Fn::FindInMap with DefaultValue of literal keys, and DeletionPolicy,
UpdateReplacePolicy and Condition where the template decides them are worked out.

A loop over a collection the template does not give (a parameter chosen at deploy time) makes one
representative copy: its identifier is ``Fn::Select [0, collection]``, which the resolver reads as chosen at
deploy time, so rules fail closed. In output keys and names that identifier reads ``Each<Identifier>``
(``Topic${Name}`` gives the logical id ``TopicEachName``), an item of a literal collection that is an
intrinsic reads ``<Identifier>Item<n>`` (n from 1), and a digit from 2 is appended when that id is taken.
Every resource a loop makes starts on the line of the loop's key under Resources.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from eu_residency.core.resolved import NO_VALUE
from eu_residency.core.settings import RuleSettings
from eu_residency.core.template_view import TemplateView
from eu_residency.core.vocabulary import (
    LANGUAGE_EXTENSIONS_TRANSFORM,
    MAX_EXPANDED_RESOURCES,
    MAX_EXPANDED_VALUES,
    MAX_NESTING,
    NO_VALUE_NAME,
)
from eu_residency.template_loader.errors import TemplateError

LOOP_PREFIX = "Fn::ForEach::"
# The sections a loop may be written in (Resources including the resources' properties).
LOOP_SECTIONS = ("Conditions", "Resources", "Outputs")
# Resource attributes the transform resolves when an intrinsic gives them.
RESOLVED_ATTRIBUTES = ("DeletionPolicy", "UpdateReplacePolicy", "Condition")
# Resource attributes that name other entries: a Fn::Sub there gives a name, as inside Ref.
NAMING_ATTRIBUTES = frozenset({"Condition", "DependsOn"})
# A place a loop's identifier may be used: ${Id} or &{Id} (a Fn::Sub variable inside another is found too).
_PLACEHOLDER = re.compile(r"[$&]\{([^${}]*)\}")
_NOT_ALPHANUMERIC = re.compile(r"[^0-9A-Za-z]")
# Functions the transform works out wherever they are, and those whose argument it resolves to a name.
_WORKED_OUT = frozenset({"Fn::Length", "Fn::ToJsonString"})
_NAMED = frozenset({"Ref", "Fn::GetAtt", "Fn::FindInMap"})
_NONE: frozenset[str] = frozenset()
# Items of a list that may vanish at deploy time (AWS::NoValue), so the list's length is not literal.
_MAY_VANISH = frozenset({"Fn::If", "Fn::FindInMap"})


# What ``_Expander.literal`` gives for a value the template does not decide before deployment.
NOT_LITERAL: Any = object()


@dataclass(frozen=True)
class _Binding:
    """A loop identifier in one copy: what ``Ref`` and ``${Id}`` in Fn::Sub give (``value``), what ``${Id}``
    and ``&{Id}`` give in keys and names (``key``, ``alphanumeric``), and whether the item is known."""

    value: Any
    key: str
    alphanumeric: str
    known: bool = True


def _known(text: str) -> _Binding:
    return _Binding(text, text, _NOT_ALPHANUMERIC.sub("", text))


@dataclass(frozen=True)
class _Scope:
    """Where the expansion is: the identifiers the loops around bind, the key above (for errors), the depth."""

    bindings: Mapping[str, _Binding]
    key: str | None = None
    parent: _Scope | None = None
    depth: int = 0

    def at(self, key: str | None = None, bindings: Mapping[str, _Binding] | None = None) -> _Scope:
        return _Scope(self.bindings if bindings is None else bindings, key, self, self.depth + 1)

    def __str__(self) -> str:
        above = str(self.parent) if self.parent is not None else ""
        return "/".join(part for part in (above, self.key) if part)


def expand_language_extensions(
    template: Mapping[str, Any], lines: Mapping[str, int], source: str
) -> tuple[dict[str, Any], dict[str, int]]:
    """The template as the transform makes it, and the line of each resource (a loop's resources: the line of
    the loop); ``template`` is left as it is. A malformed loop, or loops that would make more than
    MAX_EXPANDED_RESOURCES resources, are a ``TemplateError`` of one line naming the loop."""
    expander = _Expander(template, source)
    expanded = dict(template)
    new_lines = dict(lines)
    for section in LOOP_SECTIONS:
        body = template.get(section)
        if isinstance(body, Mapping):
            origins: dict[str, str] = {}
            scope = _Scope({}, section)
            expanded[section] = expander.entries(
                body, scope, top=False, resources=section == "Resources", origins=origins
            )
            if section == "Resources":
                new_lines = {logical_id: lines[key] for logical_id, key in origins.items() if key in lines}
    _drop_transform(expanded)
    _resolve_attributes(expanded)
    return expanded, new_lines


def _drop_transform(template: dict[str, Any]) -> None:
    transform = template.get("Transform")
    if isinstance(transform, list):
        rest = [name for name in transform if name != LANGUAGE_EXTENSIONS_TRANSFORM]
        if rest:
            template["Transform"] = rest
            return
    template.pop("Transform", None)


def _resolve_attributes(template: dict[str, Any]) -> None:
    """DeletionPolicy, UpdateReplacePolicy and Condition given by an intrinsic: the text when the template
    decides it (the one resolver reads it), gone when it is AWS::NoValue, else left for deploy time."""
    resources = template.get("Resources")
    if not isinstance(resources, dict):
        return
    pending = [
        (logical_id, attribute)
        for logical_id, body in resources.items()
        if isinstance(body, Mapping)
        for attribute in RESOLVED_ATTRIBUTES
        if attribute in body and not isinstance(body[attribute], str)
    ]
    if not pending:
        return
    view = TemplateView(template, region=None, settings=RuleSettings())
    for logical_id, attribute in pending:
        value = view.resolve(resources[logical_id][attribute])
        if value is NO_VALUE or isinstance(value, str):
            body = {key: item for key, item in resources[logical_id].items() if key != attribute}
            resources[logical_id] = body if value is NO_VALUE else {**body, attribute: value}


def _is_function(value: Any) -> bool:
    """A mapping of one key that is an intrinsic function (``Ref`` or ``Fn::...``, a loop excepted)."""
    if not isinstance(value, Mapping) or len(value) != 1:
        return False
    (key,) = value
    return isinstance(key, str) and (key == "Ref" or (key.startswith("Fn::") and not key.startswith(LOOP_PREFIX)))


def _text(value: Any) -> str | None:
    """A scalar as CloudFormation passes it as text, or None."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _has_variable(text: str) -> bool:
    """Whether a Fn::Sub text holds a variable (``${Name}``, not ``${!Literal}``), in one pass: no regular
    expression that retries at every ``${`` of a long text."""
    position = 0
    while (opening := text.find("${", position)) != -1:
        if opening + 2 < len(text) and text[opening + 2] not in "}!":
            return text.find("}", opening + 3) != -1
        position = opening + 1
    return False


def _inside_variable(text: str, index: int) -> bool:
    """Whether ``index`` is inside an open ``${`` of a Fn::Sub string (``${Queue${Id}.Arn}``)."""
    start = text.rfind("${", 0, index)
    return start != -1 and text.find("}", start, index) == -1


def _may_vanish(item: Any) -> bool:
    """An item of a list that may be AWS::NoValue at deploy time, so that the list's length is not literal."""
    if not _is_function(item):
        return False
    ((key, argument),) = item.items()
    return key in _MAY_VANISH or (key == "Ref" and argument == NO_VALUE_NAME)


def _substitute(text: str, name: str, binding: _Binding, naming: bool, added: dict[str, Any]) -> str:
    """A Fn::Sub text with ``${name}`` and ``&{name}`` replaced; an unknown item stays a variable of the Fn::Sub
    (its value put in ``added``), except inside another variable or in a name, where its key is written."""
    if binding.known or naming:
        value = binding.key if naming else binding.value
        return text.replace(f"${{{name}}}", value).replace(f"&{{{name}}}", binding.alphanumeric)
    pieces: list[str] = []
    start = 0
    for match in re.finditer(rf"[$&]\{{{re.escape(name)}\}}", text):
        pieces.append(text[start : match.start()])
        if _inside_variable(text, match.start()):
            pieces.append(binding.key if match.group().startswith("$") else binding.alphanumeric)
        else:
            pieces.append(f"${{{name}}}")
            added[name] = binding.value
        start = match.end()
    pieces.append(text[start:])
    return "".join(pieces)


def _shape(value: Any) -> str:
    return f"a list of {len(value)} items" if isinstance(value, list) else f"a {type(value).__name__}"


class _Expander:
    """One expansion: the template's mappings and parameters, the budget spent, and what is memoized by node."""

    def __init__(self, template: Mapping[str, Any], source: str) -> None:
        self.source = source
        mappings = template.get("Mappings")
        self.mappings: Mapping[str, Any] = mappings if isinstance(mappings, Mapping) else {}
        parameters = template.get("Parameters")
        self.parameters = frozenset(parameters) if isinstance(parameters, Mapping) else frozenset()
        self.resources_made = 0
        self.values_planned = 0
        # Memos by node id; each keeps its node, so the id is not reused while the expansion runs.
        self._names: dict[int, tuple[Any, frozenset[str]]] = {}
        self._changes: dict[int, tuple[Any, bool]] = {}
        self._sizes: dict[int, tuple[Any, int]] = {}
        self._unbound: dict[tuple[int, bool], tuple[Any, Any]] = {}

    def error(self, scope: _Scope, problem: str) -> TemplateError:
        return TemplateError(f"{self.source}: the loop {scope} {problem}")

    # -- walking ---------------------------------------------------------------------------------------

    def walk(self, node: Any, scope: _Scope, naming: bool = False) -> Any:
        """``node`` with the loops in it expanded and the scope's identifiers replaced; unchanged parts are
        shared. ``naming``: the node gives a name (a Ref's argument), so an unknown item gives its key."""
        if scope.depth > MAX_NESTING or not isinstance(node, (dict, list)):
            return node
        if scope.bindings and self.names(node, scope.depth) & scope.bindings.keys():
            return self._walk(node, scope, naming)
        if not self.changes(node, scope.depth):
            return node
        if scope.bindings:
            scope = scope.at(bindings={})
        memo = (id(node), naming)
        if memo not in self._unbound:  # a node shared by YAML aliases or by loop copies is walked once
            self._unbound[memo] = (node, self._walk(node, scope, naming))
        return self._unbound[memo][1]

    def _walk(self, node: Any, scope: _Scope, naming: bool) -> Any:
        if isinstance(node, list):
            items = [self.walk(item, scope.at(), naming) for item in node]
            return node if all(new is old for new, old in zip(items, node, strict=True)) else items
        if _is_function(node):
            return self._function(node, scope, naming)
        return self.entries(node, scope, top=False)

    def entries(
        self,
        node: Mapping[str, Any],
        scope: _Scope,
        *,
        top: bool,
        resources: bool = False,
        origins: dict[str, str] | None = None,
    ) -> Any:
        """A mapping's entries, its loops merged in; ``top``: it is a loop's fragment, whose keys are output
        keys; ``resources``: its keys are logical ids; ``origins`` gets the key each entry comes from."""
        loops = [key for key in node if isinstance(key, str) and key.startswith(LOOP_PREFIX)]
        if not loops and not top and origins is None:
            values = {key: self._value(value, scope.at(key), resources) for key, value in node.items()}
            return node if all(values[key] is node[key] for key in node) else values
        written = {key: self.key(key, scope.bindings) if top else key for key in node if key not in loops}
        taken: set[str] = set()
        for key in written.values():
            if key in taken:
                raise self.error(scope, f"makes the key {key!r} twice; give each output key its own name")
            taken.add(key)
        result: dict[str, Any] = {}
        made_by: dict[str, str] = {}
        for key, value in node.items():
            if key in written:
                result[written[key]] = self._value(value, scope.at(key), resources)
                if origins is not None:
                    origins[written[key]] = key
                continue
            at = scope.at(key)
            for copy in self.loop(value, at, taken, resources):
                for new_key, new_value in copy.items():
                    if new_key in taken:
                        if made_by.get(new_key) == key:
                            raise self.error(
                                at,
                                f"makes the key {new_key!r} twice; its output key must contain ${{{value[0]}}} "
                                f"or &{{{value[0]}}}",
                            )
                        raise self.error(at, f"makes the key {new_key!r}, which is already defined beside it")
                    taken.add(new_key)
                    result[new_key] = new_value
                    made_by[new_key] = key
                    if origins is not None:
                        origins[new_key] = key
        return result

    def _value(self, value: Any, scope: _Scope, resources: bool) -> Any:
        if resources and isinstance(value, Mapping) and not _is_function(value):
            body = {
                name: self.walk(item, scope.at(name), naming=name in NAMING_ATTRIBUTES) for name, item in value.items()
            }
            return value if all(body[name] is value[name] for name in value) else body
        return self.walk(value, scope)

    @staticmethod
    def key(key: Any, bindings: Mapping[str, _Binding]) -> Any:
        """An output key with each identifier replaced: ``${Id}`` by the item, ``&{Id}`` by its letters and
        digits."""
        if not isinstance(key, str):
            return key
        for name, binding in bindings.items():
            key = key.replace(f"${{{name}}}", binding.key).replace(f"&{{{name}}}", binding.alphanumeric)
        return key

    # -- loops -----------------------------------------------------------------------------------------

    def loop(self, value: Any, scope: _Scope, taken: set[str], resources: bool) -> Iterator[dict[str, Any]]:
        """The copies of one loop's fragment, the budget checked before any is built."""
        if not isinstance(value, list) or len(value) != 3:
            raise self.error(scope, f"is {_shape(value)}; Fn::ForEach takes [identifier, collection, fragment]")
        identifier, collection, fragment = value
        if not isinstance(identifier, str) or not identifier:
            raise self.error(scope, f"has the identifier {identifier!r:.60}, which is not a name")
        if identifier in scope.bindings:
            raise self.error(scope, f"reuses the identifier {identifier!r} of a loop that holds it")
        if identifier in self.parameters:
            raise self.error(scope, f"has the identifier {identifier!r}, which is also a parameter of the template")
        if not isinstance(fragment, Mapping):
            raise self.error(scope, f"has a fragment that is {_shape(fragment)}, not a mapping of output keys")
        items = self.collection(collection, identifier, scope)
        outputs = sum(1 for key in fragment if not (isinstance(key, str) and key.startswith(LOOP_PREFIX)))
        if resources and self.resources_made + len(items) * outputs > MAX_EXPANDED_RESOURCES:
            raise self.error(scope, f"would make the loops give more than {MAX_EXPANDED_RESOURCES:,} resources")
        self.values_planned += len(items) * self.size(fragment, scope.depth)
        if self.values_planned > MAX_EXPANDED_VALUES:
            raise self.error(scope, f"would make the loops build more than {MAX_EXPANDED_VALUES:,} values")
        if resources:
            self.resources_made += len(items) * outputs
        for item in items:
            for suffix in ("", *(str(digit) for digit in range(2, 10))):  # a digit when an unknown item's id is taken
                named = replace(item, key=item.key + suffix, alphanumeric=item.alphanumeric + suffix)
                bindings = {**scope.bindings, identifier: named}
                copy = self.entries(fragment, scope.at(bindings=bindings), top=True, resources=resources)
                if item.known or not copy.keys() & taken:
                    break
            yield copy

    def collection(self, collection: Any, identifier: str, scope: _Scope) -> list[_Binding]:
        """The identifier's value in each copy: the items the template gives, else one representative."""
        name = _NOT_ALPHANUMERIC.sub("", identifier)
        if isinstance(collection, list):
            items: list[_Binding] = []
            for index, item in enumerate(collection):
                walked = self.walk(item, scope.at())
                text = _text(self.literal(walked))
                if text is not None:
                    items.append(_known(text))
                elif _is_function(walked):
                    placeholder = f"{name}Item{index + 1}"
                    items.append(_Binding(walked, placeholder, placeholder, known=False))
                else:
                    raise self.error(scope, f"has the item {item!r:.60}, which is neither text nor an intrinsic")
            return items
        if not _is_function(collection):
            raise self.error(
                scope,
                f"iterates over {_shape(collection)}; the collection is a list or an intrinsic function "
                "(a Ref to a CommaDelimitedList parameter)",
            )
        walked = self.walk(collection, scope.at())
        literal = self.literal(walked)
        if literal is not NOT_LITERAL and not isinstance(literal, list):
            raise self.error(scope, f"iterates over {literal!r:.60}, which is not a list")
        if isinstance(literal, list):
            texts = [_text(item) for item in literal]
            if None in texts:
                item = literal[texts.index(None)]
                raise self.error(scope, f"iterates over a list holding {item!r:.60}, which is not text")
            return [_known(text) for text in texts if text is not None]
        placeholder = f"Each{name}"
        return [_Binding({"Fn::Select": [0, walked]}, placeholder, placeholder, known=False)]

    # -- intrinsic functions ---------------------------------------------------------------------------

    def _function(self, node: Mapping[str, Any], scope: _Scope, naming: bool) -> Any:
        ((key, argument),) = node.items()
        bindings = scope.bindings
        if key == "Ref":
            name = argument if isinstance(argument, str) else self.name(argument, scope)
            binding = bindings.get(name) if isinstance(name, str) else None
            if binding is not None:
                return binding.key if naming else binding.value
            return node if name is argument else {"Ref": name}
        if key == "Fn::GetAtt" and isinstance(argument, list):
            parts = [self.name(part, scope) for part in argument]
            return node if all(new is old for new, old in zip(parts, argument, strict=True)) else {key: parts}
        if key == "Fn::Sub":
            return self.sub(node, scope, naming)
        walked = self.walk(argument, scope.at())
        if key == "Fn::FindInMap":
            return self.find_in_map(walked)
        if key == "Fn::Length":
            return self.length(walked)
        if key == "Fn::ToJsonString":
            literal = self.literal(walked)
            if isinstance(literal, (Mapping, list)):
                return json.dumps(literal, separators=(",", ":"), ensure_ascii=False)
        return node if walked is argument else {key: walked}

    def name(self, argument: Any, scope: _Scope) -> Any:
        """The argument of a Ref or Fn::GetAtt: the name an intrinsic gives, when the template decides it."""
        if not isinstance(argument, (Mapping, list)):
            return argument
        walked = self.walk(argument, scope.at(), naming=True)
        literal = self.literal(walked)
        return literal if isinstance(literal, str) else walked

    def sub(self, node: Mapping[str, Any], scope: _Scope, naming: bool) -> Any:
        """A Fn::Sub with each identifier replaced; a text with no variable left is that text."""
        argument = node["Fn::Sub"]
        pair = isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], Mapping)
        text, variables = (argument[0], self.walk(argument[1], scope.at())) if pair else (argument, None)
        if not isinstance(text, str):
            return node  # malformed: left for the resolver to say so
        added: dict[str, Any] = {}
        for name, binding in scope.bindings.items():
            text = _substitute(text, name, binding, naming, added)
        if not added and not _has_variable(text):
            return text.replace("${!", "${")
        if variables is None:
            return {"Fn::Sub": [text, added]} if added else node if text == argument else {"Fn::Sub": text}
        if not added and text == argument[0] and variables is argument[1]:
            return node
        return {"Fn::Sub": [text, {**variables, **added}]}

    def find_in_map(self, walked: Any) -> Any:
        """Keys the template decides are written as text; with DefaultValue, a missing entry gives the default
        and a present one the standard Fn::FindInMap the resolver reads. Keys chosen at deploy time stay."""
        keys = [_text(self.literal(key)) for key in walked[:3]] if isinstance(walked, list) else [None]
        if len(keys) < 3 or None in keys:
            return {"Fn::FindInMap": walked}
        texts = [key for key in keys if key is not None]
        default = walked[3] if len(walked) == 4 else None
        if not (isinstance(default, Mapping) and set(default) == {"DefaultValue"}):
            return {"Fn::FindInMap": texts + walked[3:]}
        mapping = self.mappings.get(texts[0])
        if not isinstance(mapping, Mapping):
            return {"Fn::FindInMap": walked}
        entries = mapping.get(texts[1])
        if isinstance(entries, Mapping) and texts[2] in entries:
            return {"Fn::FindInMap": texts}
        return default["DefaultValue"]

    def length(self, walked: Any) -> Any:
        """The number of items of a list the template gives, items that may vanish (AWS::NoValue) excepted."""
        if isinstance(walked, list) and not any(_may_vanish(item) for item in walked):
            return len(walked)
        literal = self.literal(walked)
        return len(literal) if isinstance(literal, list) else {"Fn::Length": walked}

    def literal(self, value: Any, depth: int = 0) -> Any:
        """The value the template gives before deployment (``NOT_LITERAL`` when it does not); AWS::NoValue in
        a list or mapping leaves it out, as CloudFormation does."""
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        if depth > MAX_NESTING:
            return NOT_LITERAL
        if isinstance(value, list):
            items = [self.literal(item, depth + 1) for item in value]
            if any(item is NOT_LITERAL for item in items):
                return NOT_LITERAL
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, Mapping):
            return NOT_LITERAL
        if _is_function(value):
            ((key, argument),) = value.items()
            return self._literal_function(key, argument, depth)
        entries = {key: self.literal(item, depth + 1) for key, item in value.items()}
        if any(item is NOT_LITERAL for item in entries.values()):
            return NOT_LITERAL
        return {key: item for key, item in entries.items() if item is not NO_VALUE}

    def _literal_function(self, key: str, argument: Any, depth: int) -> Any:
        if key == "Ref":
            return NO_VALUE if argument == NO_VALUE_NAME else NOT_LITERAL
        if key == "Fn::Sub":
            if isinstance(argument, str) and not _has_variable(argument):
                return argument.replace("${!", "${")
            return NOT_LITERAL
        if key == "Fn::FindInMap":
            return self._literal_lookup(argument, depth)
        args = self.literal(argument, depth + 1)
        if args is NOT_LITERAL:
            return NOT_LITERAL
        pair = args if isinstance(args, list) and len(args) == 2 else None
        if key == "Fn::Join" and pair and isinstance(pair[0], str) and isinstance(pair[1], list):
            texts = [_text(item) for item in pair[1]]
            return pair[0].join(text for text in texts if text is not None) if None not in texts else NOT_LITERAL
        if key == "Fn::Select" and pair and isinstance(pair[1], list):
            index = _text(pair[0])
            if index is not None and index.isdigit() and int(index) < len(pair[1]):
                return pair[1][int(index)]
        if key == "Fn::Split" and pair and isinstance(pair[0], str) and pair[0] and isinstance(pair[1], str):
            return pair[1].split(pair[0])
        return NOT_LITERAL  # Fn::Length and Fn::ToJsonString of literals are worked out before they get here

    def _literal_lookup(self, argument: Any, depth: int) -> Any:
        """A Fn::FindInMap the template decides: the entry, or its DefaultValue when the entry is missing."""
        if not isinstance(argument, list) or len(argument) not in (3, 4):
            return NOT_LITERAL
        keys = [_text(self.literal(item, depth + 1)) for item in argument[:3]]
        if None in keys:
            return NOT_LITERAL
        mapping = self.mappings.get(keys[0] or "")
        entries = mapping.get(keys[1] or "") if isinstance(mapping, Mapping) else None
        if isinstance(entries, Mapping) and keys[2] in entries:
            return self.literal(entries[keys[2]], depth + 1)
        default = argument[3] if len(argument) == 4 else None
        if isinstance(mapping, Mapping) and isinstance(default, Mapping) and set(default) == {"DefaultValue"}:
            return self.literal(default["DefaultValue"], depth + 1)
        return NOT_LITERAL

    # -- what nodes hold -------------------------------------------------------------------------------

    def names(self, node: Any, depth: int) -> frozenset[str]:
        """Every name a node may use as a loop identifier: Ref targets and ``${...}``/``&{...}`` in texts."""
        if isinstance(node, str):
            return frozenset(_PLACEHOLDER.findall(node)) if "{" in node else _NONE
        if depth > MAX_NESTING or not isinstance(node, (dict, list)):
            return _NONE
        known = self._names.get(id(node))
        if known is not None:
            return known[1]
        found: set[str] = set()
        for key, item in node.items() if isinstance(node, dict) else enumerate(node):
            found |= self.names(item, depth + 1) | (self.names(key, depth + 1) if isinstance(key, str) else _NONE)
            if key == "Ref" and isinstance(item, str):
                found.add(item)
        names = frozenset(found)
        self._names[id(node)] = (node, names)
        return names

    def changes(self, node: Any, depth: int) -> bool:
        """Whether the transform changes a node even outside a loop: it holds a loop, or a function the
        transform works out, or a Ref, Fn::GetAtt or Fn::FindInMap whose names are intrinsics."""
        if depth > MAX_NESTING or not isinstance(node, (dict, list)):
            return False
        known = self._changes.get(id(node))
        if known is not None:
            return known[1]
        if isinstance(node, list):
            found = any(self.changes(item, depth + 1) for item in node)
        elif len(node) == 1 and _is_function(node):
            ((key, argument),) = node.items()
            names = [argument] if not isinstance(argument, list) else argument
            intrinsic_names = key in _NAMED and not all(isinstance(name, str) for name in names)
            found = key in _WORKED_OUT or intrinsic_names or self.changes(argument, depth + 1)
        else:
            found = any(
                (isinstance(key, str) and key.startswith(LOOP_PREFIX)) or self.changes(item, depth + 1)
                for key, item in node.items()
            )
        self._changes[id(node)] = (node, found)
        return found

    def size(self, node: Any, depth: int) -> int:
        """How many values a node holds, shared ones counted each time they are used."""
        if depth > MAX_NESTING or not isinstance(node, (Mapping, list)):
            return 1
        known = self._sizes.get(id(node))
        if known is not None:
            return known[1]
        items = node.values() if isinstance(node, Mapping) else node
        total = 1 + sum(self.size(item, depth + 1) for item in items)
        self._sizes[id(node)] = (node, total)
        return total
