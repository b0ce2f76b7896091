"""The EU-Residency plugin at synthesis time: reported and acknowledged like AwsSolutionsChecks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Acknowledgment, App, Environment, Stack, Validations
from aws_cdk import aws_s3 as s3

from constructs_lib import apply_guardrails
from constructs_lib.guardrails import GuardrailError, settings_from_context
from constructs_lib.validation_plugin import PLUGIN_NAME, EuResidencyPlugin
from eu_residency.core.regions import EU_REGIONS
from eu_residency.rules.registry import RULES
from tests.conftest import REPO
from tests.fixtures.apps.noncompliant_fixtures import included_fixtures
from tests.test_app import NPX, _run

EU = Environment(account="123456789012", region="eu-west-1")
ALL_BAD_FIXTURES_APP = REPO / "tests" / "fixtures" / "apps" / "noncompliant_fixtures.py"


def _synth_report(app: App) -> dict[str, Any]:
    with pytest.raises(RuntimeError, match=r"ValidationFailed|Validation failed"):
        app.synth()
    report: dict[str, Any] = json.loads((Path(app.outdir) / "validation-report.json").read_text())
    return next(plugin for plugin in report["pluginReports"] if plugin["pluginName"] == PLUGIN_NAME)


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    """One synth of an app with an error (acknowledged once), a fatal (acknowledged in vain), and a stack
    without a region.
    """
    app = App()
    stack = Stack(app, "Data", env=EU)
    s3.CfnBucket(stack, "PlainBucket")
    acknowledged = s3.CfnBucket(stack, "AcknowledgedBucket")
    Validations.of(acknowledged).acknowledge(
        Acknowledgment(id=f"{PLUGIN_NAME}::EU-ENC-040", reason="A test bucket that a reviewer accepted as it is.")
    )
    accelerated = s3.CfnBucket(stack, "AcceleratedBucket", accelerate_configuration={"accelerationStatus": "Enabled"})
    Validations.of(accelerated).acknowledge(
        Acknowledgment(id=f"{PLUGIN_NAME}::EU-RES-033", reason="Trying to acknowledge a fatal finding.")
    )
    Stack(app, "Agnostic").node  # noqa: B018 - an environment-agnostic stack with nothing in it
    s3.CfnBucket(app.node.find_child("Agnostic"), "AnyBucket")  # type: ignore[arg-type]
    apply_guardrails(app)
    return _synth_report(app)


def _violations(report: dict[str, Any], rule_id: str) -> list[dict[str, Any]]:
    return [violation for violation in report["violations"] if violation["ruleName"] == rule_id]


def test_findings_name_rule_construct_location_why_and_fix(report: dict[str, Any]) -> None:
    [violation] = [
        v
        for v in _violations(report, "EU-ENC-040")
        if v["violatingConstructs"][0]["constructPath"] == "Data/PlainBucket"
    ]
    assert violation["severity"] == "error"
    assert violation["ruleMetadata"]["location"] == "(resource)"  # the TLS-only policy is missing: no property
    assert "bucket" in violation["description"] and violation["suggestedFix"]


def test_acknowledged_errors_are_listed_with_their_reason(report: dict[str, Any]) -> None:
    [acknowledged] = [v for v in report["suppressedViolations"] if v["ruleName"] == "EU-ENC-040"]
    assert acknowledged["reason"] == "A test bucket that a reviewer accepted as it is."
    assert acknowledged["acknowledgedAt"] == "Data/AcknowledgedBucket"
    paths = {v["violatingConstructs"][0]["constructPath"] for v in _violations(report, "EU-ENC-040")}
    assert "Data/AcknowledgedBucket" not in paths


def test_fatal_findings_cannot_be_acknowledged(report: dict[str, Any]) -> None:
    [fatal] = _violations(report, "EU-RES-033")
    assert fatal["severity"] == "fatal"
    assert fatal["violatingConstructs"][0]["constructPath"] == "Data/AcceleratedBucket"
    assert not [v for v in report.get("suppressedViolations", []) if v["ruleName"] == "EU-RES-033"]


def test_environment_agnostic_stack_is_a_finding_on_the_stack(report: dict[str, Any]) -> None:
    [violation] = _violations(report, "EU-RES-001")
    assert violation["violatingConstructs"][0]["constructPath"] == "Agnostic"
    assert violation["ruleMetadata"]["location"] == "(stack)"


def test_plugin_declares_every_rule_id() -> None:
    assert EuResidencyPlugin().rule_ids == [rule.id for rule in RULES]


def test_allowed_regions_come_from_the_argument_then_context_then_the_eu_list() -> None:
    context = {"eu-residency:allowed-regions": "eu-west-1, eu-central-1"}.get
    assert settings_from_context(context).allowed_regions == {"eu-west-1", "eu-central-1"}
    assert settings_from_context(context, allowed_regions=["eu-north-1"]).allowed_regions == {"eu-north-1"}
    assert settings_from_context({}.get).allowed_regions == EU_REGIONS


@pytest.mark.parametrize(
    ("context", "message"),
    [
        (
            {"eu-residency:allowed-regions": ["eu-west-1", "eu-west-2"]},
            "eu-west-2 (London, United Kingdom, outside the EU)",
        ),
        ({"eu-residency:allowed-regions": 5}, "expected a list of strings"),
        ({"eu-residency:replication-destinations": ["bucket"]}, "expected an object"),
        ({"eu-residency:replication-destinations": {"bucket": "us-east-1"}}, "us-east-1"),
    ],
)
def test_guardrails_fail_with_one_line_on_a_bad_setting(context: dict[str, Any], message: str) -> None:
    with pytest.raises(GuardrailError) as raised:
        settings_from_context(context.get)
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_apply_guardrails_refuses_allowed_regions_outside_the_eu() -> None:
    with pytest.raises(GuardrailError, match="us-east-1"):
        apply_guardrails(App(), allowed_regions=["us-east-1"])


@pytest.fixture(scope="module")
def all_bad_fixtures_python(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, str(ALL_BAD_FIXTURES_APP)], outdir=tmp_path_factory.mktemp("bad-python"))


@pytest.fixture(scope="module")
def all_bad_fixtures_cli(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    outdir = tmp_path_factory.mktemp("bad-cli")
    command = [*NPX, "synth", "--quiet", "--no-notices", "--app", f"{sys.executable} {ALL_BAD_FIXTURES_APP}"]
    return _run([*command, "-o", str(outdir)])


def _fixture_rule_ids() -> list[str]:
    """Rules whose bad fixture the app includes (fixtures that need their own settings are left out)."""
    return sorted({path.name.split(".")[0] for path in included_fixtures()})


@pytest.mark.parametrize("rule_id", _fixture_rule_ids())
def test_python_app_exits_non_zero_with_the_id_of_each_broken_rule(
    rule_id: str, all_bad_fixtures_python: subprocess.CompletedProcess[str]
) -> None:
    assert all_bad_fixtures_python.returncode == 1
    assert f" {rule_id} at " in all_bad_fixtures_python.stderr


@pytest.mark.parametrize("rule_id", _fixture_rule_ids())
def test_cdk_synth_exits_non_zero_with_the_id_of_each_broken_rule(
    rule_id: str, all_bad_fixtures_cli: subprocess.CompletedProcess[str]
) -> None:
    assert all_bad_fixtures_cli.returncode != 0
    assert f"EU-Residency::{rule_id}" in all_bad_fixtures_cli.stdout + all_bad_fixtures_cli.stderr


def test_every_rule_has_a_fixture_in_the_failing_app() -> None:
    assert set(_fixture_rule_ids()) >= {rule.id for rule in RULES}


def test_python_app_lists_acknowledged_findings_with_their_reasons(tmp_path: Path) -> None:
    app = tmp_path / "acknowledging_app.py"
    app.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "from aws_cdk import Acknowledgment, App, Environment, Stack, Validations, aws_s3 as s3\n"
        "from constructs_lib import apply_guardrails\n"
        "from constructs_lib.synthesis import synthesize_or_report\n"
        "app = App()\n"
        "stack = Stack(app, 'S', env=Environment(account='123456789012', region='eu-west-1'))\n"
        "bucket = s3.CfnBucket(stack, 'Bucket')\n"
        "ack = Acknowledgment(id='EU-Residency::EU-ENC-040', reason='Checked by a person.')\n"
        "Validations.of(bucket).acknowledge(ack)\n"
        "apply_guardrails(app)\n"
        "sys.exit(synthesize_or_report(app))\n"
    )
    result = _run([sys.executable, str(app)], outdir=tmp_path / "out")
    assert result.returncode == 1
    assert "ACKNOWLEDGED EU-ENC-040 at S/Bucket: Checked by a person." in result.stderr
