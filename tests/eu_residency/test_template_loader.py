"""The template loader: every input gets a template or one clear error, never a crash or a hang."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eu_residency.template_loader import TemplateError, parse_template

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=40,
)


def _parse(text: str) -> dict[str, Any] | TemplateError:
    try:
        return parse_template(text, "input")
    except TemplateError as error:
        assert str(error).startswith("input: ")
        assert "\n" not in str(error)
        return error


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_text_is_a_template_or_one_clear_error(text: str) -> None:
    _parse(text)


@settings(max_examples=300, deadline=None)
@given(DOCUMENTS)
def test_any_json_document_is_a_template_or_one_clear_error(document: Any) -> None:
    result = _parse(json.dumps(document))
    if isinstance(result, dict):
        assert all(
            isinstance(body, dict) and isinstance(body.get("Type"), str) for body in result["Resources"].values()
        )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["!Ref", "!Sub", "!GetAtt", "!If", "!Join", "!Select", "- ", ": ", "[", "]",
                                 "{", "}", "\n  ", "Resources", "Type", "A", "'", '"', "#", "&a", "*a", "!!str"]),
                max_size=60))  # fmt: skip
def test_yaml_made_of_template_tokens_never_crashes(tokens: list[str]) -> None:
    _parse("".join(tokens))


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_documents_are_refused_clearly(depth: int) -> None:
    for text in ("[" * depth + "]" * depth, '{"Resources": ' + "[" * depth + "]" * depth + "}", "- " * depth):
        result = _parse(text)
        assert isinstance(result, TemplateError)


def test_short_tags_become_intrinsic_functions() -> None:
    template = parse_template(
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n"
        "      A: !GetAtt Other.Arn\n      C: !Sub '${AWS::Region}'\n      D: !If [X, !Ref Y, !Ref AWS::NoValue]\n"
        "      E: 2012-10-17\n",
        "t.yaml",
    )
    properties = template["Resources"]["B"]["Properties"]
    assert properties == {
        "A": {"Fn::GetAtt": ["Other", "Arn"]},
        "C": {"Fn::Sub": "${AWS::Region}"},
        "D": {"Fn::If": ["X", {"Ref": "Y"}, {"Ref": "AWS::NoValue"}]},
        "E": "2012-10-17",
    }
