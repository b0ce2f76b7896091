"""How a value from a template is shown in a finding: whole when short; otherwise with its middle elided,
never cut off at the end, keeping what the reader needs.

An ARN keeps its partition, service, region and account, the type of its resource and the resource's
name (its end); an endpoint or URL keeps its scheme and host (``firehose.us-east-1.amazonaws.com``);
other text keeps its start and its end. Every message that shows a long value shows it through
``shortened``; ``arn_in`` and ``host_in`` find the whole ARN or host around a match inside a longer text.
"""

from __future__ import annotations

import re
import reprlib

from eu_residency.core.vocabulary import MAX_ARN_LENGTH, MAX_HOST_LENGTH, SHOWN_LENGTH, parse_arn

ELLIPSIS = "…"

# An ARN ends where text that no ARN holds begins: blanks, quotes, commas, brackets of the text around it.
_ARN_BODY = re.compile(r"[^\s\"'`,<>\[\]()\\]*")
_HOST_CHARACTERS = re.compile(r"[A-Za-z0-9.-]*")
_SEGMENT = re.compile(r"[^/:]*(?:[/:]|$)")
_NAMED = re.compile(r"[A-Za-z0-9]")
_URL = re.compile(r"^(?P<start>[A-Za-z][A-Za-z0-9+.-]{0,30}://[^/?#\s]{1,253})(?P<rest>.*)$", re.S)


def _bounded_repr() -> reprlib.Repr:
    bounded = reprlib.Repr()
    bounded.fillvalue = ELLIPSIS
    bounded.maxlevel = 4
    bounded.maxlist = bounded.maxtuple = bounded.maxdict = bounded.maxset = 4
    bounded.maxstring = bounded.maxother = SHOWN_LENGTH
    return bounded


_REPR = _bounded_repr()


def shortened(text: str, limit: int = SHOWN_LENGTH) -> str:
    """``text`` whole when it has at most ``limit`` characters, otherwise with its middle elided (``…``)."""
    if len(text) <= limit:
        return text
    arn = parse_arn(text)
    if arn is not None:
        return _shortened_arn(text, len(text) - len(arn.resource), limit)
    url = _URL.match(text)
    if url is not None:
        start = url["start"]
        return start + _elided(url["rest"], max(limit - len(start), 2))
    return _elided(text, limit)


def shown_value(value: object, limit: int = SHOWN_LENGTH) -> str:
    """A value that is not what CloudFormation expects, as Python writes it, shortened; only its first few
    levels and items are read, so that a value YAML aliases make huge is shown as quickly as a small one."""
    return shortened(_REPR.repr(value), limit)


def arn_in(text: str, start: int) -> str:
    """The whole ARN that begins at ``start`` in ``text`` (a policy document, a URL, a joined string)."""
    match = _ARN_BODY.match(text, start, min(len(text), start + MAX_ARN_LENGTH))
    return match.group() if match else ""


def host_in(text: str, start: int, end: int) -> str:
    """The whole host name around ``text[start:end]`` (a region and ``.amazonaws.com`` found in a URL):
    with the service name before it (``firehose.``, ``123456789012.dkr.ecr.``) and any suffix after it."""
    before = _HOST_CHARACTERS.match(text[max(0, start - MAX_HOST_LENGTH) : start][::-1])
    after = _HOST_CHARACTERS.match(text, end, min(len(text), end + MAX_HOST_LENGTH))
    first = start - (before.end() if before else 0)
    last = after.end() if after else end
    return text[first:last].strip(".-")


def _shortened_arn(arn: str, resource_at: int, limit: int) -> str:
    """``arn:PARTITION:SERVICE:REGION:ACCOUNT:`` whole, then the resource's type and its end: its name (the
    last segment that is not a wildcard such as ``:*``) and as much before it as ``limit`` leaves room for.
    Only a name longer than that room alone has its own middle elided."""
    prefix, resource = arn[:resource_at], arn[resource_at:]
    segments = [segment for segment in _SEGMENT.findall(resource) if segment]
    head, rest = (segments[0], segments[1:]) if len(segments) > 1 else ("", segments)
    room = max(limit - len(prefix) - len(head) - len(ELLIPSIS), 2)
    tail, named = "", False
    for segment in reversed(rest):
        if named and len(segment) + len(tail) > room:
            break
        tail = segment + tail
        named = named or _NAMED.search(segment) is not None
    if len(head) + len(tail) == len(resource):
        return prefix + head + _elided(tail, room)
    return prefix + head + ELLIPSIS + _elided(tail, room)


def _elided(text: str, limit: int) -> str:
    """``text`` with as much of its start and end as fit in ``limit`` characters around an ellipsis."""
    if len(text) <= limit:
        return text
    keep = max(limit - len(ELLIPSIS), 2)
    end = keep // 2
    return text[: keep - end] + ELLIPSIS + text[len(text) - end :]


__all__ = ["ELLIPSIS", "arn_in", "host_in", "shortened", "shown_value"]
