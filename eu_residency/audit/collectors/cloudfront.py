"""CloudFront (global): every distribution is EU-RES-030, whatever its price class or origin."""

from __future__ import annotations

from eu_residency.audit.scope import Scope, pages

SERVICE = "cloudfront"
GLOBAL_SERVICE = True
API_REGION = "us-east-1"
DISTRIBUTION = "AWS::CloudFront::Distribution"


def collect(scope: Scope) -> None:
    for page in pages(scope.client(region=API_REGION), "list_distributions"):
        for distribution in (page.get("DistributionList") or {}).get("Items", []):
            identifier = str(distribution["Id"])
            arn = str(distribution.get("ARN", identifier))
            domain = distribution.get("DomainName", identifier)
            scope.finding(
                "EU-RES-030",
                arn,
                DISTRIBUTION,
                f"the distribution {identifier} ({domain}, {distribution.get('PriceClass', 'PriceClass_All')}) "
                "terminates TLS and caches at edge locations outside the EU",
            )
