"""What a collector works with: its region, the clients, the allowed regions, and where its results go.

A collector reads one service in one region (or globally) and reports inventory items, findings and the
parts it could not read. Helpers here hold the judgments every collector shares: a store in a region
outside the allowed set, a copy whose destination is outside it (fatal when proven, error when its region
cannot be shown), and the pagination bound.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

from eu_residency.audit.audit_report import NOT_AUDITED, AuditFinding, Coverage, InventoryItem, kind
from eu_residency.audit.session import ClientFactory, describe_error
from eu_residency.core.regions import describe_region
from eu_residency.core.rule_model import Severity
from eu_residency.core.settings import RuleSettings
from eu_residency.core.vocabulary import AWS_MANAGED_KEY_ALIAS, CLASSIFICATION_TAG, parse_arn
from eu_residency.rules.engine import active_rules
from eu_residency.rules.registry import RULES_BY_ID

T = TypeVar("T")

# No listing of an account needs more pages than this; a server that keeps answering with a next token
# stops the listing, which is then reported as not audited.
MAX_PAGES = 2000


class TooManyPagesError(Exception):
    """A listing ran past MAX_PAGES."""


def arn_region(arn: str | None) -> str | None:
    parsed = parse_arn(arn)
    return parsed.region or None if parsed else None


def arn_prefix(arn: str) -> str | None:
    """``arn:aws:rds:eu-west-1:123456789012:`` of an ARN, to build the ARN of a sibling resource."""
    parsed = parse_arn(arn)
    return parsed.prefix if parsed else None


def pages(client: Any, operation: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every page of a listing, through botocore's paginator, bounded by MAX_PAGES."""
    for number, page in enumerate(client.get_paginator(operation).paginate(**kwargs), start=1):
        if number > MAX_PAGES:
            raise TooManyPagesError(f"{operation} returned more than {MAX_PAGES} pages; the rest was not read")
        yield page


def tag_value(tags: Any, key: str = CLASSIFICATION_TAG) -> str | None:
    """A tag from the list forms AWS uses ([{Key, Value}] in any case) or a plain mapping."""
    if isinstance(tags, Mapping):
        value = tags.get(key)
        return str(value) if value is not None else None
    if isinstance(tags, list):
        for tag in tags:
            if not isinstance(tag, Mapping):
                continue
            name = tag.get("Key", tag.get("key", tag.get("TagKey")))
            if name == key:
                value = tag.get("Value", tag.get("value", tag.get("TagValue")))
                return str(value) if value is not None else None
    return None


class KeyDirectory:
    """Which KMS keys are customer-managed: filled by the KMS collector, asked by the others.

    A key the KMS collector did not see (another region, another account) is described on demand; a key
    that cannot be described counts as customer-managed, since AWS-managed keys are always the account's
    own, in the same region, and named ``alias/aws/...``.
    """

    def __init__(self, factory: ClientFactory) -> None:
        self._factory = factory
        self._managers: dict[str, str] = {}
        self._lock = threading.Lock()

    def remember(self, metadata: Mapping[str, Any]) -> None:
        manager = str(metadata.get("KeyManager", ""))
        with self._lock:
            for ref in (metadata.get("KeyId"), metadata.get("Arn")):
                if isinstance(ref, str) and ref:
                    self._managers[ref] = manager

    def customer_managed(self, key: str | None, region: str) -> bool:
        if not key:
            return False
        if AWS_MANAGED_KEY_ALIAS.search(key):
            return False
        with self._lock:
            manager = self._managers.get(key)
        if manager is None:
            manager = self._describe(key, arn_region(key) or region)
        return manager != "AWS"

    def _describe(self, key: str, region: str) -> str:
        try:
            metadata = self._factory.client("kms", region).describe_key(KeyId=key)["KeyMetadata"]
        except (ClientError, BotoCoreError):
            manager = "UNKNOWN"
        else:
            manager = str(metadata.get("KeyManager", "UNKNOWN"))
            self.remember(metadata)
        with self._lock:
            self._managers[key] = manager
        return manager


