"""The one resolver across an app: text with holes, fields of ARNs and URLs, values other templates give."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from eu_residency.core.app_view import AppTemplate, AppView
from eu_residency.core.resolved import Cause, ResourceRef, Text, Unknown
from eu_residency.core.settings import RuleSettings
from eu_residency.core.template_view import TemplateView
from eu_residency.core.values import arn_fields, named_region, split_text

SETTINGS = RuleSettings()


def _view(template: dict[str, Any] | None = None, region: str | None = "eu-west-1") -> TemplateView:
    base = {"Parameters": {"Env": {"Type": "String"}}, "Resources": {"Api": {"Type": "AWS::ApiGateway::RestApi"}}}
    return TemplateView(template=template or base, region=region, settings=SETTINGS)


def test_a_sub_keeps_every_known_segment_and_every_hole() -> None:
    value = _view().resolve({"Fn::Sub": "arn:aws:sns:us-east-1:${AWS::AccountId}:topic-${Env}"})
    assert isinstance(value, Text) and value.cause is Cause.TEXT
    assert value.parts[0] == "arn:aws:sns:us-east-1:"
    assert [hole.cause for hole in value.holes] == [Cause.STACK_ACCOUNT, Cause.PARAMETER]
    assert value.shown == "arn:aws:sns:us-east-1:${AWS::AccountId}:topic-${Env}"
    assert value.reason == (
        "the text 'arn:aws:sns:us-east-1:${AWS::AccountId}:topic-${Env}', where ${AWS::AccountId} is the "
        "stack's account, which is not set and ${Env} is the parameter Env, chosen at deploy time"
    )
    assert named_region(value) == "us-east-1"


def test_the_fields_of_an_arn_are_read_wherever_they_are_known() -> None:
    value = _view(region=None).resolve({"Fn::Sub": "arn:${AWS::Partition}:acm:${AWS::Region}:${AWS::AccountId}:x/y"})
    fields = arn_fields(value)
    assert fields is not None
    assert (fields.partition, fields.service, fields.resource) == ("aws", "acm", "x/y")
    assert isinstance(fields.region, Unknown) and fields.region.cause is Cause.STACK_REGION
    assert isinstance(fields.account, Unknown) and fields.account.cause is Cause.STACK_ACCOUNT
    assert arn_fields(_view().resolve({"Fn::Sub": "bucket-${Env}"})) is None


def test_a_url_around_the_stacks_own_api_names_its_region() -> None:
    url = _view().resolve({"Fn::Sub": "https://${Api}.execute-api.${AWS::Region}.amazonaws.com/prod"})
    assert isinstance(url, Text) and isinstance(url.holes[0], ResourceRef)
    assert named_region(url) == "eu-west-1"
    unknown_region = _view().resolve({"Fn::Sub": "https://x.execute-api.${Env}.amazonaws.com"})
    region = named_region(unknown_region)
    assert isinstance(region, Unknown) and region.cause is Cause.PARAMETER


def test_a_join_with_a_reference_is_text_around_it() -> None:
    value = _view().resolve({"Fn::Join": ["", ["https://", {"Ref": "Api"}, ".example.com"]]})
    assert isinstance(value, Text) and value.shown == "https://${Api}.example.com"
    assert _view().resolve({"Fn::Join": ["", [{"Ref": "Api"}]]}) == ResourceRef(
        "the resource Api", Cause.RESOURCE, logical_id="Api"
    )


REGIONS = st.sampled_from(["eu-west-1", "eu-central-1", "us-east-1", "eu-west-2", "ap-south-1"])
HOLES = st.sampled_from(["${Env}", "${AWS::AccountId}", "${Api}", "${AWS::StackName}"])


@given(
    st.sampled_from(["sns", "kms", "sqs", "backup", "acm"]),
    REGIONS,
    st.lists(st.tuples(st.integers(0, 2), HOLES), max_size=3),
)
def test_holes_outside_the_region_field_never_change_the_region(service: str, region: str, holes: Any) -> None:
    fields = ["arn", "aws", service, region, "123456789012", "thing/name"]
    for index, hole in holes:
        position = (1, 4, 5)[index]  # partition, account, resource: never the region
        fields[position] = hole
    value = _view().resolve({"Fn::Sub": ":".join(fields)})
    assert named_region(value) == region
    assert split_text(value, ":", 5)[3] == region


def _app(templates: list[AppTemplate]) -> AppView:
    return AppView(templates, SETTINGS)


def test_an_import_is_the_exporting_stacks_value_with_its_region() -> None:
    producer = {
        "Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}},
        "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Bucket", "Arn"]}, "Export": {"Name": "shared-bucket"}}},
    }
    consumer = {"Resources": {}}
    app = _app(
        [AppTemplate("p", producer, "us-east-1", stack_name="Producer"), AppTemplate("c", consumer, "eu-west-1")]
    )
    value = app.view("c").resolve({"Fn::ImportValue": "shared-bucket"})
    assert isinstance(value, ResourceRef) and not value.local
    assert (value.stack, value.stack_region, value.logical_id, value.attribute) == ("p", "us-east-1", "Bucket", "Arn")
    weak = {"StackName": "Producer", "OutputName": "Arn", "Region": "us-east-1"}
    assert app.view("c").resolve({"Fn::GetStackOutput": weak}) == value
    # Without a Region, the output is of a stack in the reader's own region: not this one.
    same_region = app.view("c").resolve({"Fn::GetStackOutput": {"StackName": "Producer", "OutputName": "Arn"}})
    assert isinstance(same_region, Unknown) and same_region.cause is Cause.OTHER_STACK
    missing = app.view("c").resolve({"Fn::GetStackOutput": {"StackName": "Other", "OutputName": "Arn"}})
    assert isinstance(missing, Unknown) and missing.cause is Cause.OTHER_STACK


def test_a_nested_stacks_parameter_is_what_its_parent_passes() -> None:
    parent = {
        "Resources": {
            "Key": {"Type": "AWS::KMS::Key"},
            "Child": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {
                    "TemplateURL": "child.json",
                    "Parameters": {"KeyArn": {"Fn::GetAtt": ["Key", "Arn"]}, "Region": {"Ref": "AWS::Region"}},
                },
            },
        }
    }
    child = {"Parameters": {"KeyArn": {"Type": "String"}, "Region": {"Type": "String"}, "Free": {"Type": "String"}}}
    app = _app(
        [
            AppTemplate("parent", parent, "eu-west-1"),
            AppTemplate("child", child, "eu-west-1", parent="parent", nested_as="Child"),
        ]
    )
    key = app.view("child").resolve({"Ref": "KeyArn"})
    assert isinstance(key, ResourceRef) and key.stack == "parent" and key.logical_id == "Key"
    assert app.view("child").resolve({"Ref": "Region"}) == "eu-west-1"
    free = app.view("child").resolve({"Ref": "Free"})
    assert isinstance(free, Unknown) and free.cause is Cause.PARAMETER


def test_a_cross_region_reference_is_the_writers_value() -> None:
    writer = {
        "Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "logs-central"}},
            "Writer": {
                "Type": "Custom::CrossRegionExportWriter",
                "Properties": {"WriterProps": {"exports": {"/cdk/exports/C/x": {"Ref": "Bucket"}}}},
            },
        }
    }
    reader = {"Resources": {"Reader": {"Type": "Custom::CrossRegionExportReader", "Properties": {}}}}
    app = _app([AppTemplate("w", writer, "eu-central-1"), AppTemplate("r", reader, "eu-west-1")])
    value = app.view("r").resolve({"Fn::GetAtt": ["Reader", "/cdk/exports/C/x"]})
    assert isinstance(value, ResourceRef) and (value.stack, value.stack_region) == ("w", "eu-central-1")
    assert [found.region for found in app.buckets_named("logs-central")] == ["eu-central-1"]


def test_a_loop_of_exports_ends_as_an_unknown() -> None:
    a = {"Outputs": {"X": {"Value": {"Fn::ImportValue": "b"}, "Export": {"Name": "a"}}}}
    b = {"Outputs": {"X": {"Value": {"Fn::ImportValue": "a"}, "Export": {"Name": "b"}}}}
    app = _app([AppTemplate("a", a, "eu-west-1"), AppTemplate("b", b, "eu-west-1")])
    value = app.view("a").resolve({"Fn::ImportValue": "a"})
    assert isinstance(value, Unknown) and value.cause is Cause.LIMIT
