"""EU-KEY-001: S3 buckets encrypt objects under a customer-managed KMS key."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any

from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, descend, get, values_at
from eu_residency.rules._kms_keys import NO_KEY_CONTROL, key_value_violations, one_verdict
from eu_residency.rules.keys._log_buckets import sse_s3_log_sources
from eu_residency.rules.predicates import prop_path, unresolved

ENCRYPTION: PropertyPath = ("BucketEncryption",)
CONFIGURATION: PropertyPath = ("BucketEncryption", "ServerSideEncryptionConfiguration")
BY_DEFAULT = "ServerSideEncryptionByDefault"
SSE_KMS = frozenset({"aws:kms", "aws:kms:dsse"})
SSE_S3 = "AES256"
SSE_S3_ONLY_FOR = (
    "SSE-S3 is accepted only for a bucket the template shows to receive Application Load Balancer "
    "access logs or S3 server access logs, which AWS cannot deliver to an SSE-KMS bucket"
)


class _Bucket:
    """One bucket being checked; what logs it receives is worked out once, when first needed."""

    def __init__(self, resource: Resource, view: TemplateView) -> None:
        self.resource = resource
        self.view = view

    @cached_property
    def receives_sse_s3_only_logs(self) -> bool:
        return bool(sse_s3_log_sources(self.resource, self.view))


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    bucket = _Bucket(resource, view)
    yield from one_verdict(
        ENCRYPTION,
        "the bucket's default encryption",
        values_at(view, resource.properties, ENCRYPTION),
        lambda encryption: _encryption(bucket, encryption),
    )


def _encryption(bucket: _Bucket, encryption: Any) -> Iterator[Violation]:
    if encryption is MISSING:
        if not bucket.receives_sse_s3_only_logs:
            yield Violation(
                prop_path(*ENCRYPTION),
                "S3 encrypts the objects with SSE-S3, its own key (BucketEncryption is not set): no key "
                "policy of the account limits who can read them",
            )
        return
    if isinstance(encryption, Unknown):
        yield unresolved(ENCRYPTION, "the bucket's default encryption", encryption)
        return
    for rules in descend(encryption, ("ServerSideEncryptionConfiguration",)):
        if isinstance(rules, Unknown):
            yield unresolved(CONFIGURATION, "the bucket's default encryption", rules)
        elif not isinstance(rules, list) or not rules:
            yield Violation(
                prop_path(*CONFIGURATION),
                "no default encryption rule is configured (ServerSideEncryptionConfiguration is empty)",
            )
        else:
            for index, rule in enumerate(rules):
                for option in descend(rule, ()):
                    yield from _rule(bucket, option, (*CONFIGURATION, index))


def _rule(bucket: _Bucket, rule: Any, path: PropertyPath) -> Iterator[Violation]:
    if not isinstance(rule, Mapping):
        reason = rule if isinstance(rule, Unknown) else Unknown("a value that is not an encryption rule")
        yield unresolved(path, "the bucket's default encryption", reason)
        return
    algorithm_path: PropertyPath = (*path, BY_DEFAULT, "SSEAlgorithm")

    def judge(algorithm: Any) -> Iterator[Violation]:
        if isinstance(algorithm, Unknown):
            yield unresolved(algorithm_path, "the bucket's encryption algorithm", algorithm)
        elif algorithm in SSE_KMS:
            yield from _sse_kms(bucket, rule, algorithm, path)
        elif algorithm in (SSE_S3, MISSING) and bucket.receives_sse_s3_only_logs:
            return
        elif algorithm is MISSING:
            yield Violation(
                prop_path(*path, BY_DEFAULT),
                "S3 encrypts the objects with SSE-S3, its own key (ServerSideEncryptionByDefault is not "
                f"set); {SSE_S3_ONLY_FOR}",
            )
        elif algorithm == SSE_S3:
            yield Violation(
                prop_path(*algorithm_path),
                f"the objects are encrypted with SSE-S3, S3's own key (SSEAlgorithm is AES256); {SSE_S3_ONLY_FOR}, "
                "and this bucket receives neither",
            )
        else:
            message = f"SSEAlgorithm {algorithm!r} is not an S3 encryption algorithm"
            yield Violation(prop_path(*algorithm_path), message)

    yield from one_verdict(
        algorithm_path,
        "the bucket's encryption algorithm",
        descend(rule, (BY_DEFAULT, "SSEAlgorithm")),
        judge,
    )


def _sse_kms(
    bucket: _Bucket,
    rule: Mapping[str, Any],
    algorithm: str,
    path: PropertyPath,
) -> Iterator[Violation]:
    key_path: PropertyPath = (*path, BY_DEFAULT, "KMSMasterKeyID")
    aws_managed = f"SSE-KMS ({algorithm}) uses the AWS-managed key aws/s3 (KMSMasterKeyID is not set)"
    yield from key_value_violations(
        descend(rule, (BY_DEFAULT, "KMSMasterKeyID")),
        get(bucket.resource.properties, key_path),
        key_path,
        what="the bucket's KMS key",
        missing=f"{aws_managed}, {NO_KEY_CONTROL}",
        customer_managed=True,
    )


RULE = Rule(
    id="EU-KEY-001",
    title="S3 buckets encrypt objects under a customer-managed KMS key",
    explanation=(
        "S3 encrypts every new object (SSE-S3 since January 2023), so the objects are encrypted at rest "
        "in any case. Buckets hold the bulk of user data (uploads, exports, logs); SSE-KMS with a "
        "customer-managed key keeps the decision over who may read them in a key policy, where it can be "
        "restricted to the services that use it, audited in CloudTrail and revoked; SSE-S3 and the "
        "AWS-managed aws/s3 key give none of that. Only buckets receiving Application Load Balancer or S3 "
        "server access logs, which AWS can deliver only with SSE-S3, may use SSE-S3. An S3 Bucket Key is "
        "a cost setting and is not judged."
    ),
    fix="Set BucketEncryption.ServerSideEncryptionConfiguration to SSEAlgorithm aws:kms with KMSMasterKeyID "
    "a customer-managed key (L2: aws_s3.Bucket(encryption=BucketEncryption.KMS, encryption_key=key)); or "
    "use constructs_lib's "
    "DataBucket. An access-log bucket uses SSEAlgorithm AES256 (encryption=BucketEncryption.S3_MANAGED, or "
    "constructs_lib's AccessLogBucket) and is named as a load balancer's access_logs.s3.bucket or another "
    "bucket's LoggingConfiguration.DestinationBucketName, or its policy admits the log delivery.",
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::S3::Bucket"}),
    check_resource=check,
)
