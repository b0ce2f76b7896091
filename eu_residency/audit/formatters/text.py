"""Plain text for a terminal: findings by region with why and fix, what was not audited, the inventory."""

from __future__ import annotations

from eu_residency.audit.model import AuditReport


def header(report: AuditReport) -> list[str]:
    who = f"account {report.account or 'unknown'}" + (f" (profile {report.profile})" if report.profile else "")
    return [
        f"eu-residency audit of {who}, {report.generated_at or 'time unknown'}",
        f"  allowed regions: {', '.join(sorted(report.allowed_regions))}",
        f"  regions examined: {', '.join(report.regions) or 'none'} (and the global services)",
    ]


def render(report: AuditReport) -> str:
    lines = header(report)
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
    return "\n".join(lines) + "\n"
