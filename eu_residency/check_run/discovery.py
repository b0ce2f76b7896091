"""Which templates a check reads: files, folders of templates and cloud assemblies, each once."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from eu_residency.assembly import MANIFEST, AssemblyError, ValidationReport, read_stacks, read_validation_report
from eu_residency.check_run.results import Candidate, TemplateResult
from eu_residency.core.rule_model import PLUGIN_NAME

TEMPLATE_SUFFIXES = (".json", ".yaml", ".yml", ".template")


class InputError(ValueError):
    """An input that cannot be checked at all (the message is one line naming it)."""


def find_templates(paths: Sequence[str], region: str | None) -> tuple[list[Candidate], list[TemplateResult]]:
    """The templates named by ``paths`` (files, directories, cloud assemblies), each once, and the bad inputs."""
    candidates: list[Candidate] = []
    bad: list[TemplateResult] = []
    seen: set[Path] = set()
    for name in paths:
        path = Path(name)
        if path.is_dir():
            try:
                found = list(_directory(path, region, bad))
            except InputError as error:
                bad.append(TemplateResult(path=name, region=region, error=str(error)))
                continue
            if not found:
                bad.append(TemplateResult(path=name, region=region, error=f"{name}: no CloudFormation template in it"))
        elif path.exists():
            found = [Candidate(path, region)]
        else:
            bad.append(TemplateResult(path=name, region=region, error=f"{name}: no such file or directory"))
            continue
        for candidate in found:
            if candidate.path.resolve() not in seen:
                seen.add(candidate.path.resolve())
                candidates.append(candidate)
    return candidates, bad


def _directory(directory: Path, region: str | None, bad: list[TemplateResult]) -> Iterable[Candidate]:
    """The files of ``directory`` with a template's suffix (in any case), in name order. Hidden files and
    folders below ``directory`` are left out (``.git``, ``.aws-sam``); the folder given may be hidden itself.
    Symbolic links to folders are not followed (no loops).
    """
    if (directory / MANIFEST).is_file():
        yield from _cloud_assembly(directory, bad)
        return
    found = []
    for folder, subfolders, files in os.walk(directory):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        found += [Path(folder) / name for name in files if not name.startswith(".") and _has_template_suffix(name)]
    for path in sorted(found):
        yield Candidate(path, region, optional=True)


def _has_template_suffix(name: str) -> bool:
    return name.lower().endswith(TEMPLATE_SUFFIXES)


def _cloud_assembly(directory: Path, bad: list[TemplateResult]) -> list[Candidate]:
    """The stacks of a cdk.out, each with the region of its environment (None: environment-agnostic). A
    validation report that cannot be read is a bad input: what CDK acknowledged cannot be shown.
    """
    try:
        stacks = read_stacks(directory)
    except AssemblyError as error:
        raise InputError(str(error)) from None
    acknowledged: dict[Path, tuple[tuple[str, str, str], ...]] = {}
    for stack in stacks:
        if stack.assembly not in acknowledged:
            report = read_validation_report(stack.validation_report)
            if report.error is not None:
                bad.append(TemplateResult(path=str(stack.validation_report), region=stack.region, error=report.error))
            acknowledged[stack.assembly] = _cdk_acknowledgements(report)
    return [
        Candidate(
            stack.template,
            stack.region,
            cdk_acknowledgements=acknowledged[stack.assembly],
            parent=str(stack.parent.template) if stack.parent else None,
            nested_as=stack.nested_stack_resource,
            stack_name=stack.stack_name,
            from_assembly=True,
        )
        for stack in stacks
    ]


def _cdk_acknowledgements(report: ValidationReport) -> tuple[tuple[str, str, str], ...]:
    """Our rules' findings that CDK acknowledged at synthesis: (rule id, construct path, reason)."""
    return tuple(
        (finding.rule, finding.construct_path, reason)
        for finding in report.acknowledged
        if finding.plugin == PLUGIN_NAME and finding.construct_path and (reason := (finding.reason or "").strip())
    )
