"""`eu-residency check` reports what is wrong with each acknowledgement, in every format, in the plugin's words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from eu_residency.check_run.acknowledgement_audit import ProblemKind
from eu_residency.check_run.run import run_check
from eu_residency.core.settings import RuleSettings
from tests.conftest import REPO
from tests.eu_residency.cli.test_check_command import run, write

FOLDER = REPO / "tests" / "fixtures" / "templates" / "acknowledgements"
PROBLEMS = FOLDER / "problems.yaml"
CLEAN = FOLDER / "clean.yaml"
SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
# Where each acknowledgement of problems.yaml is, and what is said of it.
EXPECTED = {
    "(template)": (
        ProblemKind.STALE,
        "(template): the acknowledgement 'EU-RES-001' matches no finding of EU-RES-001 here; remove it, or move it "
        "to where the finding is",
    ),
    "FailNoReason": (
        ProblemKind.NO_REASON,
        "FailNoReason: the acknowledgement 'EU-ENC-022' has no reason, so it acknowledges nothing: the finding stays "
        "open; say why the finding is acceptable here",
    ),
    "FailOtherPlugin": (
        ProblemKind.OTHER_PLUGIN,
        "FailOtherPlugin: the acknowledgement 'AwsSolutions::EU-ENC-022' is under the prefix of another plugin "
        "(AwsSolutions::), so it acknowledges nothing; use EU-Residency::EU-ENC-022",
    ),
    "FailUnknownRule": (
        ProblemKind.UNKNOWN_RULE,
        "FailUnknownRule: the acknowledgement 'EU-ENC-22' names no rule of EU-Residency, so it acknowledges "
        "nothing; use EU-ENC-022 if that is the rule meant",
    ),
    "FailFatalFinding": (
        ProblemKind.FATAL_FINDING,
        "FailFatalFinding: the acknowledgement 'EU-RES-033' names a fatal finding, which no acknowledgement can "
        "accept: it stays open; fix the resource (`eu-residency explain EU-RES-033` says how)",
    ),
    "FailStale": (
        ProblemKind.STALE,
        "FailStale: the acknowledgement 'EU-ENC-022' matches no finding of EU-ENC-022 here; remove it, or move it "
        "to where the finding is",
    ),
}


def _line(name: str) -> int:
    lines = PROBLEMS.read_text(encoding="utf-8").splitlines()
    return 1 if name == "(template)" else next(i for i, text in enumerate(lines, 1) if text.strip() == f"{name}:")


def _json(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(capsys, "check", "--format", "json", *argv)
    return code, json.loads(out)


def test_each_problem_is_reported_once_where_it_is_written(capsys: pytest.CaptureFixture[str]) -> None:
    _, document = _json(capsys, PROBLEMS)
    [template] = document["templates"]
    found = {problem["where"]: problem for problem in template["acknowledgement_problems"]}
    assert {where: (ProblemKind(p["kind"]), f"{where}: {p['message']}") for where, p in found.items()} == EXPECTED
    assert {where: problem["line"] for where, problem in found.items()} == {name: _line(name) for name in EXPECTED}
    assert found["FailOtherPlugin"]["source"] == "cdk-nag metadata"
    assert found["FailUnknownRule"]["rule_id"] == "EU-ENC-022"


def test_a_finding_whose_acknowledgement_acknowledges_nothing_stays_open(capsys: pytest.CaptureFixture[str]) -> None:
    code, document = _json(capsys, PROBLEMS)
    findings = {(f["logical_id"], f["rule_id"]): f["acknowledged"] for f in document["templates"][0]["findings"]}
    for name in ("FailNoReason", "FailOtherPlugin", "FailUnknownRule"):
        assert findings[(name, "EU-ENC-022")] is False
    assert findings[("FailFatalFinding", "EU-RES-033")] is False
    assert findings[("PassAcknowledged", "EU-ENC-022")] is True
    assert code == 1
    assert document["summary"].endswith(", 6 acknowledgement problem(s)")


def test_acknowledgements_that_each_acknowledge_a_finding_are_no_problem(capsys: pytest.CaptureFixture[str]) -> None:
    code, document = _json(capsys, CLEAN)
    assert document["templates"][0]["acknowledgement_problems"] == []
    assert code == 0


def test_a_problem_alone_never_fails_the_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A stale acknowledgement has no finding to protect: a warning, exit 0."""
    template = write(
        tmp_path,
        "stale.yaml",
        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties: {KmsMasterKeyId: alias/chat}\n"
        "    Metadata:\n      eu-residency:\n        acknowledgements:\n"
        "          - {id: EU-ENC-022, reason: Alarms only; no user data is ever published here.}\n",
    )
    code, out, _ = run(capsys, "check", template)
    assert code == 0
    assert f"  WARN  acknowledgement-stale {template}:2 Topic: the acknowledgement 'EU-ENC-022' matches" in out


def test_text_prints_each_problem_on_one_line_with_its_line(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "check", PROBLEMS)
    for where, (kind, text) in EXPECTED.items():
        assert f"  WARN  {kind.value} {PROBLEMS}:{_line(where)} {text}\n" in out


def test_markdown_lists_the_problems_of_each_template(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "check", "--format", "markdown", PROBLEMS)
    problems = out.split("Acknowledgement problems (warnings):", 1)[1].split("\n\n| ", 1)[0]
    assert problems.count("\n- ") == len(EXPECTED)
    assert "FailNoReason: the acknowledgement 'EU-ENC-022' has no reason" in out


