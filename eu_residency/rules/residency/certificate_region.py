"""EU-RES-035: TLS certificates are of the region AWS requires, and none is copied to edge locations worldwide."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.core.vocabulary import CERTIFICATE, REGION_BOUND_PROPERTIES
from eu_residency.rules.predicates import arn_region_of, prop_path, region_bound_values

# The types that take an ACM certificate, and where: the certificate properties come from the resource types
# that have them, never from a property's name (a custom resource's ``Certificate`` is whatever its code says).
CERTIFICATE_TYPES = frozenset(
    resource_type
    for resource_type, properties in REGION_BOUND_PROPERTIES.items()
    if any(bound.holds == CERTIFICATE for bound in properties)
)


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    for bound in REGION_BOUND_PROPERTIES.get(resource.type, ()):
        if bound.holds != CERTIFICATE:
            continue
        for path, option in region_bound_values(view, resource, bound):
            yield from arn_region_of(view, option, prop_path(*path), "the certificate", bound=bound)


RULE = Rule(
    id="EU-RES-035",
    title="TLS certificates are held in the stack's own region, never copied to edge locations worldwide",
    explanation=(
        "ACM certificates are regional. A load balancer or a regional API domain takes only a certificate of its "
        "own region: one named in another region is a template that cannot deploy (no data moves, but it is an "
        "error). CloudFront and edge-optimized API domains take certificates only from us-east-1 and copy them "
        "to edge locations worldwide, where the TLS sessions of EU users, and the user data in them, are opened."
    ),
    fix="Issue or import the certificate in the stack's region and reference it: Certificates[].CertificateArn "
    "(CDK: elbv2 listener certificates=[...]), RegionalCertificateArn with EndpointConfiguration REGIONAL "
    "(CDK: apigateway.DomainName certificate=..., endpoint_type=REGIONAL), DomainNameConfigurations[]."
    "CertificateArn (CDK: apigatewayv2.DomainName certificate=...). Serve users from a regional endpoint, "
    "not CloudFront.",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=CERTIFICATE_TYPES,
    check_resource=check,
)
