"""The platform's typed configuration, read once from cdk.json context and validated at the edge.

A bad value raises ConfigError with one line naming the context key, the value received and what
to do; app.py prints it and exits before any construct is built.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from eu_residency.core.regions import EU_REGIONS, describe_region, is_eu_region
from eu_residency.core.vocabulary import AVAILABILITY_ZONE, arn_pattern
from eu_residency.scp import ROLE_ARN, policy_json, region_deny_policy

PLACEHOLDER_ACCOUNT_KEY = "eu-residency:placeholder-account"
DEFAULT_ENVIRONMENT = "dev"
# -c governance=true builds the organization's region-deny SCP (GovernanceStack); off by default.
GOVERNANCE_KEY = "governance"
# -c hook=true builds the deploy-time CloudFormation Lambda hook (HookStack; with governance, its StackSet too).
HOOK_KEY = "hook"
# How the hook answers a noncompliant operation: FAIL (the default) stops it; WARN lets it go on with a warning.
HOOK_FAILURE_MODE_KEY = "eu-residency:hook-failure-mode"
HOOK_FAILURE_MODES = ("FAIL", "WARN")

_ACCOUNT = re.compile(r"^\d{12}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_CERTIFICATE_ARN = arn_pattern("acm", r"certificate/[0-9a-f-]{36}")
_ECR_REPOSITORY_ARN = arn_pattern("ecr", r"repository/(?P<name>[a-z0-9][a-z0-9._/-]*)")
_IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_HEALTH_CHECK_PATH = re.compile(r"^/[A-Za-z0-9/_.-]*$")
_PREFIX_LIST_ID = re.compile(r"^pl-[0-9a-f]{8,17}$")
_HOSTED_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")
_INSTANCE_CLASS = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")
_CACHE_NODE_TYPE = re.compile(r"^cache\.[a-z][a-z0-9-]*\.[a-z0-9]+$")
_POSTGRES_VERSION = re.compile(r"^1[4-8]\.\d{1,2}$")
# What an SCP can be attached to (AttachPolicy's TargetId): the root, an OU or an account.
_POLICY_TARGET_ID = re.compile(r"^(?:r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\d{12})$")

# CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
FARGATE_CPU_UNITS = (256, 512, 1024, 2048, 4096, 8192, 16384)


class ConfigError(ValueError):
    """One bad configuration value; the message is a single line for the person running the app."""


@dataclass(frozen=True)
class DnsValidatedCertificate:
    """Issue the certificate in the platform's region, validated through this Route 53 zone."""

    hosted_zone_id: str
    zone_name: str


@dataclass(frozen=True)
class DatabaseConfig:
    instance_class: str
    allocated_storage_gib: int
    max_allocated_storage_gib: int
    multi_az: bool
    deletion_protection: bool
    backup_retention_days: int
    postgres_version: str


@dataclass(frozen=True)
class CacheConfig:
    node_type: str
    replicas_per_node_group: int
    snapshot_retention_days: int


@dataclass(frozen=True)
class AppConfig:
    image_repository_arn: str
    image_tag: str
    container_port: int
    cpu: int
    memory_mib: int
    desired_count: int
    requests_per_five_minutes: int
    health_check_path: str
    s3_prefix_list_id: str


@dataclass(frozen=True)
class RetentionConfig:
    log_days: int
    access_log_days: int
    audit_log_days: int
    noncurrent_version_days: int


@dataclass(frozen=True)
class BackupConfig:
    retention_days: int
    copy_region: str | None
    copy_retention_days: int


@dataclass(frozen=True)
class GovernanceConfig:
    """The organization's region-deny SCP, read only with ``-c governance=true``."""

    target_ids: tuple[str, ...]  # the root, OUs or accounts to attach it to; empty: created unattached
    allow_cloudfront: bool
    allow_global_accelerator: bool
    exempt_principal_arns: tuple[str, ...]  # IAM role ARNs the region deny does not apply to
    management_account: str | None  # where the stack deploys; None: the environment's account


@dataclass(frozen=True)
class HookConfig:
    """The CloudFormation Lambda hook, read only with ``-c hook=true``."""

    failure_mode: str  # one of HOOK_FAILURE_MODES


@dataclass(frozen=True)
class PlatformConfig:
    """Everything that differs between environments; nothing else in the code names a region."""

    env_name: str
    account: str
    region: str
    availability_zones: tuple[str, ...]
    domain_name: str
    certificate_arn: str | None
    dns_validated_certificate: DnsValidatedCertificate | None
    nat_gateways: int
    retain_data: bool
    database: DatabaseConfig
    cache: CacheConfig
    app: AppConfig
    retention: RetentionConfig
    backup: BackupConfig
    governance: GovernanceConfig | None  # None unless -c governance=true
    hook: HookConfig | None  # None unless -c hook=true

    def resource_name(self, name: str) -> str:
        """A physical name that is unique per environment, e.g. ``chat-prod-sessions``."""
        return f"chat-{self.env_name}-{name}"


