"""EU-RES-030: no CloudFront distribution (nor Lambda@Edge) carries the platform's traffic."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.core.values import get
from eu_residency.rules.predicates import prop_path


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield Violation(
        (),
        f"{resource.type} serves and caches requests at edge locations worldwide, including outside the EU, "
        "whatever its price class",
        Severity.FATAL,
    )
    config = get(resource.properties, ("DistributionConfig",))
    behaviors = [("DefaultCacheBehavior",)] + [
        ("CacheBehaviors", index) for index in range(len(get(config, ("CacheBehaviors",)) or []))
    ]
    for behavior in behaviors:
        associations = get(config, (*behavior, "LambdaFunctionAssociations"))
        if isinstance(associations, list) and associations:
            yield Violation(
                prop_path("DistributionConfig", *behavior, "LambdaFunctionAssociations"),
                "Lambda@Edge functions run in whichever edge location serves the request, outside the EU too",
                Severity.FATAL,
            )


RULE = Rule(
    id="EU-RES-030",
    title="No CloudFront distribution or Lambda@Edge function processes user data",
    explanation=(
        "CloudFront terminates TLS, inspects and caches requests at edge locations around the world; even "
        "PriceClass_100 serves from North America. Requests, cookies and cached responses of EU users are "
        "then processed outside the EU, which the privacy policy rules out."
    ),
    fix="Serve the application from the regional load balancer (with a regional WAF web ACL) instead of "
    "CloudFront; remove the AWS::CloudFront::Distribution and any Lambda@Edge association.",
    severity=Severity.FATAL,
    resource_types=frozenset({"AWS::CloudFront::Distribution", "AWS::CloudFront::StreamingDistribution"}),
    check_resource=check,
)
