"""EU-RES-050: Firehose delivers only to AWS destinations or to endpoints vetted to be in the EU."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.core.values import MISSING, get
from eu_residency.rules.residency._endpoints import endpoint_violations

# Destinations outside AWS, and where each keeps its endpoint.
EXTERNAL_DESTINATIONS = {
    "HttpEndpointDestinationConfiguration": ("EndpointConfiguration", "Url"),
    "SplunkDestinationConfiguration": ("HECEndpoint",),
    "SnowflakeDestinationConfiguration": ("AccountUrl",),
}


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    for destination, endpoint_path in EXTERNAL_DESTINATIONS.items():
        if get(resource.properties, (destination,)) is MISSING:
            continue
        path = (destination, *endpoint_path)
        yield from endpoint_violations(view, get(resource.properties, path), path, f"the {destination} endpoint")


RULE = Rule(
    id="EU-RES-050",
    title="Firehose sends data only to AWS destinations or to endpoints vetted to be in the EU",
    explanation=(
        "An HTTP endpoint, Splunk or Snowflake destination sends every record to a server outside AWS; a URL "
        "says nothing about where that server is, so the transfer cannot be shown to stay in the EU."
    ),
    fix="Deliver to S3 or another AWS destination in the region; or, once the receiver is shown to process "
    "data in the EU, add its URL (scheme and host, optionally a path) to the context key eu-residency:eu-endpoints.",
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::KinesisFirehose::DeliveryStream"}),
    check_resource=check,
)