T = TypeVar("T")


class _Section:
    """A mapping from context that knows its own key path, so every error can name it."""

    def __init__(self, values: Any, path: str) -> None:
        if not isinstance(values, Mapping):
            raise ConfigError(f"context key '{path}': expected an object, got {values!r}; see README.md")
        self._values = values
        self._path = path

    def key(self, name: str) -> str:
        return f"{self._path}.{name}"

    def raw(self, name: str) -> Any:
        if name not in self._values:
            raise ConfigError(f"context key '{self.key(name)}' is missing; add it to cdk.json (see README.md)")
        return self._values[name]

    def optional(self, name: str) -> Any:
        """A value that may be null; jsii drops null context values, so absent means null too."""
        return self._values.get(name)

    def section(self, name: str) -> _Section:
        return _Section(self.raw(name), self.key(name))

    def typed(self, name: str, kind: type[T], what: str) -> T:
        value = self.raw(name)
        # bool is an int in Python; a flag must not pass as a number or the reverse.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ConfigError(f"context key '{self.key(name)}': expected {what}, got {value!r}")
        return value

    def string(self, name: str, pattern: re.Pattern[str] | None = None, hint: str = "") -> str:
        value = self.typed(name, str, "a string")
        if pattern is not None and not pattern.match(value):
            raise ConfigError(f"context key '{self.key(name)}': {value!r} is not valid; {hint}")
        return value

    def optional_string(self, name: str, pattern: re.Pattern[str], hint: str) -> str | None:
        if self.optional(name) is None:
            return None
        return self.string(name, pattern, hint)

    def string_list(self, name: str, pattern: re.Pattern[str], hint: str) -> tuple[str, ...]:
        values = self.typed(name, list, "a list of strings")
        for value in values:
            if not isinstance(value, str) or not pattern.match(value):
                raise ConfigError(f"context key '{self.key(name)}': {value!r} is not valid; {hint}")
            if values.count(value) > 1:
                raise ConfigError(f"context key '{self.key(name)}': {value!r} is listed twice; list it once")
        return tuple(values)

    def boolean(self, name: str) -> bool:
        return self.typed(name, bool, "true or false")

    def integer(self, name: str, *, minimum: int, maximum: int) -> int:
        value = self.typed(name, int, f"a whole number from {minimum} to {maximum}")
        if not minimum <= value <= maximum:
            raise ConfigError(
                f"context key '{self.key(name)}': {value} is out of range; use a whole number from "
                f"{minimum} to {maximum}"
            )
        return value

    def choice(self, name: str, choices: tuple[int, ...]) -> int:
        value = self.typed(name, int, f"one of {', '.join(map(str, choices))}")
        if value not in choices:
            raise ConfigError(
                f"context key '{self.key(name)}': {value} is not accepted; use one of {', '.join(map(str, choices))}"
            )
        return value


def _eu_region(section: _Section, name: str, value: str) -> str:
    if not is_eu_region(value):
        raise ConfigError(
            f"context key '{section.key(name)}': {describe_region(value)}; user data must stay in "
            f"the EU, use one of {', '.join(sorted(EU_REGIONS))}"
        )
    return value


def _same_region_arn(section: _Section, name: str, pattern: re.Pattern[str], region: str, hint: str) -> str:
    value = section.string(name, pattern, hint)
    match = pattern.match(value)
    assert match is not None  # checked by section.string
    if match["region"] != region:
        raise ConfigError(
            f"context key '{section.key(name)}': {value!r} is in {match['region']}, not in the platform "
            f"region {region}; use a resource in {region}"
        )
    return value


def _resolve_account(env: _Section, context: Callable[[str], Any]) -> str:
    configured = env.optional("account")
    if configured is not None:
        return env.string("account", _ACCOUNT, "use the 12-digit AWS account id, or null")
    from_cli = os.environ.get("CDK_DEFAULT_ACCOUNT")
    if from_cli:
        if not _ACCOUNT.match(from_cli):
            raise ConfigError(f"environment variable CDK_DEFAULT_ACCOUNT: {from_cli!r} is not a 12-digit id")
        return from_cli
    placeholder = context(PLACEHOLDER_ACCOUNT_KEY)
    if not isinstance(placeholder, str) or not _ACCOUNT.match(placeholder):
        raise ConfigError(
            f"context key '{PLACEHOLDER_ACCOUNT_KEY}': expected a 12-digit placeholder account id, got {placeholder!r}"
        )
    return placeholder


