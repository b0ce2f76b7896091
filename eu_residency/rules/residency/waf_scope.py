"""EU-RES-034: WAFv2 resources are REGIONAL, never CLOUDFRONT."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import get, text_options
from eu_residency.rules.predicates import prop_path


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    for option in text_options(view, get(resource.properties, ("Scope",))):
        if isinstance(option, Unknown):
            yield Violation(
                prop_path("Scope"),
                f"the scope cannot be shown to be REGIONAL: it is {option.reason}",
                Severity.ERROR,
                option,
            )
        elif option != "REGIONAL":
            yield Violation(
                prop_path("Scope"),
                f"scope {option} lives in us-east-1 and inspects requests at CloudFront edge locations",
                Severity.FATAL,
            )


RULE = Rule(
    id="EU-RES-034",
    title="WAFv2 web ACLs, rule groups and sets are REGIONAL",
    explanation=(
        "A CLOUDFRONT-scope web ACL (and its rule groups, IP sets and pattern sets) is created in us-east-1 "
        "and evaluates requests, including visitor IPs and headers, at edge locations outside the EU."
    ),
    fix="Set Scope: REGIONAL and associate the web ACL with the regional load balancer (constructs_lib's "
    "RegionalWebAcl).",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset(
        {"AWS::WAFv2::WebACL", "AWS::WAFv2::RuleGroup", "AWS::WAFv2::IPSet", "AWS::WAFv2::RegexPatternSet"}
    ),
    check_resource=check,
)
