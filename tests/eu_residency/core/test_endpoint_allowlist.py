"""The endpoint allowlist (``--eu-endpoint``, ``eu-residency:eu-endpoints``): entries are parsed, endpoints are
matched part by part, and an empty or malformed entry stops both front ends with one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from aws_cdk import App

from constructs_lib import apply_guardrails
from constructs_lib.guardrails import EU_ENDPOINTS_KEY, GuardrailError
from eu_residency.cli.main import main
from eu_residency.core.endpoints import (
    EU_CALLING_CODES,
    CallingCodeEntry,
    EmailDomainEntry,
    EndpointEntryError,
    UrlEntry,
    parse_entry,
)
from eu_residency.core.settings import RuleSettings
from tests.conftest import run_app

UNVETTED_WEBHOOK = """
Resources:
  Webhook:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: arn:aws:sns:eu-west-1:123456789012:alerts
      Protocol: https
      Endpoint: https://hooks.example.eu/sns
"""


def vetted(entry: str, endpoint: str) -> bool:
    return RuleSettings.build(eu_endpoints=[entry]).endpoint_is_vetted(endpoint)


@pytest.mark.parametrize(
    ("entry", "endpoint"),
    [
        ("https://hooks.example.eu/", "https://exfil.attacker.us/collect?next=https://hooks.example.eu/"),
        ("https://hooks.example.eu", "https://hooks.example.eu.attacker.us/"),
        ("https://hooks.example.eu", "https://hooks.example.eu@attacker.us/"),
        ("https://hooks.example.eu", "https://user:secret@hooks.example.eu/"),  # userinfo never matches
        ("https://hooks.example.eu", "https://hooks.example.eu%40attacker.us/"),
        ("https://hooks.example.eu", "https://attacker.us/#https://hooks.example.eu"),
        ("https://hooks.example.eu", "https://evilhooks.example.eu/"),
        ("https://hooks.example.eu", "https://sub.hooks.example.eu/"),  # a URL entry is one host, not its subdomains
        ("https://hooks.example.eu", "http://hooks.example.eu/"),  # the scheme exactly
        ("https://hooks.example.eu", "https://hooks.example.eu:8443/"),  # the port exactly
        ("https://hooks.example.eu:8443", "https://hooks.example.eu/"),
        ("https://hooks.example.eu/a", "https://hooks.example.eu/ab"),  # a path only on segment boundaries
        ("https://hooks.example.eu/a", "https://hooks.example.eu/"),
        ("https://hooks.example.eu/a", "https://hooks.example.eu/a/../b"),
        ("https://hooks.example.eu/a", "https://hooks.example.eu/a/%2e%2e/b"),
        ("https://hooks.example.eu/a", "https://hooks.example.eu/a%2f..%2fb"),
        ("https://hooks.example.eu", "https://hooks.example.eu\n.attacker.us/"),  # control characters never match
        ("https://hooks.example.eu", "hooks.example.eu"),  # no scheme: no URL
        ("https://hooks.example.eu", "ops@hooks.example.eu"),  # a URL entry vets no e-mail address
        ("@example.eu", "someone@badexample.eu"),  # a subdomain only on a dot boundary
        ("@example.eu", "someone@example.eu.attacker.us"),
        ("@example.eu", "someone@example.eu@attacker.us"),  # the domain after the last @
        ("@example.eu", "someone@attacker.us,other@example.eu"),  # two addresses are not one
        ("@example.eu", "https://hooks.example.eu/"),  # an e-mail entry vets no URL
        ("@example.eu", "https://x@example.eu/"),
        ("+353", "+15555550100"),
        ("+353", "+44353000000"),
        ("+353", "+353"),  # a code is not a number
        ("+353", "353830000000"),  # not E.164
        ("+353", "+353 83 000 0000"),
    ],
)
def test_no_endpoint_passes_an_entry_it_only_contains(entry: str, endpoint: str) -> None:
    assert not vetted(entry, endpoint)


@pytest.mark.parametrize(
    ("entry", "endpoint"),
    [
        ("https://hooks.example.eu/", "https://hooks.example.eu/"),
        ("https://hooks.example.eu/", "https://hooks.example.eu/sns?token=1#top"),  # query and fragment ignored
        ("https://hooks.example.eu", "https://HOOKS.Example.EU/x"),  # the host case-insensitive
        ("HTTPS://Hooks.Example.EU", "https://hooks.example.eu/x"),
        ("https://hooks.example.eu", "https://hooks.example.eu:443/x"),  # the default port normalised
        ("https://hooks.example.eu:443/", "https://hooks.example.eu/x"),
        ("http://hooks.example.eu", "http://hooks.example.eu:80/"),
        ("https://hooks.example.eu", "https://hooks.example.eu./x"),  # the root's dot
        ("https://hooks.example.eu:8088", "https://hooks.example.eu:8088/services/collector"),
        ("https://hooks.example.eu/a", "https://hooks.example.eu/a"),
        ("https://hooks.example.eu/a", "https://hooks.example.eu/a/b"),
        ("https://hooks.example.eu/a/", "https://hooks.example.eu/a/b"),
        ("https://hooks.example.eu/a%20b", "https://hooks.example.eu/a%20b/c"),
        ("https://10.1.2.3:8443", "https://10.1.2.3:8443/x"),
        ("https://[2001:db8::1]", "https://[2001:0db8:0:0::1]/x"),
        ("@example.eu", "oncall@example.eu"),
        ("@example.eu", "OnCall@Example.EU"),
        ("@example.eu", "oncall@mail.example.eu"),
        ("@example.eu", "first.last+tag@example.eu"),
        ("+353", "+353830000000"),
        ("+49", "+4915112345678"),
    ],
)
def test_an_endpoint_passes_the_entry_it_matches(entry: str, endpoint: str) -> None:
    assert vetted(entry, endpoint)


def test_entries_are_parsed_once_into_their_parts() -> None:
    settings = RuleSettings.build(eu_endpoints=["HTTPS://Hooks.Example.EU:443/v1/", "@Example.EU", "+353"])
    assert settings.eu_endpoints == (
        UrlEntry("https", "hooks.example.eu", 443, "/v1"),
        EmailDomainEntry("example.eu"),
        CallingCodeEntry("+353", "Ireland"),
    )
    assert RuleSettings.build(eu_endpoints="+353").eu_endpoints == (CallingCodeEntry("+353", "Ireland"),)
    assert RuleSettings.build().eu_endpoints == ()


def test_every_eu_member_state_has_its_calling_code_and_no_other_state_has_one() -> None:
    assert len(EU_CALLING_CODES) == 27
    assert len(set(EU_CALLING_CODES.values())) == 27
    assert {"Ireland", "Germany", "France", "Croatia", "Cyprus", "Malta"} <= set(EU_CALLING_CODES.values())
    for code, country in EU_CALLING_CODES.items():
        assert parse_entry(code) == CallingCodeEntry(code, country)
    codes = list(EU_CALLING_CODES)
    # E.164 codes are a prefix code: no EU code begins another, so a number belongs to one state only.
    assert not [(a, b) for a in codes for b in codes if a != b and b.startswith(a)]


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("", "an empty entry; give a URL"),
        ("+1", "not the country calling code of an EU member state"),
        ("+44", "not the country calling code of an EU member state"),
        ("+41", "not the country calling code of an EU member state"),
        ("+354", "not the country calling code of an EU member state"),  # Iceland: EEA, not EU
        ("+3531", "longer than a country calling code; give +353 (Ireland) alone"),
        ("+", "not the country calling code"),
        ("@", "an e-mail entry is @ and a domain name with a dot"),
        ("@eu", "an e-mail entry is @ and a domain name with a dot"),
        ("@exa mple.eu", "contains a space or a control character"),
        ("@example..eu", "an e-mail entry is @ and a domain name"),
        ("ops@example.eu", "an e-mail address; give its domain alone"),
        ("example.eu", "not one of the entry forms"),
        ("hooks.example.eu/sns", "not one of the entry forms"),
        (" https://hooks.example.eu", "contains a space or a control character"),
        ("https://hooks.example.eu\x1b[0m", "contains a space or a control character"),
        ("ftp://hooks.example.eu", "the scheme 'ftp' is not http or https"),
        ("https://", "has no host"),
        ("https://:443/", "has no host"),
        ("https://hooks_example.eu", "has no host, or one that is neither an ASCII DNS name"),
        ("https://höoks.example.eu", "has no host, or one that is neither an ASCII DNS name"),
        ("https://user@hooks.example.eu", "has a user name or password before the host"),
        ("https://user:pw@hooks.example.eu", "has a user name or password before the host"),
        ("https://hooks.example.eu/?next=x", "has a query"),
        ("https://hooks.example.eu/?", "has a query"),
        ("https://hooks.example.eu/#x", "has a fragment"),
        ("https://hooks.example.eu:0", "has a port that is not a number from 1 to 65535"),
        ("https://hooks.example.eu:65536", "has a port that is not a number from 1 to 65535"),
        ("https://hooks.example.eu:https", "has a port that is not a number from 1 to 65535"),
        ("https://hooks.example.eu/a/../b", "has a path with '.' or '..' segments"),
        ("https://hooks.example.eu/a%2Fb", "has a path with '.' or '..' segments, an encoded slash"),
    ],
)
def test_an_empty_or_malformed_entry_is_refused_with_one_line(entry: str, problem: str) -> None:
    with pytest.raises(EndpointEntryError) as raised:
        RuleSettings.build(eu_endpoints=["https://hooks.example.eu/", entry])
    message = str(raised.value)
    assert message.startswith(f"{entry!r}: ") and problem in message, message
    assert "\n" not in message and "\x1b" not in message


def test_an_entry_that_is_not_text_is_refused() -> None:
    with pytest.raises(EndpointEntryError, match=r"^353: not text"):
        RuleSettings.build(eu_endpoints=[353])  # type: ignore[list-item]  # YAML reads +353 unquoted as a number


def _check(capsys: pytest.CaptureFixture[str], tmp_path: Path, *options: str) -> tuple[int, str, str]:
    template = tmp_path / "webhook.yaml"
    template.write_text(UNVETTED_WEBHOOK, encoding="utf-8")
    code = main(["check", *options, str(template)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_command_refuses_a_bad_entry_with_one_line_and_exit_two(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = _check(capsys, tmp_path, "--eu-endpoint", "")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "eu-residency: --eu-endpoint '': an empty entry; give a URL with its scheme and host, optionally a path "
        "(https://hooks.example.eu/), an e-mail domain (@example.eu) or an EU country calling code (+353)"
    ]
    code, _, err = _check(capsys, tmp_path, "--eu-endpoint", "https://hooks.example.eu/", "--eu-endpoint", "+1")
    assert code == 2
    assert err.splitlines() == [
        "eu-residency: --eu-endpoint '+1': not the country calling code of an EU member state; give one such as "
        "+353 (Ireland)"
    ]


def test_the_command_vets_only_the_endpoints_its_entries_match(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert _check(capsys, tmp_path)[0] == 1
    assert _check(capsys, tmp_path, "--eu-endpoint", "https://hooks.example.eu/")[0] == 0
    assert _check(capsys, tmp_path, "--eu-endpoint", "https://hooks.example.eu/sns")[0] == 0
    assert _check(capsys, tmp_path, "--eu-endpoint", "https://hooks.example.eu/sn")[0] == 1
    assert _check(capsys, tmp_path, "--eu-endpoint", "https://example.eu/")[0] == 1
    assert _check(capsys, tmp_path, "--eu-endpoint", "@example.eu")[0] == 1  # an e-mail domain vets no URL


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ([""], "context key 'eu-residency:eu-endpoints': entry '': an empty entry; give a URL"),
        (["+1"], "context key 'eu-residency:eu-endpoints': entry '+1': not the country calling code"),
        ("https://hooks.example.eu/, +44", "entry '+44': not the country calling code of an EU member state"),
        (["https://hooks.example.eu@attacker.us/"], "entry 'https://hooks.example.eu@attacker.us/': has a user name"),
    ],
)
def test_the_synth_time_plugin_refuses_a_bad_entry_with_one_line(value: object, problem: str) -> None:
    with pytest.raises(GuardrailError) as raised:
        apply_guardrails(App(context={EU_ENDPOINTS_KEY: value}))
    assert problem in str(raised.value) and "\n" not in str(raised.value)


def test_the_plugin_reads_good_entries_from_context() -> None:
    settings = apply_guardrails(App(context={EU_ENDPOINTS_KEY: "https://hooks.example.eu/, @example.eu"}))
    assert settings.endpoint_is_vetted("https://hooks.example.eu/sns")
    assert settings.endpoint_is_vetted("oncall@example.eu")
    assert not settings.endpoint_is_vetted("https://hooks.example.eu.attacker.us/")


def test_the_app_stops_before_synthesis_with_one_line_on_a_bad_entry(tmp_path: Path) -> None:
    result = run_app(tmp_path, "env=dev", f"{EU_ENDPOINTS_KEY}=+1")
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr.strip().splitlines() == [
        "eu-residency: configuration error: context key 'eu-residency:eu-endpoints': entry '+1': not the country "
        "calling code of an EU member state; give one such as +353 (Ireland)"
    ]
    assert not list(tmp_path.glob("*.template.json"))
