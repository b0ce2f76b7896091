"""``eu-residency check``: find the templates, run the rule core over them together, apply acknowledgements."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from eu_residency.check_run.acknowledgement_audit import (
    CDK_SOURCE,
    Acknowledgeable,
    AcknowledgementProblem,
    audit_acknowledgements,
)
from eu_residency.check_run.acknowledgement_sources import (
    cdk_places,
    template_place,
    written_by_cdk,
    written_in_template,
)
from eu_residency.check_run.cdk_metadata import read_cdk_metadata
from eu_residency.check_run.construct_fixes import ConstructFixes
from eu_residency.check_run.discovery import find_templates
from eu_residency.check_run.local_nested import with_local_children
from eu_residency.check_run.results import (
    Acknowledgement,
    Candidate,
    CheckedFinding,
    CheckRun,
    Nesting,
    NestingKind,
    TemplateResult,
)
from eu_residency.check_run.sam import as_deployed, reported
from eu_residency.check_run.stack_sets import with_stack_set_templates
from eu_residency.core.acknowledgements import template_acknowledgement
from eu_residency.core.rule_model import Finding
from eu_residency.core.settings import RuleSettings
from eu_residency.core.vocabulary import CDK_PATH_METADATA, MAX_NESTING, STACK_SET_TYPE
from eu_residency.rules.engine import TemplateInput, active_rules, check_templates
from eu_residency.template_loader import NotATemplateError, TemplateError, parse_template_with_lines, read_template_text

# A nested stack's resource is PATH.NestedStack/...
NESTED_STACK_PATH = ".NestedStack/"


def run_check(paths: Sequence[str], *, region: str | None, settings: RuleSettings) -> CheckRun:
    """Check every template named by ``paths`` as one app; bad inputs become results with an error."""
    candidates, results = find_templates(paths, region)
    loaded: list[tuple[Candidate, dict[str, Any], dict[str, int]]] = []
    skipped: list[str] = []
    for candidate in candidates:
        try:
            template, lines = parse_template_with_lines(read_template_text(candidate.path), str(candidate.path))
            # A SAM template is checked as what it deploys; one the translator refuses is an error.
            template = as_deployed(template, str(candidate.path), candidate.region)
        except TemplateError as error:
            if candidate.optional and isinstance(error, NotATemplateError):
                skipped.append(str(candidate.path))  # found by a folder scan: plainly some other file
            else:
                results.append(TemplateResult(path=str(candidate.path), region=candidate.region, error=str(error)))
            continue
        loaded.append((candidate, template, lines))
    if skipped and not loaded and not results:
        names = ", ".join(paths)
        results.append(
            TemplateResult(
                path=names,
                region=region,
                error=f"{names}: no CloudFormation template in it ({len(skipped)} file(s) with a template's "
                "suffix are something else)",
            )
        )
    loaded = with_local_children(loaded, results)
    loaded = with_stack_set_templates(loaded, results)
    inputs = tuple(
        TemplateInput(
            name=c.name,
            template=t,
            region=c.region,
            parent=c.parent,
            nested_as=c.nested_as,
            stack_name=c.stack_name,
        )
        for c, t, _ in loaded
    )
    findings = check_templates(inputs, settings)
    nesting = _nesting(loaded)
    templates = {candidate.name: template for candidate, template, _ in loaded}
    keys = {candidate.name: _template_key(candidate, nesting.get(candidate.name)) for candidate, _, _ in loaded}
    assemblies = {
        candidate.path.parent: read_cdk_metadata(candidate.path.parent)
        for candidate, _, _ in loaded
        if candidate.from_assembly
    }
    lines_of = {str(candidate.path): lines for candidate, _, lines in loaded if candidate.instance is None}
    acknowledgeable: list[Acknowledgeable] = []
    written = [
        replace(
            acknowledgement, line=lines_of.get(acknowledgement.template or "", {}).get(acknowledgement.logical_id or "")
        )
        for directory, metadata in assemblies.items()
        for acknowledgement in written_by_cdk(directory, metadata)
    ]
    checked_results: list[TemplateResult] = []
    construct_fixes = ConstructFixes()
    for candidate, template, lines in loaded:
        placed = nesting.get(candidate.name)
        cdk = assemblies.get(candidate.path.parent) if candidate.from_assembly else None
        checked = []
        for finding in findings[candidate.name]:
            # A finding on a resource SAM generated is acknowledged by the SAM resource's Metadata, which SAM's
            # generated resources carry.
            construct_path = finding.construct_path or (
                cdk.construct_path(str(candidate.path), finding.logical_id) if cdk else None
            )
            shown = _shown(candidate, template, finding, construct_path, construct_fixes)
            acknowledgement = _acknowledged(
                candidate, template, replace(finding, construct_path=construct_path), placed, templates
            )
            checked.append(CheckedFinding(shown, acknowledgement, lines.get(shown.logical_id or "", 1)))
            places = {template_place(keys[candidate.name], shown.logical_id), *cdk_places(construct_path)}
            if placed is not None and placed.kind is NestingKind.STACK_SET_INSTANCE:
                stack_set = cdk.construct_path(str(candidate.path), candidate.nested_as) if cdk else None
                places |= {template_place(keys[candidate.parent or ""], candidate.nested_as)}
                places |= cdk_places(stack_set or placed.path)
            acknowledgeable.append(Acknowledgeable(shown, frozenset(places)))
        written += [
            replace(acknowledgement, line=lines.get(acknowledgement.logical_id or "", 1))
            for acknowledgement in written_in_template(
                keys[candidate.name], str(candidate.path), template, inside=_stack_set_of(candidate, placed)
            )
        ]
        checked_results.append(
            TemplateResult(
                path=str(candidate.path),
                region=candidate.region,
                findings=tuple(checked),
                resources=len(template.get("Resources", {})),
                nested_in=nesting.get(candidate.name),
            )
        )
    rules_run = {rule.id for rule in active_rules(settings)}
    problems = audit_acknowledgements(written, acknowledgeable, rules_run=rules_run)
    results += _with_problems(checked_results, problems)
    order = {name: index for index, name in enumerate(paths)}
    results.sort(key=lambda result: (order.get(result.path, len(order)), result.path))
    return CheckRun(results=tuple(results), settings=settings, inputs=inputs, skipped=tuple(skipped))


def _shown(
    candidate: Candidate,
    template: Mapping[str, Any],
    finding: Finding,
    construct_path: str | None,
    construct_fixes: ConstructFixes,
) -> Finding:
    """``finding`` as reported: on the SAM resource that generated its resource (which is what has a line); in a
    CDK assembly at its construct path, with the fix in the words of the construct that generated the resource."""
    shown = reported(template, finding)
    if not candidate.from_assembly or candidate.instance is not None or shown.logical_id != finding.logical_id:
        return shown
    fix = construct_fixes.fix(finding, construct_path, candidate.path.parent)
    return replace(shown, construct_path=construct_path, fix=fix)


def _nesting(loaded: Sequence[tuple[Candidate, dict[str, Any], dict[str, int]]]) -> dict[str, Nesting]:
    """Nested template -> its top-level stack's template, its path there and what deploys it: the construct
    path CDK records on the resource that deploys it (``aws:cdk:path``; a nested stack's ends before
    ``.NestedStack/``), else the logical ids of the resources leading to it."""
    by_name = {candidate.name: (candidate, template) for candidate, template, _ in loaded}
    found: dict[str, Nesting] = {}

    def place(name: str, depth: int) -> Nesting | None:
        candidate, _ = by_name[name]
        parent = candidate.parent
        if parent is None or parent not in by_name or candidate.nested_as is None or depth > MAX_NESTING:
            return None
        if name not in found:
            resource = by_name[parent][1].get("Resources", {}).get(candidate.nested_as, {})
            metadata = resource.get("Metadata") if isinstance(resource, Mapping) else None
            cdk_path = metadata.get(CDK_PATH_METADATA) if isinstance(metadata, Mapping) else None
            stack_set = isinstance(resource, Mapping) and resource.get("Type") == STACK_SET_TYPE
            kind = NestingKind.STACK_SET_INSTANCE if stack_set else NestingKind.NESTED_STACK
            above = place(parent, depth + 1)
            top = above.top if above else parent
            if isinstance(cdk_path, str) and stack_set:
                found[name] = Nesting(top, cdk_path, kind)
            elif isinstance(cdk_path, str) and NESTED_STACK_PATH in cdk_path:
                found[name] = Nesting(top, cdk_path.split(NESTED_STACK_PATH, 1)[0], kind)
            else:
                found[name] = Nesting(
                    top, f"{above.path}/{candidate.nested_as}" if above else candidate.nested_as, kind
                )
        return found[name]

    for name in by_name:
        place(name, 0)
    return found


def _acknowledged(
    candidate: Candidate,
    template: Mapping[str, Any],
    finding: Finding,
    placed: Nesting | None,
    templates: Mapping[str, Mapping[str, Any]],
) -> Acknowledgement | None:
    """How ``finding`` is acknowledged, if it is: in the template's Metadata or by CDK at its construct path. A
    finding inside a StackSet's template may also be acknowledged on the StackSet, where it is fixed (its
    Metadata in the parent's template, or CDK's acknowledgement at its construct path), as the plugin reports it.
    """
    found = _acknowledgement(template, finding) or _cdk_acknowledgement(candidate.cdk_acknowledgements, finding)
    if found is None and placed is not None and placed.kind == NestingKind.STACK_SET_INSTANCE:
        on_stack_set = replace(finding, logical_id=candidate.nested_as, construct_path=placed.path)
        parent = templates.get(candidate.parent or "")
        found = (_acknowledgement(parent, on_stack_set) if parent is not None else None) or _cdk_acknowledgement(
            candidate.cdk_acknowledgements, on_stack_set
        )
    return found


def _acknowledgement(template: Mapping[str, Any], finding: Finding) -> Acknowledgement | None:
    """The acknowledgement of ``finding`` the template carries, if any; fatal findings have none."""
    found = template_acknowledgement(template, finding)
    return Acknowledgement(*found) if found is not None else None


def _cdk_acknowledgement(acknowledged: Sequence[tuple[str, str, str]], finding: Finding) -> Acknowledgement | None:
    if not finding.severity.acknowledgeable:
        return None
    for rule_id, construct_path, reason in acknowledged:
        if rule_id == finding.rule_id and construct_path == (finding.construct_path or ""):
            return Acknowledgement(rule_id, reason, CDK_SOURCE)
    return None


def _template_key(candidate: Candidate, placed: Nesting | None) -> str:
    """What the places of a template's Metadata are named by: its file (a file checked twice, nested by two
    parents, is one file of acknowledgements), or for a StackSet's inline template, the StackSet (its stack
    instances, one a region, share one template body)."""
    stack_set = _stack_set_of(candidate, placed)
    return f"{candidate.parent}#{stack_set}#TemplateBody" if stack_set else str(candidate.path)


def _stack_set_of(candidate: Candidate, placed: Nesting | None) -> str | None:
    """The StackSet whose inline template ``candidate`` is, by its logical id; None for any other template."""
    return candidate.nested_as if placed is not None and placed.kind is NestingKind.STACK_SET_INSTANCE else None


def _with_problems(results: list[TemplateResult], problems: Sequence[AcknowledgementProblem]) -> list[TemplateResult]:
    """``results`` with each acknowledgement problem on the first result of the template that holds it (an
    acknowledgement CDK recorded, in the template of its construct's stack), else on the first result."""
    placed: dict[int, list[AcknowledgementProblem]] = {}
    first = {result.path: index for index, result in reversed(list(enumerate(results)))}
    for problem in problems:
        index = first.get(problem.acknowledgement.template or "", 0)
        placed.setdefault(index, []).append(problem)
    return [
        replace(result, acknowledgement_problems=tuple(placed[index])) if index in placed else result
        for index, result in enumerate(results)
    ]
