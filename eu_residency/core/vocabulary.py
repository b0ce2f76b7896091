"""The CloudFormation and AWS vocabulary the product reads, each item defined once.

Intrinsic function names and their YAML short tags, pseudo parameters, the ``Fn::Sub`` variable pattern,
the one ARN parser, the AWS-managed KMS key alias, the tags the secure constructs write, and the limits
that keep every reader bounded on hostile input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# -- intrinsic functions ----------------------------------------------------------------------------------

# Functions that resolve to a value (the YAML short tag is the name without ``Fn::``: ``!Sub``).
VALUE_FUNCTIONS: tuple[str, ...] = (
    "Fn::Base64", "Fn::Cidr", "Fn::FindInMap", "Fn::GetAtt", "Fn::GetAZs", "Fn::ImportValue", "Fn::Join",
    "Fn::Select", "Fn::Split", "Fn::Sub", "Fn::Transform", "Fn::ToJsonString", "Fn::Length", "Fn::If",
)  # fmt: skip
# Condition functions; ``Condition`` names a condition of the template.
CONDITION_FUNCTIONS: tuple[str, ...] = ("Fn::And", "Fn::Equals", "Fn::Not", "Fn::Or", "Condition")
# Functions of the Rules section (they assert on parameters; no resource reads them).
RULE_FUNCTIONS: tuple[str, ...] = (
    "Fn::Contains", "Fn::EachMemberEquals", "Fn::EachMemberIn", "Fn::RefAll", "Fn::ValueOf", "Fn::ValueOfAll",
)  # fmt: skip
# Values another stack gives at deploy time.
CROSS_STACK_FUNCTIONS: tuple[str, ...] = ("Fn::ImportValue", "Fn::GetStackOutput")
# Written bare in YAML (``!Ref``, ``!Condition``), not as ``Fn::Ref``.
BARE_FUNCTIONS: tuple[str, ...] = ("Ref", "Condition")
# Every short tag the template loader reads: ``!Ref``, ``!Sub``, ``!GetAtt``, ...
SHORT_TAGS: tuple[str, ...] = (
    "Ref",
    *(
        name.removeprefix("Fn::")
        for name in (*VALUE_FUNCTIONS, *CONDITION_FUNCTIONS, *RULE_FUNCTIONS)
        if name != "Condition"
    ),
    "Condition",
)


def function_of_tag(tag: str) -> str:
    """The intrinsic a YAML short tag stands for: ``Sub`` -> ``Fn::Sub``, ``Ref`` -> ``Ref``."""
    return tag if tag in BARE_FUNCTIONS else f"Fn::{tag}"


def split_sub(text: str) -> list[str]:
    """An Fn::Sub template split into literal, name, literal, ..., literal: ``${Name}`` and
    ``${Resource.Attribute}`` are variables, ``${!Literal}`` (and ``${}``) literal text. One pass: from the
    first ``${`` that no ``}`` follows, the rest is literal (a regular expression retries at every ``${``
    and reads to the end each time: quadratic on an unterminated one).
    """
    pieces: list[str] = []
    start = position = 0
    while (opening := text.find("${", position)) != -1:
        name_start = opening + 2
        if name_start >= len(text) or text[name_start] in "}!":
            position = opening + 1  # ``${}`` or the escape ``${!Literal}``: literal text
            continue
        closing = text.find("}", name_start + 1)
        if closing == -1:
            break  # no ``}`` follows: no variable starts here or after
        pieces += [text[start:opening], text[name_start:closing]]
        start = position = closing + 1
    pieces.append(text[start:])
    return pieces


# -- pseudo parameters ------------------------------------------------------------------------------------

PSEUDO_PREFIX = "AWS::"
REGION = "AWS::Region"
ACCOUNT_ID = "AWS::AccountId"
PARTITION = "AWS::Partition"
URL_SUFFIX = "AWS::URLSuffix"
NO_VALUE_NAME = "AWS::NoValue"
STANDARD_URL_SUFFIX = "amazonaws.com"

# -- resource types the readers follow --------------------------------------------------------------------

# A nested stack: its template is a file beside the parent's, an asset of the cloud assembly, or remote.
NESTED_STACK_TYPE = "AWS::CloudFormation::Stack"
STACK_SET_TYPE = "AWS::CloudFormation::StackSet"
# Where a StackSet holds, inline, the template its instances deploy.
TEMPLATE_BODY = "TemplateBody"
# The transforms the check reads (a template's Transform is one name or a list of them).
LANGUAGE_EXTENSIONS_TRANSFORM = "AWS::LanguageExtensions"
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
# Rain's directives (``!Rain::Embed``, ``Rain::Module:``) are read by ``rain pkg``, never by CloudFormation.
RAIN_DIRECTIVE_PREFIX = "Rain::"


def declares_transform(template: object, name: str) -> bool:
    """Whether ``template`` declares the transform ``name`` (its Transform is the name, or a list holding it)."""
    transform = template.get("Transform") if isinstance(template, Mapping) else None
    return transform == name or (isinstance(transform, list) and name in transform)


# CDK records each construct's path on its resource in this metadata key.
CDK_PATH_METADATA = "aws:cdk:path"
# A dynamic reference (``{{resolve:ssm:/name}}``): a value CloudFormation reads at deploy time.
DYNAMIC_REFERENCE_PREFIX = "{{resolve:"

# -- ARNs and regions -------------------------------------------------------------------------------------

# The shape of a region name: eu-west-1, us-gov-west-1, eusc-de-east-1.
REGION_NAME = r"[a-z]{2,4}(?:-[a-z]+)+-\d+"
REGION_SHAPE = re.compile(rf"^{REGION_NAME}$")
_PARTITION_NAME = r"aws[a-z-]*"
_SERVICE_NAME = r"[a-z0-9-]+"
# An ARN: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE (REGION and ACCOUNT may be empty: arn:aws:s3:::bucket).
_ARN = re.compile(
    rf"arn:(?P<partition>{_PARTITION_NAME}):(?P<service>{_SERVICE_NAME}):(?P<region>[^:]*):(?P<account>[^:]*):"
    r"(?P<resource>.*)",
    re.S,
)
# The start of any ARN, up to its partition: ``arn:aws-eusc:``.
ARN_PARTITION_PREFIX = re.compile(rf"^arn:{_PARTITION_NAME}:")
# The start of an ARN that names a region, anywhere in a text (a policy document, a URL, a joined string).
REGIONAL_ARN = re.compile(rf"arn:{_PARTITION_NAME}:(?P<service>{_SERVICE_NAME}):(?P<region>{REGION_NAME}):")
# SERVICE.REGION.amazonaws.com(.cn) endpoints.
ENDPOINT_REGION = re.compile(rf"\.(?P<region>{REGION_NAME})\.amazonaws\.com")
# An S3 bucket ARN up to the bucket's name (bucket ARNs name no region and no account).
S3_BUCKET_ARN_PREFIX = re.compile(rf"^arn:{_PARTITION_NAME}:s3:::")
# An account as an IAM principal: its root ARN or its bare 12-digit id.
ACCOUNT_PRINCIPAL = re.compile(rf"^(?:arn:{_PARTITION_NAME}:iam::\d{{12}}:root|\d{{12}})$")
# An availability zone: its region and one letter.
AVAILABILITY_ZONE = re.compile(rf"^(?P<region>{REGION_NAME})[a-z]$")
# A Bedrock cross-Region (system-defined) inference profile's id: GEOGRAPHY.PROVIDER.MODEL
# (``global.anthropic.claude-sonnet-4-5-20250929-v1:0``), or GEOGRAPHY.* in a policy. The providers are named,
# so that a host such as ``us.api.example.com`` is no profile.
BEDROCK_PROFILE_GEOGRAPHIES: tuple[str, ...] = ("global", "us", "us-gov", "eu", "apac", "jp", "au", "ca", "amer")
BEDROCK_MODEL_PROVIDERS: tuple[str, ...] = (
    "ai21", "amazon", "anthropic", "cohere", "deepseek", "google", "luma", "meta", "minimax", "mistral", "moonshot",
    "moonshotai", "nvidia", "openai", "qwen", "stability", "twelvelabs", "writer", "zai",
)  # fmt: skip
BEDROCK_PROFILE_ID = re.compile(
    rf"^(?P<geography>{'|'.join(BEDROCK_PROFILE_GEOGRAPHIES)})\."
    rf"(?P<model>\*|(?:{'|'.join(BEDROCK_MODEL_PROVIDERS)}|\*)\.[A-Za-z0-9*][A-Za-z0-9._:*-]*)$"
)


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    @property
    def prefix(self) -> str:
        """``arn:aws:rds:eu-west-1:123456789012:``, to build the ARN of a sibling resource."""
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:"


def arn_pattern(service: str, resource: str) -> re.Pattern[str]:
    """A whole ARN of ``service`` in a region and a 12-digit account, its resource part matching the regular
    expression ``resource``; the groups are partition, region, account and those of ``resource``.
    """
    return re.compile(
        rf"^arn:(?P<partition>{_PARTITION_NAME}):{service}:(?P<region>{REGION_NAME}):(?P<account>\d{{12}}):{resource}$"
    )


def parse_arn(text: str | None) -> Arn | None:
    """The parts of a whole ARN, or None when ``text`` is not one."""
    match = _ARN.fullmatch(text or "")
    if match is None:
        return None
    return Arn(**match.groupdict())


# -- properties AWS binds to one region ----------------------------------------------------------------


@dataclass(frozen=True)
class RegionBoundProperty:
    """A property whose value AWS accepts only from one region: the stack's own (``region`` None) or the one
    region named (CloudFront's certificates, in us-east-1). ``path`` is under Properties; ``*`` stands for
    every item of a list. ``holds`` names what it refers to, for a message ("certificate")."""

    path: tuple[str, ...]
    holds: str
    region: str | None = None


CERTIFICATE = "certificate"
CONTAINER_IMAGE = "container image"
EDGE_CERTIFICATE_REGION = "us-east-1"
# ACM certificates are regional, and AWS takes each one from one region. A load balancer, a regional API domain,
# a Client VPN endpoint or a VPC Lattice service takes one of its own region; CloudFront, and what CloudFront
# serves (an edge-optimized API domain, a Cognito or AppSync custom domain, an Amplify Hosting domain), one of
# us-east-1. Lambda runs images of its region.
REGION_BOUND_PROPERTIES: Mapping[str, tuple[RegionBoundProperty, ...]] = {
    "AWS::ElasticLoadBalancing::LoadBalancer": (
        RegionBoundProperty(("Listeners", "*", "SSLCertificateId"), CERTIFICATE),
    ),
    "AWS::ElasticLoadBalancingV2::Listener": (
        RegionBoundProperty(("Certificates", "*", "CertificateArn"), CERTIFICATE),
    ),
    "AWS::ElasticLoadBalancingV2::ListenerCertificate": (
        RegionBoundProperty(("Certificates", "*", "CertificateArn"), CERTIFICATE),
    ),
    # CloudFormation's DomainName is EDGE or REGIONAL; a private domain is AWS::ApiGateway::DomainNameV2.
    "AWS::ApiGateway::DomainName": (
        RegionBoundProperty(("RegionalCertificateArn",), CERTIFICATE),
        RegionBoundProperty(("CertificateArn",), CERTIFICATE, EDGE_CERTIFICATE_REGION),
    ),
    "AWS::ApiGatewayV2::DomainName": (
        RegionBoundProperty(("DomainNameConfigurations", "*", "CertificateArn"), CERTIFICATE),
    ),
    # docs.aws.amazon.com/vpn/latest/clientvpn-admin/mutual.html: server and client certificates are uploaded
    # "in the same Region in which you intend to create the Client VPN endpoint".
    "AWS::EC2::ClientVpnEndpoint": (
        RegionBoundProperty(("ServerCertificateArn",), CERTIFICATE),
        RegionBoundProperty(
            ("AuthenticationOptions", "*", "MutualAuthentication", "ClientRootCertificateChainArn"), CERTIFICATE
        ),
    ),
    # docs.aws.amazon.com/vpc-lattice/latest/ug/service-byoc.html: the certificate is in the service's Region.
    "AWS::VpcLattice::Service": (RegionBoundProperty(("CertificateArn",), CERTIFICATE),),
    "AWS::CloudFront::Distribution": (
        RegionBoundProperty(
            ("DistributionConfig", "ViewerCertificate", "AcmCertificateArn"), CERTIFICATE, EDGE_CERTIFICATE_REGION
        ),
    ),
    # CloudFront serves these custom domains, so AWS takes their certificates from us-east-1 only (Cognito's
    # CreateUserPoolDomain, AppSync's custom-domain-name.html, Amplify's CertificateSettings API reference).
    "AWS::Cognito::UserPoolDomain": (
        RegionBoundProperty(("CustomDomainConfig", "CertificateArn"), CERTIFICATE, EDGE_CERTIFICATE_REGION),
    ),
    "AWS::AppSync::DomainName": (RegionBoundProperty(("CertificateArn",), CERTIFICATE, EDGE_CERTIFICATE_REGION),),
    "AWS::Amplify::Domain": (
        RegionBoundProperty(("CertificateSettings", "CustomCertificateArn"), CERTIFICATE, EDGE_CERTIFICATE_REGION),
    ),
    "AWS::Lambda::Function": (RegionBoundProperty(("Code", "ImageUri"), CONTAINER_IMAGE),),
}

# -- keys and tags ----------------------------------------------------------------------------------------

# An AWS-managed KMS key (alias/aws/s3), by alias or alias ARN: it encrypts, but no one can change its policy.
AWS_MANAGED_KEY_ALIAS = re.compile(r"(?:^|:)(?P<alias>alias/aws/[A-Za-z0-9/_-]*)")
AWS_MANAGED_KEY_ALIAS_PREFIX = "alias/aws/"

# The tags the secure constructs write on every data-bearing resource.
CLASSIFICATION_TAG = "data-classification"
RESIDENCY_TAG = "data-residency"

# -- limits -----------------------------------------------------------------------------------------------

# Deeper than this, a value is not worth resolving: it is reported as unknown (no recursion blow-up).
MAX_NESTING = 64
# A value with more conditional options than this (nested Fn::If, Fn::If inside Fn::Join/Fn::Sub) is read as
# unknown.
MAX_COMBINATIONS = 64
# Template files nested in others (local TemplateURLs) are checked as at most this many nested stacks; beyond
# it, EU-RES-002 reports the nested stacks left unchecked (a file nested twice deploys two stacks).
MAX_LOCAL_NESTED_STACKS = 256
# CloudFormation reads a template of at most 1 MB (1,000,000 bytes) from S3, 51,200 bytes inline: a larger
# file cannot deploy, and is not read.
MAX_TEMPLATE_BYTES = 1_000_000
MAX_TEMPLATE_SIZE_TEXT = "1 MB, CloudFormation's limit for a template in S3"
# A cloud assembly's manifests and validation report: far larger than any CDK app writes.
MAX_ASSEMBLY_FILE_BYTES = 64 * 1_048_576
MAX_ASSEMBLY_FILE_SIZE_TEXT = "64 MB, far more than CDK writes"
# YAML aliases share one value; expanded, a template holds at most this many values (a 1 MB template without
# aliases holds a few hundred thousand). An alias bomb is refused before any rule reads it.
MAX_EXPANDED_VALUES = 2_000_000
# Fn::ForEach loops (AWS::LanguageExtensions) make at most this many resources, ten times CloudFormation's
# quota of 500 a template: beyond it the template is refused before the copies are built.
MAX_EXPANDED_RESOURCES = 5_000
# A value longer than this is shown in a message with its middle elided (core.messages).
SHOWN_LENGTH = 120
# A finding's message says what is wrong here in one breath: at most this many characters, values shown included.
MESSAGE_LENGTH_LIMIT = 300
# The longest host name DNS allows, and the longest ARN AWS accepts (IAM's limit, the longest there is).
MAX_HOST_LENGTH = 253
MAX_ARN_LENGTH = 2048
# An AWS error in the audit's report is shown with at most this many characters (its middle elided).
AUDIT_ERROR_LENGTH = 400
# Python reads integers of at most 4,300 digits; a longer number is kept as its text.
MAX_INTEGER_DIGITS = 4_300
