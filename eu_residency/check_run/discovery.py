"""Which templates a check reads: files, folders of templates and cloud assemblies, each once."""

from __future__ import annotations

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
                found = list(_directory(path, region))
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


def _directory(directory: Path, region: str | None) -> Iterable[Candidate]:
    if (directory / MANIFEST).is_file():
        yield from _cloud_assembly(directory)
        return
    for path in sorted(directory.rglob("*")):
        if path.is_file() and path.suffix in TEMPLATE_SUFFIXES and not any(part.startswith(".") for part in path.parts):
            yield Candidate(path, region, optional=True)


def _cloud_assembly(directory: Path) -> list[Candidate]:
    """The stacks of a cdk.out, each with the region of its environment (None: environment-agnostic)."""
    try:
        stacks = read_stacks(directory)
    except AssemblyError as error:
        raise InputError(str(error)) from None
    acknowledged: dict[Path, tuple[tuple[str, str, str], ...]] = {}
    for stack in stacks:
        if stack.assembly not in acknowledged:
            acknowledged[stack.assembly] = _cdk_acknowledgements(read_validation_report(stack.validation_report))
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
