"""Read CloudFormation templates, JSON or YAML with the short intrinsic tags (!Ref, !Sub, !GetAtt, ...)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

SHORT_TAGS = (
    "Ref", "Condition", "Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join", "Select",
    "Split", "Sub", "Transform", "And", "Equals", "If", "Not", "Or", "ToJsonString", "Length",
)  # fmt: skip


class TemplateError(ValueError):
    """A file that is not a CloudFormation template; the message is one line for the person."""


class _TemplateLoader(yaml.SafeLoader):
    """SafeLoader that turns ``!Tag value`` into ``{"Fn::Tag": value}`` (``Ref`` and ``Condition`` bare)."""


def _construct(tag: str) -> Any:
    key = tag if tag in ("Ref", "Condition") else f"Fn::{tag}"

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
    try:
        document = json.loads(text) if text.lstrip().startswith("{") else yaml.load(text, _TemplateLoader)
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
    return dict(document)


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
