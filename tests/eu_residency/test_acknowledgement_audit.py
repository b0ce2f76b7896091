"""The one audit of acknowledgements both front ends use: each kind of problem, once, in the same words."""

from __future__ import annotations

import pytest

from eu_residency.check_run.acknowledgement_audit import (
    CDK_SOURCE,
    Acknowledgeable,
    ProblemKind,
    WrittenAcknowledgement,
    audit_acknowledgements,
    closest_rule,
    split_id,
)
from eu_residency.core.rule_model import Finding, Severity

TOPIC = "Data/Topic"
REASON = "Alarms only; no user data is ever published here."


def _finding(rule_id: str, severity: Severity = Severity.ERROR) -> Acknowledgeable:
    finding = Finding(rule_id, severity, "Topic", "AWS::SNS::Topic", TOPIC, ("Properties",), "m", "f")
    return Acknowledgeable(finding, frozenset({TOPIC, "Data", ""}))


def _cdk(rule_id: str, reason: str | None = REASON, at: str = TOPIC) -> WrittenAcknowledgement:
    return WrittenAcknowledgement(id=rule_id, reason=reason, where=at or "(app)", place=at, source=CDK_SOURCE)


def _audit(acknowledgement: WrittenAcknowledgement, *findings: Acknowledgeable, **options: object) -> list[str]:
    return [
        f"{problem.kind.value}: {problem.text}"
        for problem in audit_acknowledgements([acknowledgement], findings, **options)  # type: ignore[arg-type]
    ]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (
            "AwsSolutions::EU-ENC-022",
            "acknowledgement-other-plugin: Data/Topic: the acknowledgement 'AwsSolutions::EU-ENC-022' is under the "
            "prefix of another plugin (AwsSolutions::), so it acknowledges nothing; use EU-Residency::EU-ENC-022",
        ),
        (
            "Annotation::EU-ENC-022",
            "acknowledgement-other-plugin: Data/Topic: the acknowledgement 'Annotation::EU-ENC-022' has no plugin "
            "prefix, so CDK files it under Annotation:: and it acknowledges nothing; use EU-Residency::EU-ENC-022",
        ),
        (
            "EU-Residency::EU-ENC-22",
            "acknowledgement-unknown-rule: Data/Topic: the acknowledgement 'EU-Residency::EU-ENC-22' names no rule of "
            "EU-Residency, so it acknowledges nothing; use EU-Residency::EU-ENC-022 if that is the rule meant",
        ),
        (
            "EU-Residency::EU-NOPE",
            "acknowledgement-unknown-rule: Data/Topic: the acknowledgement 'EU-Residency::EU-NOPE' names no rule of "
            "EU-Residency, so it acknowledges nothing; `eu-residency rules` lists the rules",
        ),
    ],
)
def test_an_id_that_names_no_rule_of_ours_where_it_is_says_which_to_use(written: str, expected: str) -> None:
    assert _audit(_cdk(written), _finding("EU-ENC-022")) == [expected]


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_an_acknowledgement_without_a_reason_acknowledges_nothing(reason: str | None) -> None:
    assert _audit(_cdk("EU-Residency::EU-ENC-022", reason), _finding("EU-ENC-022")) == [
        "acknowledgement-no-reason: Data/Topic: the acknowledgement 'EU-Residency::EU-ENC-022' has no reason, so it "
        "acknowledges nothing: the finding stays open; say why the finding is acceptable here"
    ]


def test_an_acknowledgement_of_a_fatal_finding_says_to_fix_it() -> None:
    assert _audit(_cdk("EU-Residency::EU-RES-033"), _finding("EU-RES-033", Severity.FATAL)) == [
        "acknowledgement-fatal-finding: Data/Topic: the acknowledgement 'EU-Residency::EU-RES-033' names a fatal "
        "finding, which no acknowledgement can accept: it stays open; fix the resource "
        "(`eu-residency explain EU-RES-033` says how)"
    ]


