"""Nested stacks of a template file: an ``AWS::CloudFormation::Stack`` whose TemplateURL is a local file.

Users of ``aws cloudformation package`` and SAM write a nested stack's TemplateURL as a path beside the
parent (``./child.yaml`` or ``child.yaml``); the packager uploads it at deploy time. Such a child is
checked with its parent, in the parent's region, as the nested stack it becomes. A path that climbs out
of the parent's folder, a URL (https, s3) or a value other than plain text is not read here: EU-RES-002
reports that nested stack. Nesting is bounded (``MAX_NESTING``) and every file is read at most once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from eu_residency.check_run.results import Candidate, TemplateResult
from eu_residency.check_run.sam import as_deployed
from eu_residency.core.vocabulary import (
    DYNAMIC_REFERENCE_PREFIX,
    MAX_LOCAL_NESTED_STACKS,
    MAX_NESTING,
    NESTED_STACK_TYPE,
)
from eu_residency.template_loader import TemplateError, parse_template_with_lines, read_template_text

URL_SCHEMES = ("https:", "http:", "s3:")

Loaded = tuple[Candidate, dict[str, Any], dict[str, int]]


def local_template(parent: Path, url: Any) -> Path | None:
    """The file a TemplateURL names beside ``parent``, when it is a relative path to a file that stays inside
    the parent's folder; None for a URL, an absolute path, a path out of the folder or to nothing, or a value
    that is not text.
    """
    if not isinstance(url, str) or not url.strip() or url.lower().startswith(URL_SCHEMES) or "://" in url:
        return None
    if DYNAMIC_REFERENCE_PREFIX in url:  # read by CloudFormation at deploy time: not a file here
        return None
    name = Path(url.strip())
    if name.is_absolute():
        return None
    folder = parent.parent.resolve()
    path = (parent.parent / name).resolve()
    # A path that names no file (``String``, a typo) is no local template: EU-RES-002 reports the stack.
    return path if path.is_relative_to(folder) and path != parent.resolve() and path.exists() else None


def nested_files(path: Path, template: Mapping[str, Any]) -> list[tuple[str, Path]]:
    """(logical id, file) of each nested stack of ``template`` (read from ``path``) with a local template."""
    resources = template.get("Resources")
    found = []
    for logical_id, body in resources.items() if isinstance(resources, Mapping) else ():
        if isinstance(body, Mapping) and body.get("Type") == NESTED_STACK_TYPE:
            properties = body.get("Properties")
            url = properties.get("TemplateURL") if isinstance(properties, Mapping) else None
            child = local_template(path, url)
            if child is not None:
                found.append((str(logical_id), child))
    return found


def with_local_children(loaded: Sequence[Loaded], results: list[TemplateResult]) -> list[Loaded]:
    """``loaded`` and the nested stacks its template files deploy from local templates.

    Each nested stack is checked as its own template of the app, with its parent: a file that two parents
    nest (or one parent twice) deploys two stacks, checked under each. A file that was also found on its
    own (a folder holding the parent and the child) is checked as the nested stack it is, not as a stack
    of its own. Every file is read once; a child that cannot be read is a result with an error, like any
    template. Loops are cut; depth and count are bounded (``MAX_NESTING``, ``MAX_LOCAL_NESTED_STACKS``):
    beyond them EU-RES-002 reports the nested stacks that were not checked.
    """
    files = [item for item in loaded if not item[0].from_assembly]
    by_path = {candidate.path.resolve(): (template, lines) for candidate, template, lines in files}
    read: dict[Path, tuple[dict[str, Any], dict[str, int]] | None] = {}
    nested: list[Loaded] = []
    children = {child for candidate, template, _ in files for _, child in nested_files(candidate.path, template)}
    # Names taken by stacks that stay top-level; the first nesting of a file takes the file's own name.
    used = {c.name for c, _, _ in loaded if c.from_assembly or c.path.resolve() not in children}
    placed: set[Path] = set()  # files read as a nested stack at least once

    def parsed(child: Path, region: str | None) -> tuple[dict[str, Any], dict[str, int]] | None:
        if child not in read:
            if child in by_path:
                read[child] = by_path[child]
            else:
                try:
                    template, lines = parse_template_with_lines(read_template_text(child), str(child))
                    read[child] = (as_deployed(template, str(child), region), lines)  # SAM: as it deploys
                except TemplateError as error:
                    results.append(TemplateResult(path=str(child), region=region, error=str(error)))
                    read[child] = None
        return read[child]

    def walk(item: Loaded, depth: int, ancestors: frozenset[Path]) -> None:
        candidate, template, _ = item
        if depth >= MAX_NESTING:
            return
        for logical_id, child in nested_files(candidate.path, template):
            if child in ancestors or len(nested) >= MAX_LOCAL_NESTED_STACKS:
                continue  # a loop, or past the bound: EU-RES-002 reports the stack
            found = parsed(child, candidate.region)
            if found is None:
                continue
            shown = _shown(child, candidate.path)
            name = str(shown)
            if name in used:
                name = f"{shown} (nested stack {logical_id} of {candidate.name})"
            used.add(name)
            placed.add(child)
            child_candidate = replace(
                candidate,
                path=shown,
                optional=False,
                cdk_acknowledgements=(),
                parent=candidate.name,
                nested_as=logical_id,
                stack_name=None,
                instance=None if name == str(shown) else name,
            )
            entry: Loaded = (child_candidate, *found)
            nested.append(entry)
            walk(entry, depth + 1, ancestors | {child})

    # Files no other file nests are the top-level stacks; a file only found inside a loop of files is one too.
    for item in files:
        if item[0].path.resolve() not in children:
            walk(item, 0, frozenset({item[0].path.resolve()}))
    for item in files:
        if item[0].path.resolve() in children and item[0].path.resolve() not in placed:
            walk(item, 0, frozenset({item[0].path.resolve()}))
    kept = [item for item in loaded if item[0].from_assembly or item[0].path.resolve() not in placed]
    return [*kept, *nested]


def _shown(child: Path, parent: Path) -> Path:
    """The child's file as the parent's is written (relative when the parent's path is)."""
    return parent.parent / child.relative_to(parent.parent.resolve())
