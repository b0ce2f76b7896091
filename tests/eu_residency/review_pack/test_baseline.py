"""`--baseline PREVIOUS/report.json`: what is new, fixed or changed since the last signed pack, for the rules'
findings and CDK's validation report, and their acknowledgements.

Each class of change is shown on small synthetic report.json documents; the platform's own pack compared
with itself shows no change; a baseline that is not a report.json is one line naming the file.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from eu_residency.cli.main import main
from eu_residency.core.settings import RuleSettings
from eu_residency.review_pack.baseline import BaselineError, Comparison, compare, load_baseline
from eu_residency.review_pack.contents import document
from eu_residency.review_pack.files import write_review_pack

ROOT = "cdk.out/prod/"
DATA = "Chat-prod-Data.template.json"
KEYS = "Chat-prod-Keys.template.json"
SIGNED_AT = "2026-11-30T09:15:00Z"
REASON = "The bucket only receives replicas written by the replication role."


def finding(
    rule: str = "EU-ENC-040",
    logical_id: str | None = "FailBucket",
    path: tuple[str, ...] = ("BucketEncryption",),
    *,
    severity: str = "error",
    message: str = "The bucket has no default encryption.",
    reason: str | None = None,
    construct_path: str | None = "Chat-prod-Data/Bucket/Resource",
) -> dict[str, Any]:
    """A finding as report.json holds it (CheckedFinding.as_dict)."""
    result: dict[str, Any] = {
        "rule_id": rule,
        "severity": severity,
        "logical_id": logical_id,
        "resource_type": "AWS::S3::Bucket",
        "construct_path": construct_path,
        "property_path": list(path),
        "message": message,
        "fix": "Set BucketEncryption.",
        "undecided": None,
        "line": 12,
        "acknowledged": reason is not None,
    }
    if reason is not None:
        result["acknowledgement"] = {"reason": reason, "source": "template metadata"}
    return result


def cdk_finding(
    rule: str = "AwsSolutions-S1",
    *,
    plugin: str = "AwsSolutions",
    description: str = "The S3 Bucket has server access logs disabled.",
    reason: str | None = None,
    template: str | None = ROOT + DATA,
    logical_id: str | None = "FailBucket",
) -> dict[str, Any]:
    """A CDK validation finding as report.json holds it (PlacedFinding.as_dict)."""
    return {
        "plugin": plugin,
        "rule": rule,
        "severity": "error",
        "description": description,
        "construct_path": "Chat-prod-Data/Bucket/Resource",
        "fix": None,
        "location": None,
        "template": template,
        "stack": "Chat-prod-Data",
        "logical_id": logical_id,
        "acknowledged": reason is not None,
        "reason": reason,
        "acknowledged_at": "Chat-prod-Data/Bucket" if reason else None,
    }


def report(
    templates: dict[str, list[dict[str, Any]]] | None = None,
    *,
    cdk: Sequence[dict[str, Any]] = (),
    root: str = ROOT,
    generated_at: str | None = None,
) -> dict[str, Any]:
    """A report.json: each template (named relative to ``root``) with its findings, and CDK's findings."""
    templates = {DATA: [], KEYS: []} if templates is None else templates
    result: dict[str, Any] = {
        "summary": "-",
        "exit_code": 0,
        "templates": [
            {"path": root + name, "region": "eu-west-1", "verdict": "-", "error": None, "findings": findings}
            for name, findings in templates.items()
        ],
        "cdk_validation": {
            "path": root + "validation-report.json",
            "error": None,
            "findings": [item for item in cdk if not item["acknowledged"]],
            "acknowledged": [item for item in cdk if item["acknowledged"]],
        },
    }
    if generated_at is not None:
        result["provenance"] = {"generated_at": generated_at}
    return result


def counts(comparison: Comparison) -> dict[str, tuple[int, ...]]:
    return {"findings": comparison.findings.counts(), "cdk": comparison.cdk_validation.counts()}


NONE = (0, 0, 0, 0, 0, 0)


# -- the rules' findings ----------------------------------------------------------------------------------------


def test_the_same_document_has_no_change() -> None:
    previous = report({DATA: [finding(), finding("EU-RES-001", path=())]}, cdk=[cdk_finding(reason=REASON)])
    comparison = compare(previous, copy.deepcopy(previous))
    assert comparison.unchanged
    assert counts(comparison) == {"findings": NONE, "cdk": NONE}


def test_a_finding_only_in_the_current_document_is_new() -> None:
    comparison = compare(report(), report({DATA: [finding()], KEYS: []}))
    assert [entry.rule for entry in comparison.findings.new] == ["EU-ENC-040"]
    assert comparison.findings.new[0].template == DATA
    assert counts(comparison)["findings"] == (1, 0, 0, 0, 0, 0)
    assert comparison.summary().startswith("1 new, 0 fixed, 0 changed since the baseline of unknown date")


