"""The typed configuration: cdk.json's environments load, and every bad value stops with one clear line."""

from __future__ import annotations

from typing import Any

import pytest

from eu_residency.core.regions import EU_REGIONS
from stacks.config import ConfigError, load_config
from tests.conftest import CDK_CONTEXT, config_for, platform_context


def test_every_environment_in_cdk_json_loads() -> None:
    for env_name in CDK_CONTEXT["environments"]:
        config = config_for(env_name)
        assert config.env_name == env_name
        assert config.region in EU_REGIONS


def test_default_environment_is_dev() -> None:
    context = platform_context("dev")
    del context["env"]
    assert load_config(context.get).env_name == "dev"


def test_prod_differs_where_production_needs_it() -> None:
    prod = config_for("prod")
    assert prod.database.multi_az
    assert prod.database.deletion_protection
    assert prod.nat_gateways == 3
    assert prod.retain_data
    assert prod.backup.copy_region == "eu-central-1"


def test_account_falls_back_to_cdk_default_account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDK_DEFAULT_ACCOUNT", "210987654321")
    assert config_for("dev").account == "210987654321"


def test_account_falls_back_to_the_documented_placeholder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CDK_DEFAULT_ACCOUNT", raising=False)
    assert config_for("dev").account == CDK_CONTEXT["eu-residency:placeholder-account"] == "123456789012"


def test_configured_account_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDK_DEFAULT_ACCOUNT", "210987654321")
    assert config_for("dev", account="111122223333").account == "111122223333"


def test_config_is_frozen() -> None:
    config = config_for("dev")
    with pytest.raises(AttributeError):
        config.region = "us-east-1"  # type: ignore[misc]


def test_null_values_may_be_absent_because_jsii_drops_them() -> None:
    context = platform_context("dev")
    del context["environments"]["dev"]["hosted_zone"]
    del context["environments"]["dev"]["backup"]["copy_region"]
    config = load_config(context.get)
    assert config.dns_validated_certificate is None
    assert config.backup.copy_region is None


# Each case: the overrides for dev, and what the one-line message must contain (key and value).
BAD_VALUES: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "region outside the EU": ({"region": "us-east-1"}, ("environments.dev.region", "us-east-1", "eu-west-1")),
    "London is not in the EU": ({"region": "eu-west-2"}, ("environments.dev.region", "eu-west-2", "outside")),
    "Zurich is not in the EU": ({"region": "eu-central-2"}, ("environments.dev.region", "Zurich")),
    "unknown region": ({"region": "mars-north-1"}, ("environments.dev.region", "mars-north-1")),
    "zone of another region": (
        {"availability_zones": ["eu-west-1a", "eu-west-1b", "eu-central-1c"]},
        ("environments.dev.availability_zones", "eu-central-1c"),
    ),
    "two zones": ({"availability_zones": ["eu-west-1a", "eu-west-1b"]}, ("availability_zones", "three")),
    "malformed account": ({"account": "12345"}, ("environments.dev.account", "12-digit")),
    "certificate in another region": (
        {
            "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/"
            + "0" * 8
            + "-0000-4000-8000-"
            + "0" * 12
        },
        ("environments.dev.certificate_arn", "us-east-1"),
    ),
    "malformed certificate": ({"certificate_arn": "not-an-arn"}, ("certificate_arn", "not-an-arn")),
    "neither certificate nor zone": (
        {"certificate_arn": None},
        ("certificate_arn", "hosted_zone", "exactly one"),
    ),
    "both certificate and zone": (
        {"hosted_zone": {"hosted_zone_id": "Z0123456789ABC", "zone_name": "example.eu"}},
        ("exactly one",),
    ),
    "image repository outside the region": (
        {"app": {"image_repository_arn": "arn:aws:ecr:us-west-2:123456789012:repository/chat-app"}},
        ("environments.dev.app.image_repository_arn", "us-west-2"),
    ),
    "string where a number belongs": ({"nat_gateways": "2"}, ("environments.dev.nat_gateways", "'2'")),
    "bool where a number belongs": ({"nat_gateways": True}, ("environments.dev.nat_gateways", "True")),
    "number out of range": ({"nat_gateways": 4}, ("environments.dev.nat_gateways", "4")),
    "retention CloudWatch refuses": (
        {"retention": {"log_days": 31}},
        ("environments.dev.retention.log_days", "31"),
    ),
    "backup retention RDS refuses": (
        {"database": {"backup_retention_days": 0}},
        ("environments.dev.database.backup_retention_days", "0"),
    ),
    "storage ceiling below storage": (
        {"database": {"max_allocated_storage_gib": 10}},
        ("max_allocated_storage_gib", "10"),
    ),
    "copy region outside the EU": (
        {"backup": {"copy_region": "eu-west-2"}},
        ("environments.dev.backup.copy_region", "eu-west-2"),
    ),
    "copy region is the platform region": (
        {"backup": {"copy_region": "eu-west-1"}},
        ("environments.dev.backup.copy_region", "platform region"),
    ),
    "Fargate cpu it does not offer": ({"app": {"cpu": 300}}, ("environments.dev.app.cpu", "300")),
    "malformed postgres version": (
        {"database": {"postgres_version": "17"}},
        ("environments.dev.database.postgres_version", "'17'"),
    ),
    "section that is not an object": ({"cache": "small"}, ("environments.dev.cache", "'small'")),
}


@pytest.mark.parametrize("case", sorted(BAD_VALUES))
def test_load_fails_when_a_value_is_bad(case: str) -> None:
    overrides, expected = BAD_VALUES[case]
    with pytest.raises(ConfigError) as raised:
        config_for("dev", **overrides)
    message = str(raised.value)
    assert "\n" not in message
    for fragment in expected:
        assert fragment in message, f"{fragment!r} missing from {message!r}"


def test_load_fails_when_the_environment_is_unknown() -> None:
    context = platform_context("dev")
    context["env"] = "staging"
    with pytest.raises(ConfigError, match=r"context key 'env': unknown environment 'staging'; use one of dev, prod"):
        load_config(context.get)


def test_load_fails_when_a_key_is_missing() -> None:
    context = platform_context("dev")
    del context["environments"]["dev"]["retention"]["log_days"]
    with pytest.raises(ConfigError, match=r"'environments.dev.retention.log_days' is missing"):
        load_config(context.get)


def test_load_fails_when_there_are_no_environments() -> None:
    with pytest.raises(ConfigError, match="'environments' is missing"):
        load_config({"env": "dev"}.get)


def test_load_fails_when_cdk_default_account_is_malformed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDK_DEFAULT_ACCOUNT", "not-an-account")
    with pytest.raises(ConfigError, match="CDK_DEFAULT_ACCOUNT"):
        config_for("dev")
