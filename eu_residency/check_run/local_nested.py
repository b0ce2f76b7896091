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
from eu_residency.core.vocabulary import DYNAMIC_REFERENCE_PREFIX, MAX_NESTING, NESTED_STACK_TYPE
from eu_residency.template_loader import TemplateError, parse_template_with_lines, read_template_text

URL_SCHEMES = ("https:", "http:", "s3:")

Loaded = tuple[Candidate, dict[str, Any], dict[str, int]]


def local_template(parent: Path, url: Any) -> Path | None:
    """The file a TemplateURL names beside ``parent``, when it is a relative path that stays inside the
    parent's folder; None for a URL, an absolute path, a path out of the folder or a value that is not text.
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
    return path if path.is_relative_to(folder) and path != parent.resolve() else None


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
    """``loaded`` and the local nested templates of the template files in it.

    A file that was also found on its own (a folder holding the parent and the child) is checked once, as
    the nested stack. A child that cannot be read is a result with an error, like any template.
    """
    by_path = {candidate.path.resolve(): (candidate, template, lines) for candidate, template, lines in loaded}
    nested: dict[Path, Loaded] = {}
    unreadable: set[Path] = set()

    def walk(item: Loaded, depth: int, ancestors: frozenset[Path]) -> None:
        candidate, template, _ = item
        if depth >= MAX_NESTING:
            return
        for logical_id, child in nested_files(candidate.path, template):
            if child in ancestors or child in nested or child in unreadable:
                continue  # a loop, or a file already read as another stack's child
            if child in by_path and not by_path[child][0].from_assembly:
                _, child_template, child_lines = by_path[child]
            else:
                try:
                    child_template, child_lines = parse_template_with_lines(read_template_text(child), str(child))
                except TemplateError as error:
                    results.append(TemplateResult(path=str(child), region=candidate.region, error=str(error)))
                    unreadable.add(child)  # read once: not again for another parent
                    continue
            child_candidate = replace(
                candidate,
                path=_shown(child, candidate.path),
                optional=False,
                cdk_acknowledgements=(),
                parent=candidate.path,
                nested_as=logical_id,
                stack_name=None,
            )
            entry: Loaded = (child_candidate, child_template, child_lines)
            nested[child] = entry
            walk(entry, depth + 1, ancestors | {child})

    for item in loaded:
        if not item[0].from_assembly and item[0].path.resolve() not in nested:
            walk(item, 0, frozenset({item[0].path.resolve()}))
    kept = [item for item in loaded if item[0].from_assembly or item[0].path.resolve() not in nested]
    return [*kept, *nested.values()]


def _shown(child: Path, parent: Path) -> Path:
    """The child's file as the parent's is written (relative when the parent's path is)."""
    return parent.parent / child.relative_to(parent.parent.resolve())
