"""SAM templates checked as what they deploy: AWS's translator, offline, findings on the SAM resources written."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eu_residency.check_run.run import run_check
from eu_residency.check_run.sam import (
    DEPLOY_TIME_LOCATION,
    DEPLOY_TIME_NAME,
    LOCAL_ARTIFACT_BUCKET,
    PLACEHOLDER_REGION,
    as_deployed,
    is_sam,
)
from eu_residency.cli.main import main
from eu_residency.core.regions import EU_REGIONS, STANDARD_PARTITION, partition_of
from eu_residency.core.settings import RuleSettings
from eu_residency.template_loader import TemplateError, load_template, parse_template, parse_template_with_lines
from tests.conftest import REPO

SAM = REPO / "tests" / "fixtures" / "templates" / "sam"


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """No credentials, no AWS configuration, no instance metadata; any connection or boto3 session fails the
    test (the translator must not reach for either)."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(REPO / "no-such-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(REPO / "no-such-aws-credentials"))
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")  # a boto3 session would fail on it
    attempts: list[Any] = []

    def refuse(_socket: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError(f"the test refuses a connection to {address!r}")

    def no_session(*_args: Any, **_kwargs: Any) -> None:
        attempts.append("boto3 session")
        raise AssertionError("the SAM translation created a boto3 session")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr("boto3.session.Session.__init__", no_session)
    yield attempts
    assert attempts == [], f"the check tried to reach out: {attempts}"


# The table findings these tests read are EU-KEY-002's: a SimpleTable is always encrypted, with an AWS-owned key.
KEY_CONTROL = ("--key-control", "customer-managed")


def check(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, dict[str, Any], str]:
    code = main(["check", "--format", "json", *(str(arg) for arg in argv)])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def findings(document: dict[str, Any], name: str) -> list[dict[str, Any]]:
    [template] = [template for template in document["templates"] if template["path"].endswith(name)]
    return list(template["findings"])


def line_of(name: str, logical_id: str) -> int:
    return parse_template_with_lines((SAM / name).read_text(encoding="utf-8"), name)[1][logical_id]


def test_is_sam_reads_the_transform_alone_or_in_a_list() -> None:
    assert is_sam({"Transform": "AWS::Serverless-2016-10-31"})
    assert is_sam({"Transform": ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"]})
    assert not is_sam({"Transform": "AWS::LanguageExtensions"})
    assert not is_sam({"Resources": {}})


def test_an_api_event_without_an_api_deploys_an_edge_rest_api_reported_on_the_function(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, document, _ = check(capsys, SAM / "implicit_api.yaml")
    assert code == 1
    [finding] = findings(document, "implicit_api.yaml")
    assert (finding["rule_id"], finding["severity"]) == ("EU-RES-032", "fatal")
    assert finding["logical_id"] == "FailGreeter"
    assert finding["resource_type"] == "AWS::Serverless::Function"
    assert finding["line"] == line_of("implicit_api.yaml", "FailGreeter")
    assert finding["message"].endswith(
        "(at Properties.EndpointConfiguration of ServerlessRestApi, "
        "the REST API SAM creates for the Api events of FailGreeter)"
    )


def test_explicit_apis_regional_passes_and_edge_fails(capsys: pytest.CaptureFixture[str]) -> None:
    code, document, _ = check(capsys, SAM / "api_endpoints.yaml")
    assert code == 1
    [finding] = findings(document, "api_endpoints.yaml")
    assert (finding["rule_id"], finding["logical_id"]) == ("EU-RES-032", "FailEdgeApi")
    assert finding["line"] == line_of("api_endpoints.yaml", "FailEdgeApi")
    assert "endpoint type EDGE is served through CloudFront worldwide (at " in finding["message"]
    assert "of FailEdgeApi, the AWS::ApiGateway::RestApi SAM creates for FailEdgeApi)" in finding["message"]


def test_globals_endpoint_configuration_applies_to_the_implicit_and_the_explicit_api(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, document, _ = check(capsys, SAM / "globals_regional.yaml")
    assert code == 0, document
    assert findings(document, "globals_regional.yaml") == []
    code, document, _ = check(capsys, SAM / "globals_edge.yaml")
    assert code == 1
    assert sorted((item["rule_id"], item["logical_id"]) for item in findings(document, "globals_edge.yaml")) == [
        ("EU-RES-032", "FailAdminApi"),
        ("EU-RES-032", "FailPublic"),
    ]


def test_a_simple_table_without_sse_deploys_a_table_without_a_customer_key(capsys: pytest.CaptureFixture[str]) -> None:
    code, document, _ = check(capsys, SAM / "simple_table.yaml", *KEY_CONTROL)
    assert code == 1
    [finding] = findings(document, "simple_table.yaml")
    assert (finding["rule_id"], finding["logical_id"]) == ("EU-KEY-002", "FailSessions")
    assert finding["resource_type"] == "AWS::Serverless::SimpleTable"
    assert "the AWS::DynamoDB::Table SAM creates for FailSessions)" in finding["message"]


def test_an_event_invoke_destination_in_us_east_1_is_a_residency_finding_on_the_function(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, document, _ = check(capsys, SAM / "event_invoke_destination.yaml")
    assert code == 1
    found = findings(document, "event_invoke_destination.yaml")
    # The destination itself, and the permission SAM grants the function's role to publish there.
    assert {(item["rule_id"], item["logical_id"], item["severity"]) for item in found} == {
        ("EU-RES-060", "FailWorker", "fatal")
    }
    messages = sorted(item["message"] for item in found)
    assert len(messages) == 2
    assert all("arn:aws:sns:us-east-1:123456789012:worker-failures is in us-east-1" in text for text in messages)
    assert "of FailWorkerEventInvokeConfig, the AWS::Lambda::EventInvokeConfig SAM creates for FailWorker)" in (
        messages[0] + messages[1]
    )
    assert "of FailWorkerRole, the AWS::IAM::Role SAM creates for FailWorker)" in messages[0] + messages[1]


def test_plain_resources_beside_sam_ones_keep_their_own_id_and_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, document, _ = check(capsys, SAM / "mixed.yaml")
    assert code == 1
    found = {(item["rule_id"], item["logical_id"]): item for item in findings(document, "mixed.yaml")}
    assert set(found) == {("EU-ENC-021", "FailPlainQueue"), ("EU-RES-032", "FailConsumer")}
    plain = found[("EU-ENC-021", "FailPlainQueue")]
    assert plain["resource_type"] == "AWS::SQS::Queue"
    assert plain["property_path"] == ["Properties", "SqsManagedSseEnabled"]
    assert plain["line"] == line_of("mixed.yaml", "FailPlainQueue")
    assert "SAM creates" not in plain["message"]
    assert found[("EU-RES-032", "FailConsumer")]["line"] == line_of("mixed.yaml", "FailConsumer")


def test_the_sam_resources_metadata_acknowledges_findings_on_what_it_generates(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, document, _ = check(capsys, SAM / "acknowledged_table.yaml", *KEY_CONTROL)
    assert code == 0
    [finding] = findings(document, "acknowledged_table.yaml")
    assert finding["acknowledged"] and finding["logical_id"] == "PassAcknowledgedCache"


def test_a_template_sam_refuses_is_one_line_and_exit_two(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(SAM / "syntax_error.yaml"), str(SAM / "simple_table.yaml"), *KEY_CONTROL])
    captured = capsys.readouterr()
    assert code == 2
    [line] = [text for text in captured.err.splitlines() if "syntax_error.yaml" in text]
    assert line.endswith(
        "syntax_error.yaml: the SAM transform refuses the template: Resource with id [Broken] is invalid. "
        "Event with id [Greet] is invalid. Property 'Path' is required."
    )
    assert "Traceback" not in captured.err
    assert "EU-KEY-002" in captured.out  # the other template is still checked


def test_a_sam_child_of_a_local_application_is_translated_and_a_sar_application_is_not_fetched(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, document, _ = check(capsys, SAM / "nested_parent.yaml")
    assert code == 1
    [child] = findings(document, "nested_child.yaml")
    assert (child["rule_id"], child["logical_id"]) == ("EU-RES-032", "FailChildGreeter")
    assert child["line"] == line_of("nested_child.yaml", "FailChildGreeter")
    [parent] = findings(document, "nested_parent.yaml")
    assert (parent["rule_id"], parent["logical_id"]) == ("EU-RES-002", "FailFromRepository")
    assert (
        "serverlessrepo://arn:aws:serverlessrepo:eu-west-1:123456789012:applications/image-resizer/1.2.0"
        in (parent["message"])
    )


def test_the_stack_region_is_translated_for_the_sovereign_cloud_has_no_edge_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # SAM makes an API regional in partitions without edge locations: the region given is the one translated.
    code, document, _ = check(capsys, "--region", "eusc-de-east-1", SAM / "implicit_api.yaml")
    assert code == 0, document


def _deployed(name: str, region: str | None = "eu-west-1") -> dict[str, Any]:
    return as_deployed(load_template(SAM / name), name, region)


def _translated(name: str, region: str | None) -> str:
    return json.dumps(_deployed(name, region), sort_keys=True, default=repr)


REFUSED = ("syntax_error.yaml", "sar_without_version.yaml", "image_uri_without_package_type.yaml")


@pytest.mark.parametrize("name", sorted(path.name for path in SAM.glob("*.yaml") if path.name not in REFUSED))
def test_an_unknown_region_translates_as_every_standard_partition_eu_region_and_names_none(name: str) -> None:
    unknown = _translated(name, None)
    assert PLACEHOLDER_REGION not in unknown or PLACEHOLDER_REGION in (SAM / name).read_text(encoding="utf-8")
    for region in sorted(EU_REGIONS):
        if partition_of(region) == STANDARD_PARTITION:
            assert _translated(name, region) == unknown, region


def test_an_unknown_region_adds_only_the_unknown_region_finding() -> None:
    for name in ("implicit_api.yaml", "event_invoke_destination.yaml", "mixed.yaml"):
        unknown = run_check([str(SAM / name)], region=None, settings=RuleSettings())
        ireland = run_check([str(SAM / name)], region="eu-west-1", settings=RuleSettings())
        assert [item.as_dict() for item in unknown.results[0].findings if item.finding.rule_id != "EU-RES-001"] == [
            item.as_dict() for item in ireland.results[0].findings
        ], name
        assert [item.finding.rule_id for item in unknown.results[0].findings].count("EU-RES-001") == 1


def test_parameters_stay_chosen_at_deploy_time() -> None:
    # SAM resolves EventInvokeConfig with the parameter values: a default must not be baked in as if chosen.
    text = (
        (SAM / "event_invoke_destination.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "Resources:", "Parameters:\n  Target:\n    Type: String\n    Default: arn:aws:sns:eu-west-1:1:t\nResources:"
        )
        .replace("arn:aws:sns:us-east-1:123456789012:worker-failures", "!Ref Target")
    )
    translated = as_deployed(parse_template(text, "destination.yaml"), "destination.yaml", "eu-west-1")
    config = translated["Resources"]["FailWorkerEventInvokeConfig"]["Properties"]
    assert config["DestinationConfig"]["OnFailure"]["Destination"] == {"Ref": "Target"}


def test_a_translation_error_names_the_file() -> None:
    template = parse_template((SAM / "syntax_error.yaml").read_text(encoding="utf-8"), "x")
    with pytest.raises(TemplateError, match=r"^tmpl\.yaml: the SAM transform refuses the template: "):
        as_deployed(template, "tmpl.yaml", "eu-west-1")


def test_without_the_translator_a_sam_template_is_an_error_saying_what_to_install() -> None:
    code = (
        "import sys\n"
        "class Absent:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'samtranslator':\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Absent())\n"
        "from eu_residency.cli.main import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "check", str(SAM / "implicit_api.yaml")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "needs AWS's SAM translator: install eu-residency[sam]" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_function_acknowledges_the_finding_on_the_implicit_api_its_event_creates(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, document, _ = check(capsys, SAM / "acknowledged_implicit_api.yaml")
    assert code == 0
    [finding] = findings(document, "acknowledged_implicit_api.yaml")
    assert (finding["rule_id"], finding["logical_id"], finding["acknowledged"]) == ("EU-RES-032", "PassGreeter", True)
    assert finding["undecided"]["reason"] == "the parameter EndpointType, chosen at deploy time"


def test_sam_resources_without_the_transform_line_are_translated_not_read_as_opaque_types(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert is_sam(parse_template((SAM / "no_transform.yaml").read_text(encoding="utf-8"), "no_transform.yaml"))
    code, document, _ = check(capsys, SAM / "no_transform.yaml")
    assert code == 1
    assert [(item["rule_id"], item["logical_id"]) for item in findings(document, "no_transform.yaml")] == [
        ("EU-RES-032", "FailUndeclared")
    ]


def test_an_image_function_before_sam_build_is_checked(capsys: pytest.CaptureFixture[str]) -> None:
    code, document, _ = check(capsys, SAM / "image_before_build.yaml")
    assert code == 0, document
    run = run_check([str(SAM / "image_before_build.yaml")], region="eu-west-1", settings=RuleSettings())
    [checked] = run.inputs
    assert checked.template["Resources"]["PassImageFunction"]["Type"] == "AWS::Lambda::Function"


def test_an_incomplete_sar_location_is_sams_error_and_nothing_is_fetched(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(SAM / "sar_without_version.yaml")])
    err = capsys.readouterr().err
    assert code == 2
    assert "sar_without_version.yaml: the SAM transform refuses the template: Resource with id [Unversioned] is " in err
    assert "Property 'SemanticVersion' cannot be blank." in err


def test_an_origin_written_in_a_template_file_is_not_taken_for_one_the_translation_made(tmp_path: Path) -> None:
    template = tmp_path / "planted.yaml"
    template.write_text(
        "Resources:\n"
        "  FailQueue:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Metadata:\n"
        "      eu-residency:sam-origin: {owners: [Elsewhere], owner_type: AWS::Serverless::Function}\n"
        "    Properties: {SqsManagedSseEnabled: false}\n",
        encoding="utf-8",
    )
    run = run_check([str(template)], region="eu-west-1", settings=RuleSettings())
    assert [item.finding.logical_id for item in run.results[0].findings] == ["FailQueue"]
    assert "SAM creates" not in run.results[0].findings[0].finding.message


def test_a_zip_function_or_layer_that_names_no_code_is_checked_with_the_folder_sam_package_uploads(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, document, _ = check(capsys, SAM / "function_without_code.yaml")
    assert code == 0, document
    resources = _deployed("function_without_code.yaml")["Resources"]
    assert resources["PassFolderFunction"]["Properties"]["Code"]["S3Bucket"] == LOCAL_ARTIFACT_BUCKET
    assert "ZipFile" in resources["PassInlineFunction"]["Properties"]["Code"]  # inline code is not replaced
    [layer] = [body for body in resources.values() if body["Type"] == "AWS::Lambda::LayerVersion"]
    assert layer["Properties"]["Content"]["S3Bucket"] == LOCAL_ARTIFACT_BUCKET


def test_an_image_uri_without_package_type_image_is_refused_as_the_transform_refuses_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["check", str(SAM / "image_uri_without_package_type.yaml")])
    err = capsys.readouterr().err
    assert code == 2
    assert "Resource with id [Misdeclared] is invalid. Runtime and Handler needs to be present when PackageType" in err


def test_properties_sam_resolves_from_parameter_values_translate_with_stand_ins(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, document, _ = check(capsys, SAM / "deploy_time_literals.yaml")
    assert code == 0, document
    resources = _deployed("deploy_time_literals.yaml")["Resources"]
    types = {logical_id: body["Type"] for logical_id, body in resources.items()}
    assert types[f"PassReleasedFunctionAlias{DEPLOY_TIME_NAME}"] == "AWS::Lambda::Alias"
    assert types[f"PassWorkflowAlias{DEPLOY_TIME_NAME}"] == "AWS::StepFunctions::StateMachineAlias"
    [layer] = [body for body in resources.values() if body["Type"] == "AWS::Lambda::LayerVersion"]
    assert layer["DeletionPolicy"] == "Retain"
    assert "PassInternalApiUsagePlan" in resources
    # Enabled from a parameter: false without a Type (SAM refuses true), left to SAM with one.
    assert "PassCanaryFunctionDeploymentGroup" in resources
    assert "PassReleasedFunctionDeploymentGroup" not in resources
    # VPCs given by parameters stay the parameters in the API's resource policy (its own and its event's).
    policy = json.dumps(resources["PassInternalApi"]["Properties"]["Body"]["x-amazon-apigateway-policy"])
    assert '{"Ref": "CallerVpc"}' in policy and "vpc-0a1b2c3d" in policy and '{"Ref": "BlockedVpc"}' in policy


def test_intrinsics_that_language_extensions_resolves_for_sam_translate(capsys: pytest.CaptureFixture[str]) -> None:
    code, document, _ = check(capsys, SAM / "language_extensions_locations.yaml")
    assert code == 0, document
    resources = _deployed("language_extensions_locations.yaml")["Resources"]
    bucket, key = DEPLOY_TIME_LOCATION.removeprefix("s3://").split("/", 1)
    for worker in ("PassInvoicesWorker", "PassReceiptsWorker"):
        assert resources[worker]["Properties"]["Code"] == {"S3Bucket": bucket, "S3Key": key}
        assert f"{worker}Alias{DEPLOY_TIME_NAME}" in resources
    assert resources["PassPipeline"]["Properties"]["DefinitionS3Location"] == {"Bucket": bucket, "Key": key}
    assert f"PassPipelineAlias{DEPLOY_TIME_NAME}" in resources


def test_application_locations_given_by_intrinsics_keep_them_in_the_template_url(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, document, _ = check(capsys, SAM / "application_locations.yaml")
    assert code == 1
    found = findings(document, "application_locations.yaml")
    assert sorted((item["rule_id"], item["logical_id"]) for item in found) == [
        ("EU-RES-002", "FailResizer"),
        ("EU-RES-002", "FailSharedStack"),
    ]
    written = parse_template((SAM / "application_locations.yaml").read_text(encoding="utf-8"), "x")
    stack = _deployed("application_locations.yaml")["Resources"]["FailSharedStack"]["Properties"]
    assert stack["TemplateURL"] == written["Resources"]["FailSharedStack"]["Properties"]["Location"]


def test_a_sar_location_without_a_semantic_version_is_sams_own_error(tmp_path: Path) -> None:
    template = tmp_path / "unversioned.yaml"
    template.write_text(
        (SAM / "sar_without_version.yaml").read_text(encoding="utf-8").replace('        SemanticVersion: ""\n', ""),
        encoding="utf-8",
    )
    with pytest.raises(TemplateError, match=r"missing the required \[SemanticVersion\] property\.$"):
        as_deployed(load_template(template), "unversioned.yaml", "eu-west-1")


def test_endpoint_types_from_parameters_stay_chosen_at_deploy_time_beside_stand_ins(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Both parameters default to REGIONAL, and SAM needs a literal domain endpoint type and alias name: neither
    # default is read, so both endpoint types are findings that cannot be shown, not a pass.
    code, document, _ = check(capsys, SAM / "deploy_time_endpoints.yaml")
    assert code == 1
    found = findings(document, "deploy_time_endpoints.yaml")
    assert {(item["rule_id"], item["logical_id"], item["severity"]) for item in found} == {
        ("EU-RES-032", "FailOrdersApi", "error")
    }
    assert sorted(item["undecided"]["reason"] for item in found) == [
        "the parameter ApiEndpoint, chosen at deploy time",
        "the parameter DomainEndpoint, chosen at deploy time",
    ]
    [domain] = [
        body for body in _deployed("deploy_time_endpoints.yaml")["Resources"].values()
        if body["Type"] == "AWS::ApiGateway::DomainName"
    ]  # fmt: skip
    assert domain["Properties"]["EndpointConfiguration"] == {"Types": [{"Ref": "DomainEndpoint"}]}


def test_a_globals_domain_endpoint_from_a_parameter_stays_chosen_and_a_literal_edge_stays_edge(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, document, _ = check(capsys, SAM / "globals_domain_endpoint.yaml")
    assert code == 1
    found = findings(document, "globals_domain_endpoint.yaml")
    assert sorted((item["rule_id"], item["logical_id"], item["severity"]) for item in found) == [
        ("EU-RES-032", "FailEdgeDomainApi", "fatal"),
        ("EU-RES-032", "FailGreeter", "error"),
        # An edge-optimized domain takes only a us-east-1 certificate: this eu-west-1 one cannot deploy.
        ("EU-RES-035", "FailEdgeDomainApi", "error"),
    ]
    [chosen] = [item for item in found if item["logical_id"] == "FailGreeter"]
    assert chosen["undecided"]["reason"] == "the parameter DomainEndpoint, chosen at deploy time"
