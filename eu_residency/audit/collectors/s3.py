"""S3: every bucket of the account (one global listing), with its region, default encryption, TLS-only
policy, replication destinations and Transfer Acceleration.

Rules: EU-RES-001 (a bucket outside the allowed regions), EU-RES-010 (replication), EU-RES-033 (Transfer
Acceleration), EU-KEY-001 (SSE-KMS with a customer-managed key and a Bucket Key; SSE-S3 only for a bucket
whose policy admits AWS log delivery), EU-ENC-040 (a bucket policy that denies requests without TLS).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

from eu_residency.audit.scope import Scope, pages
from eu_residency.audit.session import error_code

SERVICE = "s3"
GLOBAL_SERVICE = True
BUCKET = "AWS::S3::Bucket"
NOT_FOUND = {
    "get_bucket_encryption": "ServerSideEncryptionConfigurationNotFoundError",
    "get_bucket_policy": "NoSuchBucketPolicy",
    "get_bucket_replication": "ReplicationConfigurationNotFoundError",
}
LOG_DELIVERY_SERVICES = ("logging.s3.amazonaws.com", "logdelivery.elasticloadbalancing.amazonaws.com")


def normalise_location(constraint: Any) -> str:
    """GetBucketLocation's answer as a region: none means us-east-1, ``EU`` the old name of eu-west-1."""
    if not constraint:
        return "us-east-1"
    return "eu-west-1" if constraint == "EU" else str(constraint)


def collect(scope: Scope) -> None:
    home = scope.client("s3", scope.factory.home_region)
    buckets: list[tuple[str, str | None]] = []
    for page in pages(home, "list_buckets"):
        for bucket in page.get("Buckets", []):
            region = bucket.get("BucketRegion")
            buckets.append((str(bucket["Name"]), str(region) if region else None))
    locations: dict[str, str] = {}
    for name, listed in buckets:
        if listed:
            locations[name] = listed
            continue
        try:
            locations[name] = normalise_location(home.get_bucket_location(Bucket=name).get("LocationConstraint"))
        except (ClientError, BotoCoreError) as error:
            scope.gap(f"bucket {name} (its region)", error)
    for name, region in locations.items():
        _bucket(scope, name, region, locations)


def _optional(client: Any, operation: str, name: str) -> dict[str, Any] | None:
    """The bucket's configuration, or None when it has none (AWS answers with a "not found" code)."""
    try:
        response: dict[str, Any] = getattr(client, operation)(Bucket=name)
    except ClientError as error:
        if error_code(error) == NOT_FOUND[operation]:
            return None
        raise
    return response


def _bucket(scope: Scope, name: str, region: str, locations: Mapping[str, str]) -> None:
    client = scope.client("s3", region)
    arn = f"arn:{scope.partition(region)}:s3:::{name}"
    try:
        encryption = _optional(client, "get_bucket_encryption", name)
        policy_text = _optional(client, "get_bucket_policy", name)
        replication = _optional(client, "get_bucket_replication", name)
        accelerate = client.get_bucket_accelerate_configuration(Bucket=name)
    except (ClientError, BotoCoreError) as error:
        scope.gap(f"bucket {name}", error, region=region)
        return
    policy = _policy(policy_text.get("Policy") if policy_text else None)
    described, problem = _encryption(scope, region, encryption, policy)
    scope.store(BUCKET, name, arn, described, region=region)
    if problem:
        scope.finding("EU-KEY-001", arn, BUCKET, problem, region=region)
    if not _denies_plain_requests(policy, name):
        scope.finding(
            "EU-ENC-040",
            arn,
            BUCKET,
            "the bucket accepts requests without TLS: no statement of its bucket policy denies them (Effect Deny, "
            "Principal *, Action s3:*, the bucket and its objects, aws:SecureTransport false)"
            + ("" if policy is not None else "; the bucket has no policy"),
            region=region,
        )
    if accelerate.get("Status") == "Enabled":
        scope.finding(
            "EU-RES-033",
            arn,
            BUCKET,
            "Transfer Acceleration is on: requests go through the nearest CloudFront edge location, anywhere",
            region=region,
        )
    if replication:
        _replication(scope, arn=arn, region=region, replication=replication, locations=locations)