@dataclass
class Scope:
    """One collector's run in one region (or ``global``)."""

    service: str
    region: str
    factory: ClientFactory
    settings: RuleSettings
    account: str | None
    keys: KeyDirectory
    items: list[InventoryItem] = field(default_factory=list)
    findings: list[AuditFinding] = field(default_factory=list)
    gaps: list[Coverage] = field(default_factory=list)
    classifications: dict[str, str] = field(default_factory=dict)  # ARN -> data-classification tag

    def client(self, service: str | None = None, region: str | None = None) -> Any:
        return self.factory.client(service or self.service, region or self.region)

    # -- results --------------------------------------------------------------------------------------

    def store(
        self,
        resource_type: str,
        name: str,
        arn: str,
        encryption: str,
        *,
        classification: str | None = None,
        region: str | None = None,
    ) -> None:
        """A data store: inventoried, and EU-RES-001 (fatal) when its region is outside the allowed set."""
        where = region or self.region
        self.items.append(
            InventoryItem(
                region=where,
                service=self.service,
                resource_type=resource_type,
                name=name,
                arn=arn,
                encryption=encryption,
                classification=classification,
            )
        )
        if where not in self.settings.allowed_regions:
            self.finding(
                "EU-RES-001",
                arn,
                resource_type,
                f"the {kind(resource_type)} {name} is stored in {self.outside(where)}",
                severity=Severity.FATAL,
                region=where,
            )

    def finding(
        self,
        rule_id: str,
        resource: str,
        resource_type: str,
        message: str,
        *,
        severity: Severity | None = None,
        region: str | None = None,
    ) -> None:
        """A finding of ``rule_id``, when that rule runs under the settings (an EU-KEY rule only with key control)."""
        rule = RULES_BY_ID[rule_id]
        if not active_rules(self.settings, (rule,)):
            return
        self.findings.append(
            AuditFinding(
                rule_id=rule_id,
                severity=severity or rule.severity,
                region=region or self.region,
                resource=resource,
                resource_type=resource_type,
                message=message,
            )
        )

    def destinations(
        self,
        rule_id: str,
        resource: str,
        resource_type: str,
        what: str,
        copies: Sequence[tuple[str, str | None]],
        *,
        region: str | None = None,
    ) -> None:
        """Copies of a store, each (what it is, its region or None when that cannot be shown): one finding,
        fatal when a copy is proven outside the allowed set; one error when a copy's region cannot be shown.
        ``what`` and each label read as one sentence: "the global table keeps" + "a replica" + " in ...".
        """
        outside = [(label, where) for label, where in copies if where and not self.allowed(where)]
        unknown = [label for label, where in copies if not where]
        if outside:
            listed = "; ".join(f"{label} in {self.outside(where)}" for label, where in outside)
            self.finding(rule_id, resource, resource_type, f"{what} {listed}", severity=Severity.FATAL, region=region)
        if unknown:
            self.finding(
                rule_id,
                resource,
                resource_type,
                f"{what} {'; '.join(unknown)}, whose region cannot be shown (fails closed)",
                severity=Severity.ERROR,
                region=region,
            )

    def gap(self, what: str, error: Exception | str, *, region: str | None = None) -> None:
        """A part of this service that could not be read (one resource's detail); the rest goes on."""
        reason = error if isinstance(error, str) else describe_error(error)
        self.gaps.append(Coverage(region or self.region, self.service, NOT_AUDITED, f"{what}: {reason}"))

    def guarded(self, what: str, call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T | None:
        """``call(*args, **kwargs)``, or None with a gap recorded when AWS refuses it (access denied,
        throttled past every retry): one resource's detail is then missing, and the rest goes on.
        """
        try:
            return call(*args, **kwargs)
        except (ClientError, BotoCoreError, TooManyPagesError) as error:
            self.gap(what, error)
            return None

    # -- regions --------------------------------------------------------------------------------------

    def partition(self, region: str | None = None) -> str:
        try:
            return str(self.factory.session.get_partition_for_region(region or self.region))
        except (BotoCoreError, ValueError):
            return "aws"

    def allowed(self, region: str) -> bool:
        return region in self.settings.allowed_regions

    def outside(self, region: str) -> str:
        """``us-east-1 (N. Virginia, outside the EU)``, ``eu-west-3 (in the EU but not one of the allowed ...)``."""
        return describe_region(region, self.settings.allowed_regions)
