"""The SARIF formatter: a valid SARIF 2.1.0 log that GitHub code scanning accepts, built from real check runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from jsonschema.validators import validator_for

from eu_residency.check_run.results import CheckRun
from eu_residency.check_run.run import run_check
from eu_residency.core.rule_model import Severity
from eu_residency.core.settings import RuleSettings
from eu_residency.formats import CHECK_RENDERERS as FORMATTERS
from eu_residency.formats import sarif
from eu_residency.formats.escaping import sarif_text
from eu_residency.rules.catalogue import acknowledgement_text
from eu_residency.rules.registry import RULES, RULES_BY_ID

REPO = Path(__file__).resolve().parents[3]
SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
BAD = "tests/fixtures/templates/bad/EU-ENC-001.yaml"
GOOD = "tests/fixtures/templates/good/EU-ENC-001.yaml"
FATAL = "tests/fixtures/templates/bad/EU-RES-030.yaml"
# good/EU-ENC-001.yaml keeps EU-ENC-001 but not every other rule (EU-ENC-046 fires); this one keeps them all.
COMPLIANT = "tests/fixtures/templates/good/EU-ENC-002.yaml"
REASON = "accepted by security"

ACKNOWLEDGED_TEMPLATE = f"""\
Resources:
  AcknowledgedCluster:
    Type: AWS::RDS::DBCluster
    Metadata:
      eu-residency:
        acknowledgements:
          - id: EU-ENC-001
            reason: {REASON}
    Properties:
      Engine: aurora-postgresql
      StorageEncrypted: false
"""


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Paths are given relative to the repository, as a CI job run from its root gives them."""
    monkeypatch.chdir(REPO)


def check(*paths: str | Path) -> CheckRun:
    return run_check([str(path) for path in paths], region="eu-west-1", settings=RuleSettings())


def sarif_log(run: CheckRun) -> dict[str, Any]:
    text = sarif.render(run)
    assert text.endswith("\n")
    log: dict[str, Any] = json.loads(text)
    return log


