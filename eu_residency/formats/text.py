"""Plain text for a terminal, with why and fix: a check run's findings per template, or an audit's findings,
what it did not audit and its inventory; each ends with a summary line. Every line is written through
``escaping.terminal_text``, so no value from a template or an account can move the cursor, recolour or add a line.
"""

from __future__ import annotations

from eu_residency.audit.audit_report import AuditReport
from eu_residency.check_run.results import CheckedFinding, CheckRun, NestingKind
from eu_residency.core.settings import key_control_text
from eu_residency.formats.escaping import terminal_text
from eu_residency.template_loader.stack_set_instances import instance_label


def _finding(item: CheckedFinding, path: str) -> list[str]:
    finding = item.finding
    where = finding.location
    if finding.construct_path:
        where += f" ({finding.construct_path})"
    head = f"  {finding.severity.value.upper():5} {finding.rule_id} {path}:{item.line or 1} {where}"
    lines = [head, f"        {finding.message}", f"        fix: {finding.fix}"]
    if item.acknowledgement is not None:
        lines[0] = head.replace(finding.severity.value.upper(), "ACK  ", 1)
        lines.append(f"        acknowledged ({item.acknowledgement.source}): {item.acknowledgement.reason}")
    return lines


def render(run: CheckRun) -> str:
    lines: list[str] = []
    for result in run.results:
        if result.error is not None:
            lines.append(f"{result.path}: ERROR {result.error}")
            continue
        if result.nested_in is not None and result.nested_in.kind is NestingKind.STACK_SET_INSTANCE:
            # One file deploys one stack instance per region: the instance's name says which, region included.
            shown = f"{result.path} ({instance_label(result.nested_in.path, result.region)})"
        else:
            shown = f"{result.path} [{result.region or 'no region (environment-agnostic)'}]"
        lines.append(f"{shown}: {result.verdict}, {result.resources} resource(s)")
        for item in result.open_findings + result.acknowledged:
            lines += _finding(item, result.path)
        lines += [
            f"  WARN  {problem.kind.value} {result.path}:{problem.acknowledgement.line or 1} {problem.text}"
            for problem in result.acknowledgement_problems
        ]
    lines.append(f"eu-residency: {run.summary()}")
    return _lines(lines)


def _audit_header(report: AuditReport) -> list[str]:
    who = f"account {report.account or 'unknown'}" + (f" (profile {report.profile})" if report.profile else "")
    return [
        f"eu-residency audit of {who}, {report.generated_at or 'time unknown'}",
        f"  allowed regions: {', '.join(sorted(report.allowed_regions))}",
        f"  {key_control_text(report.key_control)}",
        f"  regions examined: {', '.join(report.regions) or 'none'} (and the global services)",
    ]


def render_audit(report: AuditReport) -> str:
    lines = _audit_header(report)
    lines.append(f"findings ({len(report.findings)}):" if report.findings else "findings: none")
    for finding in report.findings:
        lines += [
            f"  {finding.severity.value.upper():5} {finding.rule_id} {finding.region} {finding.resource}",
            f"        {finding.message}",
            f"        fix: {finding.fix}",
        ]
    gaps = report.not_audited
    lines.append(f"not audited ({len(gaps)}):" if gaps else "not audited: nothing, every region and service was read")
    lines += [f"  {entry.region} {entry.service}: {entry.reason}" for entry in gaps]
    lines.append(f"inventory ({len(report.inventory)} data store(s)):")
    for region in report.regions_in_inventory():
        lines.append(f"  {region}")
        for item in report.inventory_in(region):
            classification = f" [{item.classification}]" if item.classification else ""
            lines.append(f"    {item.resource_type:36} {item.name}{classification}: {item.encryption}")
    lines.append(f"eu-residency: {report.summary()}")
    return _lines(lines)


def _lines(lines: list[str]) -> str:
    """One line each, with the control characters of the values in them shown escaped."""
    return "".join(terminal_text(line) + "\n" for line in lines)
