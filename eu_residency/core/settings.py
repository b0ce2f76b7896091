"""What a check run is allowed to accept: the allowed regions and the allowlists a person has vetted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from eu_residency.core.endpoints import EndpointEntry, entry_text, is_vetted, parse_entries
from eu_residency.core.regions import EU_REGIONS, validate_allowed_regions

KEY_CONTROL_KEY = "eu-residency:key-control"


class KeyControl(Enum):
    """Who must control the keys that encrypt user data: the setting ``eu-residency:key-control``.

    ``any``: encrypted with any key AWS or the customer manages is enough (the EU-ENC rules); the EU-KEY
    rules do not run. ``customer-managed``: the EU-KEY rules also run: customer-managed KMS keys that rotate.
    """

    ANY = "any"
    CUSTOMER_MANAGED = "customer-managed"

    @staticmethod
    def parse(value: object) -> KeyControl:
        for choice in KeyControl:
            if value == choice.value:
                return choice
        choices = " or ".join(choice.value for choice in KeyControl)
        raise ValueError(f"{KEY_CONTROL_KEY}: expected {choices}, got {value!r}")


def key_control_text(key_control: KeyControl) -> str:
    """Whether key control was on for the run, and so whether the EU-KEY rules ran."""
    if key_control is KeyControl.CUSTOMER_MANAGED:
        return f"Key control: on ({KEY_CONTROL_KEY}: {key_control.value}): the EU-KEY rules ran"
    return (
        f"Key control: off ({KEY_CONTROL_KEY}: {key_control.value}): the EU-KEY rules did not run; to run them, "
        f"set {KEY_CONTROL_KEY}: {KeyControl.CUSTOMER_MANAGED.value} (cdk.json context) or pass --key-control "
        f"{KeyControl.CUSTOMER_MANAGED.value}"
    )


@dataclass(frozen=True)
class RuleSettings:
    """``allowed_regions`` defaults to the EU list and may only narrow it.

    ``replication_destinations`` maps S3 bucket names outside the app to their region (bucket ARNs carry
    none). ``eu_endpoints`` holds the entries a person has shown to be in the EU, parsed by ``core.endpoints``:
    URLs (``https://hooks.example.eu/``: scheme and host, optionally a path), e-mail domains (``@example.eu``)
    and EU country calling codes for SMS (``+353``). ``build`` refuses an empty or malformed entry
    (``EndpointEntryError``, a ValueError). ``key_control`` says whether the EU-KEY rules run (``KeyControl``).
    """

    allowed_regions: frozenset[str] = EU_REGIONS
    replication_destinations: Mapping[str, str] = field(default_factory=dict)
    eu_endpoints: tuple[EndpointEntry, ...] = ()
    key_control: KeyControl = KeyControl.ANY

    @staticmethod
    def build(
        *,
        allowed_regions: Iterable[str] | None = None,
        replication_destinations: Mapping[str, str] | None = None,
        eu_endpoints: Iterable[str] | None = None,
        key_control: str | None = None,
    ) -> RuleSettings:
        allowed = validate_allowed_regions(allowed_regions) if allowed_regions is not None else EU_REGIONS
        destinations = dict(replication_destinations or {})
        for bucket, region in destinations.items():
            validate_allowed_regions([region])  # an allowlisted destination outside the EU is refused
            if not isinstance(bucket, str) or not bucket:
                raise ValueError(f"replication destination {bucket!r}: expected a bucket name")
        entries = [eu_endpoints] if isinstance(eu_endpoints, str) else list(eu_endpoints or ())
        return RuleSettings(
            allowed_regions=allowed,
            replication_destinations=destinations,
            eu_endpoints=parse_entries(entries),
            key_control=KeyControl.ANY if key_control is None else KeyControl.parse(key_control),
        )

    def as_record(self) -> dict[str, Any]:
        """The settings as plain data (JSON), which ``RuleSettings.build(**record)`` reads back to equal settings."""
        return {
            "allowed_regions": sorted(self.allowed_regions),
            "key_control": self.key_control.value,
            "replication_destinations": dict(sorted(self.replication_destinations.items())),
            "eu_endpoints": [entry_text(entry) for entry in self.eu_endpoints],
        }

    def endpoint_is_vetted(self, endpoint: str) -> bool:
        """Whether the URL, e-mail address or E.164 number ``endpoint`` matches an entry of ``eu_endpoints``."""
        return is_vetted(endpoint, self.eu_endpoints)
