"""EU-KEY-010's words where they were beside the point in the aws-cdk-examples trial: a store whose encryption
switch is off is not told it is under an AWS key, and a function's environment needs a key only where a value
is not text written in the template."""

from __future__ import annotations

from eu_residency.rules.registry import RULES_BY_ID
from tests.eu_residency.rules.harness import FIXTURES, run_rule

RULE = RULES_BY_ID["EU-KEY-010"]


def test_switched_off_stores_are_not_said_to_be_encrypted_nor_unencrypted() -> None:
    _, findings = run_rule(RULE, FIXTURES / "bad" / "EU-KEY-010.switched-off.yaml")
    assert {finding.logical_id for finding in findings} == {
        "FailUnencryptedDatabase",
        "FailUnencryptedCluster",
        "FailUnencryptedFileSystem",
        "FailUnencryptedSearchDomain",
    }
    for finding in findings:
        assert "not encrypted at rest at all" not in finding.message
        assert "whether it is encrypted at all is the EU-ENC rules' finding" in finding.message, finding.message


def test_functions_with_only_written_environments_need_no_key() -> None:
    _, findings = run_rule(RULE, FIXTURES / "good" / "EU-KEY-010.functions.yaml")
    assert findings == []


def test_dynamic_references_count_as_not_written_in_the_template() -> None:
    _, findings = run_rule(RULE, FIXTURES / "bad" / "EU-KEY-010.functions.yaml")
    reported = {finding.logical_id for finding in findings}
    assert {"FailDynamicReferenceFunction", "FailDynamicReferenceInSubFunction"} <= reported
    for finding in findings:
        assert "not all of them written in the template" in finding.message or finding.logical_id == (
            "FailAwsManagedAliasFunction"
        ), finding.message