def assert_valid(log: dict[str, Any]) -> None:
    validator_class = validator_for(SCHEMA)
    assert validator_class is Draft7Validator  # the draft the schema's $schema names
    validator = validator_class(SCHEMA)  # no format_checker: formats are not checked
    errors = sorted(validator.iter_errors(log), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{list(error.absolute_path)}: {error.message}" for error in errors)


def line_of(path: str | Path, logical_id: str) -> int:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    matches = [number for number, line in enumerate(lines, start=1) if line.strip() == f"{logical_id}:"]
    assert len(matches) == 1, matches
    return matches[0]


@pytest.fixture
def acknowledged_template(tmp_path: Path) -> Path:
    path = tmp_path / "acknowledged.yaml"
    path.write_text(ACKNOWLEDGED_TEMPLATE, encoding="utf-8")
    return path


@pytest.fixture
def malformed_template(tmp_path: Path) -> Path:
    path = tmp_path / "malformed.yaml"
    path.write_text("Resources:\n  Broken: [unclosed\n", encoding="utf-8")
    return path


def test_the_command_offers_sarif() -> None:
    assert FORMATTERS["sarif"] is sarif.render


@pytest.mark.parametrize("paths", [[BAD], [GOOD], [COMPLIANT], [BAD, GOOD, FATAL]])
def test_output_validates_against_the_sarif_schema(paths: list[str]) -> None:
    log = sarif_log(check(*paths))
    assert_valid(log)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1


def test_inputs_with_errors_and_acknowledgements_validate_too(
    acknowledged_template: Path, malformed_template: Path
) -> None:
    assert_valid(sarif_log(check(BAD, acknowledged_template, malformed_template, "no/such/template.yaml")))


def test_driver_names_the_tool_and_its_version() -> None:
    driver = sarif_log(check(GOOD))["runs"][0]["tool"]["driver"]
    assert driver["name"] == "eu-residency"
    assert "informationUri" not in driver
    parts = driver["semanticVersion"].split(".")
    assert len(parts) >= 3
    assert all(part.isdigit() for part in parts[:2])


def test_every_registry_rule_is_described_even_without_findings() -> None:
    rules = sarif_log(check(GOOD))["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [rule.id for rule in RULES]
    names = [descriptor["name"] for descriptor in rules]
    assert len(set(names)) == len(names)
    for descriptor, rule in zip(rules, RULES, strict=True):
        assert descriptor["name"].isalnum()
        assert descriptor["name"][0].isupper()
        assert descriptor["shortDescription"]["text"] == rule.title
        assert descriptor["fullDescription"]["text"] == rule.explanation
        assert descriptor["defaultConfiguration"]["level"] == "error"
        for kind in ("text", "markdown"):
            help_text = descriptor["help"][kind]
            assert rule.explanation in help_text
            assert rule.fix in help_text
        assert acknowledgement_text(rule) in descriptor["help"]["markdown"]
        assert "`" not in descriptor["help"]["text"]
        properties = descriptor["properties"]
        assert properties["tags"] == ["security", rule.family.name.lower()]
        assert properties["precision"] == "high"
        fatal_capable = Severity.FATAL in (rule.severity, rule.unprovable_severity)
        assert properties["security-severity"] == ("9.0" if fatal_capable else "7.0")
    assert rules[[r["id"] for r in rules].index("EU-ENC-001")]["properties"]["tags"][1] == "encryption"
    assert rules[[r["id"] for r in rules].index("EU-RES-030")]["properties"]["tags"][1] == "residency"
    assert rules[[r["id"] for r in rules].index("EU-RET-001")]["properties"]["tags"][1] == "retention"


def test_every_finding_is_exactly_one_result() -> None:
    run = check(BAD)
    findings = [item for result in run.results for item in result.findings]
    assert findings, "the bad fixture has findings"
    sarif_run = sarif_log(run)["runs"][0]
    results = sarif_run["results"]
    assert len(results) == len(findings)
    rule_ids = [rule["id"] for rule in sarif_run["tool"]["driver"]["rules"]]
    for result, item in zip(results, findings, strict=True):
        finding = item.finding
        assert result["ruleId"] == finding.rule_id
        assert rule_ids[result["ruleIndex"]] == finding.rule_id
        assert result["level"] == "error"
        assert result["message"]["text"] == sarif_text(f"{finding.message}. Fix: {finding.fix}")
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == BAD
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert physical["region"]["startLine"] == item.line == line_of(BAD, finding.logical_id or "")
        (logical,) = location["logicalLocations"]
        assert logical == {"name": finding.logical_id, "fullyQualifiedName": finding.location, "kind": "resource"}
        assert result["properties"]["severity"] == finding.severity.value
        assert result["properties"]["constructPath"] == finding.construct_path
        assert result["properties"]["propertyPath"] == ".".join(str(part) for part in finding.path)
        assert "suppressions" not in result
    assert {result["ruleId"] for result in results} >= {"EU-ENC-001"}


def test_start_line_is_the_line_of_the_resource() -> None:
    expected = line_of(BAD, "FailUnencryptedByDefault")
    results = sarif_log(check(BAD))["runs"][0]["results"]
    on_resource = [r for r in results if r["locations"][0]["logicalLocations"][0]["name"] == "FailUnencryptedByDefault"]
    assert on_resource
    assert {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in on_resource} == {expected}
    assert "FailUnencryptedByDefault:" in Path(BAD).read_text(encoding="utf-8").splitlines()[expected - 1]


def test_the_good_fixture_gives_no_result_of_its_rule() -> None:
    run = check(GOOD)
    results = sarif_log(run)["runs"][0]["results"]
    assert "EU-ENC-001" not in {result["ruleId"] for result in results}
    assert len(results) == sum(len(result.findings) for result in run.results)


def test_a_compliant_template_gives_no_result_but_is_an_artifact() -> None:
    run = check(COMPLIANT)
    assert run.results[0].verdict == "compliant"
    sarif_run = sarif_log(run)["runs"][0]
    assert sarif_run["results"] == []
    assert [artifact["location"]["uri"] for artifact in sarif_run["artifacts"]] == [COMPLIANT]
    assert sarif_run["invocations"][0]["executionSuccessful"] is True
    assert sarif_run["invocations"][0]["toolExecutionNotifications"] == []


def test_artifacts_list_the_checked_templates() -> None:
    sarif_run = sarif_log(check(BAD, GOOD))["runs"][0]
    artifacts = sarif_run["artifacts"]
    assert [artifact["location"]["uri"] for artifact in artifacts] == [BAD, GOOD]
    for result in sarif_run["results"]:
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifacts[location["index"]]["location"]["uri"] == location["uri"]


def test_fatal_findings_keep_their_severity_as_a_property() -> None:
    run = check(FATAL)
    fatal = [item for result in run.results for item in result.findings if item.finding.severity is Severity.FATAL]
    assert fatal, "the EU-RES-030 fixture has fatal findings"
    results = sarif_log(run)["runs"][0]["results"]
    assert {result["level"] for result in results} == {"error"}
    assert sum(1 for result in results if result["properties"]["severity"] == "fatal") == len(fatal)


def test_acknowledged_findings_are_suppressed_with_the_reason(acknowledged_template: Path) -> None:
    run = check(acknowledged_template)
    (template,) = run.results
    assert [item.finding.rule_id for item in template.acknowledged] == ["EU-ENC-001"]
    results = sarif_log(run)["runs"][0]["results"]
    assert len(results) == len(template.findings)
    suppressed = [result for result in results if "suppressions" in result]
    (result,) = suppressed
    assert result["ruleId"] == "EU-ENC-001"
    assert result["level"] == "error"
    (suppression,) = result["suppressions"]
    assert suppression["kind"] == "external"
    assert suppression["status"] == "accepted"
    assert suppression["justification"] == REASON
    assert result["locations"][0]["logicalLocations"][0]["name"] == "AcknowledgedCluster"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == line_of(
        acknowledged_template, "AcknowledgedCluster"
    )
    # Outside the working directory: an absolute file URI, no base id.
    artifact_location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact_location["uri"] == acknowledged_template.resolve().as_uri()
    assert "uriBaseId" not in artifact_location


def test_input_errors_are_notifications_and_fail_the_invocation(malformed_template: Path) -> None:
    run = check(BAD, malformed_template)
    errors = [result for result in run.results if result.error is not None]
    assert len(errors) == 1
    sarif_run = sarif_log(run)["runs"][0]
    (invocation,) = sarif_run["invocations"]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert notification["message"]["text"] == sarif_text(errors[0].error)
    (location,) = notification["locations"]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == malformed_template.resolve().as_uri()
    # The template that could be checked is still reported; the one that could not is no artifact.
    assert [artifact["location"]["uri"] for artifact in sarif_run["artifacts"]] == [BAD]
    assert len(sarif_run["results"]) == sum(len(result.findings) for result in run.results)


def test_fingerprints_are_stable_and_distinct(acknowledged_template: Path) -> None:
    paths = (BAD, FATAL, acknowledged_template)
    first = sarif_log(check(*paths))["runs"][0]["results"]
    second = sarif_log(check(*paths))["runs"][0]["results"]
    fingerprints = [result["partialFingerprints"]["euResidency/v1"] for result in first]
    assert fingerprints == [result["partialFingerprints"]["euResidency/v1"] for result in second]
    assert len(set(fingerprints)) == len(fingerprints) > 1
    assert all(fingerprint and isinstance(fingerprint, str) for fingerprint in fingerprints)


def test_fingerprints_do_not_depend_on_the_message_or_line() -> None:
    """What identifies a finding for code scanning: rule, template, resource and property, nothing else."""
    run = check(BAD)
    moved = CheckRun(
        results=tuple(
            type(result)(
                path=result.path,
                region=result.region,
                findings=tuple(
                    type(item)(
                        finding=type(item.finding)(**{**vars(item.finding), "message": "reworded"}),
                        line=(item.line or 1) + 10,
                    )
                    for item in result.findings
                ),
                resources=result.resources,
            )
            for result in run.results
        ),
        settings=run.settings,
    )
    before = [result["partialFingerprints"] for result in sarif_log(run)["runs"][0]["results"]]
    after = [result["partialFingerprints"] for result in sarif_log(moved)["runs"][0]["results"]]
    assert before == after


def test_every_rule_id_of_a_result_is_in_the_registry() -> None:
    for result in sarif_log(check(BAD, FATAL))["runs"][0]["results"]:
        assert result["ruleId"] in RULES_BY_ID


def test_a_missing_input_is_a_notification_at_the_path_named() -> None:
    sarif_run = sarif_log(check("no/such/template.yaml"))["runs"][0]
    (notification,) = sarif_run["invocations"][0]["toolExecutionNotifications"]
    assert notification["message"]["text"] == "no/such/template.yaml: no such file or directory"
    location = notification["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "no/such/template.yaml", "uriBaseId": "%SRCROOT%"}
    assert sarif_run["artifacts"] == []
    assert sarif_run["results"] == []


def test_an_unreadable_cloud_assembly_is_a_notification_without_a_made_up_location(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    log = sarif_log(check(tmp_path))
    assert_valid(log)
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert "manifest.json" in notification["message"]["text"]
    # check.run_check names this input str(paths), a list's repr and no file: then no location is written.
    for location in notification.get("locations", []):
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        assert uri in (tmp_path.resolve().as_uri(), (tmp_path / "manifest.json").resolve().as_uri())


def test_an_undecidable_finding_carries_what_is_not_known(tmp_path: Path) -> None:
    template = tmp_path / "undecided.yaml"
    template.write_text(
        "Parameters:\n  Destination:\n    Type: String\nResources:\n  Table:\n    Type: AWS::DynamoDB::GlobalTable\n"
        "    Properties:\n      Replicas:\n        - Region: eu-west-1\n        - Region: !Ref Destination\n",
        encoding="utf-8",
    )
    run = check(template)
    undecided = [item.finding for result in run.results for item in result.findings if item.finding.undecidable]
    assert undecided, "a replica region chosen at deploy time leaves the outcome undecided"
    assert {finding.undecided.cause.value for finding in undecided if finding.undecided} == {"parameter"}
    assert all(finding.severity is Severity.ERROR for finding in undecided)
    results = sarif_log(run)["runs"][0]["results"]
    carried = [result["properties"]["undecided"] for result in results if result["properties"]["undecided"]]
    assert carried and all(item["cause"] == "parameter" and "Destination" in item["reason"] for item in carried)
    documents = json.loads(FORMATTERS["json"](run))
    found = [item for template in documents["templates"] for item in template["findings"]]
    assert any(item["undecided"] and item["undecided"]["cause"] == "parameter" for item in found)
