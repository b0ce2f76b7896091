"""Registers the synth-time checks on any CDK app: cdk-nag's AwsSolutionsChecks and the EU-Residency plugin."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks

from constructs_lib.validation_plugin import EuResidencyPlugin
from eu_residency.core.endpoints import EndpointEntryError
from eu_residency.core.regions import RegionError
from eu_residency.core.settings import KEY_CONTROL_KEY, RuleSettings

ALLOWED_REGIONS_KEY = "eu-residency:allowed-regions"
REPLICATION_DESTINATIONS_KEY = "eu-residency:replication-destinations"
EU_ENDPOINTS_KEY = "eu-residency:eu-endpoints"


class GuardrailError(ValueError):
    """A bad guardrail setting; the message is one line naming the setting."""


def apply_guardrails(app: App, *, allowed_regions: Iterable[str] | None = None) -> RuleSettings:
    """Make every finding of AwsSolutionsChecks and of the EU-Residency rules interrupt synthesis of ``app``.

    Allowed regions come from ``allowed_regions``, else the context key ``eu-residency:allowed-regions``
    (a list, or a comma-separated string from ``-c``), else the EU list; a region outside the EU is
    refused. The allowlists ``eu-residency:replication-destinations`` (bucket name -> region) and
    ``eu-residency:eu-endpoints`` (URLs with scheme and host, optionally a path; e-mail domains such as
    ``@example.eu``; EU country calling codes such as ``+353``) are read from context; an empty or malformed
    entry is refused. ``eu-residency:key-control`` (``any``, the default, or ``customer-managed``) turns the
    EU-KEY rules on.
    """
    settings = settings_from_context(app.node.try_get_context, allowed_regions=allowed_regions)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True), EuResidencyPlugin(settings))
    return settings


def settings_from_context(context: Any, *, allowed_regions: Iterable[str] | None = None) -> RuleSettings:
    regions = allowed_regions if allowed_regions is not None else _string_list(context, ALLOWED_REGIONS_KEY)
    destinations = context(REPLICATION_DESTINATIONS_KEY)
    if destinations is not None and not isinstance(destinations, Mapping):
        raise GuardrailError(
            f"context key '{REPLICATION_DESTINATIONS_KEY}': expected an object of bucket name -> EU region, "
            f"got {destinations!r}"
        )
    try:
        return RuleSettings.build(
            allowed_regions=regions,
            replication_destinations=destinations,
            eu_endpoints=_string_list(context, EU_ENDPOINTS_KEY),
            key_control=context(KEY_CONTROL_KEY),
        )
    except EndpointEntryError as error:
        raise GuardrailError(f"context key '{EU_ENDPOINTS_KEY}': entry {error}") from None
    except RegionError as error:
        source = "apply_guardrails(allowed_regions=...)" if allowed_regions is not None else "context"
        raise GuardrailError(f"{source} '{ALLOWED_REGIONS_KEY}' or '{REPLICATION_DESTINATIONS_KEY}': {error}") from None
    except ValueError as error:
        if str(error).startswith(KEY_CONTROL_KEY):
            raise GuardrailError(f"context key {error}") from None
        raise GuardrailError(f"context key '{REPLICATION_DESTINATIONS_KEY}': {error}") from None


def _string_list(context: Any, key: str) -> list[str] | None:
    value = context(key)
    if value is None:
        return None
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise GuardrailError(
        f"context key '{key}': expected a list of strings (or a comma-separated string), got {value!r}"
    )
