"""StackSets (EU-RES-003): the regions their instances deploy to, and an inline TemplateBody checked as a
template of its own in each of them (``template_loader.stack_set_instances``, through ``check_run.stack_sets``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eu_residency.check_run.results import Candidate, CheckRun, TemplateResult
from eu_residency.check_run.run import run_check
from eu_residency.check_run.stack_sets import with_stack_set_templates
from eu_residency.core.resolved import Cause
from eu_residency.core.rule_model import Finding, Severity
from eu_residency.core.settings import RuleSettings
from eu_residency.rules.engine import TemplateInput, check_templates
from eu_residency.rules.registry import RULES_BY_ID
from eu_residency.template_loader.stack_set_instances import UNDECIDED_REGION

RULE = RULES_BY_ID["EU-RES-003"]
UNENCRYPTED_TOPIC_BODY = json.dumps({"Resources": {"Attachments": {"Type": "AWS::SNS::Topic"}}})
COMPLIANT_BODY = json.dumps({"Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}})


def stack_set(regions: Any, **properties: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "StackSetName": "chat",
        "PermissionModel": "SELF_MANAGED",
        "StackInstancesGroup": [{"DeploymentTargets": {"Accounts": ["123456789012"]}, "Regions": regions}],
    }
    if "TemplateURL" not in properties:
        body["TemplateBody"] = COMPLIANT_BODY
    return {"Type": "AWS::CloudFormation::StackSet", "Properties": {**body, **properties}}


def template(resource: dict[str, Any], **sections: Any) -> dict[str, Any]:
    return {**sections, "Resources": {"Instances": resource}}


def checked(tmp_path: Path, document: dict[str, Any]) -> CheckRun:
    path = tmp_path / "stack-sets.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return run_check([str(path)], region="eu-west-1", settings=RuleSettings())


def own(run: CheckRun) -> list[Finding]:
    """The findings of EU-RES-003 on the template itself (the first checked, its instances after it)."""
    first = next(result for result in run.results if result.error is None)
    return [item.finding for item in first.findings if item.finding.rule_id == RULE.id]


def test_instances_in_allowed_regions_whose_body_is_checked_pass(tmp_path: Path) -> None:
    run = checked(tmp_path, template(stack_set(["eu-west-1", "eu-central-1"])))
    assert own(run) == []
    assert [result.region for result in run.results] == ["eu-west-1", "eu-west-1", "eu-central-1"]
    assert run.exit_code == 0


def test_instances_proven_outside_are_fatal_one_finding_a_region(tmp_path: Path) -> None:
    run = checked(tmp_path, template(stack_set(["eu-west-1", "us-east-1", "us-west-2"])))
    found = own(run)
    assert [(f.severity, f.path) for f in found] == [
        (Severity.FATAL, ("Properties", "StackInstancesGroup", 0, "Regions", 1)),
        (Severity.FATAL, ("Properties", "StackInstancesGroup", 0, "Regions", 2)),
    ]
    assert found[0].message == "the region a stack instance deploys to is us-east-1 (N. Virginia, outside the EU)"


def test_a_region_chosen_by_a_parameter_fails_closed_and_the_body_is_checked_without_a_region(
    tmp_path: Path,
) -> None:
    for regions in ({"Ref": "Regions"}, ["eu-west-1", {"Ref": "Region"}]):
        document = template(
            stack_set(regions),
            Parameters={"Regions": {"Type": "CommaDelimitedList"}, "Region": {"Type": "String"}},
        )
        run = checked(tmp_path, document)
        [finding] = own(run)
        assert finding.severity is Severity.ERROR and finding.undecided is not None
        assert finding.undecided.cause is Cause.PARAMETER
        assert "cannot be shown to be an allowed region: it is the parameter" in finding.message
        assert run.results[-1].region is None  # checked in the region chosen at deploy time, too


def test_a_condition_choosing_a_region_is_fatal_when_a_branch_is_outside(tmp_path: Path) -> None:
    conditions = {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}}
    parameters = {"Stage": {"Type": "String"}}
    outside = template(stack_set([{"Fn::If": ["IsProd", "eu-central-1", "us-east-1"]}]), Conditions=conditions)
    [finding] = own(checked(tmp_path, {**outside, "Parameters": parameters}))
    assert finding.severity is Severity.FATAL and "us-east-1" in finding.message
    inside = template(stack_set([{"Fn::If": ["IsProd", "eu-central-1", "eu-west-1"]}]), Conditions=conditions)
    run = checked(tmp_path, {**inside, "Parameters": parameters})
    assert own(run) == []
    assert {result.region for result in run.results[1:]} == {"eu-central-1", "eu-west-1"}


def test_a_template_url_is_not_checked_and_fails_closed(tmp_path: Path) -> None:
    url = "https://templates.s3.eu-west-1.amazonaws.com/queues.yaml"
    run = checked(tmp_path, template(stack_set(["eu-west-1"], TemplateURL=url)))
    [finding] = own(run)
    assert finding.severity is Severity.ERROR and finding.path == ("Properties", "TemplateURL")
    assert finding.message == (
        f"what the stack set's instances deploy cannot be shown: their template (TemplateURL {url}) is not "
        "among the templates checked"
    )
    assert finding.undecided is not None and finding.undecided.cause is Cause.OTHER_STACK
    assert len(run.results) == 1  # nothing more to check


def test_an_inline_body_is_checked_in_each_region_with_a_finding_per_instance(tmp_path: Path) -> None:
    document = template(stack_set(["eu-west-1", "eu-central-1"], TemplateBody=UNENCRYPTED_TOPIC_BODY))
    run = checked(tmp_path, document)
    assert own(run) == []
    instances = run.results[1:]
    assert [result.region for result in instances] == ["eu-west-1", "eu-central-1"]
    for result in instances:
        encryption = [item for item in result.findings if item.finding.rule_id == "EU-ENC-022"]
        assert [item.finding.logical_id for item in encryption] == ["Attachments"]
        assert encryption[0].line == 1  # the StackSet's own line in the file: the topic is inside it
    assert run.exit_code == 1


def test_a_body_that_is_not_a_template_is_an_input_error_naming_the_stack_set(tmp_path: Path) -> None:
    run = checked(tmp_path, template(stack_set(["eu-west-1"], TemplateBody="Resources: [not, a, mapping")))
    errors = [result.error for result in run.results if result.error]
    assert len(errors) == 1 and "the TemplateBody of the stack set Instances" in (errors[0] or "")
    assert run.exit_code == 2
    [finding] = own(run)  # and what the instances deploy cannot be shown
    assert "(its TemplateBody) is not among the templates checked" in finding.message


def test_checked_alone_an_inline_body_is_not_among_the_templates_checked() -> None:
    """The rule core on its own reads no StackSet body (each front end adds the instances): it fails closed."""
    item = TemplateInput(name="t", template=template(stack_set(["eu-west-1"])), region="eu-west-1")
    [finding] = check_templates([item], RuleSettings(), rules=[RULE])["t"]
    assert finding.severity is Severity.ERROR and finding.path == ("Properties", "TemplateBody")


def test_a_stack_set_without_instances_deploys_nothing() -> None:
    resource = stack_set([])
    del resource["Properties"]["StackInstancesGroup"]
    item = TemplateInput(name="t", template=template(resource), region="eu-west-1")
    assert check_templates([item], RuleSettings(), rules=[RULE])["t"] == []


def test_instances_are_named_after_the_stack_set_and_region_once_each(tmp_path: Path) -> None:
    groups = [
        {"DeploymentTargets": {"Accounts": ["111111111111"]}, "Regions": ["eu-west-1", "na-east-1"]},
        {"DeploymentTargets": {"Accounts": ["222222222222"]}, "Regions": ["eu-west-1", {"Ref": "Other"}]},
    ]
    resource = stack_set([], StackInstancesGroup=groups)
    parent = Candidate(path=tmp_path / "parent.yaml", region="eu-west-1")
    results: list[TemplateResult] = []
    loaded = with_stack_set_templates([(parent, template(resource), {"Instances": 7})], results)
    assert results == []
    names = [(candidate.name, candidate.region, candidate.parent) for candidate, _, _ in loaded[1:]]
    assert names == [
        (f"{parent.name} (stack set Instances in eu-west-1)", "eu-west-1", parent.name),
        (f"{parent.name} (stack set Instances in {UNDECIDED_REGION})", None, parent.name),
    ]  # na-east-1 is no region AWS has: no stack deploys there
    assert loaded[1][2] == {"Handle": 7}


def test_a_name_that_is_not_a_region_aws_has_is_said_to_be_so(tmp_path: Path) -> None:
    region, body = own(checked(tmp_path, template(stack_set(["na-east-1"]))))
    assert region.message == "the region a stack instance deploys to is na-east-1, which is not a region AWS has"
    assert body.path == ("Properties", "TemplateBody")  # no stack deploys it, so no instance checked it
