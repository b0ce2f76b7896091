"""The endpoints a person vetted to be in the EU (``--eu-endpoint``, ``eu-residency:eu-endpoints``): each entry is
parsed once into a URL, an e-mail domain or an EU country calling code, and an endpoint matches it part by part,
never as text.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import SplitResult, quote, unquote, urlsplit

# The country calling codes (ITU-T E.164) of the 27 EU member states, with the state each belongs to.
EU_CALLING_CODES: dict[str, str] = {
    "+30": "Greece",
    "+31": "Netherlands",
    "+32": "Belgium",
    "+33": "France",
    "+34": "Spain",
    "+36": "Hungary",
    "+39": "Italy",
    "+40": "Romania",
    "+43": "Austria",
    "+45": "Denmark",
    "+46": "Sweden",
    "+48": "Poland",
    "+49": "Germany",
    "+351": "Portugal",
    "+352": "Luxembourg",
    "+353": "Ireland",
    "+356": "Malta",
    "+357": "Cyprus",
    "+358": "Finland",
    "+359": "Bulgaria",
    "+370": "Lithuania",
    "+371": "Latvia",
    "+372": "Estonia",
    "+385": "Croatia",
    "+386": "Slovenia",
    "+420": "Czechia",
    "+421": "Slovakia",
}

# The schemes a URL entry may name, with the port each uses when the URL gives none.
URL_DEFAULT_PORTS: dict[str, int] = {"http": 80, "https": 443}

ENTRY_FORMS = (
    "a URL with its scheme and host, optionally a path (https://hooks.example.eu/), an e-mail domain "
    "(@example.eu) or an EU country calling code (+353)"
)

_DNS_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_E164_NUMBER = re.compile(r"^\+[1-9][0-9]{1,14}$")
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# Characters that end or separate addresses in a header (RFC 5322 specials), never part of one mailbox.
_ADDRESS_SEPARATORS = frozenset(',;<>()[]"')
# Percent-encoded slash or backslash, and dot segments: a server may read them as another path.
_AMBIGUOUS_PATH = re.compile(r"%2f|%5c|\\", re.IGNORECASE)
_DOT_SEGMENTS = frozenset({".", ".."})


class EndpointEntryError(ValueError):
    """An empty or malformed allowlist entry; the message is one line naming the entry and what is wrong."""

    def __init__(self, entry: object, problem: str) -> None:
        super().__init__(f"{entry!r}: {problem}")
        self.entry = entry
        self.problem = problem


@dataclass(frozen=True)
class UrlEntry:
    """``scheme://host[:port][/path]``: the scheme, host and port exactly, the path as a prefix of whole segments."""

    scheme: str
    host: str
    port: int
    path: str  # decoded, without a trailing slash; "" for the whole host


@dataclass(frozen=True)
class EmailDomainEntry:
    """``@example.eu``: addresses at that domain or at any of its subdomains."""

    domain: str


@dataclass(frozen=True)
class CallingCodeEntry:
    """``+353``: telephone numbers of that EU member state."""

    code: str
    country: str


EndpointEntry = UrlEntry | EmailDomainEntry | CallingCodeEntry


@dataclass(frozen=True)
class _UrlEndpoint:
    scheme: str
    host: str
    port: int
    path: str | None  # None when the path can be read as another one (dot segments, encoded slashes)


@dataclass(frozen=True)
class _EmailEndpoint:
    domain: str


@dataclass(frozen=True)
class _PhoneEndpoint:
    number: str


def parse_entry(entry: object) -> EndpointEntry:
    """The entry ``entry`` means, or EndpointEntryError saying what is wrong with it."""
    if not isinstance(entry, str):
        raise EndpointEntryError(entry, "not text; give each entry as a string (in YAML, quote '+353')")
    if not entry:
        raise EndpointEntryError(entry, f"an empty entry; give {ENTRY_FORMS}")
    if _has_control_or_space(entry):
        raise EndpointEntryError(entry, "contains a space or a control character; give the entry without them")
    if entry.startswith("+"):
        return _calling_code_entry(entry)
    if entry.startswith("@"):
        domain = _dns_name(entry[1:])
        if domain is None or "." not in domain:
            raise EndpointEntryError(entry, "an e-mail entry is @ and a domain name with a dot, such as @example.eu")
        return EmailDomainEntry(domain)
    if _URL_SCHEME.match(entry):
        return _url_entry(entry)
    if "@" in entry:
        raise EndpointEntryError(entry, "an e-mail address; give its domain alone, such as @example.eu")
    raise EndpointEntryError(entry, f"not one of the entry forms; give {ENTRY_FORMS}")


def parse_entries(entries: Iterable[object]) -> tuple[EndpointEntry, ...]:
    return tuple(parse_entry(entry) for entry in entries)


def is_vetted(endpoint: str, entries: Iterable[EndpointEntry]) -> bool:
    """Whether the URL, e-mail address or E.164 number ``endpoint`` matches one of ``entries``."""
    parsed = _parse_endpoint(endpoint)
    return parsed is not None and any(_matches(entry, parsed) for entry in entries)


def _calling_code_entry(entry: str) -> CallingCodeEntry:
    country = EU_CALLING_CODES.get(entry)
    if country is not None:
        return CallingCodeEntry(entry, country)
    longer = next((code for code in EU_CALLING_CODES if entry.startswith(code)), None)
    if longer is not None and entry[1:].isdigit():
        problem = f"longer than a country calling code; give {longer} ({EU_CALLING_CODES[longer]}) alone"
    else:
        problem = "not the country calling code of an EU member state; give one such as +353 (Ireland)"
    raise EndpointEntryError(entry, problem)


