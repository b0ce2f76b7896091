"""At synthesis, what is wrong with an acknowledgement is reported as the command reports it, and an acknowledgement
without a reason no longer suppresses its finding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Acknowledgment, App, Environment, Stack, Stage, Validations
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns

from constructs_lib import apply_guardrails
from constructs_lib.acknowledgements import AWS_SOLUTIONS, acknowledge
from constructs_lib.synthesis import summarize
from constructs_lib.validation_plugin import KEPT_OPEN_MARK
from eu_residency.check_run.acknowledgement_audit import ProblemKind
from eu_residency.check_run.run import run_check
from eu_residency.core.rule_model import PLUGIN_NAME
from eu_residency.core.settings import RuleSettings

EU = Environment(account="123456789012", region="eu-west-1")
REASON = "Alarms only; no user data is ever published here."
# Where each acknowledgement of the app is, and what is said of it: the words of the command's own test.
EXPECTED = {
    "Data/NoReason": (
        ProblemKind.NO_REASON,
        "Data/NoReason: the acknowledgement 'EU-Residency::EU-ENC-022' has no reason, so it acknowledges nothing: "
        "the finding stays open; say why the finding is acceptable here",
    ),
    "Data/OtherPlugin": (
        ProblemKind.OTHER_PLUGIN,
        "Data/OtherPlugin: the acknowledgement 'AwsSolutions::EU-ENC-022' is under the prefix of another plugin "
        "(AwsSolutions::), so it acknowledges nothing; use EU-Residency::EU-ENC-022",
    ),
    "Data/NoPlugin": (
        ProblemKind.OTHER_PLUGIN,
        "Data/NoPlugin: the acknowledgement 'Annotation::EU-ENC-022' has no plugin prefix, so CDK files it under "
        "Annotation:: and it acknowledges nothing; use EU-Residency::EU-ENC-022",
    ),
    "Data/Typo": (
        ProblemKind.UNKNOWN_RULE,
        "Data/Typo: the acknowledgement 'EU-Residency::EU-ENC-22' names no rule of EU-Residency, so it acknowledges "
        "nothing; use EU-Residency::EU-ENC-022 if that is the rule meant",
    ),
    "Data/Accelerated": (
        ProblemKind.FATAL_FINDING,
        "Data/Accelerated: the acknowledgement 'EU-Residency::EU-RES-033' names a fatal finding, which no "
        "acknowledgement can accept: it stays open; fix the resource (`eu-residency explain EU-RES-033` says how)",
    ),
    "Data/Encrypted": (
        ProblemKind.STALE,
        "Data/Encrypted: the acknowledgement 'EU-Residency::EU-ENC-022' matches no finding of EU-ENC-022 here; "
        "remove it, or move it to where the finding is",
    ),
    "": (
        ProblemKind.UNKNOWN_RULE,
        "(app): the acknowledgement 'EU-Residency::EU-RES-0001' names no rule of EU-Residency, so it acknowledges "
        "nothing; use EU-Residency::EU-RES-001 if that is the rule meant",
    ),
}


def _ack(construct: Any, rule_id: str, reason: str = REASON) -> None:
    Validations.of(construct).acknowledge(Acknowledgment(id=rule_id, reason=reason))


def _app(outdir: Path) -> App:
    """Each kind of problem, on the raw Validations API, beside one acknowledgement that works."""
    app = App(outdir=str(outdir))
    stack = Stack(app, "Data", env=EU)
    _ack(sns.CfnTopic(stack, "NoReason"), f"{PLUGIN_NAME}::EU-ENC-022", reason="")
    _ack(sns.CfnTopic(stack, "OtherPlugin"), "AwsSolutions::EU-ENC-022")
    _ack(sns.CfnTopic(stack, "NoPlugin"), "EU-ENC-022")
    _ack(sns.CfnTopic(stack, "Typo"), f"{PLUGIN_NAME}::EU-ENC-22")
    accelerated = s3.CfnBucket(stack, "Accelerated", accelerate_configuration={"accelerationStatus": "Enabled"})
    _ack(accelerated, f"{PLUGIN_NAME}::EU-RES-033")
    _ack(sns.CfnTopic(stack, "Encrypted", kms_master_key_id="alias/chat"), f"{PLUGIN_NAME}::EU-ENC-022")
    _ack(sns.CfnTopic(stack, "Acknowledged"), f"{PLUGIN_NAME}::EU-ENC-022")
    _ack(app, f"{PLUGIN_NAME}::EU-RES-0001")
    apply_guardrails(app)
    return app


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> tuple[App, dict[str, Any]]:
    app = _app(tmp_path_factory.mktemp("acknowledgements") / "cdk.out")
    with pytest.raises(RuntimeError, match=r"ValidationFailed|Validation failed"):
        app.synth()
    report = json.loads((Path(app.outdir) / "validation-report.json").read_text(encoding="utf-8"))
    return app, next(plugin for plugin in report["pluginReports"] if plugin["pluginName"] == PLUGIN_NAME)


def _at(violation: dict[str, Any]) -> str:
    return str(violation["violatingConstructs"][0]["constructPath"])


def test_each_problem_is_a_warning_on_the_construct_that_holds_the_acknowledgement(
    synthesized: tuple[App, dict[str, Any]],
) -> None:
    _, report = synthesized
    warnings = [violation for violation in report["violations"] if violation["severity"] == "warning"]
    assert {
        _at(warning): (ProblemKind(warning["ruleName"]), warning["description"]) for warning in warnings
    } == EXPECTED


def test_an_acknowledgement_without_a_reason_suppresses_nothing(synthesized: tuple[App, dict[str, Any]]) -> None:
    _, report = synthesized
    [kept] = [v for v in report["violations"] if v["ruleName"] == "EU-ENC-022" and _at(v) == "Data/NoReason"]
    assert kept["severity"] == "error" and kept["ruleMetadata"][KEPT_OPEN_MARK] == "true"
    assert "its acknowledgement has no reason" in kept["description"]
    suppressed = {_at(v) for v in report.get("suppressedViolations", [])}
    assert suppressed == {"Data/Acknowledged"}


def test_the_command_says_the_same_of_the_same_assembly(synthesized: tuple[App, dict[str, Any]]) -> None:
    """What CDK recorded is in the assembly: the command reads it there (all but the app's own acknowledgement,
    which no stack's metadata holds) and words each problem as the plugin did."""
    app, _ = synthesized
    checked = run_check([app.outdir], region=None, settings=RuleSettings())
    found = {
        problem.acknowledgement.place: (problem.kind, problem.text) for problem in checked.acknowledgement_problems
    }
    assert found == {place: said for place, said in EXPECTED.items() if place}
    open_in_command = {
        (i.finding.logical_id, i.open) for r in checked.results for i in r.findings if i.finding.rule_id == "EU-ENC-022"
    }
    assert ("NoReason", True) in open_in_command and ("Acknowledged", False) in open_in_command


def test_the_synthesis_summary_lists_the_problems_apart_from_the_findings(
    synthesized: tuple[App, dict[str, Any]],
) -> None:
    app, _ = synthesized
    summary = summarize(app, Path(app.outdir) / "validation-report.json")
    assert "7 acknowledgement(s) that acknowledge nothing or match no finding:" in summary
    for _, text in EXPECTED.values():
        assert f"  WARNING {text}" in summary
    assert " acknowledgement-stale at " not in summary


def test_a_problem_alone_does_not_stop_synthesis(tmp_path: Path) -> None:
    app = App(outdir=str(tmp_path / "cdk.out"))
    stage = Stage(app, "Prod", env=EU)
    stack = Stack(stage, "Data")
    sns.CfnTopic(stack, "Encrypted", kms_master_key_id="alias/chat")
    _ack(stage, f"{PLUGIN_NAME}::EU-ENC-022")
    apply_guardrails(app)
    app.synth()  # no exception: a stale acknowledgement is a warning
    report = json.loads((tmp_path / "cdk.out" / "validation-report.json").read_text(encoding="utf-8"))
    [plugin] = [plugin for plugin in report["pluginReports"] if plugin["pluginName"] == PLUGIN_NAME]
    assert [(v["ruleName"], _at(v)) for v in plugin["violations"]] == [(ProblemKind.STALE.value, "Prod")]


def test_the_helper_gives_our_ids_to_our_plugin(tmp_path: Path) -> None:
    app = App(outdir=str(tmp_path))
    topic = sns.CfnTopic(Stack(app, "Data", env=EU), "Topic")
    acknowledge(topic, "EU-ENC-022", REASON)
    acknowledge(topic, "AwsSolutions-SNS3", REASON)
    recorded = {key for entry in topic.node.metadata if isinstance(entry.data, dict) for key in entry.data}
    assert recorded == {f"{PLUGIN_NAME}::EU-ENC-022", "AwsSolutions::AwsSolutions-SNS3"}


@pytest.mark.parametrize(
    ("rule_id", "plugin", "message"),
    [
        ("EU-ENC-022", AWS_SOLUTIONS, "is under the prefix of another plugin (AwsSolutions::)"),
        ("EU-ENC-22", None, "names no rule of EU-Residency, so it acknowledges nothing; use EU-Residency::EU-ENC-022"),
    ],
)
def test_the_helper_refuses_an_acknowledgement_that_would_acknowledge_nothing(
    tmp_path: Path, rule_id: str, plugin: str | None, message: str
) -> None:
    topic = sns.CfnTopic(Stack(App(outdir=str(tmp_path)), "Data", env=EU), "Topic")
    with pytest.raises(ValueError, match=r"^Data/Topic: the acknowledgement .*") as refused:
        acknowledge(topic, rule_id, REASON, plugin=plugin)
    assert message in str(refused.value)
