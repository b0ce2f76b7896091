"""Read CloudFormation templates, JSON or YAML with the short intrinsic tags (!Ref, !Sub, !GetAtt, ...)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from eu_residency.core.vocabulary import SHORT_TAGS, function_of_tag


class TemplateError(ValueError):
    """A file that is not a CloudFormation template; the message is one line for the person."""


# libyaml's parser when PyYAML was built with it (several times faster), else the pure-Python one.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TemplateLoader(_SAFE_LOADER):  # type: ignore[valid-type,misc]
    """SafeLoader that turns ``!Tag value`` into ``{"Fn::Tag": value}`` (``Ref`` and ``Condition`` bare)."""


def _construct(tag: str) -> Any:
    key = function_of_tag(tag)

    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if tag == "GetAtt" and isinstance(value, str):
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        elif isinstance(node, yaml.MappingNode):
            value = loader.construct_mapping(node, deep=True)
        else:
            raise TemplateError(f"!{tag} with a value YAML cannot read")
        return {key: value}

    return construct


for _tag in SHORT_TAGS:
    _TemplateLoader.add_constructor(f"!{_tag}", _construct(_tag))
# Dates stay text: a template's "Version: 2012-10-17" is a string to IAM.
_TemplateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_template(text: str, source: str) -> dict[str, Any]:
    """Parse ``text`` (JSON or YAML) and check it is shaped like a template; ``source`` names it in errors."""
    return parse_template_with_lines(text, source)[0]


def parse_template_with_lines(text: str, source: str) -> tuple[dict[str, Any], dict[str, int]]:
    """The template, and the 1-based line on which each resource starts (for SARIF and editors), from one
    parse.
    """
    try:
        if text.lstrip().startswith("{"):
            document, lines = json.loads(text), json_resource_lines(text)
        else:
            document, lines = _yaml_with_lines(text)
    except json.JSONDecodeError as error:
        raise TemplateError(
            f"{source}: invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise TemplateError(f"{source}: invalid YAML{where}: {problem}") from None
    except RecursionError:
        raise TemplateError(f"{source}: the document is nested too deeply to read") from None
    if not isinstance(document, Mapping):
        raise TemplateError(f"{source}: not a CloudFormation template (the document is not a mapping)")
    resources = document.get("Resources")
    if not isinstance(resources, Mapping) or not resources:
        raise TemplateError(f"{source}: not a CloudFormation template (no Resources section)")
    for logical_id, body in resources.items():
        if not isinstance(body, Mapping) or not isinstance(body.get("Type"), str):
            raise TemplateError(f"{source}: resource {logical_id!r} has no Type; is this a CloudFormation template?")
    return dict(document), lines


def _yaml_with_lines(text: str) -> tuple[Any, dict[str, int]]:
    loader = _TemplateLoader(text)
    try:
        node = loader.get_single_node()
        document = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "Resources" and isinstance(value, yaml.MappingNode):
                lines = {str(name.value): name.start_mark.line + 1 for name, _ in value.value}
    return document, lines


_PRETTY_KEY = re.compile(r'^(?P<indent>\s*)"(?P<key>(?:[^"\\]|\\.)*)"\s*:')


def json_resource_lines(text: str) -> dict[str, int]:
    """Where each resource of a JSON template starts. Pretty-printed JSON (what CDK writes) is read line by
    line: a resource key is a key at the indentation of the first key under "Resources". Other JSON is
    scanned character by character, strings read as strings.
    """
    lines = text.splitlines()
    for number, line in enumerate(lines):
        match = _PRETTY_KEY.match(line)
        if match and match["key"] == "Resources" and line.rstrip().endswith("{"):
            return _pretty_resource_lines(lines, number, len(match["indent"]))
    return _scanned_resource_lines(lines)


def _pretty_resource_lines(lines: list[str], start: int, outer_indent: int) -> dict[str, int]:
    found: dict[str, int] = {}
    indent = None
    for number in range(start + 1, len(lines)):
        line = lines[number]
        stripped = line.lstrip()
        if not stripped:
            continue
        depth = len(line) - len(stripped)
        if depth <= outer_indent:
            break  # the closing brace of "Resources"
        match = _PRETTY_KEY.match(line)
        if match is None:
            continue
        if indent is None:
            indent = depth
        if depth == indent:
            found.setdefault(match["key"], number + 1)
    return found if found else _scanned_resource_lines(lines)


def _scanned_resource_lines(lines: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    depth = 0
    in_resources_at: int | None = None
    last_string: str | None = None
    last_string_line = 0
    for number, line in enumerate(lines, start=1):
        index = 0
        while index < len(line):
            char = line[index]
            if char == '"':
                end = index + 1
                while end < len(line) and line[end] != '"':
                    end += 2 if line[end] == "\\" else 1
                last_string, last_string_line = line[index + 1 : end], number
                index = end + 1
                continue
            if char == ":" and last_string is not None:
                if depth == 1 and last_string == "Resources":
                    in_resources_at = 2
                elif in_resources_at is not None and depth == in_resources_at:
                    found.setdefault(last_string, last_string_line)
                last_string = None
            elif char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
                if in_resources_at is not None and depth < in_resources_at:
                    return found
            elif char == ",":
                last_string = None
            index += 1
    return found


def load_template(path: Path) -> dict[str, Any]:
    return parse_template(read_template_text(path), str(path))


def read_template_text(path: Path) -> str:
    """The file's text, or a TemplateError naming the file and what is wrong."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise TemplateError(f"{path}: is a directory, not a template") from None
    except UnicodeDecodeError:
        raise TemplateError(f"{path}: cannot be read as UTF-8 text; is it a template?") from None
    except OSError as error:
        raise TemplateError(f"{path}: cannot be read ({error.strerror})") from None