def _policy(text: Any) -> dict[str, Any] | None:
    if not isinstance(text, str):
        return None
    try:
        document = json.loads(text)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def _statements(policy: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    if policy is None:
        return []
    raw = policy.get("Statement", [])
    items = raw if isinstance(raw, list) else [raw]
    return [item for item in items if isinstance(item, Mapping)]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _encryption(
    scope: Scope, region: str, response: Mapping[str, Any] | None, policy: Mapping[str, Any] | None
) -> tuple[str, str | None]:
    """(what the inventory says, the EU-KEY-001 problem or None)."""
    rules = (response or {}).get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    default = rules[0].get("ApplyServerSideEncryptionByDefault", {}) if rules else {}
    algorithm = default.get("SSEAlgorithm")
    bucket_key = bool(rules[0].get("BucketKeyEnabled")) if rules else False
    if not algorithm:
        return "none", "the bucket has no default encryption"
    if algorithm == "AES256":
        deliveries = _log_deliveries(policy)
        if deliveries:
            return "SSE-S3 (log delivery bucket)", None
        return "SSE-S3", (
            "the bucket encrypts with SSE-S3, not SSE-KMS under a customer-managed key, and its policy admits "
            "no AWS log delivery that would need SSE-S3"
        )
    key = default.get("KMSMasterKeyID")
    if not key:
        return f"SSE-KMS ({algorithm}), AWS-managed key aws/s3", (
            "the bucket encrypts with the AWS-managed key aws/s3 (no KMSMasterKeyID), which gives no key control"
        )
    described = f"SSE-KMS ({algorithm}), key {key}"
    if not scope.keys.customer_managed(key, region):
        return described, f"the bucket's key {key} is AWS-managed, which gives no key control"
    if not bucket_key:
        return described, "the bucket encrypts with SSE-KMS but without an S3 Bucket Key (BucketKeyEnabled false)"
    return described + ", Bucket Key", None


def _log_deliveries(policy: Mapping[str, Any] | None) -> list[str]:
    found = []
    for statement in _statements(policy):
        if statement.get("Effect") != "Allow":
            continue
        actions = [str(action).lower() for action in _as_list(statement.get("Action", []))]
        if not any(fnmatchcase("s3:putobject", action) for action in actions):
            continue
        principal = statement.get("Principal")
        services = _as_list(principal.get("Service", [])) if isinstance(principal, Mapping) else []
        found += [service for service in services if service in LOG_DELIVERY_SERVICES]
    return found


def _denies_plain_requests(policy: Mapping[str, Any] | None, name: str) -> bool:
    return any(_tls_statement(statement, name) for statement in _statements(policy))


def _tls_statement(statement: Mapping[str, Any], name: str) -> bool:
    if statement.get("Effect") != "Deny" or {"NotPrincipal", "NotAction", "NotResource"} & set(statement):
        return False
    principal = statement.get("Principal")
    aws = principal.get("AWS") if isinstance(principal, Mapping) else None
    if not (principal == "*" or aws == "*" or (isinstance(aws, list) and "*" in aws)):
        return False
    if not any(str(action).lower() in ("s3:*", "*") for action in _as_list(statement.get("Action", []))):
        return False
    resources = [str(resource) for resource in _as_list(statement.get("Resource", []))]
    bucket_arn = f"arn:aws:s3:::{name}"
    covers_bucket = any(fnmatchcase(bucket_arn, _aws(pattern)) for pattern in resources)
    covers_objects = any(
        _aws(pattern).endswith("*") and fnmatchcase(bucket_arn + "/", _aws(pattern)) for pattern in resources
    )
    if not (covers_bucket and covers_objects):
        return False
    condition = statement.get("Condition")
    if condition is None:
        return True  # an unconditional Deny of everything also denies plain requests
    if not isinstance(condition, Mapping) or not condition or set(condition) - {"Bool", "BoolIfExists"}:
        return False
    for body in condition.values():
        if not isinstance(body, Mapping) or not body:
            return False
        for key, values in body.items():
            if str(key).lower() != "aws:securetransport":
                return False
            if not any(str(value).lower() == "false" for value in _as_list(values)):
                return False
    return True


def _aws(pattern: str) -> str:
    """Bucket ARNs compared in the ``aws`` partition, as the bucket's own ARN is written here."""
    if pattern.startswith("arn:aws-"):
        return "arn:aws:" + pattern.split(":", 2)[2]
    return pattern


def _replication(
    scope: Scope,
    *,
    arn: str,
    region: str,
    replication: Mapping[str, Any],
    locations: Mapping[str, str],
) -> None:
    destinations: list[tuple[str, str | None]] = []
    for rule in replication.get("ReplicationConfiguration", {}).get("Rules", []):
        if rule.get("Status") != "Enabled":
            continue
        target = str(rule.get("Destination", {}).get("Bucket", ""))
        bucket = target.rsplit(":", 1)[-1] if target else ""
        if not bucket:
            continue
        destinations.append((f"bucket {bucket}", locations.get(bucket) or _destination_region(scope, bucket)))
    scope.destinations("EU-RES-010", arn, BUCKET, "the bucket replicates its objects to", destinations, region=region)


def _destination_region(scope: Scope, bucket: str) -> str | None:
    """The region of a bucket outside the account's list (another account's): None when it cannot be read."""
    home = scope.client("s3", scope.factory.home_region)
    try:
        return normalise_location(home.get_bucket_location(Bucket=bucket).get("LocationConstraint"))
    except (ClientError, BotoCoreError):
        return None
