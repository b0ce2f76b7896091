"""EU-RES-035: TLS certificates are of the region AWS requires, and no custom domain is served from edge locations
worldwide."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.core.vocabulary import CERTIFICATE, REGION_BOUND_PROPERTIES, RegionBoundProperty
from eu_residency.rules.predicates import arn_region_of, prop_path, region_bound_values

# The types that take an ACM certificate, and where: the certificate properties come from the resource types
# that have them, never from a property's name (a custom resource's ``Certificate`` is whatever its code says).
CERTIFICATE_TYPES = frozenset(
    resource_type
    for resource_type, properties in REGION_BOUND_PROPERTIES.items()
    if any(bound.holds == CERTIFICATE for bound in properties)
)
# CloudFront endpoints another rule reports as the violation (every distribution: EU-RES-030; an edge-optimized
# API domain: EU-RES-032): their us-east-1 certificate is no finding of its own, one that cannot deploy is.
EDGE_ENDPOINTS_REPORTED_ELSEWHERE = frozenset({"AWS::CloudFront::Distribution", "AWS::ApiGateway::DomainName"})
# The custom domains served from edge locations that no other rule reports: what each is, what serves it (a
# custom domain's CreateUserPoolDomain returns its CloudFront domain; AppSync's sets up a CloudFront distribution;
# Amplify deploys apps to the AWS global content delivery network), and how to serve it from the EU instead.
EDGE_SERVED = {
    "AWS::Cognito::UserPoolDomain": (
        "the user pool's custom domain (its sign-in pages)",
        "CloudFront",
        "Use a prefix domain (Domain without CustomDomainConfig), whose host name is in the user pool's region, "
        "or sign users in through a regional endpoint of your own in an EU region.",
    ),
    "AWS::AppSync::DomainName": (
        "the AppSync custom domain",
        "CloudFront",
        "Call the GraphQL API at its own endpoint (appsync-api.REGION.amazonaws.com) in an EU region, or put a "
        "regional API Gateway domain in front of it, instead of an AppSync custom domain.",
    ),
    "AWS::Amplify::Domain": (
        "the Amplify Hosting domain",
        "the AWS global content delivery network",
        "Serve the frontend from an EU region (a load balancer or a regional API Gateway domain) instead of "
        "Amplify Hosting.",
    ),
}


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    said: set[tuple[object, ...]] = set()
    for bound in REGION_BOUND_PROPERTIES.get(resource.type, ()):
        if bound.holds != CERTIFICATE:
            continue
        for path, option in region_bound_values(view, resource, bound):
            for found in arn_region_of(view, option, prop_path(*path), "the certificate", bound=bound):
                violation = _as_reported(resource.type, bound, found)
                if violation is not None and (violation.path, violation.message) not in said:
                    said.add((violation.path, violation.message))  # the branches of an Fn::If may say the same
                    yield violation


def _as_reported(resource_type: str, bound: RegionBoundProperty, found: Violation) -> Violation | None:
    """A verdict on one certificate value as this rule reports it. A fatal one on a certificate AWS takes from
    one region (us-east-1) is a certificate that deploys: what is wrong is the endpoint served from edge
    locations, another rule's finding or said here; one that cannot deploy is reported as it is."""
    if bound.region is None or found.severity is not Severity.FATAL:
        return found
    if resource_type in EDGE_ENDPOINTS_REPORTED_ELSEWHERE:
        return None
    served = EDGE_SERVED.get(resource_type)
    if served is None:
        return found
    what, server, fix = served
    message = (
        f"{what} is served by {server}, whose edge locations worldwide, outside the EU too, end its TLS sessions "
        f"(AWS takes its certificate only from {bound.region})"
    )
    return Violation(found.path, message, Severity.FATAL, fix=fix)


RULE = Rule(
    id="EU-RES-035",
    title="TLS certificates are of the region AWS requires, and no custom domain is served from edge locations",
    explanation=(
        "ACM certificates are regional, and AWS takes each one from one region. A load balancer, a regional API "
        "domain, a Client VPN endpoint or a VPC Lattice service takes only a certificate of its own region: one "
        "named in another region is a template that cannot deploy (no data moves, but it is an error). A Cognito "
        "user pool's custom domain and an AppSync custom domain are served by CloudFront, an Amplify Hosting "
        "domain by the AWS global content delivery network: edge locations worldwide, outside the EU too, end "
        "their TLS sessions, and AWS takes their certificates only from us-east-1. CloudFront distributions and "
        "edge-optimized API domains are EU-RES-030's and EU-RES-032's findings: their certificates are reported "
        "here only when the template cannot deploy."
    ),
    fix="Issue or import the certificate in the stack's region and reference it: Certificates[].CertificateArn "
    "(CDK: elbv2 listener certificates=[...]), RegionalCertificateArn with EndpointConfiguration REGIONAL "
    "(CDK: apigateway.DomainName certificate=..., endpoint_type=REGIONAL), DomainNameConfigurations[]."
    "CertificateArn (CDK: apigatewayv2.DomainName certificate=...), ServerCertificateArn (CDK: "
    "ec2.ClientVpnEndpoint server_certificate_arn=...). Serve users from a regional endpoint in an EU region, "
    "not from a domain served from edge locations.",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    reports_undeployable=True,
    resource_types=CERTIFICATE_TYPES,
    check_resource=check,
)