def test_sarif_gives_them_as_configuration_notifications_of_their_own_descriptors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(capsys, "check", "--format", "sarif", PROBLEMS)
    log = json.loads(out)
    assert not list(Draft7Validator(SCHEMA).iter_errors(log))
    [sarif_run] = log["runs"]
    descriptors = sarif_run["tool"]["driver"]["notifications"]
    assert [descriptor["id"] for descriptor in descriptors] == [kind.value for kind in ProblemKind]
    [invocation] = sarif_run["invocations"]
    assert invocation["executionSuccessful"] is True  # a problem is a warning about configuration, not a failure
    notifications = invocation["toolConfigurationNotifications"]
    assert sorted(n["message"]["text"] for n in notifications) == sorted(text for _, text in EXPECTED.values())
    rules = sarif_run["tool"]["driver"]["rules"]
    for notification in notifications:
        assert notification["level"] == "warning"
        assert descriptors[notification["descriptor"]["index"]]["id"] == notification["descriptor"]["id"]
        if "associatedRule" in notification:
            assert rules[notification["associatedRule"]["index"]]["id"] == notification["associatedRule"]["id"]
    assert {result["ruleId"] for result in sarif_run["results"]} <= {rule["id"] for rule in rules}


STACK_SET = {
    "Resources": {
        "Instances": {
            "Type": "AWS::CloudFormation::StackSet",
            "Metadata": {
                "eu-residency": {
                    "acknowledgements": [
                        {"id": "EU-ENC-022", "reason": "The instances publish alarms only, no user data."}
                    ]
                }
            },
            "Properties": {
                "StackSetName": "alarms",
                "PermissionModel": "SELF_MANAGED",
                "StackInstancesGroup": [
                    {
                        "DeploymentTargets": {"Accounts": ["123456789012"]},
                        "Regions": ["eu-west-1", "eu-central-1"],
                    }
                ],
                "TemplateBody": json.dumps(
                    {
                        "Resources": {
                            "Alarms": {"Type": "AWS::SNS::Topic"},
                            "Quiet": {
                                "Type": "AWS::SNS::Topic",
                                "Properties": {"KmsMasterKeyId": "alias/chat"},
                                "Metadata": {
                                    "eu-residency": {
                                        "acknowledgements": [
                                            {"id": "EU-ENC-022", "reason": "Encrypted since; stale here."}
                                        ]
                                    }
                                },
                            },
                        }
                    }
                ),
            },
        }
    }
}


def test_an_acknowledgement_on_a_stack_set_reaches_its_instances_and_one_in_its_body_is_audited_once(
    tmp_path: Path,
) -> None:
    path = tmp_path / "stack-set.json"
    path.write_text(json.dumps(STACK_SET), encoding="utf-8")
    checked = run_check([str(path)], region="eu-west-1", settings=RuleSettings())
    assert all(not result.open_findings for result in checked.results)  # acknowledged on the StackSet, per instance
    assert [problem.text for problem in checked.acknowledgement_problems] == [
        "Instances/Quiet: the acknowledgement 'EU-ENC-022' matches no finding of EU-ENC-022 here; remove it, or move "
        "it to where the finding is"
    ]


def test_acknowledgements_cdk_recorded_in_a_cloud_assembly_are_audited(tmp_path: Path) -> None:
    """The stack's metadata file, as CDK writes it: the construct of each resource and its acknowledgements."""
    assembly = tmp_path / "cdk.out"
    assembly.mkdir()
    resources: dict[str, Any] = {
        "Alarms": {"Type": "AWS::SNS::Topic"},
        "Quiet": {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": "alias/chat"}},
    }
    (assembly / "App.template.json").write_text(json.dumps({"Resources": resources}), encoding="utf-8")
    metadata = {
        "/App": [{"type": "aws:cdk:templateFile", "data": "App.template.json"}],
        "/App/Alarms": [
            {"type": "aws:cdk:logicalId", "data": "Alarms"},
            {"type": "aws:cdk:acknowledged-rules", "data": {"AwsSolutions::EU-ENC-022": "Alarms only, no user data."}},
        ],
        "/App/Quiet": [
            {"type": "aws:cdk:logicalId", "data": "Quiet"},
            {"type": "aws:cdk:acknowledged-rules", "data": {"EU-Residency::EU-ENC-022": "Alarms only, no user data."}},
        ],
    }
    (assembly / "App.metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    artifact = {
        "type": "aws:cloudformation:stack",
        "environment": "aws://123456789012/eu-west-1",
        "properties": {"templateFile": "App.template.json"},
        "additionalMetadataFile": "App.metadata.json",
    }
    (assembly / "manifest.json").write_text(json.dumps({"version": "55.0.0", "artifacts": {"App": artifact}}))
    checked = run_check([str(assembly)], region=None, settings=RuleSettings())
    assert [(problem.kind, problem.acknowledgement.line) for problem in checked.acknowledgement_problems] == [
        (ProblemKind.OTHER_PLUGIN, 1),
        (ProblemKind.STALE, 1),
    ]
    assert [problem.acknowledgement.where for problem in checked.acknowledgement_problems] == [
        "App/Alarms",
        "App/Quiet",
    ]
