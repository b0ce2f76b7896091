"""The hook's settings travel in one environment variable and come back equal."""

from __future__ import annotations

import pytest

from eu_residency.core.settings import KeyControl, RuleSettings
from eu_residency.hook.settings import SETTINGS_VARIABLE, settings_from_environment, settings_variable


def test_settings_round_trip_through_the_environment() -> None:
    settings = RuleSettings.build(
        allowed_regions=["eu-west-1", "eu-central-1"],
        replication_destinations={"archive-bucket": "eu-central-1"},
        eu_endpoints=["https://hooks.example.eu/chat", "@example.eu", "+353"],
        key_control=KeyControl.CUSTOMER_MANAGED.value,
    )
    assert settings_from_environment({SETTINGS_VARIABLE: settings_variable(settings)}) == settings


def test_no_variable_means_the_defaults() -> None:
    assert settings_from_environment({}) == RuleSettings()


BAD = ["{not json", "[]", '{"allowed": ["eu-west-1"]}', '{"allowed_regions": ["us-east-1"]}']


@pytest.mark.parametrize("value", BAD)
def test_a_bad_variable_is_one_line(value: str) -> None:
    with pytest.raises(ValueError, match=SETTINGS_VARIABLE + "|us-east-1"):
        settings_from_environment({SETTINGS_VARIABLE: value})
