"""The hook's settings: the same RuleSettings as the synth-time rules, carried to the function in one environment
variable (JSON), so that synthesis, deploy time and the live audit judge by one policy."""

from __future__ import annotations

import json
from collections.abc import Mapping

from eu_residency.core.settings import RuleSettings

SETTINGS_VARIABLE = "EU_RESIDENCY_SETTINGS"
RECORD_KEYS = frozenset({"allowed_regions", "key_control", "replication_destinations", "eu_endpoints"})


def settings_variable(settings: RuleSettings) -> str:
    """The value of SETTINGS_VARIABLE for ``settings``: compact JSON, keys sorted (stable across synths)."""
    return json.dumps(settings.as_record(), sort_keys=True, separators=(",", ":"))


def settings_from_environment(environment: Mapping[str, str]) -> RuleSettings:
    """The settings SETTINGS_VARIABLE carries (the defaults when it is not set); ValueError, one line, when its
    value is not the record ``settings_variable`` writes."""
    text = environment.get(SETTINGS_VARIABLE)
    if text is None:
        return RuleSettings()
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{SETTINGS_VARIABLE}: not JSON ({error.msg})") from None
    if not isinstance(record, dict) or not set(record) <= RECORD_KEYS:
        raise ValueError(f"{SETTINGS_VARIABLE}: expected an object with keys among {sorted(RECORD_KEYS)}")
    return RuleSettings.build(**record)
