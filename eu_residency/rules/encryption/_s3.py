"""Helpers of the S3 encryption rule: which buckets receive logs that AWS delivers only to SSE-S3 buckets.

Application (and Classic) Load Balancer access logs and S3 server access logs can be delivered only to a
bucket encrypted with SSE-S3, so such a bucket may not use SSE-KMS. The template shows a bucket receives
them when it is named (``Ref``, or its literal ``BucketName``) as

- ``access_logs.s3.bucket`` in the LoadBalancerAttributes of an application load balancer
  (Network Load Balancers deliver to SSE-KMS buckets, so they do not count),
- ``AccessLoggingPolicy.S3BucketName`` of a Classic Load Balancer,
- ``LoggingConfiguration.DestinationBucketName`` of another bucket (S3 server access logging),

or when its bucket policy lets log delivery put objects: to
``logdelivery.elasticloadbalancing.amazonaws.com``, to an Elastic Load Balancing account
(``arn:aws:iam::<account>:root``) under an ``/AWSLogs/`` prefix, or to ``logging.s3.amazonaws.com``.
The policy is what shows it when the load balancer or the logged bucket is in another stack.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fnmatch import fnmatchcase
from typing import Any

from eu_residency.core.template_view import Resource, ResourceRef, TemplateView, options
from eu_residency.core.values import MISSING, descend, get, values_at
from eu_residency.core.vocabulary import ACCOUNT_PRINCIPAL
from eu_residency.rules.encryption._customer_keys import mentions, texts

ELB_LOG_DELIVERY = "logdelivery.elasticloadbalancing.amazonaws.com"
S3_SERVER_ACCESS_LOG_DELIVERY = "logging.s3.amazonaws.com"
ELB_LOG_PATH = "/AWSLogs/"
ALB_ACCESS_LOG_BUCKET = "access_logs.s3.bucket"
ALB_ACCESS_LOGS = "Application Load Balancer access logs"


def sse_s3_log_sources(bucket: Resource, view: TemplateView) -> list[str]:
    """The log deliveries the template shows ``bucket`` receives that need SSE-S3; empty when none."""
    name = _literal_name(bucket, view)

    def named(values: list[Any]) -> bool:
        return any(_names_bucket(value, bucket, name) for value in values)

    sources: list[str] = []
    for balancer in view.resources_of_type("AWS::ElasticLoadBalancingV2::LoadBalancer"):
        if _may_be_application(balancer, view) and named(_attribute_values(balancer, view)):
            sources.append(f"{ALB_ACCESS_LOGS} of {balancer.logical_id}")
    for balancer in view.resources_of_type("AWS::ElasticLoadBalancing::LoadBalancer"):
        if named(values_at(view, balancer.properties, ("AccessLoggingPolicy", "S3BucketName"))):
            sources.append(f"Classic Load Balancer access logs of {balancer.logical_id}")
    for other in view.resources_of_type("AWS::S3::Bucket"):
        if other.logical_id != bucket.logical_id and named(
            values_at(view, other.properties, ("LoggingConfiguration", "DestinationBucketName"))
        ):
            sources.append(f"S3 server access logs of {other.logical_id}")
    for policy in view.resources_of_type("AWS::S3::BucketPolicy"):
        if named(values_at(view, policy.properties, ("Bucket",))):
            sources.extend(_policy_deliveries(policy, view))
    return sources


def _literal_name(bucket: Resource, view: TemplateView) -> str | None:
    name = view.resolve(bucket.properties.get("BucketName", MISSING))
    return name if isinstance(name, str) and name else None


def _names_bucket(value: Any, bucket: Resource, name: str | None) -> bool:
    if isinstance(value, ResourceRef):
        return value.logical_id == bucket.logical_id and value.attribute is None
    return name is not None and value == name


def _may_be_application(balancer: Resource, view: TemplateView) -> bool:
    """An ELBv2 load balancer is an application one unless Type says otherwise (undecided: it may be)."""
    return any(
        kind is MISSING or not isinstance(kind, str) or kind == "application"
        for kind in values_at(view, balancer.properties, ("Type",))
    )


def _attribute_values(balancer: Resource, view: TemplateView) -> list[Any]:
    values: list[Any] = []
    for attributes in values_at(view, balancer.properties, ("LoadBalancerAttributes",)):
        if not isinstance(attributes, list):
            continue
        for item in attributes:
            for attribute in options(item):
                if isinstance(attribute, Mapping) and ALB_ACCESS_LOG_BUCKET in descend(
                    attribute.get("Key", MISSING), ()
                ):
                    values.extend(descend(attribute.get("Value", MISSING), ()))
    return values


def _statements(policy: Resource, view: TemplateView) -> Iterator[tuple[Mapping[str, Any], Any]]:
    """Each statement the policy may hold, resolved, with its Resource as written (for ``/AWSLogs/``,
    which an ``Fn::Join`` with the bucket's ARN hides from the resolver).
    """
    raw = get(policy.properties, ("PolicyDocument", "Statement"))
    for raw_item in raw if isinstance(raw, list) else [raw]:
        has_resource = isinstance(raw_item, Mapping) and "Resource" in raw_item
        raw_resource = raw_item["Resource"] if has_resource else raw_item  # an Fn::If: search it whole
        for resolved in options(view.resolve(raw_item)):
            for item in resolved if isinstance(resolved, list) else [resolved]:
                for statement in options(item):
                    if isinstance(statement, Mapping):
                        yield statement, raw_resource


def _policy_deliveries(policy: Resource, view: TemplateView) -> list[str]:
    deliveries: list[str] = []
    for statement, raw_resource in _statements(policy, view):
        if "Allow" not in texts([statement.get("Effect", MISSING)]):
            continue
        actions = texts([statement.get("Action", MISSING)])
        if not any(fnmatchcase("s3:putobject", action.lower()) for action in actions):
            continue
        principal = statement.get("Principal", MISSING)
        principals = [item for item in options(principal) if isinstance(item, Mapping)]
        services = texts(item.get("Service", MISSING) for item in principals)
        accounts = texts(item.get("AWS", MISSING) for item in principals)
        elb_account = any(ACCOUNT_PRINCIPAL.match(account) for account in accounts)
        policy_id = policy.logical_id
        if ELB_LOG_DELIVERY in services:
            deliveries.append(f"{ALB_ACCESS_LOGS} ({policy_id} admits {ELB_LOG_DELIVERY})")
        if elb_account and mentions(raw_resource, ELB_LOG_PATH):
            deliveries.append(f"Elastic Load Balancing access logs ({policy_id} admits an ELB account)")
        if S3_SERVER_ACCESS_LOG_DELIVERY in services:
            deliveries.append(f"S3 server access logs ({policy_id} admits {S3_SERVER_ACCESS_LOG_DELIVERY})")
    return deliveries
