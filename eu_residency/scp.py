"""The organization's region-deny service control policy, generated from the allowed-region setting.

Modelled on AWS Control Tower's Region deny control (GRREGIONDENY): one Deny with ``NotAction`` refuses
every request whose ``aws:RequestedRegion`` is outside the allowed regions, except the actions of global
services, whose requests name a region outside the EU (mostly us-east-1) although they hold no user
data. We keep fewer exemptions than Control Tower: only services that are global and hold account
settings, never a regional service that stores data (Control Tower's list also exempts ``kms:*``,
``config:*``, ``acm:*``, ``wafv2:*`` and others, which would let keys, recorders and certificates be
created outside the EU; see ``LEFT_OUT``).

CloudFront and Global Accelerator carry traffic through edge locations outside the EU, so they stay
denied unless opted in: out of ``NotAction`` (the region deny refuses them, their APIs being in us-east-1
and us-west-2) and refused again by a statement of their own that exempts nobody, not even the exempt
principals. WAFv2's CLOUDFRONT scope and CloudFront's ACM certificates are only served from us-east-1, so
the region deny refuses them too; no statement of their own is needed. With CloudFront opted in, ``acm:*``
and ``wafv2:*`` are let through in us-east-1 only, by a second region deny that adds us-east-1.

Imports nothing from aws_cdk, so that tests and tools can build and measure the policy cheaply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from eu_residency.core.regions import validate_allowed_regions

# AWS Organizations refuses a service control policy longer than this (characters, whitespace included).
SCP_MAX_CHARACTERS = 5120

POLICY_VERSION = "2012-10-17"

# The role Control Tower acts through in every enrolled account; its own region deny exempts it.
CONTROL_TOWER_EXECUTION_ROLE = "arn:*:iam::*:role/AWSControlTowerExecution"

# An IAM role ARN, wildcards allowed where ArnNotLike accepts them (account, path, name).
ROLE_ARN = re.compile(r"^arn:(?:aws[a-z-]*|\*):iam::(?:\d{12}|\*):role/[A-Za-z0-9+=,.@_*/-]{1,512}$")

# Where CloudFront's companions live: its certificates (ACM) and its web ACLs (WAFv2, CLOUDFRONT scope).
CLOUDFRONT_HOME_REGION = "us-east-1"

# Actions exempt from the region deny, and why each is global (its requests carry a region outside the EU
# although it stores no user data there).
GLOBAL_SERVICE_ACTIONS: Mapping[str, str] = {
    "account:*": "Account Management (contacts, Region opt-in) has one endpoint, in us-east-1",
    "artifact:*": "AWS Artifact (compliance reports, the GDPR DPA) is a global console service",
    "aws-marketplace:*": "Marketplace subscriptions are account-wide, served from us-east-1",
    "aws-portal:*": "the legacy Billing console permissions; billing is global",
    "billing:*": "the Billing console is global (us-east-1)",
    "budgets:*": "AWS Budgets has one endpoint, in us-east-1",
    "ce:*": "Cost Explorer has one endpoint, in us-east-1",
    "cloudtrail:LookupEvents": "read-only event history; lets an investigation look at every region",
    "consolidatedbilling:*": "consolidated billing of the organization is global",
    "cur:*": "Cost and Usage Report definitions live in us-east-1",
    "ec2:DescribeRegions": "read-only list of regions, which consoles and SDKs ask any region for",
    "freetier:*": "Free Tier usage alerts are part of global billing",
    "health:*": "the AWS Health API's global endpoint is in us-east-1",
    "iam:*": "IAM is global; its endpoint is in us-east-1",
    "invoicing:*": "invoices are part of global billing",
    "organizations:*": "AWS Organizations is global; its endpoint is in us-east-1",
    "payments:*": "payment methods are part of global billing",
    "pricing:*": "the Price List API (public prices, read-only) has endpoints outside the EU",
    "route53:*": "Route 53 is global; its endpoint is in us-east-1",
    "route53domains:*": "domain registration has one endpoint, in us-east-1",
    "s3:GetAccountPublicAccessBlock": "the account's S3 Block Public Access covers every region",
    "s3:GetBucketLocation": "read-only: which region a bucket is in, asked through the global endpoint",
    "s3:ListAllMyBuckets": "lists bucket names of every region through the global endpoint (us-east-1)",
    "s3:PutAccountPublicAccessBlock": "the account's S3 Block Public Access covers every region",
    "savingsplans:*": "Savings Plans are account-wide, served from us-east-1",
    "shield:*": "Shield Advanced subscriptions and protections are global (us-east-1)",
    "sts:*": "the global STS endpoint reports us-east-1; temporary credentials hold no data",
    "support:*": "the AWS Support API has one endpoint, in us-east-1",
    "supportplans:*": "support plans are account-wide, served from us-east-1",
    "sustainability:*": "the carbon footprint tool is part of global billing",
    "tax:*": "tax settings are part of global billing",
    "trustedadvisor:*": "Trusted Advisor is a global console service",
    "waf:*": "WAF Classic's global API (for CloudFront) is in us-east-1; it holds rules, no data",
}

# Exempt only when opted in: their edge carries traffic outside the EU.
CLOUDFRONT_ACTION = "cloudfront:*"  # CloudFront's API is in us-east-1; edge locations worldwide
GLOBAL_ACCELERATOR_ACTION = "globalaccelerator:*"  # Global Accelerator's API is in us-west-2; worldwide edge

# With CloudFront opted in: let through in us-east-1 (and the allowed regions) only.
CLOUDFRONT_COMPANION_ACTIONS: Mapping[str, str] = {
    "acm:*": "CloudFront only takes certificates from ACM in us-east-1",
    "wafv2:*": "web ACLs of CLOUDFRONT scope live in us-east-1",
}

# Entries of Control Tower's list that we leave out on purpose, and why (a reviewer's checklist).
LEFT_OUT: Mapping[str, str] = {
    "kms:*": "regional; exempting it would allow keys (and what they protect) outside the EU",
    "config:*": "regional; recorders outside the EU need no exemption (Control Tower's role is exempt)",
    "acm:*": "regional; only CloudFront needs us-east-1, and then only there",
    "wafv2:*": "regional; only CloudFront's scope needs us-east-1, and then only there",
    "waf-regional:*": "regional, and WAF Classic is retired",
    "access-analyzer:*": "regional; analyzers belong in the allowed regions",
    "sso:*": "regional (the IAM Identity Center instance's region); an instance outside the EU holds identities",
    "chatbot:*": "sends notifications and their content to chat services outside the EU",
    "s3:*MultiRegionAccessPoint*": "not used; multi-region access points are managed from us-west-2",
    "others": "a4b, activate, billingconductor, chime, compute-optimizer, consoleapp, datapipeline, "
    "devicefarm, directconnect, ecr-public, fms, importexport, iq, license-manager, lightsail, "
    "mobileanalytics, networkmanager, notifications, quicksight, resource-explorer-2, route53-recovery-*, "
    "supportapp, tag, vendor-insights: not used by the platform; add one with a reason if you need it",
}


def region_deny_policy(
    allowed_regions: Iterable[str],
    *,
    allow_cloudfront: bool = False,
    allow_global_accelerator: bool = False,
    exempt_principal_arns: Iterable[str] = (),
) -> dict[str, Any]:
    """The SCP document that denies requests outside ``allowed_regions`` (EU regions only).

    ``exempt_principal_arns`` (IAM role ARNs, wildcards allowed) join Control Tower's execution role as
    principals the region deny does not apply to; the edge-service deny applies to them all the same.
    """
    regions = sorted(validate_allowed_regions(allowed_regions))
    principals = _exempt_principals(exempt_principal_arns)

    not_actions = set(GLOBAL_SERVICE_ACTIONS)
    if allow_cloudfront:
        not_actions |= {CLOUDFRONT_ACTION, *CLOUDFRONT_COMPANION_ACTIONS}
    if allow_global_accelerator:
        not_actions.add(GLOBAL_ACCELERATOR_ACTION)

    statements: list[dict[str, Any]] = [
        {
            "Sid": "DenyOutsideAllowedRegions",
            "Effect": "Deny",
            "NotAction": sorted(not_actions),
            "Resource": "*",
            "Condition": {
                "StringNotEquals": {"aws:RequestedRegion": regions},
                "ArnNotLike": {"aws:PrincipalARN": list(principals)},
            },
        }
    ]
    if allow_cloudfront:
        statements.append(
            {
                "Sid": "DenyCloudFrontCompanionsOutsideUsEast1",
                "Effect": "Deny",
                "Action": sorted(CLOUDFRONT_COMPANION_ACTIONS),
                "Resource": "*",
                "Condition": {
                    "StringNotEquals": {"aws:RequestedRegion": sorted({*regions, CLOUDFRONT_HOME_REGION})},
                    "ArnNotLike": {"aws:PrincipalARN": list(principals)},
                },
            }
        )
    edge = [
        action
        for action, allowed in (
            (CLOUDFRONT_ACTION, allow_cloudfront),
            (GLOBAL_ACCELERATOR_ACTION, allow_global_accelerator),
        )
        if not allowed
    ]
    if edge:
        statements.append({"Sid": "DenyEdgeServicesOutsideTheEu", "Effect": "Deny", "Action": edge, "Resource": "*"})
    return {"Version": POLICY_VERSION, "Statement": statements}


def policy_json(document: Mapping[str, Any]) -> str:
    """The document as AWS Organizations stores it (compact JSON); refused over the 5,120-character limit."""
    text = json.dumps(document, separators=(",", ":"))
    if len(text) > SCP_MAX_CHARACTERS:
        raise ValueError(
            f"the service control policy is {len(text):,} characters, over the {SCP_MAX_CHARACTERS:,} that "
            "AWS Organizations accepts"
        )
    return text


def _exempt_principals(arns: Iterable[str]) -> list[str]:
    principals = [CONTROL_TOWER_EXECUTION_ROLE]
    for arn in arns:
        if not isinstance(arn, str) or not ROLE_ARN.match(arn):
            raise ValueError(
                f"exempt principal {arn!r} is not an IAM role ARN; use arn:aws:iam::ACCOUNT:role/NAME "
                "(* allowed in the account and the name)"
            )
        if arn not in principals:
            principals.append(arn)
    return principals
