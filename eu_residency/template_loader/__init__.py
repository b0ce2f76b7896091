"""Read CloudFormation templates, JSON or YAML, safely and as CloudFormation reads them.

``reading`` reads the file (regular files only, at most CloudFormation's size, UTF-8), ``json_reader`` and
``yaml_reader`` parse it (duplicate keys refused, aliases bounded, short tags read as their ``Fn::`` form),
``language_extensions`` expands ``AWS::LanguageExtensions`` (``Fn::ForEach`` ...), and this module checks
that what was read is shaped like a template. Every failure is a ``TemplateError`` of one line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from eu_residency.core.vocabulary import LANGUAGE_EXTENSIONS_TRANSFORM, RAIN_DIRECTIVE_PREFIX, declares_transform
from eu_residency.template_loader.errors import NotATemplateError, TemplateError
from eu_residency.template_loader.json_reader import json_resource_lines, read_json
from eu_residency.template_loader.reading import decode_template, read_template_text
from eu_residency.template_loader.yaml_reader import read_yaml

__all__ = [
    "NotATemplateError",
    "TemplateError",
    "decode_template",
    "json_resource_lines",
    "load_template",
    "parse_template",
    "parse_template_with_lines",
    "read_template_text",
]

# What only a template has: without any of these, a document is plainly something else (a parameters file of
# `--parameter-overrides` or CodePipeline has Parameters only; a workflow, none).
TEMPLATE_MARKS = frozenset({"AWSTemplateFormatVersion", "Transform", "Resources"})
# CloudFormation's logical ids (of resources, parameters and outputs): letters and digits, at most 255.
LOGICAL_ID = re.compile(r"[A-Za-z0-9]{1,255}")
LOGICAL_ID_SECTIONS = ("Resources", "Parameters", "Outputs")


def parse_template(text: str, source: str) -> dict[str, Any]:
    """Parse ``text`` (JSON or YAML) and check it is shaped like a template; ``source`` names it in errors."""
    return parse_template_with_lines(text, source)[0]


def parse_template_with_lines(text: str, source: str) -> tuple[dict[str, Any], dict[str, int]]:
    """The template, and the 1-based line on which each resource starts (for SARIF and editors), from one
    parse. Language extensions are expanded: a resource a loop makes starts on the loop's line.
    """
    try:
        if text.lstrip().startswith("{"):
            document, lines = read_json(text, source)
        else:
            document, lines = read_yaml(text, source)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = error.problem or str(error).splitlines()[0]
        raise TemplateError(f"{source}: invalid YAML{where}: {problem}") from None
    except yaml.YAMLError as error:  # the reader's: a character YAML does not allow
        raise TemplateError(f"{source}: invalid YAML: {' '.join(str(error).split())}") from None
    except RecursionError:
        raise TemplateError(f"{source}: the document is nested too deeply to read") from None
    if not isinstance(document, Mapping):
        raise NotATemplateError(f"{source}: not a CloudFormation template (the document is not a mapping)")
    if RAIN_DIRECTIVE_PREFIX in text and (directive := _rain_directive(document)) is not None:
        line = text.count("\n", 0, text.find(directive)) + 1
        raise TemplateError(
            f"{source}: line {line}: {directive} is a Rain directive, not CloudFormation; run `rain pkg` first"
        )
    if declares_transform(document, LANGUAGE_EXTENSIONS_TRANSFORM):  # the expander is loaded only then
        from eu_residency.template_loader.language_extensions import expand_language_extensions  # noqa: PLC0415

        document, lines = expand_language_extensions(dict(document), lines, source)
    _check_shape(document, source)
    return dict(document), lines


def _rain_directive(document: Mapping[str, Any]) -> str | None:
    """The first key of ``document`` that is a Rain directive (``Rain::Embed``, as JSON writes ``!Rain::Embed``),
    if any. Every value once (the loader has bounded how many there are), without recursion."""
    pending: list[Any] = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, Mapping):
            for key, item in value.items():
                if isinstance(key, str) and key.startswith(RAIN_DIRECTIVE_PREFIX):
                    return key
                pending.append(item)
        elif isinstance(value, list):
            pending.extend(value)
    return None


def _check_shape(document: Mapping[str, Any], source: str) -> None:
    if not TEMPLATE_MARKS.intersection(document):
        raise NotATemplateError(
            f"{source}: not a CloudFormation template (no Resources, AWSTemplateFormatVersion or Transform)"
        )
    if "Resources" not in document:
        raise TemplateError(f"{source}: not a CloudFormation template (no Resources section)")
    resources = document["Resources"]
    if resources is None:
        raise TemplateError(f"{source}: Resources is empty; CloudFormation needs at least one resource")
    if not isinstance(resources, Mapping):
        raise TemplateError(f"{source}: Resources is not a mapping of logical ids to resources")
    if not resources:
        raise TemplateError(f"{source}: Resources is empty; CloudFormation needs at least one resource")
    for section in LOGICAL_ID_SECTIONS:
        entries = document.get(section)
        for logical_id in entries if isinstance(entries, Mapping) else ():
            if not LOGICAL_ID.fullmatch(logical_id):
                raise TemplateError(
                    f"{source}: {section} has the logical id {logical_id!r}; CloudFormation accepts only "
                    "letters and digits (at most 255)"
                )
    for logical_id, body in resources.items():
        if not isinstance(body, Mapping) or not isinstance(body.get("Type"), str):
            raise TemplateError(f"{source}: resource {logical_id!r} has no Type; is this a CloudFormation template?")


def load_template(path: Path) -> dict[str, Any]:
    return parse_template(read_template_text(path), str(path))
