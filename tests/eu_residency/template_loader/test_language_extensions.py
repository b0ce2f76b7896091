"""AWS::LanguageExtensions expanded before the rules run: each feature, each malformed loop, the bound, the lines,
and the findings of templates that use them, at the loop's line."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eu_residency.check_run.run import run_check
from eu_residency.core.resolved import Cause, Unknown
from eu_residency.core.settings import RuleSettings
from eu_residency.core.template_view import TemplateView
from eu_residency.core.vocabulary import (
    LANGUAGE_EXTENSIONS_TRANSFORM,
    MAX_EXPANDED_RESOURCES,
    MAX_EXPANDED_VALUES,
    declares_transform,
)
from eu_residency.template_loader.errors import TemplateError
from eu_residency.template_loader.language_extensions import expand_language_extensions

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "templates" / "language_extensions"
TOPIC = {"Type": "AWS::SNS::Topic"}


def _template(resources: dict[str, Any], **sections: Any) -> dict[str, Any]:
    return {"Transform": "AWS::LanguageExtensions", **sections, "Resources": resources}


def _expand(template: dict[str, Any], lines: dict[str, int] | None = None) -> tuple[dict[str, Any], dict[str, int]]:
    return expand_language_extensions(template, lines or {}, "t.yaml")


def _resources(template: dict[str, Any]) -> dict[str, Any]:
    resources: dict[str, Any] = _expand(template)[0]["Resources"]
    return resources


def _error(template: dict[str, Any]) -> str:
    with pytest.raises(TemplateError) as raised:
        _expand(template)
    message = str(raised.value)
    assert message.startswith("t.yaml: the loop ") and "\n" not in message
    return message


# -- the transform, the loops and the lines -------------------------------------------------------------


@pytest.mark.parametrize(
    ("transform", "uses"),
    [
        ("AWS::LanguageExtensions", True),
        (["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"], True),
        ("AWS::Serverless-2016-10-31", False),
        (None, False),
        ({"Name": "AWS::Include"}, False),
    ],
)
def test_the_transform_is_used_when_the_template_names_it(transform: Any, uses: bool) -> None:
    assert declares_transform({"Transform": transform, "Resources": {}}, LANGUAGE_EXTENSIONS_TRANSFORM) is uses


def test_a_loop_makes_one_resource_per_item_each_on_the_loops_line() -> None:
    template = _template(
        {
            "Key": {"Type": "AWS::KMS::Key"},
            "Fn::ForEach::Topics": [
                "Name",
                ["Orders", "Invoices"],
                {"Topic${Name}": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Ref": "Name"}}}},
            ],
        }
    )
    expanded, lines = _expand(template, {"Key": 4, "Fn::ForEach::Topics": 6})
    assert expanded["Resources"] == {
        "Key": {"Type": "AWS::KMS::Key"},
        "TopicOrders": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "Orders"}},
        "TopicInvoices": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "Invoices"}},
    }
    assert lines == {"Key": 4, "TopicOrders": 6, "TopicInvoices": 6}
    assert "Transform" not in expanded


def test_the_template_given_is_left_as_it_is_and_other_transforms_stay() -> None:
    template = _template(
        {"Fn::ForEach::Topics": ["Name", ["A", "B"], {"Topic${Name}": TOPIC}]},
        Transform=["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"],
    )
    before = copy.deepcopy(template)
    expanded, _ = _expand(template)
    assert template == before
    assert expanded["Transform"] == ["AWS::Serverless-2016-10-31"]


def test_an_ampersand_identifier_keeps_the_items_letters_and_digits() -> None:
    template = _template(
        {
            "Fn::ForEach::Tables": [
                "Region",
                ["eu-west-1", "us-east-1"],
                {
                    "Table&{Region}": {
                        "Type": "AWS::DynamoDB::GlobalTable",
                        "Properties": {"Name": {"Fn::Sub": "t-${Region}"}},
                    }
                },
            ]
        }
    )
    resources = _resources(template)
    assert resources["Tableeuwest1"]["Properties"] == {"Name": "t-eu-west-1"}
    assert resources["Tableuseast1"]["Properties"] == {"Name": "t-us-east-1"}


def test_nested_loops_name_their_resources_and_references_with_both_identifiers() -> None:
    template = _template(
        {
            "Fn::ForEach::Networks": [
                "Prefix",
                ["Transit", "Public"],
                {
                    "Nacl${Prefix}": {"Type": "AWS::EC2::NetworkAcl"},
                    "Fn::ForEach::Subnets": [
                        "Suffix",
                        ["A", "B"],
                        {
                            "${Prefix}Subnet${Suffix}": {"Type": "AWS::EC2::Subnet"},
                            "${Prefix}Association${Suffix}": {
                                "Type": "AWS::EC2::SubnetNetworkAclAssociation",
                                "DependsOn": [{"Fn::Sub": "Nacl${Prefix}"}],
                                "Properties": {
                                    "SubnetId": {"Ref": {"Fn::Sub": "${Prefix}Subnet${Suffix}"}},
                                    "NetworkAclId": {"Fn::GetAtt": [{"Fn::Sub": "Nacl${Prefix}"}, "Id"]},
                                },
                            },
                        },
                    ],
                },
            ]
        }
    )
    expanded, lines = _expand(template, {"Fn::ForEach::Networks": 3})
    resources = expanded["Resources"]
    assert sorted(resources) == sorted(
        [f"Nacl{p}" for p in ("Transit", "Public")]
        + [f"{p}{kind}{s}" for p in ("Transit", "Public") for kind in ("Subnet", "Association") for s in "AB"]
    )
    assert resources["PublicAssociationB"]["Properties"] == {
        "SubnetId": {"Ref": "PublicSubnetB"},
        "NetworkAclId": {"Fn::GetAtt": ["NaclPublic", "Id"]},
    }
    assert resources["PublicAssociationB"]["DependsOn"] == ["NaclPublic"]
    assert set(lines.values()) == {3} and len(lines) == len(resources)


def test_loops_in_conditions_and_outputs() -> None:
    template = _template(
        {"Fn::ForEach::Buckets": ["Id", ["A", "B"], {"Bucket${Id}": {"Type": "AWS::S3::Bucket"}}]},
        Parameters={"ParamA": {"Type": "String"}, "ParamB": {"Type": "String"}},
        Conditions={
            "Fn::ForEach::Enabled": [
                "Id",
                ["A", "B"],
                {"Is${Id}Enabled": {"Fn::Equals": [{"Ref": {"Fn::Sub": "Param${Id}"}}, "true"]}},
            ]
        },
        Outputs={
            "Fn::ForEach::BucketOutputs": [
                "Id",
                ["A", "B"],
                {
                    "Fn::ForEach::Attributes": [
                        "Attribute",
                        ["Arn", "DomainName"],
                        {
                            "Bucket${Id}${Attribute}": {
                                "Value": {"Fn::GetAtt": [{"Fn::Sub": "Bucket${Id}"}, {"Ref": "Attribute"}]}
                            }
                        },
                    ]
                },
            ]
        },
    )
    expanded, _ = _expand(template)
    assert expanded["Conditions"] == {
        "IsAEnabled": {"Fn::Equals": [{"Ref": "ParamA"}, "true"]},
        "IsBEnabled": {"Fn::Equals": [{"Ref": "ParamB"}, "true"]},
    }
    assert expanded["Outputs"]["BucketBDomainName"] == {"Value": {"Fn::GetAtt": ["BucketB", "DomainName"]}}
    assert len(expanded["Outputs"]) == 4


def test_a_loop_in_properties_takes_each_value_from_a_mapping_or_leaves_it_out() -> None:
    template = _template(
        {
            "Fn::ForEach::Instances": [
                "Name",
                ["InstanceA", "InstanceB"],
                {
                    "${Name}": {
                        "Type": "AWS::EC2::Instance",
                        "Properties": {
                            "Monitoring": True,
                            "Fn::ForEach::Settings": [
                                "Setting",
                                ["ImageId", "InstanceType"],
                                {
                                    "${Setting}": {
                                        "Fn::FindInMap": [
                                            {"Ref": "Name"},
                                            "Settings",
                                            {"Ref": "Setting"},
                                            {"DefaultValue": {"Ref": "AWS::NoValue"}},
                                        ]
                                    }
                                },
                            ],
                        },
                    }
                },
            ]
        },
        Mappings={
            "InstanceA": {"Settings": {"ImageId": "ami-1", "InstanceType": "m5.large"}},
            "InstanceB": {"Settings": {"ImageId": "ami-2"}},
        },
    )
    resources = _resources(template)
    assert resources["InstanceA"]["Properties"] == {
        "Monitoring": True,
        "ImageId": {"Fn::FindInMap": ["InstanceA", "Settings", "ImageId"]},
        "InstanceType": {"Fn::FindInMap": ["InstanceA", "Settings", "InstanceType"]},
    }
    assert resources["InstanceB"]["Properties"]["InstanceType"] == {"Ref": "AWS::NoValue"}
    view = TemplateView(_expand(template)[0], "eu-west-1", RuleSettings())
    assert view.resolve(resources["InstanceA"]["Properties"]["InstanceType"]) == "m5.large"


def test_sub_replaces_the_identifier_inside_another_variable_and_keeps_escaped_text() -> None:
    template = _template(
        {
            "Queue": {"Type": "AWS::SQS::Queue"},
            "Fn::ForEach::Topics": [
                "Id",
                ["A"],
                {
                    "Topic${Id}": {
                        "Type": "AWS::SNS::Topic",
                        "Properties": {
                            "DisplayName": {"Fn::Sub": "${Queue${Id}.Arn} ${!Id} ${AWS::Region}"},
                            "TopicName": {"Fn::Sub": ["${Id}-${Suffix}", {"Suffix": {"Ref": "Id"}}]},
                            "Literal": {"Fn::Sub": "plain-${Id}-${!Kept}"},
                            "Untouched": "a plain ${Id} text",
                        },
                    }
                },
            ],
        }
    )
    assert _resources(template)["TopicA"]["Properties"] == {
        "DisplayName": {"Fn::Sub": "${QueueA.Arn} ${!Id} ${AWS::Region}"},
        "TopicName": {"Fn::Sub": ["A-${Suffix}", {"Suffix": "A"}]},
        "Literal": "plain-A-${Kept}",
        "Untouched": "a plain ${Id} text",
    }


def test_outside_loops_names_that_intrinsics_give_are_resolved_and_the_rest_is_shared() -> None:
    tags = [{"Key": "team", "Value": {"Fn::Sub": "${AWS::Region}-chat"}}]
    template = _template(
        {
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"Tags": tags}},
            "Policy": {
                "Type": "AWS::SNS::TopicPolicy",
                "Properties": {"Topics": [{"Ref": {"Fn::Join": ["", ["To", "pic"]]}}], "Count": {"Fn::Length": [1, 2]}},
            },
        }
    )
    resources = _resources(template)
    assert resources["Policy"]["Properties"] == {"Topics": [{"Ref": "Topic"}], "Count": 2}
    assert resources["Topic"] is template["Resources"]["Topic"]


# -- Fn::Length, Fn::ToJsonString, Fn::FindInMap with DefaultValue, the policies ------------------------


def _properties(properties: dict[str, Any], **sections: Any) -> dict[str, Any]:
    template = _template({"Thing": {"Type": "AWS::SNS::Topic", "Properties": properties}}, **sections)
    expanded: dict[str, Any] = _expand(template)[0]["Resources"]["Thing"]["Properties"]
    return expanded


def test_length_is_worked_out_for_a_list_the_template_gives() -> None:
    parameters = {"Names": {"Type": "CommaDelimitedList"}, "On": {"Type": "String"}}
    properties = _properties(
        {
            "Literal": {"Fn::Length": ["a", {"Ref": "On"}, {"Fn::Sub": "${On}"}]},
            "Split": {"Fn::Length": {"Fn::Split": [",", "a,b,c"]}},
            "Parameter": {"Fn::Length": {"Ref": "Names"}},
            "MayVanish": {"Fn::Length": ["a", {"Fn::If": ["Cond", "b", {"Ref": "AWS::NoValue"}]}]},
        },
        Parameters=parameters,
    )
    assert properties["Literal"] == 3 and properties["Split"] == 3
    assert properties["Parameter"] == {"Fn::Length": {"Ref": "Names"}}
    assert properties["MayVanish"] == {"Fn::Length": ["a", {"Fn::If": ["Cond", "b", {"Ref": "AWS::NoValue"}]}]}


def test_to_json_string_is_compact_json_of_a_literal_value() -> None:
    properties = _properties(
        {
            "Literal": {"Fn::ToJsonString": {"b": [1, True, {"Ref": "AWS::NoValue"}], "a": {"Fn::Sub": "x"}}},
            "Deployed": {"Fn::ToJsonString": {"region": {"Ref": "AWS::Region"}}},
        }
    )
    assert properties["Literal"] == '{"b":[1,true],"a":"x"}'
    assert json.loads(properties["Literal"]) == {"b": [1, True], "a": "x"}
    assert properties["Deployed"] == {"Fn::ToJsonString": {"region": {"Ref": "AWS::Region"}}}


def test_find_in_map_with_a_default_value() -> None:
    mappings = {"Sizes": {"eu-west-1": {"Type": "m5.large"}}}
    properties = _properties(
        {
            "Missing": {"Fn::FindInMap": ["Sizes", "us-east-1", "Type", {"DefaultValue": "m5.small"}]},
            "Present": {"Fn::FindInMap": ["Sizes", "eu-west-1", "Type", {"DefaultValue": "m5.small"}]},
            "Computed": {"Fn::FindInMap": ["Sizes", {"Fn::Select": [0, {"Fn::Split": ["/", "eu-west-1/x"]}]}, "Type"]},
            "Deployed": {"Fn::FindInMap": ["Sizes", {"Ref": "AWS::Region"}, "Type", {"DefaultValue": "m5.small"}]},
        },
        Mappings=mappings,
    )
    assert properties["Missing"] == "m5.small"
    assert properties["Present"] == {"Fn::FindInMap": ["Sizes", "eu-west-1", "Type"]}
    assert properties["Computed"] == {"Fn::FindInMap": ["Sizes", "eu-west-1", "Type"]}
    assert properties["Deployed"] == {
        "Fn::FindInMap": ["Sizes", {"Ref": "AWS::Region"}, "Type", {"DefaultValue": "m5.small"}]
    }


def test_policies_and_conditions_given_by_intrinsics_are_resolved_where_the_template_decides_them() -> None:
    template = _template(
        {
            "Fn::ForEach::Tables": [
                "Policy",
                ["Retain", "Delete"],
                {"Table${Policy}": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": {"Ref": "Policy"}}},
            ],
            "Decided": {
                "Type": "AWS::DynamoDB::Table",
                "DeletionPolicy": {"Fn::If": ["Always", "Snapshot", "Delete"]},
                "UpdateReplacePolicy": {"Fn::FindInMap": ["Policies", "Table", "Replace", {"DefaultValue": "Retain"}]},
                "Condition": {
                    "Fn::FindInMap": ["Policies", "Table", "Condition", {"DefaultValue": {"Ref": "AWS::NoValue"}}]
                },
            },
            "Deployed": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": {"Ref": "Stage"}},
        },
        Parameters={"Stage": {"Type": "String", "Default": "Retain"}},
        Conditions={"Always": {"Fn::Equals": ["a", "a"]}},
        Mappings={"Policies": {"Table": {"Other": "x"}}},
    )
    resources = _resources(template)
    assert resources["TableRetain"]["DeletionPolicy"] == "Retain"
    assert resources["TableDelete"]["DeletionPolicy"] == "Delete"
    assert resources["Decided"] == {
        "Type": "AWS::DynamoDB::Table",
        "DeletionPolicy": "Snapshot",
        "UpdateReplacePolicy": "Retain",
    }
    assert resources["Deployed"]["DeletionPolicy"] == {"Ref": "Stage"}  # a Default is not what deploys


# -- collections the template does not give ---------------------------------------------------------


def test_a_collection_chosen_at_deploy_time_makes_one_copy_read_as_chosen_at_deploy_time() -> None:
    template = _template(
        {
            "Fn::ForEach::Tables": [
                "Region",
                {"Ref": "Regions"},
                {
                    "Table${Region}": {
                        "Type": "AWS::DynamoDB::GlobalTable",
                        "Properties": {
                            "Replicas": [{"Region": {"Ref": "Region"}}],
                            "TableName": {"Fn::Sub": "sessions-${Region}"},
                            "Stream": {"Fn::GetAtt": [{"Fn::Sub": "Table${Region}"}, "StreamArn"]},
                        },
                    }
                },
            ]
        },
        Parameters={"Regions": {"Type": "CommaDelimitedList", "Default": "eu-west-1"}},
    )
    expanded, lines = _expand(template, {"Fn::ForEach::Tables": 7})
    assert lines == {"TableEachRegion": 7}
    properties = expanded["Resources"]["TableEachRegion"]["Properties"]
    item = {"Fn::Select": [0, {"Ref": "Regions"}]}
    assert properties["Replicas"] == [{"Region": item}]
    assert properties["TableName"] == {"Fn::Sub": ["sessions-${Region}", {"Region": item}]}
    assert properties["Stream"] == {"Fn::GetAtt": ["TableEachRegion", "StreamArn"]}
    region = TemplateView(expanded, "eu-west-1", RuleSettings()).resolve(properties["Replicas"][0]["Region"])
    assert isinstance(region, Unknown) and region.cause is Cause.PARAMETER
    assert "chosen at deploy time" in region.reason


def test_an_intrinsic_item_of_a_literal_collection_is_a_copy_of_its_own() -> None:
    template = _template(
        {"Fn::ForEach::Topics": ["Name", ["Orders", {"Ref": "Extra"}], {"Topic${Name}": TOPIC}]},
        Parameters={"Extra": {"Type": "String"}},
    )
    assert sorted(_resources(template)) == ["TopicNameItem2", "TopicOrders"]


def test_a_representative_id_already_taken_gets_a_digit() -> None:
    template = _template(
        {
            "TopicEachName": TOPIC,
            "Fn::ForEach::Topics": ["Name", {"Ref": "Names"}, {"Topic${Name}": TOPIC}],
        },
        Parameters={"Names": {"Type": "CommaDelimitedList"}},
    )
    assert sorted(_resources(template)) == ["TopicEachName", "TopicEachName2"]


def test_a_collection_from_a_mapping_is_read_from_the_mapping() -> None:
    template = _template(
        {"Fn::ForEach::Topics": ["Name", {"Fn::FindInMap": ["Lists", "Topics", "Names"]}, {"Topic${Name}": TOPIC}]},
        Mappings={"Lists": {"Topics": {"Names": ["A", "B"]}}},
    )
    assert sorted(_resources(template)) == ["TopicA", "TopicB"]


# -- malformed loops and the bound ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loop", "problem"),
    [
        (["Name", ["A"]], "is a list of 2 items; Fn::ForEach takes [identifier, collection, fragment]"),
        ("Name", "is a str; Fn::ForEach takes"),
        ([["Name"], ["A"], {"T${Name}": TOPIC}], "has the identifier ['Name'], which is not a name"),
        (["Name", "A,B", {"T${Name}": TOPIC}], "iterates over a str; the collection is a list or an intrinsic"),
        (["Name", {"A": "B", "C": "D"}, {"T${Name}": TOPIC}], "iterates over a dict"),
        (["Name", ["A", {"Key": "B"}], {"T${Name}": TOPIC}], "has the item {'Key': 'B'}, which is neither text"),
        (["Name", {"Fn::Sub": "A,B"}, {"T${Name}": TOPIC}], "iterates over 'A,B', which is not a list"),
        (["Name", ["A"], ["T${Name}"]], "has a fragment that is a list of 1 items, not a mapping"),
        (["Name", ["A"], {"T${Name}": TOPIC, "TA": TOPIC}], "makes the key 'TA' twice; give each output key its own"),
        (["Name", ["A", "B"], {"Topic": TOPIC}], "makes the key 'Topic' twice; its output key must contain ${Name}"),
        (["Name", ["Existing"], {"${Name}": TOPIC}], "makes the key 'Existing', which is already defined beside it"),
        (["Stage", ["A"], {"T${Stage}": TOPIC}], "has the identifier 'Stage', which is also a parameter"),
        (["Name", ["A"], {"Fn::ForEach::Inner": ["Name", ["B"], {"T${Name}": TOPIC}]}], "reuses the identifier"),
    ],
)
def test_a_malformed_loop_is_one_line_naming_the_loop(loop: Any, problem: str) -> None:
    template = _template({"Existing": TOPIC, "Fn::ForEach::Topics": loop}, Parameters={"Stage": {"Type": "String"}})
    message = _error(template)
    assert "Resources/Fn::ForEach::Topics" in message
    assert problem in message


def test_loops_that_would_make_too_many_resources_are_refused_with_the_limit() -> None:
    items = [f"T{index}" for index in range(MAX_EXPANDED_RESOURCES + 1)]
    message = _error(_template({"Fn::ForEach::Topics": ["Name", items, {"Topic${Name}": TOPIC}]}))
    assert f"more than {MAX_EXPANDED_RESOURCES:,} resources" in message


def test_nested_loops_are_refused_before_their_copies_are_built() -> None:
    hundred = [f"I{index}" for index in range(100)]
    inner = {"Fn::ForEach::Inner": ["Inner", hundred, {"T${Outer}${Inner}${Last}": TOPIC}]}
    nested = {"Fn::ForEach::Middle": ["Last", hundred, inner]}
    started = time.perf_counter()
    message = _error(_template({"Fn::ForEach::Outer": ["Outer", hundred, nested]}))
    assert time.perf_counter() - started < 2
    assert f"more than {MAX_EXPANDED_RESOURCES:,} resources" in message


def test_loops_that_would_build_too_many_values_are_refused_with_the_limit() -> None:
    big = {"Type": "AWS::SNS::Topic", "Properties": {"Tags": [{"Key": f"k{i}", "Value": "v"} for i in range(1000)]}}
    template = _template(
        {
            "Thing": {
                "Type": "AWS::SNS::Topic",
                "Properties": {"Fn::ForEach::Props": ["P", [f"P{i}" for i in range(1000)], {"${P}": big}]},
            }
        }
    )
    message = _error(template)
    assert "Resources/Thing/Properties/Fn::ForEach::Props" in message
    assert f"more than {MAX_EXPANDED_VALUES:,} values" in message


def test_a_long_sub_text_without_a_closing_brace_is_read_in_linear_time() -> None:
    hostile = "${Id}" + "${a" * 100_000
    template = _template(
        {
            "Fn::ForEach::Topics": [
                "Id",
                ["A", "B"],
                {"Topic${Id}": {"Type": "AWS::SNS::Topic", "Properties": {"Name": {"Ref": {"Fn::Sub": hostile}}}}},
            ]
        }
    )
    started = time.perf_counter()
    resources = _resources(template)
    assert time.perf_counter() - started < 1
    assert resources["TopicB"]["Properties"]["Name"] == {"Ref": "B" + "${a" * 100_000}


FRAGMENTS = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from(["A", "${Id}", "&{Id}", "x${Id}y"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["Ref", "Fn::Sub", "Fn::Length", "Fn::FindInMap", "T${Id}", "Fn::ForEach::L"]),
            children,
            max_size=3,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(FRAGMENTS)
def test_any_loop_expands_or_is_one_clear_error(fragment: Any) -> None:
    template = _template({"Fn::ForEach::Loop": ["Id", ["A", "B"], {"R${Id}": fragment}], "Other": fragment})
    try:
        expanded, _ = _expand(template)
    except TemplateError as error:
        assert str(error).startswith("t.yaml: the loop ") and "\n" not in str(error)
    else:
        assert "Fn::ForEach::Loop" not in expanded["Resources"]


# -- end to end: eu-residency check over templates that use the transform ------------------------------


@pytest.fixture
def check() -> Any:
    """``run_check`` over one fixture of the transform, through the loader as it is."""

    def checked(name: str) -> dict[str, Any]:
        (result,) = run_check([str(FIXTURES / name)], region="eu-west-1", settings=RuleSettings()).results
        assert result.error is None
        return {"result": result, "text": (FIXTURES / name).read_text().splitlines()}

    return checked


def _line(text: list[str], needle: str) -> int:
    return next(number for number, line in enumerate(text, start=1) if needle in line)


def test_an_edge_api_beside_a_loop_is_reported_and_the_loops_resources_are_checked(check: Any) -> None:
    found = check("topics_beside_edge_api.yaml")
    result, text = found["result"], found["text"]
    by_resource = {(f.finding.logical_id, f.finding.rule_id): f.line for f in result.findings}
    assert by_resource == {
        ("FailEdgeApi", "EU-RES-032"): _line(text, "FailEdgeApi:"),
        ("FailTopicAlerts", "EU-ENC-022"): _line(text, "Fn::ForEach::PlainTopics"),
        ("FailTopicAuditTrail", "EU-ENC-022"): _line(text, "Fn::ForEach::PlainTopics"),
    }
    assert result.resources == 6


def test_a_replica_a_loop_puts_outside_the_eu_is_fatal_at_the_loops_line(check: Any) -> None:
    found = check("global_tables_per_region.json")
    (finding,) = found["result"].findings
    assert (finding.finding.rule_id, finding.finding.logical_id) == ("EU-RES-011", "Tableuseast1")
    assert finding.finding.severity.name == "FATAL" and "us-east-1" in finding.finding.message
    assert finding.line == _line(found["text"], "Fn::ForEach::RegionalTables")


def test_a_loop_over_regions_chosen_at_deploy_time_fails_closed(check: Any) -> None:
    found = check("tables_per_region_parameter.yaml")
    (finding,) = found["result"].findings
    assert (finding.finding.rule_id, finding.finding.logical_id) == ("EU-RES-011", "TableEachRegion")
    assert finding.finding.undecided is not None and finding.finding.undecided.cause is Cause.PARAMETER
    assert finding.line == _line(found["text"], "Fn::ForEach::ReplicatedTables")
