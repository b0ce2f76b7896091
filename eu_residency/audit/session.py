"""The one place that makes boto3 clients: the profile, the endpoint override for tests, and the retry policy.

Every client retries in botocore's adaptive mode (exponential backoff with jitter, plus client-side rate
limiting once AWS throttles), up to 10 attempts. ``EU_RESIDENCY_AWS_ENDPOINT_URL`` (or ``endpoint_url``)
sends every call to one endpoint instead of AWS: the tests point it at a moto server on 127.0.0.1.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import (  # type: ignore[import-untyped]
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    ProfileNotFound,
)

from eu_residency.audit.errors import AuditUnavailableError
from eu_residency.core.messages import shortened
from eu_residency.core.vocabulary import AUDIT_ERROR_LENGTH

ENDPOINT_ENV = "EU_RESIDENCY_AWS_ENDPOINT_URL"
# max_attempts counts retries, as botocore's retries config does (11 attempts in all). Read-only: botocore
# rewrites the dict it is given, so each Config gets a copy.
RETRIES: Mapping[str, Any] = MappingProxyType({"mode": "adaptive", "max_attempts": 10})
# The first call only shows that credentials and an endpoint exist: an unreachable endpoint is reported at once.
PROBE_RETRIES: Mapping[str, Any] = MappingProxyType({"mode": "adaptive", "max_attempts": 1})
DEFAULT_HOME_REGION = "eu-west-1"
USER_AGENT = "eu-residency-audit"


def describe_error(error: Exception) -> str:
    """One line: the AWS error code, the operation and AWS's message; or botocore's own message."""
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        code = details.get("Code") or "error"
        message = details.get("Message") or str(error)
        text = f"{code} on {error.operation_name}: {message}"
    else:
        text = f"{type(error).__name__}: {error}"
    return shortened(" ".join(text.split()), AUDIT_ERROR_LENGTH)


def error_code(error: Exception) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", ""))
    return ""


class ClientFactory:
    """boto3 clients, one per (service, region), made from one session; safe to share between threads."""

    def __init__(self, profile: str | None = None, endpoint_url: str | None = None) -> None:
        self.profile = profile
        self.endpoint_url = endpoint_url or os.environ.get(ENDPOINT_ENV) or None
        try:
            self.session = boto3.session.Session(profile_name=profile)
        except ProfileNotFound:
            raise AuditUnavailableError(_no_profile(profile)) from None
        extra: dict[str, Any] = {}
        if self.endpoint_url:
            extra["s3"] = {"addressing_style": "path"}  # one endpoint for every bucket
        self._config_options: dict[str, Any] = {
            "connect_timeout": 10,
            "read_timeout": 60,
            "user_agent_extra": USER_AGENT,
            **extra,
        }
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    @property
    def home_region(self) -> str:
        region = self.session.region_name
        return region if isinstance(region, str) and region else DEFAULT_HOME_REGION

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:  # boto3 sessions are not thread-safe; their clients are
            if key not in self._clients:
                self._clients[key] = self.new_client(service, region)
            return self._clients[key]

    def new_client(self, service: str, region: str, *, probe: bool = False) -> Any:
        """Every client the audit uses is made here (the tests wrap it to record calls and to stub)."""
        config = Config(retries=dict(PROBE_RETRIES if probe else RETRIES), **self._config_options)
        try:
            return self.session.client(service, region_name=region, endpoint_url=self.endpoint_url, config=config)
        except ProfileNotFound:
            raise AuditUnavailableError(_no_profile(self.profile)) from None

    def offered_in(self, service: str, region: str) -> bool:
        """False only when botocore's endpoint data knows the region and says the service is not there."""
        if self.endpoint_url:
            return True
        try:
            partition = self.session.get_partition_for_region(region)
            known = set(self.session.get_available_regions("ec2", partition_name=partition))
            offered = set(self.session.get_available_regions(service, partition_name=partition))
        except (BotoCoreError, ValueError):
            return True
        return region not in known or region in offered or not offered

    def caller_account(self) -> str | None:
        """The account the credentials belong to; the first call, made once, that shows they work."""
        with self._lock:
            sts = self.new_client("sts", self.home_region, probe=True)
        try:
            identity = sts.get_caller_identity()
        except NoCredentialsError:
            where = f"profile {self.profile!r}" if self.profile else "the environment, ~/.aws or the instance role"
            raise AuditUnavailableError(
                f"no AWS credentials found in {where}; configure a profile (aws configure --profile NAME, "
                "or aws sso login --profile NAME) and pass --profile NAME"
            ) from None
        except EndpointConnectionError as error:
            raise AuditUnavailableError(f"cannot reach AWS: {error}; check the network (or {ENDPOINT_ENV})") from None
        except ClientError as error:
            raise AuditUnavailableError(f"AWS refused the credentials: {describe_error(error)}") from None
        except BotoCoreError as error:
            raise AuditUnavailableError(f"cannot call AWS: {describe_error(error)}") from None
        account = identity.get("Account")
        return str(account) if account else None


def _no_profile(profile: str | None) -> str:
    if profile is None:
        named = os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE")
        return (
            f"AWS_PROFILE {named!r}: no such profile in the AWS config files; `aws configure list-profiles` lists them"
        )
    return f"--profile {profile!r}: no such profile in the AWS config files; `aws configure list-profiles` lists them"
