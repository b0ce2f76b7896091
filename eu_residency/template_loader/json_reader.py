"""Read a JSON template as CloudFormation does: duplicate keys, NaN and Infinity refused; integers of any
length read; the line on which each resource starts found without a second parse.
"""

from __future__ import annotations

import json
import re
from typing import Any

from eu_residency.core.vocabulary import MAX_INTEGER_DIGITS
from eu_residency.template_loader.errors import TemplateError


class _DuplicateKeyError(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKeyError(key)
            seen.add(key)
    return mapping


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _integer(text: str) -> int | str:
    return int(text) if len(text.lstrip("-")) <= MAX_INTEGER_DIGITS else text


def read_json(text: str, source: str) -> tuple[Any, dict[str, int]]:
    """The document and the line on which each resource starts."""
    try:
        try:
            document = json.loads(text, object_pairs_hook=_unique, parse_constant=_constant)
        except ValueError as error:
            if isinstance(error, json.JSONDecodeError) or "integer string conversion" not in str(error):
                raise
            # A number longer than Python converts by default: read it as its text (rare, so read again).
            document = json.loads(text, object_pairs_hook=_unique, parse_constant=_constant, parse_int=_integer)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise TemplateError(f"{source}: invalid JSON at {where}: {error.msg}") from None
    except _DuplicateKeyError as duplicate:
        lines = duplicate_key_lines(text, duplicate.key)
        where = f"line {lines[1]}: " if len(lines) > 1 else ""
        also = f" (also at line {lines[0]})" if len(lines) > 1 else ""
        raise TemplateError(
            f"{source}: {where}the key {duplicate.key!r} is written twice in one object{also}; "
            "CloudFormation refuses duplicate keys"
        ) from None
    except ValueError as error:  # NaN, Infinity
        raise TemplateError(f"{source}: invalid JSON: {error}") from None
    return document, json_resource_lines(text)


def duplicate_key_lines(text: str, key: str) -> list[int]:
    """The lines of the first object in ``text`` that holds ``key`` twice: where it is first and second."""
    stack: list[dict[str, int]] = []
    for token, line, is_key in _tokens(text):
        if token == "{":
            stack.append({})
        elif token == "}":
            if stack:
                stack.pop()
        elif is_key and stack:
            if token == key and key in stack[-1]:
                return [stack[-1][key], line]
            stack[-1].setdefault(token, line)
    return []


_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\]:,]|\n')


def _tokens(text: str) -> Any:
    """(token, line, whether it is an object key) for strings and braces of ``text``, in order."""
    line = 1
    pending: tuple[str, int] | None = None
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token == "\n":
            line += 1
            continue
        if token == ":" and pending is not None:
            yield pending[0], pending[1], True
            pending = None
            continue
        pending = None
        if token.startswith('"'):
            try:
                pending = (json.loads(token), line)
            except ValueError:
                pending = None
            continue
        yield token, line, False


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