def _flag(context: Callable[[str], Any], key: str, use: str) -> bool:
    """``-c KEY=true`` (a string from the command line) or ``true`` in cdk.json; absent means off."""
    value = context(key)
    if value is None or value is False or (isinstance(value, str) and value.lower() == "false"):
        return False
    if value is True or (isinstance(value, str) and value.lower() == "true"):
        return True
    raise ConfigError(f"context key '{key}': expected true or false, got {value!r}; use {use}")


def _governance_enabled(context: Callable[[str], Any]) -> bool:
    return _flag(context, GOVERNANCE_KEY, "-c governance=true to build the organization's region-deny SCP")


def _hook(context: Callable[[str], Any]) -> HookConfig | None:
    if not _flag(context, HOOK_KEY, "-c hook=true to build the CloudFormation Lambda hook"):
        return None
    failure_mode = context(HOOK_FAILURE_MODE_KEY)
    if failure_mode is None:
        return HookConfig(failure_mode=HOOK_FAILURE_MODES[0])
    if failure_mode not in HOOK_FAILURE_MODES:
        raise ConfigError(
            f"context key '{HOOK_FAILURE_MODE_KEY}': {failure_mode!r} is not accepted; use FAIL (stop a "
            "noncompliant operation, the default) or WARN (let it go on with a warning, for a first rollout)"
        )
    return HookConfig(failure_mode=failure_mode)


def _governance(env: _Section, context: Callable[[str], Any]) -> GovernanceConfig | None:
    if not _governance_enabled(context):
        return None
    section = env.section("governance")
    management_account = None
    if section.optional("management_account") is not None:
        management_account = section.string(
            "management_account", _ACCOUNT, "use the 12-digit id of the organization's management account, or null"
        )
    governance = GovernanceConfig(
        target_ids=section.string_list(
            "target_ids",
            _POLICY_TARGET_ID,
            "use the root id (r-xxxx), an OU id (ou-xxxx-yyyyyyyy) or a 12-digit account id",
        ),
        allow_cloudfront=section.boolean("allow_cloudfront"),
        allow_global_accelerator=section.boolean("allow_global_accelerator"),
        exempt_principal_arns=section.string_list(
            "exempt_principal_arns",
            ROLE_ARN,
            "use an IAM role ARN such as arn:aws:iam::123456789012:role/NAME (* allowed in the account and name)",
        ),
        management_account=management_account,
    )
    # The policy is largest with the whole EU list (allowed regions may only narrow it): if that fits,
    # every narrowing fits too.
    try:
        policy_json(
            region_deny_policy(
                EU_REGIONS,
                allow_cloudfront=governance.allow_cloudfront,
                allow_global_accelerator=governance.allow_global_accelerator,
                exempt_principal_arns=governance.exempt_principal_arns,
            )
        )
    except ValueError as error:
        raise ConfigError(
            f"context key '{section.key('exempt_principal_arns')}': {error}; exempt fewer principals, or "
            "cover several with a wildcard (arn:aws:iam::*:role/NAME)"
        ) from None
    return governance