def test_a_finding_only_in_the_baseline_is_fixed() -> None:
    comparison = compare(report({DATA: [finding()]}, generated_at=SIGNED_AT), report())
    assert [entry.logical_id for entry in comparison.findings.fixed] == ["FailBucket"]
    assert comparison.summary() == (
        f"0 new, 1 fixed, 0 changed since the baseline of {SIGNED_AT}; "
        "acknowledgements: 0 new, 0 removed, 0 with another reason"
    )


@pytest.mark.parametrize(
    ("after", "changed"),
    [
        (finding(message="The bucket's default encryption is AES256 only."), ("message",)),
        (finding(severity="fatal"), ("severity",)),
        (finding(severity="fatal", message="Other words."), ("severity", "message")),
    ],
)
def test_a_finding_with_another_severity_or_message_is_changed_not_new(
    after: dict[str, Any], changed: tuple[str, ...]
) -> None:
    comparison = compare(report({DATA: [finding()]}), report({DATA: [after]}))
    assert counts(comparison)["findings"] == (0, 0, 1, 0, 0, 0)
    (pair,) = comparison.findings.changed
    assert pair.changed == changed
    assert pair.before is not None and pair.after is not None
    assert (pair.before.message, pair.after.message) == (finding()["message"], after["message"])


def test_a_new_fix_text_or_line_is_no_change() -> None:
    after = finding()
    after.update(fix="Another fix.", line=40)
    assert compare(report({DATA: [finding()]}), report({DATA: [after]})).unchanged


@pytest.mark.parametrize(
    "other",
    [
        finding(path=("BucketEncryption", "ServerSideEncryptionConfiguration")),
        finding(logical_id="FailOtherBucket"),
        finding("EU-ENC-041"),
        finding(construct_path="Chat-prod-Data/Other/Resource"),
    ],
)
def test_another_property_path_resource_rule_or_construct_is_another_finding(other: dict[str, Any]) -> None:
    comparison = compare(report({DATA: [finding()]}), report({DATA: [other]}))
    assert counts(comparison)["findings"] == (1, 1, 0, 0, 0, 0)


def test_the_same_finding_in_another_template_is_another_finding() -> None:
    comparison = compare(report({DATA: [finding()], KEYS: []}), report({DATA: [], KEYS: [finding()]}))
    assert [entry.template for entry in comparison.findings.new] == [KEYS]
    assert [entry.template for entry in comparison.findings.fixed] == [DATA]


def test_assemblies_in_other_folders_compare_by_the_templates_names() -> None:
    previous = report({DATA: [finding()], KEYS: []}, cdk=[cdk_finding()])
    current = report(
        {DATA: [finding()], KEYS: []}, cdk=[cdk_finding(template="/tmp/ci/cdk.out/" + DATA)], root="/tmp/ci/cdk.out/"
    )
    assert compare(previous, current).unchanged


def test_two_findings_at_one_address_pair_by_message() -> None:
    previous = report({DATA: [finding(message="First."), finding(message="Second.")]})
    current = report({DATA: [finding(message="Second."), finding(message="Third.")]})
    comparison = compare(previous, current)
    assert counts(comparison)["findings"] == (0, 0, 1, 0, 0, 0)
    (pair,) = comparison.findings.changed
    assert pair.before is not None and pair.after is not None
    assert (pair.before.message, pair.after.message) == ("First.", "Third.")
    grown = compare(previous, report({DATA: [finding(message="First."), finding(message="Second.")] * 2}))
    assert counts(grown)["findings"] == (2, 0, 0, 0, 0, 0)


# -- acknowledgements -------------------------------------------------------------------------------------------


def test_a_finding_acknowledged_since_is_changed_and_a_new_acknowledgement() -> None:
    comparison = compare(report({DATA: [finding()]}), report({DATA: [finding(reason=REASON)]}))
    assert counts(comparison)["findings"] == (0, 0, 1, 1, 0, 0)
    assert comparison.findings.changed[0].changed == ("acknowledged",)
    (pair,) = comparison.findings.acknowledgements_new
    assert pair.before is not None and not pair.before.acknowledged
    assert pair.after is not None and pair.after.reason == REASON


def test_a_new_finding_acknowledged_already_is_a_new_acknowledgement_too() -> None:
    comparison = compare(report(), report({DATA: [finding(reason=REASON)]}))
    assert counts(comparison)["findings"] == (1, 0, 0, 1, 0, 0)
    assert comparison.findings.acknowledgements_new[0].before is None


