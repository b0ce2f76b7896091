"""Run the audit: credentials first, then every regional collector in every region (regions in parallel),
then the global ones; each (region, service) is audited or not audited, never silently skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from types import ModuleType

from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

from eu_residency.audit.audit_report import AUDITED, NOT_AUDITED, AuditReport, Coverage
from eu_residency.audit.audit_report import GLOBAL as GLOBAL_REGION
from eu_residency.audit.collectors import GLOBAL, REGIONAL
from eu_residency.audit.discovery import enabled_regions, parse_regions
from eu_residency.audit.scope import KeyDirectory, Scope, TooManyPagesError
from eu_residency.audit.session import ClientFactory, describe_error
from eu_residency.core.settings import RuleSettings

DEFAULT_WORKERS = 8
NOT_OFFERED = "not offered in this region (botocore's endpoint data): nothing can be stored there"


def run_audit(
    *,
    profile: str | None = None,
    regions: str = "all",
    settings: RuleSettings | None = None,
    endpoint_url: str | None = None,
    workers: int = DEFAULT_WORKERS,
) -> AuditReport:
    """The whole audit. Raises AuditError (one line) when nothing can be audited at all."""
    settings = settings or RuleSettings()
    chosen = parse_regions(regions)  # a bad --regions fails before any call
    factory = ClientFactory(profile=profile, endpoint_url=endpoint_url)
    account = factory.caller_account()
    region_list = chosen if chosen is not None else enabled_regions(factory)
    keys = KeyDirectory(factory)
    started = datetime.now(UTC).replace(microsecond=0).isoformat()

    def scope(module: ModuleType, region: str) -> Scope:
        return Scope(str(module.SERVICE), region, factory, settings, account, keys)

    def region_task(region: str) -> list[tuple[Scope, Coverage]]:
        return [_run(scope(module, region), module, factory) for module in REGIONAL]

    results: list[tuple[Scope, Coverage]] = []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(region_list)))) as pool:
        for region_results in pool.map(region_task, region_list):
            results += region_results
    for module in GLOBAL:
        results.append(_run(scope(module, GLOBAL_REGION), module, factory))
    return _report(results, account=account, regions=region_list, settings=settings, started=started, profile=profile)


def _run(scope: Scope, module: ModuleType, factory: ClientFactory) -> tuple[Scope, Coverage]:
    if scope.region != GLOBAL_REGION and not factory.offered_in(scope.service, scope.region):
        return scope, Coverage(scope.region, scope.service, AUDITED, NOT_OFFERED)
    try:
        module.collect(scope)
    except (ClientError, BotoCoreError, TooManyPagesError) as error:
        # What was read before the refusal stays in the report; the service is marked not audited.
        return scope, Coverage(scope.region, scope.service, NOT_AUDITED, describe_error(error))
    return scope, Coverage(scope.region, scope.service, AUDITED)


def _report(
    results: Sequence[tuple[Scope, Coverage]],
    *,
    account: str | None,
    regions: Sequence[str],
    settings: RuleSettings,
    started: str,
    profile: str | None,
) -> AuditReport:
    tags: dict[str, str] = {}
    for scope, _ in results:
        tags.update(scope.classifications)
    inventory = [
        item if item.classification is not None else replace(item, classification=tags.get(item.arn))
        for scope, _ in results
        for item in scope.items
    ]
    findings = {(*finding.key, finding.message): finding for scope, _ in results for finding in scope.findings}
    coverage = [entry for _, entry in results] + [gap for scope, _ in results for gap in scope.gaps]
    return AuditReport(
        account=account,
        regions=tuple(regions),
        allowed_regions=settings.allowed_regions,
        inventory=tuple(sorted(inventory, key=lambda item: (item.region, item.resource_type, item.name))),
        findings=tuple(
            sorted(findings.values(), key=lambda finding: (finding.region, finding.rule_id, finding.resource))
        ),
        coverage=tuple(
            sorted(coverage, key=lambda entry: (entry.region == GLOBAL_REGION, entry.region, entry.service))
        ),
        generated_at=started,
        profile=profile,
        key_control=settings.key_control,
    )
