"""A template checked alone and inside an app: the same findings, except where the app proves more."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eu_residency.core.resolved import Cause
from eu_residency.core.rule_model import Finding, Severity
from eu_residency.core.settings import RuleSettings
from eu_residency.rules.engine import TemplateInput, check_templates
from eu_residency.template_loader import load_template

FIXTURES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "templates").glob("*/*.yaml"))
SETTINGS = RuleSettings()


def _key(finding: Finding) -> tuple[Any, ...]:
    return (finding.rule_id, finding.logical_id, finding.path)


def _checked(templates: list[tuple[str, dict[str, Any], str]]) -> dict[str, list[Finding]]:
    return check_templates([TemplateInput(name, template, region) for name, template, region in templates], SETTINGS)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(FIXTURES), st.lists(st.sampled_from(FIXTURES), min_size=1, max_size=3, unique=True))
def test_the_app_changes_only_what_it_proves(checked: Path, others: list[Path]) -> None:
    template = load_template(checked)
    alone = _checked([("checked", template, "eu-west-1")])["checked"]
    app = [("checked", template, "eu-west-1")] + [
        (f"other{index}", load_template(path), "eu-central-1") for index, path in enumerate(others) if path != checked
    ]
    together = _checked(app)["checked"]
    undecided_alone = {_key(finding) for finding in alone if finding.undecidable}
    # What was proven alone stays, word for word.
    assert [f for f in alone if not f.undecidable] == [f for f in together if _key(f) not in undecided_alone]
    # What the app adds is only where the template alone could not decide.
    assert {_key(f) for f in together} - {_key(f) for f in alone} <= undecided_alone


def _replicating(destination: Any) -> dict[str, Any]:
    return {
        "Resources": {
            "Source": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "VersioningConfiguration": {"Status": "Enabled"},
                    "ReplicationConfiguration": {
                        "Role": "arn:aws:iam::123456789012:role/replication",
                        "Rules": [{"Status": "Enabled", "Destination": {"Bucket": destination}}],
                    },
                },
            }
        }
    }


def _exporting(region: str) -> tuple[str, dict[str, Any], str]:
    template = {
        "Resources": {"Replica": {"Type": "AWS::S3::Bucket"}},
        "Outputs": {
            "ReplicaArn": {"Value": {"Fn::GetAtt": ["Replica", "Arn"]}, "Export": {"Name": "replica-arn"}},
        },
    }
    return "replica", template, region


def _replication_findings(findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.rule_id == "EU-RES-010"]


def test_an_imported_destination_alone_is_undecided_for_want_of_the_other_stack() -> None:
    (finding,) = _replication_findings(
        _checked([("source", _replicating({"Fn::ImportValue": "replica-arn"}), "eu-west-1")])["source"]
    )
    assert finding.severity is Severity.ERROR
    assert finding.undecided is not None and finding.undecided.cause is Cause.OTHER_STACK


@pytest.mark.parametrize(("region", "severity"), [("eu-central-1", None), ("us-east-1", Severity.FATAL)])
def test_an_imported_destination_is_where_the_exporting_stack_is(region: str, severity: Severity | None) -> None:
    source = ("source", _replicating({"Fn::ImportValue": "replica-arn"}), "eu-west-1")
    found = _replication_findings(_checked([source, _exporting(region)])["source"])
    assert [finding.severity for finding in found] == ([severity] if severity else [])
    if severity:
        assert "us-east-1" in found[0].message and "N. Virginia" in found[0].message