def test_an_acknowledgement_taken_back_leaves_the_finding_open() -> None:
    comparison = compare(report({DATA: [finding(reason=REASON)]}), report({DATA: [finding()]}))
    assert counts(comparison)["findings"] == (0, 0, 1, 0, 1, 0)
    (pair,) = comparison.findings.acknowledgements_removed
    assert pair.after is not None and not pair.after.acknowledged


def test_an_acknowledged_finding_that_is_gone_is_fixed_and_its_acknowledgement_removed() -> None:
    comparison = compare(report({DATA: [finding(reason=REASON)]}), report())
    assert counts(comparison)["findings"] == (0, 1, 0, 0, 1, 0)
    assert comparison.findings.acknowledgements_removed[0].after is None


def test_another_reason_is_an_acknowledgement_change_only() -> None:
    comparison = compare(report({DATA: [finding(reason=REASON)]}), report({DATA: [finding(reason="Because.")]}))
    assert counts(comparison)["findings"] == (0, 0, 0, 0, 0, 1)
    (pair,) = comparison.findings.reasons_changed
    assert pair.changed == ("reason",)
    assert pair.before is not None and pair.after is not None
    assert (pair.before.reason, pair.after.reason) == (REASON, "Because.")
    assert comparison.summary().endswith("acknowledgements: 0 new, 0 removed, 1 with another reason")


# -- CDK's validation findings ----------------------------------------------------------------------------------


def test_cdk_findings_new_fixed_changed_and_acknowledged() -> None:
    previous = report(
        cdk=[cdk_finding(), cdk_finding("AwsSolutions-S10"), cdk_finding("AwsSolutions-IAM5", reason=REASON)]
    )
    current = report(
        cdk=[
            cdk_finding(description="Access logs are off."),
            cdk_finding("AwsSolutions-SQS3"),
            cdk_finding("AwsSolutions-IAM5", reason="Scoped to one bucket."),
        ]
    )
    comparison = compare(previous, current)
    assert counts(comparison) == {"findings": NONE, "cdk": (1, 1, 1, 0, 0, 1)}
    assert [entry.rule for entry in comparison.cdk_validation.new] == ["AwsSolutions-SQS3"]
    assert [entry.rule for entry in comparison.cdk_validation.fixed] == ["AwsSolutions-S10"]
    assert comparison.cdk_validation.changed[0].changed == ("message",)
    assert comparison.summary().startswith("1 new, 1 fixed, 1 changed since")


def test_a_cdk_finding_suppressed_since_is_a_new_acknowledgement() -> None:
    comparison = compare(report(cdk=[cdk_finding()]), report(cdk=[cdk_finding(reason=REASON)]))
    assert counts(comparison)["cdk"] == (0, 0, 1, 1, 0, 0)


def test_the_same_rule_of_another_plugin_or_unplaced_construct_is_another_finding() -> None:
    other_plugin = compare(report(cdk=[cdk_finding()]), report(cdk=[cdk_finding(plugin="HIPAA.Security")]))
    assert counts(other_plugin)["cdk"] == (1, 1, 0, 0, 0, 0)
    unplaced = compare(report(cdk=[cdk_finding()]), report(cdk=[cdk_finding(template=None, logical_id=None)]))
    assert counts(unplaced)["cdk"] == (1, 1, 0, 0, 0, 0)
    assert unplaced.cdk_validation.new[0].template == "Chat-prod-Data"  # its stack, when no template is known


def test_rules_and_cdk_findings_add_up_in_the_summary() -> None:
    comparison = compare(report(generated_at=SIGNED_AT), report({DATA: [finding()]}, cdk=[cdk_finding(reason=REASON)]))
    assert comparison.summary() == (
        f"2 new, 0 fixed, 0 changed since the baseline of {SIGNED_AT}; "
        "acknowledgements: 1 new, 0 removed, 0 with another reason"
    )


def test_the_comparison_as_json() -> None:
    comparison = compare(report({DATA: [finding()]}, generated_at=SIGNED_AT), report({DATA: [finding(reason=REASON)]}))
    result = json.loads(json.dumps(comparison.as_dict()))
    assert result["baseline_generated_at"] == SIGNED_AT
    assert result["summary"] == comparison.summary()
    assert set(result) == {"baseline_generated_at", "summary", "findings", "cdk_validation"}
    assert set(result["findings"]) == {"new", "fixed", "changed", "acknowledgements"}
    assert set(result["findings"]["acknowledgements"]) == {"new", "removed", "reason_changed"}
    (changed,) = result["findings"]["changed"]
    assert changed["changed"] == ["acknowledged"]
    assert changed["after"] == {
        "source": "eu-residency",
        "rule": "EU-ENC-040",
        "template": DATA,
        "logical_id": "FailBucket",
        "property_path": ["BucketEncryption"],
        "construct_path": "Chat-prod-Data/Bucket/Resource",
        "severity": "error",
        "message": finding()["message"],
        "acknowledged": True,
        "reason": REASON,
    }


