"""Which buckets receive logs that AWS delivers only to SSE-S3 buckets (for the S3 key-control rule, EU-KEY-001).

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

import itertools
from collections.abc import Iterator, Mapping
from fnmatch import fnmatchcase
from typing import Any

from eu_residency.core.template_view import Resource, ResourceRef, TemplateView, options
from eu_residency.core.values import MISSING, descend, get, values_at
from eu_residency.core.vocabulary import ACCOUNT_PRINCIPAL
from eu_residency.rules._kms_keys import mentions, texts

ELB_LOG_DELIVERY = "logdelivery.elasticloadbalancing.amazonaws.com"
S3_SERVER_ACCESS_LOG_DELIVERY = "logging.s3.amazonaws.com"
ELB_LOG_PATH = "/AWSLogs/"
ALB_ACCESS_LOG_BUCKET = "access_logs.s3.bucket"
ALB_ACCESS_LOGS = "Application Load Balancer access logs"


def sse_s3_log_sources(bucket: Resource, view: TemplateView) -> list[str]:
    """The log deliveries the template shows ``bucket`` receives that need SSE-S3; empty when none."""
    deliveries = view.memo(f"{__name__}.deliveries", lambda: _deliveries(view))
    found = deliveries.get(("ref", bucket.logical_id), {})
    name = _literal_name(bucket, view)
    if name is not None:
        found = {**found, **deliveries.get(("name", name), {})}
    return [text for _, (source, texts) in sorted(found.items()) if source != bucket.logical_id for text in texts]


# A bucket as the template names it: ("ref", its logical id) or ("name", its literal BucketName).
_BucketKey = tuple[str, str]
# Per bucket: each delivery, in the template's order -> (the resource it comes from when that is a bucket
# logging to others, which never counts for itself; the deliveries it shows).
_Deliveries = dict[_BucketKey, dict[int, tuple[str | None, list[str]]]]


def _deliveries(view: TemplateView) -> _Deliveries:
    """Every log delivery the template shows, by the bucket it names: read once per template, so that
    checking each bucket does not read every resource again."""
    found: _Deliveries = {}
    order = itertools.count()

    def add(values: list[Any], texts: list[str], source: str | None = None) -> None:
        position = next(order)
        for value in values:
            key = _bucket_key(value)
            if key is not None and texts:
                found.setdefault(key, {})[position] = (source, texts)

    for balancer in view.resources_of_type("AWS::ElasticLoadBalancingV2::LoadBalancer"):
        if _may_be_application(balancer, view):
            add(_attribute_values(balancer, view), [f"{ALB_ACCESS_LOGS} of {balancer.logical_id}"])
    for balancer in view.resources_of_type("AWS::ElasticLoadBalancing::LoadBalancer"):
        add(
            values_at(view, balancer.properties, ("AccessLoggingPolicy", "S3BucketName")),
            [f"Classic Load Balancer access logs of {balancer.logical_id}"],
        )
    for other in view.resources_of_type("AWS::S3::Bucket"):
        add(
            values_at(view, other.properties, ("LoggingConfiguration", "DestinationBucketName")),
            [f"S3 server access logs of {other.logical_id}"],
            other.logical_id,
        )
    for policy in view.resources_of_type("AWS::S3::BucketPolicy"):
        values = values_at(view, policy.properties, ("Bucket",))
        if any(_bucket_key(value) is not None for value in values):
            add(values, _policy_deliveries(policy, view))
    return found


def _literal_name(bucket: Resource, view: TemplateView) -> str | None:
    name = view.resolve(bucket.properties.get("BucketName", MISSING))
    return name if isinstance(name, str) and name else None


def _bucket_key(value: Any) -> _BucketKey | None:
    """How ``value`` names a bucket: a Ref to it, or its name; None when it names none."""
    if isinstance(value, ResourceRef):
        return ("ref", value.logical_id) if value.attribute is None else None
    return ("name", value) if isinstance(value, str) and value else None


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