def load_config(context: Callable[[str], Any]) -> PlatformConfig:
    """Build the config of the environment chosen with ``-c env=NAME`` (default ``dev``)."""
    env_name = context("env") or DEFAULT_ENVIRONMENT
    environments = context("environments")
    if not isinstance(environments, Mapping) or not environments:
        raise ConfigError("context key 'environments' is missing or empty; cdk.json must define dev and prod")
    if not isinstance(env_name, str) or env_name not in environments:
        raise ConfigError(
            f"context key 'env': unknown environment {env_name!r}; use one of "
            f"{', '.join(sorted(environments))} (-c env=NAME)"
        )
    env = _Section(environments[env_name], f"environments.{env_name}")

    region = _eu_region(env, "region", env.string("region"))
    zones = env.typed("availability_zones", list, "a list of availability zones")
    for zone in zones:
        match = AVAILABILITY_ZONE.match(zone) if isinstance(zone, str) else None
        if match is None or match["region"] != region:
            raise ConfigError(
                f"context key '{env.key('availability_zones')}': {zone!r} is not a zone of {region}; "
                f"pin three zones such as {region}a, {region}b, {region}c"
            )
    if len(set(zones)) != 3:
        raise ConfigError(
            f"context key '{env.key('availability_zones')}': expected three distinct zones, got {zones!r}"
        )

    certificate_arn = None
    dns_certificate = None
    if env.optional("certificate_arn") is not None:
        certificate_arn = _same_region_arn(
            env, "certificate_arn", _CERTIFICATE_ARN, region, "use an ACM certificate ARN"
        )
    if env.optional("hosted_zone") is not None:
        zone = env.section("hosted_zone")
        dns_certificate = DnsValidatedCertificate(
            hosted_zone_id=zone.string("hosted_zone_id", _HOSTED_ZONE_ID, "use a Route 53 zone id (Z...)"),
            zone_name=zone.string("zone_name", _DOMAIN, "use the zone's domain name"),
        )
    if (certificate_arn is None) == (dns_certificate is None):
        raise ConfigError(
            f"context keys '{env.key('certificate_arn')}' and '{env.key('hosted_zone')}': set exactly one "
            "(an imported certificate, or a hosted zone to validate a new one)"
        )

    database = env.section("database")
    cache = env.section("cache")
    app = env.section("app")
    retention = env.section("retention")
    backup = env.section("backup")

    copy_region = None
    if backup.optional("copy_region") is not None:
        copy_region = _eu_region(backup, "copy_region", backup.string("copy_region"))
        if copy_region == region:
            raise ConfigError(
                f"context key '{backup.key('copy_region')}': {copy_region} is the platform region; a "
                "disaster-recovery copy needs another EU region, or null for none"
            )

    database_config = DatabaseConfig(
        instance_class=database.string("instance_class", _INSTANCE_CLASS, "use a class such as t4g.medium"),
        allocated_storage_gib=database.integer("allocated_storage_gib", minimum=20, maximum=65536),
        max_allocated_storage_gib=database.integer("max_allocated_storage_gib", minimum=20, maximum=65536),
        multi_az=database.boolean("multi_az"),
        deletion_protection=database.boolean("deletion_protection"),
        backup_retention_days=database.integer("backup_retention_days", minimum=1, maximum=35),
        postgres_version=database.string(
            "postgres_version",
            _POSTGRES_VERSION,
            "use a full PostgreSQL version such as 17.9 (major 14 to 18)",
        ),
    )
    if database_config.max_allocated_storage_gib < database_config.allocated_storage_gib:
        raise ConfigError(
            f"context key '{database.key('max_allocated_storage_gib')}': "
            f"{database_config.max_allocated_storage_gib} is below allocated_storage_gib "
            f"{database_config.allocated_storage_gib}; raise it or lower allocated_storage_gib"
        )

    return PlatformConfig(
        env_name=env_name,
        account=_resolve_account(env, context),
        region=region,
        availability_zones=tuple(zones),
        domain_name=env.string("domain_name", _DOMAIN, "use a lower-case domain name such as chat.example.eu"),
        certificate_arn=certificate_arn,
        dns_validated_certificate=dns_certificate,
        nat_gateways=env.integer("nat_gateways", minimum=1, maximum=3),
        retain_data=env.boolean("retain_data"),
        database=database_config,
        cache=CacheConfig(
            node_type=cache.string("node_type", _CACHE_NODE_TYPE, "use a node type such as cache.t4g.small"),
            replicas_per_node_group=cache.integer("replicas_per_node_group", minimum=1, maximum=5),
            snapshot_retention_days=cache.integer("snapshot_retention_days", minimum=1, maximum=35),
        ),
        app=AppConfig(
            image_repository_arn=_same_region_arn(
                app, "image_repository_arn", _ECR_REPOSITORY_ARN, region, "use an ECR repository ARN"
            ),
            image_tag=app.string("image_tag", _IMAGE_TAG, "use an image tag such as 1.4.2"),
            container_port=app.integer("container_port", minimum=1024, maximum=65535),
            cpu=app.choice("cpu", FARGATE_CPU_UNITS),
            memory_mib=app.integer("memory_mib", minimum=512, maximum=122880),
            desired_count=app.integer("desired_count", minimum=1, maximum=100),
            requests_per_five_minutes=app.integer("requests_per_five_minutes", minimum=10, maximum=2_000_000_000),
            health_check_path=app.string("health_check_path", _HEALTH_CHECK_PATH, "use a path such as /health"),
            s3_prefix_list_id=app.string(
                "s3_prefix_list_id",
                _PREFIX_LIST_ID,
                "use the id of the region's com.amazonaws.REGION.s3 managed prefix list (pl-...)",
            ),
        ),
        retention=RetentionConfig(
            log_days=retention.choice("log_days", LOG_RETENTION_DAYS),
            access_log_days=retention.integer("access_log_days", minimum=1, maximum=3653),
            audit_log_days=retention.integer("audit_log_days", minimum=1, maximum=3653),
            noncurrent_version_days=retention.integer("noncurrent_version_days", minimum=1, maximum=3653),
        ),
        backup=BackupConfig(
            retention_days=backup.integer("retention_days", minimum=1, maximum=3653),
            copy_region=copy_region,
            copy_retention_days=backup.integer("copy_retention_days", minimum=1, maximum=3653),
        ),
        governance=_governance(env, context),
        hook=_hook(context),
    )
