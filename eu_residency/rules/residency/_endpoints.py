"""Shared by the rules on data sent outside AWS: an endpoint passes only when a person vetted it, or when it
is an AWS endpoint in an allowed region (such as the stack's own API in its own region)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eu_residency.core.regions import describe_region
from eu_residency.core.resolved import Cause, Text, text_of
from eu_residency.core.rule_model import PropertyPath, Severity, Violation
from eu_residency.core.template_view import TemplateView, Unknown
from eu_residency.core.values import named_region, split_text, text_options
from eu_residency.core.vocabulary import REGION_SHAPE
from eu_residency.rules.predicates import prop_path

_AWS_DOMAINS = (".amazonaws.com", ".amazonaws.com.cn")


def endpoint_violations(view: TemplateView, raw: Any, path: PropertyPath, what: str) -> Iterator[Violation]:
    """``what`` sends data to ``raw`` (a URL, address or number). An AWS endpoint
    (``SERVICE.REGION.amazonaws.com``) is where its host's region is (``core.values.named_region``): the
    stack's own region (``${AWS::Region}``) passes, another region must be allowed. Anything else is outside
    AWS: the template cannot show where that is, so it fails unless it matches an entry of ``eu_endpoints``
    by its parts (``core.endpoints``: scheme, host, port and path; e-mail domain; calling code), never fatal:
    unprovable, not proven.
    """
    where = prop_path(*path)
    for option in text_options(view, raw):
        host = aws_host(option)
        if host is not None:
            yield from _aws_endpoint(view, host, option, where, what)
        elif isinstance(option, Unknown):
            shown = f" {option.shown}" if isinstance(option, Text) else ""
            message = f"{what}{shown} cannot be shown to be in the EU: it is {option.reason}"
            yield Violation(where, message, Severity.ERROR, option)
        elif not view.settings.endpoint_is_vetted(option):
            unknown = Unknown(f"the endpoint {option!r}, which is outside AWS", Cause.OTHER_STACK)
            yield Violation(
                where,
                f"{what} {option!r} is outside AWS and its location cannot be shown from the template; it is "
                "not in the eu-residency:eu-endpoints allowlist",
                None,
                unknown,
            )


def aws_host(value: str | Unknown) -> str | Unknown | None:
    """The host of the URL (or bare host name) ``value`` when its known text shows an AWS endpoint's host
    (ending in ``.amazonaws.com``), else None."""
    fields = split_text(value, "://", 1)
    rest = fields[-1]
    host = split_text(rest, "/", 1)[0]
    host = split_text(host, ":", 1)[0]  # a port
    if isinstance(host, str):
        return host if host.endswith(_AWS_DOMAINS) else None
    if isinstance(host, Text):
        end = host.parts[-1]
        return host if isinstance(end, str) and end.endswith(_AWS_DOMAINS) else None
    return None


def _aws_endpoint(
    view: TemplateView, host: str | Unknown, option: str | Unknown, where: PropertyPath, what: str
) -> Iterator[Violation]:
    shown = option.shown if isinstance(option, Text) else str(option)
    region = named_region(host)
    if isinstance(region, str):
        if region in view.settings.allowed_regions:
            return
        if REGION_SHAPE.match(region):
            yield Violation(where, f"{what} {shown} is in {describe_region(region)}", Severity.FATAL)
            return
        region = Unknown(f"the text {region!r}, which is not a region's name", Cause.MALFORMED)
    if region is None:
        region = Unknown(f"the host {text_of([host])!r}, which names no region", Cause.MALFORMED)
        if isinstance(host, Text):
            region = Unknown(f"the host {host.shown!r}, which names no region", Cause.MALFORMED)
    if region.cause is Cause.STACK_REGION:
        return  # the stack's own region, which EU-RES-001 checks
    message = f"{what} {shown} cannot be shown to be in an allowed region: its region is {region.reason}"
    yield Violation(where, message, Severity.ERROR, region)