def test_an_acknowledgement_that_matches_no_finding_is_stale() -> None:
    assert _audit(_cdk("EU-Residency::EU-ENC-022", at="Data/Other"), _finding("EU-ENC-022")) == [
        "acknowledgement-stale: Data/Other: the acknowledgement 'EU-Residency::EU-ENC-022' matches no finding of "
        "EU-ENC-022 here; remove it, or move it to where the finding is"
    ]


def test_an_acknowledgement_above_the_finding_reaches_it() -> None:
    assert _audit(_cdk("EU-Residency::EU-ENC-022", at="Data"), _finding("EU-ENC-022")) == []
    assert _audit(_cdk("EU-Residency::EU-ENC-022", at=""), _finding("EU-ENC-022")) == []


def test_an_acknowledgement_of_a_rule_that_did_not_run_is_not_stale() -> None:
    assert _audit(_cdk("EU-Residency::EU-ENC-022", at="Data/Other"), rules_run={"EU-ENC-001"}) == []


def test_other_plugins_acknowledgements_are_theirs() -> None:
    for written in ("AwsSolutions::AwsSolutions-IAM5[Resource::<Bucket.Arn>/*]", "CloudFormation-Validate::E3002"):
        assert _audit(_cdk(written)) == []


def test_every_entry_of_our_own_block_is_ours_and_a_bare_id_there_is_fine() -> None:
    own = WrittenAcknowledgement("S3-1", REASON, "Topic", "t#Topic", "eu-residency metadata", own_block=True)
    assert [problem.kind for problem in audit_acknowledgements([own], [])] == [ProblemKind.UNKNOWN_RULE]
    bare = WrittenAcknowledgement("EU-ENC-022", REASON, "Topic", "t#Topic", "eu-residency metadata", own_block=True)
    found = Acknowledgeable(_finding("EU-ENC-022").finding, frozenset({"t#Topic"}))
    assert audit_acknowledgements([bare], [found]) == []


def test_one_acknowledgement_read_twice_is_one_problem() -> None:
    twice = [_cdk("AwsSolutions::EU-ENC-022"), _cdk("AwsSolutions::EU-ENC-022")]
    assert len(audit_acknowledgements(twice, [])) == 1


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("eu-enc-022", "EU-ENC-022"),
        ("EU_ENC_22", "EU-ENC-022"),
        ("EU-ENC-O22", "EU-ENC-022"),
        ("EUENC022", "EU-ENC-022"),
    ],
)
def test_a_near_miss_names_the_rule_meant(typed: str, meant: str) -> None:
    assert closest_rule(typed) == meant


def test_nothing_near_names_nothing() -> None:
    assert closest_rule("S3-1") is None


def test_ids_split_at_the_first_separator_as_cdk_reads_them() -> None:
    assert split_id("EU Residency::EU-ENC-022") == ("EU-Residency", "EU-ENC-022")
    assert split_id("AwsSolutions::AwsSolutions-IAM5[Policy::arn]") == (
        "AwsSolutions",
        "AwsSolutions-IAM5[Policy::arn]",
    )
    assert split_id("EU-ENC-022") == (None, "EU-ENC-022")


def test_every_problem_is_one_line_under_300_characters() -> None:
    acknowledgements = [
        _cdk("AwsSolutions::EU-ENC-022"),
        _cdk("EU-Residency::EU-ENC-22"),
        _cdk("EU-Residency::EU-ENC-022", ""),
        _cdk("EU-Residency::EU-RES-033"),
        _cdk("EU-Residency::EU-ENC-001"),
    ]
    problems = audit_acknowledgements(
        acknowledgements, [_finding("EU-ENC-022"), _finding("EU-RES-033", Severity.FATAL)]
    )
    assert {problem.kind for problem in problems} == set(ProblemKind)
    for problem in problems:
        assert "\n" not in problem.text and len(problem.message) < 300
