"""The resolver: what the template decides is worked out, the rest is Unknown with a reason, never a crash."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from eu_residency.core.resolved import Cause
from eu_residency.core.settings import RuleSettings
from eu_residency.core.template_view import NO_VALUE, OneOf, ResourceRef, TemplateView, Unknown, options
from eu_residency.core.vocabulary import split_sub

# The expression split_sub once was (quadratic on an unterminated ${): the oracle it must agree with.
SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")

TEMPLATE: dict[str, Any] = {
    "Parameters": {"Stage": {"Type": "String"}},
    "Mappings": {"Regions": {"eu-west-1": {"Name": "ireland"}}},
    "Conditions": {
        "InIreland": {"Fn::Equals": [{"Ref": "AWS::Region"}, "eu-west-1"]},
        "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
        "NotIreland": {"Fn::Not": [{"Condition": "InIreland"}]},
        "Loop": {"Fn::Not": [{"Condition": "Loop"}]},
    },
    "Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}},
}


def view(region: str | None = "eu-west-1") -> TemplateView:
    return TemplateView(template=TEMPLATE, region=region, settings=RuleSettings(), account="123456789012")


def test_pseudo_parameters_resolve_from_the_stack() -> None:
    assert view().resolve({"Ref": "AWS::Region"}) == "eu-west-1"
    assert view().resolve({"Ref": "AWS::AccountId"}) == "123456789012"
    assert view().resolve({"Ref": "AWS::Partition"}) == "aws"
    assert view().resolve({"Ref": "AWS::NoValue"}) is NO_VALUE
    assert isinstance(view(None).resolve({"Ref": "AWS::Region"}), Unknown)


def test_parameters_and_imports_are_unknown_with_a_reason() -> None:
    parameter = view().resolve({"Ref": "Stage"})
    assert isinstance(parameter, Unknown) and parameter.cause is Cause.PARAMETER
    assert parameter.reason == "the parameter Stage, chosen at deploy time"
    imported = view().resolve({"Fn::ImportValue": "shared-key"})
    assert isinstance(imported, Unknown) and imported.cause is Cause.OTHER_STACK
    assert imported.reason == "the export shared-key, which no template checked with this one gives"
    output = view().resolve({"Fn::GetStackOutput": {"StackName": "x", "OutputName": "y"}})
    assert isinstance(output, Unknown) and output.cause is Cause.OTHER_STACK


def test_references_to_resources_know_their_referent() -> None:
    reference = view().resolve({"Fn::GetAtt": ["Bucket", "Arn"]})
    assert isinstance(reference, ResourceRef)
    assert (reference.logical_id, reference.attribute) == ("Bucket", "Arn")
    assert view().resolve({"Fn::GetAtt": "Bucket.Arn"}) == reference
    assert isinstance(view().resolve({"Ref": "Bucket"}), ResourceRef)


def test_join_sub_select_and_find_in_map() -> None:
    v = view()
    assert v.resolve({"Fn::Join": ["-", ["a", {"Ref": "AWS::Region"}]]}) == "a-eu-west-1"
    assert v.resolve({"Fn::Sub": "arn:${AWS::Partition}:s3:::x-${AWS::Region}"}) == "arn:aws:s3:::x-eu-west-1"
    assert v.resolve({"Fn::Sub": ["${A}-${B}", {"A": "one", "B": {"Ref": "AWS::Region"}}]}) == "one-eu-west-1"
    assert v.resolve({"Fn::Sub": "literal ${!NotAVariable}"}) == "literal ${NotAVariable}"
    assert v.resolve({"Fn::Select": [1, ["a", "b"]]}) == "b"
    assert v.resolve({"Fn::Select": ["0", ["a"]]}) == "a"
    assert isinstance(v.resolve({"Fn::Select": [5, ["a"]]}), Unknown)
    assert v.resolve({"Fn::FindInMap": ["Regions", {"Ref": "AWS::Region"}, "Name"]}) == "ireland"
    assert isinstance(v.resolve({"Fn::Sub": "${Stage}-x"}), Unknown)
    assert isinstance(v.resolve({"Fn::Join": ["", ["a", {"Ref": "Stage"}]]}), Unknown)


def test_conditions_the_template_decides_pick_a_branch() -> None:
    v = view()
    assert v.resolve({"Fn::If": ["InIreland", "yes", "no"]}) == "yes"
    assert v.resolve({"Fn::If": ["NotIreland", "yes", "no"]}) == "no"
    assert view("eu-central-1").resolve({"Fn::If": ["InIreland", "yes", "no"]}) == "no"


def test_conditions_decided_at_deploy_time_keep_both_branches() -> None:
    undecided = view().resolve({"Fn::If": ["IsProd", True, False]})
    assert isinstance(undecided, OneOf)
    assert options(undecided) == [True, False]
    assert view().truth({"Fn::If": ["IsProd", True, False]}) is None
    assert view().truth({"Fn::If": ["IsProd", True, "true"]}) is True


def test_a_condition_that_refers_to_itself_is_unknown_not_a_hang() -> None:
    assert view().condition("Loop") is None
    assert view().condition("Missing") is None


def test_booleans_in_every_spelling() -> None:
    assert view().truth(True) is True
    assert view().truth("false") is False
    assert view().truth("TRUE") is True
    assert view().truth({"Ref": "Stage"}) is None
    assert view().truth("yes") is None


def test_deep_nesting_ends_in_unknown() -> None:
    value: Any = "x"
    for _ in range(200):
        value = {"Fn::Join": ["", [value]]}
    assert isinstance(view().resolve(value), Unknown)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            ["Ref", "Fn::GetAtt", "Fn::Join", "Fn::Sub", "Fn::Select", "Fn::If", "Fn::FindInMap", "Fn::Equals",
             "Fn::Not", "Fn::And", "Fn::Or", "Condition", "Fn::ImportValue", "Fn::Base64", "Key"]
        ) | st.text(max_size=5),
        children,
        max_size=3,
    ),
    max_leaves=30,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_any_value_resolves_without_crashing(value: Any) -> None:
    v = view()
    v.resolve(value)
    v.truth(value)
    v.resolve_string(value)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=6), JSON, max_size=4), JSON)
def test_any_conditions_evaluate_without_crashing(conditions: dict[str, Any], value: Any) -> None:
    v = TemplateView(template={"Conditions": conditions, "Resources": {}}, region="eu-west-1", settings=RuleSettings())
    for name in conditions:
        v.condition(name)
    v.resolve({"Fn::If": [next(iter(conditions), "x"), value, value]})


def test_text_around_a_reference_is_not_the_referent() -> None:
    joined = view().resolve({"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket", "Arn"]}, "/*"]]})
    assert isinstance(joined, Unknown) and not isinstance(joined, ResourceRef)
    substituted = view().resolve({"Fn::Sub": "arn:aws:backup:us-east-1:123456789012:backup-vault:${Bucket}"})
    assert isinstance(substituted, Unknown) and not isinstance(substituted, ResourceRef)
    assert isinstance(view().resolve({"Fn::Sub": "${Bucket}"}), ResourceRef)
    assert isinstance(view().resolve({"Fn::Join": ["", [{"Ref": "Bucket"}]]}), ResourceRef)


def test_an_unterminated_sub_variable_is_literal_text() -> None:
    """``${`` that no ``}`` follows names no variable (CloudFormation's variables are ``${Name}``): the rest
    of the text is literal, as the expression SUB_VARIABLE reads it, in one pass however often it recurs."""
    v = view()
    assert v.resolve({"Fn::Sub": "cost ${ and ${more"}) == "cost ${ and ${more"
    assert v.resolve({"Fn::Sub": ["${A}-${unterminated", {"A": "one"}]}) == "one-${unterminated"
    assert v.resolve({"Fn::Sub": "${AWS::Region}" + "${" * 50_000}) == "eu-west-1" + "${" * 50_000
    assert v.resolve({"Fn::Sub": "${!Literal} ${AWS::Region"}) == "${Literal} ${AWS::Region"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="${}!a.:", max_size=24))
def test_the_sub_scanner_splits_as_the_sub_variable_pattern(text: str) -> None:
    assert split_sub(text) == SUB_VARIABLE.split(text)


def test_find_in_map_gives_its_default_value_for_a_missing_entry() -> None:
    template = {"Mappings": {"Regions": {"eu-west-1": {"Replica": "eu-central-1"}}}}
    view = TemplateView(template=template, region="eu-north-1", settings=RuleSettings())
    lookup = {"Fn::FindInMap": ["Regions", {"Ref": "AWS::Region"}, "Replica", {"DefaultValue": "eu-west-3"}]}
    assert view.resolve(lookup) == "eu-west-3"
    present = TemplateView(template=template, region="eu-west-1", settings=RuleSettings())
    assert present.resolve(lookup) == "eu-central-1"
    without_default = {"Fn::FindInMap": ["Regions", {"Ref": "AWS::Region"}, "Replica"]}
    assert isinstance(view.resolve(without_default), Unknown)
