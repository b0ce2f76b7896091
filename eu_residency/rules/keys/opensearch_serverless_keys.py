"""EU-KEY-005: OpenSearch Serverless encryption policies name a customer-managed KMS key.

An encryption policy's document is a JSON string (often an Fn::Sub or Fn::Join around a key's ARN): it is read
with its deploy-time parts as holes, so a key ARN known only at deploy time still counts as a named key, and a
document whose shape depends on a deploy-time value fails closed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from eu_residency.core.resolved import Cause, Text
from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, descend, values_at
from eu_residency.rules._kms_keys import key_value_violations, one_verdict
from eu_residency.rules.predicates import unresolved, where_applicable

SECURITY_POLICY = "AWS::OpenSearchServerless::SecurityPolicy"
TYPE: PropertyPath = ("Type",)
ENCRYPTION = "encryption"  # the other type, network, says nothing about keys
POLICY: PropertyPath = ("Policy",)
KEY: PropertyPath = (*POLICY, "KmsARN")
# Text.segments' stand-in for a deploy-time part; JSON allows it inside a string only when not strict.
HOLE = "\x00"
WHAT = "the KMS key of the policy's collections"
# docs.aws.amazon.com/opensearch-service/latest/developerguide/serverless-encryption.html: KmsARN names the
# key, and when it is given AWSOwnedKey is ignored; AWSOwnedKey true without it means an AWS-owned key.
# docs.aws.amazon.com/kms/latest/cryptographic-details/basic-concepts: an AWS-owned key's policy and use are not
# visible to the account (no CloudTrail events).
AWS_OWNED = (
    "the collections this policy matches are encrypted with a key AWS owns (AWSOwnedKey is true, KmsARN is "
    "not set), which no key policy of the account controls: its use cannot be audited or revoked"
)
NO_KEY = (
    "the policy names no customer-managed key (KmsARN is not set), so the collections it matches are not "
    "encrypted under a key whose policy the account controls"
)


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from where_applicable(
        values_at(view, resource.properties, TYPE),
        ENCRYPTION,
        lambda: list(_policy_violations(resource, view)),
        TYPE,
        whether="whether the security policy is an encryption policy",
        what=WHAT,
    )


def _policy_violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    documents = [_document(value) for value in values_at(view, resource.properties, POLICY)]
    yield from one_verdict(POLICY, WHAT, documents, _judge)


def _document(value: Any) -> Mapping[str, Any] | Unknown | None:
    """The policy document: the object a JSON string holds (a hole inside a JSON string stays ``HOLE``); an
    Unknown where the template does not decide it; None where there is no JSON object to deploy."""
    if isinstance(value, Text):
        text = value.segments(HOLE)
    elif isinstance(value, (Unknown, Mapping)):
        return value
    elif isinstance(value, str):
        text = value
    else:
        return None  # absent, or not text: CloudFormation refuses the policy
    try:
        parsed = json.loads(text, strict=False)
    except (ValueError, RecursionError):
        if isinstance(value, Text):
            return Unknown("a Policy whose JSON is built around values known only at deploy time", Cause.TEXT)
        return None  # not JSON: OpenSearch Serverless refuses the policy
    if not isinstance(parsed, Mapping):
        return None  # not a JSON object: OpenSearch Serverless refuses the policy
    if any(HOLE in str(name) for name in parsed):  # a field named at deploy time may be KmsARN
        return Unknown("a Policy whose field names are known only at deploy time", Cause.TEXT)
    return parsed


def _judge(document: Mapping[str, Any] | Unknown | None) -> Iterator[Violation]:
    if document is None:
        return
    if isinstance(document, Unknown):
        yield unresolved(POLICY, WHAT, document)
        return
    values = [_key_value(value) for value in descend(document, ("KmsARN",))]
    owned = all(value is True for value in descend(document, ("AWSOwnedKey",)))
    yield from key_value_violations(
        values,
        document.get("KmsARN", MISSING),
        KEY,
        what="the policy's KMS key",
        missing=AWS_OWNED if owned else NO_KEY,
        customer_managed=True,
    )


def _key_value(value: Any) -> Any:
    """A KmsARN with a deploy-time part (Fn::GetAtt Key.Arn, a parameter) names a key the template cannot show
    (the known text is still searched for an AWS-managed alias)."""
    if isinstance(value, str) and HOLE in value:
        return Unknown(f"the KmsARN {value.replace(HOLE, '${...}')}, known only at deploy time", Cause.TEXT)
    return value


RULE = Rule(
    id="EU-KEY-005",
    title="OpenSearch Serverless encryption policies name a customer-managed KMS key",
    explanation=(
        "OpenSearch Serverless always encrypts collections at rest, and an encryption policy chooses the key for "
        "the collections created to match its rules: an AWS-owned key unless the policy's KmsARN names a KMS key. "
        "The collections hold indexed documents, user records among them. Under an AWS-owned key the account has "
        "no key policy over that data: it can neither audit the key's use in CloudTrail nor revoke it by disabling "
        "the key; a customer-managed key gives both. A policy whose "
        "document is built around values known only at deploy time fails closed unless its KmsARN alone is such a "
        "value. A collection's own EncryptionConfig, which takes precedence over a policy, is not judged here."
    ),
    fix=(
        "In the encryption policy's document set AWSOwnedKey to false and KmsARN to a customer-managed key whose "
        "key policy lets OpenSearch Serverless use it; the policy assigns its key to collections created after it "
        "(aws-cdk-lib has no L2: aws_opensearchserverless.CfnSecurityPolicy(type='encryption', "
        "policy=Stack.of(self).to_json_string({'Rules': [...], 'AWSOwnedKey': False, 'KmsARN': key.key_arn})))."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({SECURITY_POLICY}),
    check_resource=check,
)
