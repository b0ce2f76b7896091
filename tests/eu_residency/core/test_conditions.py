"""Correlated conditions: the resolver gives exactly the values some choice of deploy-time input deploys."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from eu_residency.core.resolved import Cause, OneOf, Unknown, options
from eu_residency.core.settings import RuleSettings
from eu_residency.core.template_view import TemplateView

PARAMETERS = {"Env": {"Type": "String"}, "Tier": {"Type": "String", "AllowedValues": ["gold", "silver"]}}
CONDITIONS = {
    "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
    "IsDev": {"Fn::Equals": [{"Ref": "Env"}, "dev"]},
    "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]},
    "Gold": {"Fn::Equals": [{"Ref": "Tier"}, "gold"]},
    "DevOrGold": {"Fn::Or": [{"Condition": "IsDev"}, {"Condition": "Gold"}]},
    "ProdNotGold": {"Fn::And": [{"Condition": "IsProd"}, {"Fn::Not": [{"Condition": "Gold"}]}]},
    "InIreland": {"Fn::Equals": [{"Ref": "AWS::Region"}, "eu-west-1"]},
}
INPUTS = {"Env": ["prod", "dev", "test"], "Tier": ["gold", "silver"], "AWS::Region": ["eu-west-1", "eu-central-1"]}


def _view(template: dict[str, Any]) -> TemplateView:
    return TemplateView(template=template, region=None, settings=RuleSettings())


def _trees(depth: int) -> st.SearchStrategy[Any]:
    leaf = st.sampled_from(["a", "b", "c"])
    if depth == 0:
        return leaf
    return st.one_of(
        leaf,
        st.tuples(st.sampled_from(sorted(CONDITIONS)), _trees(depth - 1), _trees(depth - 1)).map(
            lambda t: {"Fn::If": [t[0], t[1], t[2]]}
        ),
    )


VALUES = st.one_of(
    _trees(3),
    st.lists(_trees(2), min_size=2, max_size=3).map(lambda parts: {"Fn::Join": ["-", parts]}),
    st.tuples(_trees(2), _trees(2)).map(lambda p: {"Fn::Sub": ["${A}/${B}", {"A": p[0], "B": p[1]}]}),
)


def _deployed(value: Any) -> set[str]:
    """What the value deploys as, for every choice of the inputs: each input replaced by a literal."""
    found: set[str] = set()
    for env in INPUTS["Env"]:
        for tier in INPUTS["Tier"]:
            for region in INPUTS["AWS::Region"]:
                text = json.dumps({"Parameters": {}, "Conditions": CONDITIONS, "Value": value})
                for name, chosen in (("Env", env), ("Tier", tier), ("AWS::Region", region)):
                    text = text.replace(json.dumps({"Ref": name}), json.dumps(chosen))
                concrete = json.loads(text)
                resolved = _view(concrete).resolve(concrete["Value"])
                assert isinstance(resolved, str), resolved
                found.add(resolved)
    return found


@settings(max_examples=150, deadline=None)
@given(VALUES)
def test_the_options_are_exactly_what_some_input_deploys(value: Any) -> None:
    view = _view({"Parameters": PARAMETERS, "Conditions": CONDITIONS})
    resolved = {option for _, option in view.cases(view.resolve(value))}
    assert resolved == _deployed(value)


def test_a_join_of_two_ifs_on_one_condition_never_mixes_their_branches() -> None:
    view = _view({"Parameters": PARAMETERS, "Conditions": CONDITIONS})
    value = {"Fn::Join": [":", [{"Fn::If": ["IsProd", "a", "b"]}, {"Fn::If": ["NotProd", "c", "d"]}]]}
    resolved = view.resolve(value)
    assert isinstance(resolved, OneOf)
    assert sorted(options(resolved)) == ["a:d", "b:c"]
    assert sorted(assumed for assumed, _ in view.cases(resolved) for assumed in assumed) == [
        ("IsProd", False),
        ("IsProd", True),
        ("NotProd", False),
        ("NotProd", True),
    ]


def test_allowed_values_decide_a_condition() -> None:
    view = _view({"Parameters": PARAMETERS, "Conditions": {"Bronze": {"Fn::Equals": [{"Ref": "Tier"}, "bronze"]}}})
    assert view.condition("Bronze") is False
    assert view.resolve({"Fn::If": ["Bronze", "a", "b"]}) == "b"


def test_a_resource_condition_is_assumed_for_its_properties() -> None:
    template = {
        "Parameters": PARAMETERS,
        "Conditions": CONDITIONS,
        "Resources": {"Api": {"Type": "AWS::ApiGateway::RestApi", "Condition": "IsProd", "Properties": {}}},
    }
    view = _view(template)
    api = view.resource("Api")
    value = view.resolve({"Fn::If": ["NotProd", "EDGE", "REGIONAL"]})
    assert [option for _, option in view.cases(value, api)] == ["REGIONAL"]
    assert sorted(option for _, option in view.cases(value)) == ["EDGE", "REGIONAL"]


def test_what_the_template_does_not_let_us_read_is_never_pruned() -> None:
    conditions = {
        "Same": {"Fn::Equals": [{"Ref": "Env"}, {"Ref": "Tier"}]},
        "Other": {"Fn::Equals": [{"Fn::Select": [0, {"Fn::GetAZs": ""}]}, "x"]},
    }
    view = _view({"Parameters": PARAMETERS, "Conditions": conditions})
    value = {"Fn::Join": ["", [{"Fn::If": ["Same", "a", "b"]}, {"Fn::If": ["Other", "c", "d"]}]]}
    assert sorted(options(view.resolve(value))) == ["ac", "ad", "bc", "bd"]


def test_a_shared_if_is_worked_out_once_and_too_many_options_are_a_limit() -> None:
    conditions = {f"C{index}": {"Fn::Equals": [{"Ref": "Env"}, f"v{index}"]} for index in range(40)}
    value: Any = "x"
    for index in range(40):  # what YAML aliases make: one object shared by both branches, 2**40 leaves
        value = {"Fn::If": [f"C{index}", value, value]}
    view = _view({"Parameters": PARAMETERS, "Conditions": conditions})
    resolved = view.resolve(value)
    assert isinstance(resolved, Unknown) and resolved.cause is Cause.LIMIT
    small = view.resolve({"Fn::If": ["C0", "a", {"Fn::If": ["C1", "b", "c"]}]})
    assert isinstance(small, OneOf) and small.size == 3


def test_two_long_conditions_the_solver_cannot_read_are_two_atoms_not_one() -> None:
    """Unreadable conditions are atoms named by their text: two whose first 500 characters agree are still
    two (named by one, they would be read as the same condition, and Fn::Ifs on them correlated)."""
    prefix = "x" * 600
    conditions = {
        "First": {"Fn::Equals": [{"Fn::Select": [0, {"Fn::GetAZs": ""}]}, prefix + "1"]},
        "Second": {"Fn::Equals": [{"Fn::Select": [0, {"Fn::GetAZs": ""}]}, prefix + "2"]},
    }
    view = _view({"Parameters": PARAMETERS, "Conditions": conditions})
    value = {"Fn::Join": ["", [{"Fn::If": ["First", "a", "b"]}, {"Fn::If": ["Second", "c", "d"]}]]}
    assert sorted(options(view.resolve(value))) == ["ac", "ad", "bc", "bd"]
