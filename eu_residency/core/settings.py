"""What a check run is allowed to accept: the allowed regions and the allowlists a person has vetted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from eu_residency.core.regions import EU_REGIONS, validate_allowed_regions


@dataclass(frozen=True)
class RuleSettings:
    """``allowed_regions`` defaults to the EU list and may only narrow it.

    ``replication_destinations`` maps S3 bucket names outside the app to their region (bucket ARNs carry
    none). ``eu_endpoints`` lists URL prefixes (``https://hooks.example.eu/``) or e-mail domains
    (``@example.eu``) and SMS country codes (``+353``) that a person has shown to be in the EU.
    """

    allowed_regions: frozenset[str] = EU_REGIONS
    replication_destinations: Mapping[str, str] = field(default_factory=dict)
    eu_endpoints: tuple[str, ...] = ()

    @staticmethod
    def build(
        *,
        allowed_regions: Iterable[str] | None = None,
        replication_destinations: Mapping[str, str] | None = None,
        eu_endpoints: Iterable[str] | None = None,
    ) -> RuleSettings:
        allowed = validate_allowed_regions(allowed_regions) if allowed_regions is not None else EU_REGIONS
        destinations = dict(replication_destinations or {})
        for bucket, region in destinations.items():
            validate_allowed_regions([region])  # an allowlisted destination outside the EU is refused
            if not isinstance(bucket, str) or not bucket:
                raise ValueError(f"replication destination {bucket!r}: expected a bucket name")
        return RuleSettings(
            allowed_regions=allowed,
            replication_destinations=destinations,
            eu_endpoints=tuple(eu_endpoints or ()),
        )

    def endpoint_is_vetted(self, endpoint: str) -> bool:
        return any(endpoint.startswith(prefix) or endpoint.endswith(prefix) for prefix in self.eu_endpoints)
