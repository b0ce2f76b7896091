"""The whole app, as users run it: `python app.py` and `npx cdk synth`, offline, for every environment.

Each environment is synthesized once per runner for the whole module.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from eu_residency.check_run.run import run_check
from eu_residency.core.regions import EU_REGIONS
from eu_residency.core.settings import RuleSettings
from eu_residency.inventory.records import AtRestStatus, FlowKind, stack_name
from eu_residency.review_pack.contents import assemble_review_pack
from eu_residency.rules.engine import TemplateInput, check_templates
from tests.conftest import CDK_CONTEXT, REPO, offline_environment

ENVIRONMENTS = sorted(CDK_CONTEXT["environments"])
NPX = ["npx", "--no-install", "cdk"]
NONCOMPLIANT_APP = REPO / "tests" / "fixtures" / "apps" / "noncompliant_bucket.py"


def _run(command: list[str], *, outdir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = offline_environment(outdir)
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def python_synth(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[subprocess.CompletedProcess[str], Path]]:
    runs = {}
    for env_name in ENVIRONMENTS:
        outdir = tmp_path_factory.mktemp(f"python-{env_name}")
        runs[env_name] = (_run([sys.executable, "app.py", "-c", f"env={env_name}"], outdir=outdir), outdir)
    return runs


@pytest.fixture(scope="module")
def cli_synth(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[subprocess.CompletedProcess[str], Path]]:
    runs = {}
    for env_name in ENVIRONMENTS:
        outdir = tmp_path_factory.mktemp(f"cli-{env_name}")
        command = [*NPX, "synth", "--quiet", "--no-notices", "-c", f"env={env_name}", "-o", str(outdir)]
        runs[env_name] = (_run(command), outdir)
    return runs


def _templates(outdir: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(outdir.glob("*.template.json"))}


def _report(outdir: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((outdir / "validation-report.json").read_text())
    return report


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_python_app_synthesizes_every_stack(env_name: str, python_synth: Any) -> None:
    result, outdir = python_synth[env_name]
    assert result.returncode == 0, result.stderr[-3000:]
    expected_stacks = {"Keys", "Network", "Data", "Application", "Backup", "Audit"}
    names = {name.removesuffix(".template.json").removeprefix(f"Chat-{env_name}-") for name in _templates(outdir)}
    assert expected_stacks <= names


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_cdk_cli_synthesizes_every_stack_offline(env_name: str, cli_synth: Any) -> None:
    result, outdir = cli_synth[env_name]
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert len(_templates(outdir)) >= 6


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_two_synths_give_byte_identical_templates(env_name: str, python_synth: Any, cli_synth: Any) -> None:
    python_templates = _templates(python_synth[env_name][1])
    cli_templates = _templates(cli_synth[env_name][1])
    assert python_templates
    assert python_templates == cli_templates


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_platform_passes_aws_solutions_with_every_acknowledgement_explained(env_name: str, cli_synth: Any) -> None:
    report = _report(cli_synth[env_name][1])
    plugins = {plugin["pluginName"]: plugin for plugin in report["pluginReports"]}
    assert plugins["AwsSolutions"]["conclusion"] == "success"
    for plugin in plugins.values():
        assert plugin["violations"] == [], plugin["pluginName"]
        for acknowledged in plugin.get("suppressedViolations", []):
            assert len(acknowledged["reason"]) >= 40, acknowledged["acknowledgedId"]
            # Narrowest construct: never the app or a whole stack.
            assert acknowledged["acknowledgedAt"].count("/") >= 1, acknowledged["acknowledgedAt"]


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_every_template_passes_cfn_lint_without_errors(env_name: str, cli_synth: Any) -> None:
    outdir = cli_synth[env_name][1]
    templates = sorted(str(path) for path in outdir.glob("*.template.json"))
    result = subprocess.run(
        [sys.executable, "-m", "cfnlint", "--format", "parseable", *templates],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational.
    errors = [line for line in result.stdout.splitlines() if ":E" in line]
    assert result.returncode & 2 == 0 and not errors, result.stdout[-3000:]


def test_python_app_exits_non_zero_with_the_rule_id_when_a_resource_breaks_a_rule(tmp_path: Path) -> None:
    result = _run([sys.executable, str(NONCOMPLIANT_APP)], outdir=tmp_path)
    assert result.returncode == 1
    assert "AwsSolutions-S10 at Noncompliant/FailBucket (logical id FailBucket" in result.stderr
    assert "Traceback" not in result.stderr


def test_cdk_synth_exits_non_zero_with_the_rule_id_when_a_resource_breaks_a_rule(tmp_path: Path) -> None:
    command = [*NPX, "synth", "--quiet", "--no-notices", "--app", f"{sys.executable} {NONCOMPLIANT_APP}"]
    result = _run([*command, "-o", str(tmp_path)])
    assert result.returncode != 0
    assert "AwsSolutions-S10" in result.stdout + result.stderr


def test_python_app_fails_with_one_line_when_the_environment_is_unknown(tmp_path: Path) -> None:
    result = _run([sys.executable, "app.py", "-c", "env=staging"], outdir=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "eu-residency: configuration error: context key 'env': unknown environment 'staging'; "
        "use one of dev, prod (-c env=NAME)"
    ]


def test_cdk_synth_fails_with_the_config_error_when_the_environment_is_unknown(tmp_path: Path) -> None:
    result = _run([*NPX, "synth", "--quiet", "--no-notices", "-c", "env=staging", "-o", str(tmp_path)])
    assert result.returncode != 0
    assert "context key 'env': unknown environment 'staging'" in result.stdout + result.stderr


def test_python_app_fails_with_one_line_on_a_malformed_argument(tmp_path: Path) -> None:
    result = _run([sys.executable, "app.py", "--env", "prod"], outdir=tmp_path)
    assert result.returncode == 2
    assert "expected -c KEY=VALUE" in result.stderr
    assert "Traceback" not in result.stderr


def _stacks_of(outdir: Path) -> list[tuple[str, dict[str, Any], str | None]]:
    """(template name, template, region) of every stack in a cloud assembly, from its manifest."""
    manifest = json.loads((outdir / "manifest.json").read_text())
    stacks = []
    for artifact in manifest["artifacts"].values():
        if artifact["type"] != "aws:cloudformation:stack":
            continue
        template_file = artifact["properties"]["templateFile"]
        region = artifact["environment"].rsplit("/", 1)[-1]
        stacks.append((template_file, json.loads((outdir / template_file).read_text()), region))
    return stacks


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_platform_has_no_eu_residency_finding(env_name: str, cli_synth: Any) -> None:
    stacks = _stacks_of(cli_synth[env_name][1])
    assert len(stacks) >= 6
    findings = check_templates(
        [TemplateInput(name=name, template=template, region=region) for name, template, region in stacks],
        RuleSettings(),
    )
    assert {name: [f.as_dict() for f in found] for name, found in findings.items() if found} == {}


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_the_platforms_cross_stack_references_are_resolved_by_the_check_and_the_inventory(
    env_name: str, cli_synth: Any
) -> None:
    """The platform's stacks hand keys, buckets and vaults to each other (CDK's exports and weak references):
    the check and the pack's inventory follow them into the app, so nothing is left "cannot be shown"."""
    outdir = cli_synth[env_name][1]
    run = run_check([str(outdir)], region=None, settings=RuleSettings())
    assert {result.path: result.verdict for result in run.results} == {
        result.path: "compliant" for result in run.results
    }
    assert [checked.finding.as_dict() for result in run.results for checked in result.findings] == []

    inventory = assemble_review_pack(outdir, region="eu-west-1", settings=RuleSettings()).inventory
    stacks = {item.name: item.template for item in run.inputs}
    keys_by_stack = {
        stack_name(name): {
            logical_id
            for logical_id, body in template.get("Resources", {}).items()
            if body.get("Type") == "AWS::KMS::Key"
        }
        for name, template in stacks.items()
    }
    assert inventory.stores
    assert all(store.region in EU_REGIONS and store.inside for store in inventory.stores)
    assert all(store.at_rest.status != AtRestStatus.UNKNOWN for store in inventory.stores)
    customer_keyed = [store for store in inventory.stores if store.at_rest.status == AtRestStatus.CUSTOMER_KEY]
    for store in customer_keyed:
        assert store.at_rest.key_stack in keys_by_stack, store.logical_id
        assert store.at_rest.key in keys_by_stack[store.at_rest.key_stack], store.logical_id
    # Not vacuous: stores whose key another stack defines (the Keys stack), found through the references.
    assert any(store.at_rest.key_stack != store.stack for store in customer_keyed)
    assert inventory.flows
    # Every flow of data stays in the EU; the VPC's routes to the internet are paths out, not flows of data.
    data_flows = [flow for flow in inventory.flows if flow.kind not in FlowKind.PATHS]
    assert all(flow.destination.region in EU_REGIONS and flow.inside for flow in data_flows)
    # A backup copy goes to a vault of another stack (in prod, another region): found as that stack's vault.
    copies = [flow for flow in inventory.flows if flow.kind == FlowKind.BACKUP_COPY]
    assert all(flow.destination.stack in keys_by_stack and flow.destination.logical_id for flow in copies)
