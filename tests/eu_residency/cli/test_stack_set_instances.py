"""`eu-residency check` in text: a StackSet's stack instances are checked from the same file as their parent,
so each is named by its StackSet and region, not by the file alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eu_residency.check_run.run import run_check
from eu_residency.cli.main import main
from eu_residency.core.settings import RuleSettings
from eu_residency.template_loader.stack_set_instances import UNDECIDED_REGION
from tests.eu_residency.stack_set_templates import stack_set_resource


def _template(regions: Any) -> dict[str, Any]:
    return {"Parameters": {"Region": {"Type": "String"}}, "Resources": {"Instances": stack_set_resource(regions)}}


def _headers(tmp_path: Path, capsys: pytest.CaptureFixture[str], regions: Any) -> tuple[int, list[str]]:
    path = tmp_path / "stack-sets.json"
    path.write_text(json.dumps(_template(regions)), encoding="utf-8")
    code = main(["check", str(path), "--region", "eu-west-1"])
    return code, [line for line in capsys.readouterr().out.splitlines() if line.startswith(str(path))]


def test_each_instance_is_named_by_its_stack_set_and_region(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, headers = _headers(tmp_path, capsys, ["eu-west-1", "eu-central-1"])
    path = tmp_path / "stack-sets.json"
    assert code == 1
    assert headers == [
        f"{path} [eu-west-1]: compliant, 1 resource(s)",
        f"{path} (stack set Instances in eu-west-1): non-compliant, 1 resource(s)",
        f"{path} (stack set Instances in eu-central-1): non-compliant, 1 resource(s)",
    ]


def test_an_instance_in_a_region_chosen_at_deploy_time_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, headers = _headers(tmp_path, capsys, [{"Ref": "Region"}])
    assert headers[1:] == [
        f"{tmp_path / 'stack-sets.json'} (stack set Instances in {UNDECIDED_REGION}): non-compliant, 1 resource(s)"
    ]


def test_a_finding_in_the_body_is_acknowledged_in_the_stack_sets_metadata(tmp_path: Path) -> None:
    """As the plugin reports it on the StackSet, the command honours an acknowledgement written there."""
    template = _template(["eu-west-1", "eu-central-1"])
    reason = "The instances hold only public release notes."
    template["Resources"]["Instances"]["Metadata"] = {
        "eu-residency": {"acknowledgements": [{"id": "EU-ENC-040", "reason": reason}]}
    }
    path = tmp_path / "stack-sets.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    run = run_check([str(path)], region="eu-west-1", settings=RuleSettings())
    instances = [result for result in run.results if result.nested_in is not None]
    assert len(instances) == 2
    for result in instances:
        assert [
            (item.finding.rule_id, item.acknowledgement and item.acknowledgement.reason) for item in result.acknowledged
        ] == [("EU-ENC-040", reason)]
        assert "EU-ENC-040" not in {item.finding.rule_id for item in result.open_findings}