def _url_entry(entry: str) -> UrlEntry:
    parts = urlsplit(entry)
    default_port = URL_DEFAULT_PORTS.get(parts.scheme)
    if default_port is None:
        raise EndpointEntryError(entry, f"the scheme {parts.scheme!r} is not {' or '.join(URL_DEFAULT_PORTS)}")
    if "@" in parts.netloc:
        raise EndpointEntryError(
            entry, "has a user name or password before the host ('user@'); give scheme://host[:port][/path] only"
        )
    if "?" in entry:
        raise EndpointEntryError(entry, "has a query ('?'); give scheme://host[:port][/path] only")
    if "#" in entry:
        raise EndpointEntryError(entry, "has a fragment ('#'); give scheme://host[:port][/path] only")
    host = _url_host(parts.netloc, parts.hostname)
    if host is None:
        raise EndpointEntryError(
            entry,
            "has no host, or one that is neither an ASCII DNS name (xn-- labels for other scripts) nor an IP address",
        )
    port = _port(parts, default_port)
    if port is None:
        raise EndpointEntryError(entry, "has a port that is not a number from 1 to 65535")
    path = _path(parts.path)
    if path is None:
        raise EndpointEntryError(entry, "has a path with '.' or '..' segments, an encoded slash or a backslash")
    return UrlEntry(parts.scheme, host, port, path)


def _parse_endpoint(endpoint: str) -> _UrlEndpoint | _EmailEndpoint | _PhoneEndpoint | None:
    """The parts of ``endpoint`` an entry compares, or None when no entry can vouch for it (it has userinfo,
    spaces or control characters, an unknown scheme, or it is neither a URL, an address nor a number)."""
    if not endpoint or _has_control_or_space(endpoint):
        return None
    if _URL_SCHEME.match(endpoint):
        parts = urlsplit(endpoint)
        default_port = URL_DEFAULT_PORTS.get(parts.scheme)
        if default_port is None or "@" in parts.netloc:
            return None
        host = _url_host(parts.netloc, parts.hostname)
        port = _port(parts, default_port)
        if host is None or port is None:
            return None
        return _UrlEndpoint(parts.scheme, host, port, _path(parts.path))
    if _E164_NUMBER.match(endpoint):
        return _PhoneEndpoint(endpoint)
    local, at, domain = endpoint.rpartition("@")
    if not at or not local or _ADDRESS_SEPARATORS.intersection(local):
        return None
    name = _dns_name(domain)
    return _EmailEndpoint(name) if name is not None else None


def _matches(entry: EndpointEntry, endpoint: _UrlEndpoint | _EmailEndpoint | _PhoneEndpoint) -> bool:
    if isinstance(entry, UrlEntry):
        if not isinstance(endpoint, _UrlEndpoint):
            return False
        if (endpoint.scheme, endpoint.host, endpoint.port) != (entry.scheme, entry.host, entry.port):
            return False
        if not entry.path:
            return True
        path = endpoint.path
        return path is not None and (path == entry.path or path.startswith(entry.path + "/"))
    if isinstance(entry, EmailDomainEntry):
        return isinstance(endpoint, _EmailEndpoint) and (
            endpoint.domain == entry.domain or endpoint.domain.endswith("." + entry.domain)
        )
    return (
        isinstance(endpoint, _PhoneEndpoint)
        and endpoint.number.startswith(entry.code)
        and len(endpoint.number) > len(entry.code)
    )


def _has_control_or_space(text: str) -> bool:
    return any(character.isspace() or not character.isprintable() for character in text)


def _dns_name(text: str) -> str | None:
    """``text`` as a lower-case DNS name (one trailing dot dropped), or None when it is not one."""
    name = text.lower()
    name = name.removesuffix(".")
    if not name or not name.isascii() or len(name) > 253:
        return None
    return name if all(_DNS_LABEL.match(label) for label in name.split(".")) else None


def _url_host(netloc: str, hostname: str | None) -> str | None:
    if hostname is None:
        return None
    if netloc.startswith("["):
        try:
            return str(ipaddress.IPv6Address(hostname))
        except ValueError:
            return None
    return _dns_name(hostname)


def _port(parts: SplitResult, default: int) -> int | None:
    """The port of ``parts`` (``default`` when it gives none), or None when it is not a number from 1 to 65535."""
    try:
        port = parts.port
    except ValueError:  # not digits, or above 65535
        return None
    if port is None:
        return default
    return port if port >= 1 else None


def _path(raw: str) -> str | None:
    """The decoded path without a trailing slash ("" for the root), or None when it can be read as another."""
    if _AMBIGUOUS_PATH.search(raw):
        return None
    decoded = unquote(raw)
    if _DOT_SEGMENTS.intersection(decoded.split("/")):
        return None
    return decoded.rstrip("/")


# The characters a URL path keeps as they are when an entry is written back (RFC 3986 pchar and "/").
URL_PATH_SAFE = "/!$&'()*+,;=:@-._~"


def entry_text(entry: EndpointEntry) -> str:
    """An allowlist entry as it would be written: ``https://hooks.example.eu/chat``, ``@example.eu``, ``+353``;
    ``parse_entries`` reads it back to the same entry."""
    if isinstance(entry, EmailDomainEntry):
        return f"@{entry.domain}"
    if isinstance(entry, CallingCodeEntry):
        return entry.code
    host = f"[{entry.host}]" if ":" in entry.host else entry.host
    port = "" if URL_DEFAULT_PORTS.get(entry.scheme) == entry.port else f":{entry.port}"
    path = quote(entry.path, safe=URL_PATH_SAFE) or "/"
    return f"{entry.scheme}://{host}{port}{path}"
