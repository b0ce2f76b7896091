"""Shared by the Bedrock rules: where a model invocation runs, read from the model id or ARN a template gives.

A plain model id (``anthropic.claude-3-haiku-20240307-v1:0``) runs in the region it is called from; a foundation,
custom or provisioned model ARN in its ARN's region. A cross-Region (system-defined) inference profile routes
each request to one of its destination regions: a ``global.`` profile to any commercial region, ``us.``,
``apac.``, ``jp.`` and the others to regions outside the EU, and ``eu.`` to European regions that vary by model
and source region and, for some models, include London and Zurich, outside the EU. An application inference
profile routes where the model or profile it copies from does.
"""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.messages import shortened
from eu_residency.core.regions import EU_REGIONS
from eu_residency.core.resolved import Cause, Text
from eu_residency.core.rule_model import PropertyPath, Severity, Violation
from eu_residency.core.template_view import ResourceRef, TemplateView, Unknown
from eu_residency.core.values import arn_fields, text_options
from eu_residency.core.vocabulary import BEDROCK_PROFILE_ID
from eu_residency.rules.predicates import arn_region_of, not_shown, reference_region

# Where each geography's profiles send requests, for a finding; every one but ``eu`` is outside the EU.
GEOGRAPHY_PLACES: dict[str, str] = {
    "global": "any commercial AWS region, outside the EU too",
    "us": "regions in the United States, outside the EU",
    "us-gov": "the AWS GovCloud (US) regions, outside the EU",
    "apac": "regions in Asia Pacific and the UAE, outside the EU",
    "jp": "regions in Japan, outside the EU",
    "au": "regions in Australia, outside the EU",
    "ca": "regions in Canada, outside the EU",
    "amer": "regions in the Americas, outside the EU",
}
EUROPE = "eu"
PROFILE_RESOURCE = "inference-profile/"
APPLICATION_PROFILE_RESOURCE = "application-inference-profile/"


def model_violations(view: TemplateView, raw: object, where: PropertyPath, what: str) -> Iterator[Violation]:
    """``what`` names the model a Bedrock resource invokes; a value the template does not decide fails closed.
    A resource of this template (an application inference profile) is judged where it is defined."""
    for option in text_options(view, raw):
        if isinstance(option, ResourceRef):
            yield from reference_region(view, option, where, what)
        elif isinstance(option, Text) and arn_fields(option) is not None:
            yield from _arn(view, option, where, what)
        elif isinstance(option, Unknown):
            yield not_shown(where, f"{what} cannot be shown to run in an allowed region", option)
        else:
            yield from _text(view, option, where, what)


def named_profile_violations(
    view: TemplateView, option: str | Unknown, where: PropertyPath, what: str
) -> Iterator[Violation]:
    """For values that are not always a model (a policy's resource, an environment variable): only a Bedrock
    ARN, or a known text that is a cross-Region profile's id, is judged; anything else is not a model."""
    fields = arn_fields(option)
    if fields is not None and fields.service == "bedrock":
        yield from _arn(view, option, where, what)
    elif fields is None and isinstance(option, str):
        match = BEDROCK_PROFILE_ID.match(option)
        if match is not None:
            yield from profile_violations(view, match["geography"], option, where, what)


def _text(view: TemplateView, text: str, where: PropertyPath, what: str) -> Iterator[Violation]:
    if arn_fields(text) is not None:
        yield from _arn(view, text, where, what)
        return
    match = BEDROCK_PROFILE_ID.match(text)
    if match is not None:
        yield from profile_violations(view, match["geography"], text, where, what)
    # otherwise a model id: it runs in the region it is called from, the stack's own


def _arn(view: TemplateView, arn: str | Unknown, where: PropertyPath, what: str) -> Iterator[Violation]:
    """The ARN's region must be allowed; a profile's id says where it routes from there."""
    region_findings = list(arn_region_of(view, arn, where, what))
    yield from region_findings
    fields = arn_fields(arn)
    resource = fields.resource if fields is not None else None
    shown = shortened(arn.shown if isinstance(arn, Text) else str(arn))
    if isinstance(resource, str) and resource.startswith(PROFILE_RESOURCE):
        profile = resource.removeprefix(PROFILE_RESOURCE)
        match = BEDROCK_PROFILE_ID.match(profile)
        if match is not None and not _settled_by(region_findings, match["geography"]):
            yield from profile_violations(view, match["geography"], shown, where, what)
        elif not region_findings:
            unknown = Unknown(f"the inference profile {profile!r}, whose geography is not one Bedrock names")
            yield not_shown(where, f"{what} {shown} cannot be shown to run in an allowed region", unknown)
    elif isinstance(resource, str) and resource.startswith(APPLICATION_PROFILE_RESOURCE) and not region_findings:
        unknown = Unknown(
            f"the application inference profile {shown}, which the templates checked do not define", Cause.OTHER_STACK
        )
        message = (
            f"{what} {shown} is an application inference profile the templates checked do not define: where the "
            "model or profile it copies from routes requests cannot be shown"
        )
        yield Violation(where, message, Severity.ERROR, unknown)
    elif isinstance(resource, Text) and _may_be_profile(resource) and not region_findings:
        yield not_shown(where, f"{what} {shown} cannot be shown to run in an allowed region", resource, "its profile")


def _settled_by(region_findings: list[Violation], geography: str) -> bool:
    """Whether the ARN's region already says all: fatal, or (for a European profile) any finding."""
    if geography == EUROPE:
        return bool(region_findings)
    return any(finding.severity is Severity.FATAL for finding in region_findings)


def _may_be_profile(resource: Text) -> bool:
    start = resource.parts[0]
    return not isinstance(start, str) or start.startswith((PROFILE_RESOURCE, APPLICATION_PROFILE_RESOURCE))


def profile_violations(
    view: TemplateView, geography: str, shown: str, where: PropertyPath, what: str
) -> Iterator[Violation]:
    """A cross-Region inference profile of ``geography``: outside the EU, fatal; European, not shown."""
    shown = shortened(shown)
    if geography != EUROPE:
        place = GEOGRAPHY_PLACES.get(geography, "regions outside the EU")
        message = f"{what} {shown} is a cross-Region inference profile that routes requests to {place}"
        yield Violation(where, message, Severity.FATAL)
        return
    unknown = Unknown(
        f"the European inference profile {shown}, whose destination regions depend on the model and on the "
        "region it is called from",
        Cause.OTHER_STACK,
    )
    if view.settings.allowed_regions == EU_REGIONS:
        outside = "for some include London and Zurich, outside the EU"
    else:
        outside = f"include regions other than the allowed {', '.join(sorted(view.settings.allowed_regions))}"
    message = (
        f"{what} {shown} is a European inference profile: its destinations vary by model and {outside}, so "
        "where requests are processed cannot be shown"
    )
    yield Violation(where, message, Severity.ERROR, unknown)