def test_a_document_of_another_shape_compares_without_raising() -> None:
    odd: dict[str, Any] = {"templates": [{"path": 3, "findings": [None, {"rule_id": 1}]}], "cdk_validation": []}
    comparison = compare(odd, report())
    assert counts(comparison)["findings"] == (0, 1, 0, 0, 0, 0)
    assert comparison.findings.fixed[0].rule == "?"


# -- loading a baseline -----------------------------------------------------------------------------------------


def test_a_report_json_loads(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report({DATA: [finding()]})), encoding="utf-8")
    assert load_baseline(path) == report({DATA: [finding()]})
    assert load_baseline(tmp_path) == report({DATA: [finding()]})  # the pack's folder


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "no such file"),
        ("{not json", "not JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"),
        ("[]", "not the report.json of a review pack (not a JSON object)"),
        ('{"runs": []}', "not the report.json of a review pack (no templates list)"),
        ('{"templates": [{"path": "x"}]}', "not the report.json of a review pack (a template without a findings list)"),
        (
            '{"templates": [], "cdk_validation": []}',
            "not the report.json of a review pack (cdk_validation is not an object)",
        ),
        (b"\xff\xfe{}", None),
    ],
)
def test_a_file_that_is_not_a_report_json_is_one_line_naming_it(
    tmp_path: Path, content: str | bytes | None, problem: str | None
) -> None:
    path = tmp_path / "previous" / "report.json"
    path.parent.mkdir()
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError) as raised:
        load_baseline(path)
    message = str(raised.value)
    assert isinstance(raised.value, ValueError)
    assert message.startswith(f"baseline {str(path)!r}: ")
    assert "\n" not in message
    if problem is not None:
        assert message == f"baseline {str(path)!r}: {problem}"


def test_a_folder_without_a_report_json_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match=re.escape("a folder without a report.json; give the pack's report.json")):
        load_baseline(tmp_path)


def test_the_report_command_refuses_a_bad_baseline_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assembly = tmp_path / "cdk.out"
    assembly.mkdir()
    (assembly / "manifest.json").write_text('{"version": "55.0.0", "artifacts": {}}', encoding="utf-8")
    out = tmp_path / "pack"
    code = main(["report", str(assembly), "--out", str(out), "--baseline", str(tmp_path / "missing.json")])
    assert code == 2
    err = capsys.readouterr().err
    assert f"eu-residency: baseline {str(tmp_path / 'missing.json')!r}: no such file\n" == err
    assert not out.exists()


# -- the platform -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def platform_report(
    platform_assembly: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    """The platform (prod) synthesized once, its pack written, and its report.json as the pack holds it."""
    outdir = platform_assembly("prod")
    review = tmp_path_factory.mktemp("review")
    pack = write_review_pack(outdir, review, region="eu-west-1", settings=RuleSettings())
    return review / "report.json", document(pack)


def test_the_platforms_pack_against_itself_has_no_change(platform_report: tuple[Path, dict[str, Any]]) -> None:
    path, current = platform_report
    baseline = load_baseline(path)
    assert baseline["cdk_validation"]["acknowledged"], "the platform's pack should hold acknowledged CDK findings"
    comparison = compare(baseline, current)
    assert comparison.unchanged, comparison.as_dict()
    assert comparison.summary().startswith("0 new, 0 fixed, 0 changed since the baseline of ")


def test_the_platforms_pack_from_another_folder_has_no_change(platform_report: tuple[Path, dict[str, Any]]) -> None:
    path, current = platform_report
    moved = json.loads(path.read_text(encoding="utf-8").replace(str(path.parent.parent), "cdk.out/prod"))
    assert moved != load_baseline(path)
    assert compare(moved, current).unchanged


def test_one_acknowledgement_taken_back_in_the_platforms_pack(platform_report: tuple[Path, dict[str, Any]]) -> None:
    path, current = platform_report
    changed = copy.deepcopy(current)
    entry = changed["cdk_validation"]["acknowledged"].pop(0)
    entry.update(acknowledged=False, reason=None)
    changed["cdk_validation"]["findings"].append(entry)
    comparison = compare(load_baseline(path), changed)
    assert counts(comparison) == {"findings": NONE, "cdk": (0, 0, 1, 0, 1, 0)}
    assert comparison.cdk_validation.acknowledgements_removed[0].before is not None
