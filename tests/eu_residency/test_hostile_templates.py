"""Hostile input is normal input: every class the loader meets gets a template or one clear line, in bounded
time and memory, and nothing a template says is lost (no duplicate key kept silently)."""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eu_residency.core.vocabulary import MAX_EXPANDED_VALUES, MAX_TEMPLATE_BYTES
from eu_residency.template_loader import (
    NotATemplateError,
    TemplateError,
    parse_template,
    parse_template_with_lines,
    read_template_text,
)

BUCKET = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"


def _error(text: str) -> str:
    with pytest.raises(TemplateError) as raised:
        parse_template(text, "t.yaml")
    message = str(raised.value)
    assert message.startswith("t.yaml: ") and "\n" not in message
    return message


def _alias_bomb(levels: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, levels)]
    return (
        "\n".join(lines)
        + f"\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties: {{Tags: *a{levels - 1}}}\n"
    )


def test_an_alias_bomb_is_refused_before_anything_is_built() -> None:
    tracemalloc.start()
    message = _error(_alias_bomb(9))  # 9 ** 9 = 387 million values expanded, 415 bytes written
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert f"its aliases expand to more than {MAX_EXPANDED_VALUES:,} values" in message
    assert peak < 50 * 2**20


def test_aliases_within_the_budget_are_shared_values() -> None:
    template = parse_template(_alias_bomb(3), "t.yaml")
    assert len(template["Resources"]["Bucket"]["Properties"]["Tags"]) == 9


def test_an_alias_to_the_value_that_holds_it_is_refused() -> None:
    assert "an alias refers to the value holding it" in _error(BUCKET + "    Properties: &p {Self: *p}\n")


def test_a_key_written_twice_is_refused_with_both_lines() -> None:
    text = BUCKET + "    Properties:\n      BucketEncryption: {}\n      BucketName: x\n      BucketEncryption: {}\n"
    assert _error(text) == (
        "t.yaml: line 7: the key 'BucketEncryption' is written twice in one mapping (also at line 5); "
        "CloudFormation refuses duplicate keys"
    )
    json_text = '{"Resources": {\n "B": {"Type": "AWS::S3::Bucket"},\n "B": {"Type": "AWS::SNS::Topic"}}}'
    with pytest.raises(TemplateError) as raised:
        parse_template(json_text, "t.json")
    assert str(raised.value) == (
        "t.json: line 3: the key 'B' is written twice in one object (also at line 2); "
        "CloudFormation refuses duplicate keys"
    )


def test_a_merge_key_is_not_a_duplicate_and_the_mappings_own_keys_win() -> None:
    text = (
        "Base: &base {Type: AWS::SNS::Topic, Condition: X}\n"
        "Resources:\n  T:\n    <<: *base\n    Type: AWS::S3::Bucket\n"
    )
    assert parse_template(text, "t.yaml")["Resources"]["T"] == {"Type": "AWS::S3::Bucket", "Condition": "X"}


def test_keys_are_text_as_in_the_json_cloudformation_makes() -> None:
    text = "Resources:\n  1:\n    Type: AWS::S3::Bucket\n    Properties: {Tags: [{Key: 2, Value: v}], 3: x}\n"
    template = parse_template(text, "t.yaml")
    assert list(template["Resources"]) == ["1"]
    assert template["Resources"]["1"]["Properties"]["3"] == "x"
    # true and True are two keys, not one merged
    assert set(parse_template("Resources:\n  true: {Type: A::B::C}\n  True: {Type: A::B::D}\n", "t")["Resources"]) == {
        "true",
        "True",
    }


def test_a_key_that_is_a_list_or_a_function_is_refused() -> None:
    assert "a key must be text" in _error("Resources:\n  ? [a, b]\n  : {Type: AWS::S3::Bucket}\n")
    assert "a key must be text" in _error("Resources:\n  !Ref X : {Type: AWS::S3::Bucket}\n")


def test_a_logical_id_cloudformation_refuses_is_refused() -> None:
    message = _error("Resources:\n  my-bucket:\n    Type: AWS::S3::Bucket\n")
    assert message == (
        "t.yaml: Resources has the logical id 'my-bucket'; CloudFormation accepts only letters and digits (at most 255)"
    )


def test_numbers_of_any_length_are_read() -> None:
    digits = "7" * 5_000
    yaml_template = parse_template(BUCKET + f"    Properties: {{Size: {digits}}}\n", "t.yaml")
    assert yaml_template["Resources"]["Bucket"]["Properties"]["Size"] == digits
    json_template = parse_template('{"Resources": {"B": {"Type": "T::T::T", "Size": ' + digits + "}}}", "t.json")
    assert json_template["Resources"]["B"]["Size"] == digits
    assert parse_template('{"Resources": {"B": {"Type": "T::T::T", "Size": 42}}}', "t")["Resources"]["B"]["Size"] == 42


def test_json_constants_that_are_not_json_are_refused() -> None:
    with pytest.raises(TemplateError, match="NaN is not a JSON value"):
        parse_template('{"Resources": {"B": {"Type": "T::T::T", "Size": NaN}}}', "t.json")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BUCKET + "    Properties: {BucketName: \x07}\n", "invalid YAML"),
        ('{"Resources": {"B": {"Type": "T::T::T", "N": "a\x01b"}}}', "invalid JSON"),
        ("Resources: {}\n", "Resources is empty; CloudFormation needs at least one resource"),
        ("Resources: [a]\n", "Resources is not a mapping"),
        ("AWSTemplateFormatVersion: '2010-09-09'\nDescription: x\n", "no Resources section"),
        ("Transform: AWS::Serverless-2016-10-31\nResources:\n", "Resources is empty"),
    ],
)
def test_what_cloudformation_refuses_is_refused_in_one_line(text: str, expected: str) -> None:
    assert expected in _error(text)


def test_every_cloudformation_short_tag_is_read_the_rules_functions_included() -> None:
    text = BUCKET + (
        "Rules:\n  R:\n    Assertions:\n"
        "      - Assert: !Contains [[a, b], !Ref P]\n"
        "      - Assert: !EachMemberIn [!ValueOfAll [AWS::EC2::Subnet::Id, VpcId], !RefAll AWS::EC2::VPC::Id]\n"
        "      - Assert: !EachMemberEquals [!ValueOf [P, Tags], x]\n"
    )
    assertions = parse_template(text, "t.yaml")["Rules"]["R"]["Assertions"]
    assert assertions[0]["Assert"] == {"Fn::Contains": [["a", "b"], {"Ref": "P"}]}
    assert set(assertions[1]["Assert"]["Fn::EachMemberIn"][0]) == {"Fn::ValueOfAll"}
    assert assertions[1]["Assert"]["Fn::EachMemberIn"][1] == {"Fn::RefAll": "AWS::EC2::VPC::Id"}
    assert set(assertions[2]["Assert"]) == {"Fn::EachMemberEquals"}


def test_a_tag_cloudformation_does_not_have_is_named_with_what_to_do() -> None:
    assert _error(BUCKET + "    Properties: !Rain::Embed bucket.yaml\n") == (
        "t.yaml: line 4: !Rain::Embed is a Rain directive, not CloudFormation; run `rain pkg` first"
    )
    assert _error(BUCKET + "    Properties: !Bogus x\n") == (
        "t.yaml: line 4: !Bogus is not a CloudFormation tag; CloudFormation reads only its own short forms "
        "(!Ref, !Sub, !GetAtt, ...): write the function in full (Fn::Name: ...)"
    )


def test_a_document_that_is_plainly_something_else_is_told_apart() -> None:
    for text in ('{"name": "package", "version": "1.0.0"}', '{"Parameters": {"Stage": "prod"}}', "- a\n- b\n", ""):
        with pytest.raises(NotATemplateError):
            parse_template(text, "t")
    with pytest.raises(TemplateError) as raised:
        parse_template("AWSTemplateFormatVersion: '2010-09-09'\nParameters: {}\n", "t")
    assert not isinstance(raised.value, NotATemplateError)  # a template without resources is a broken template


def test_lines_are_those_of_the_resources_keys() -> None:
    _, lines = parse_template_with_lines("Description: d\n" + BUCKET + "  Topic:\n    Type: AWS::SNS::Topic\n", "t")
    assert lines == {"Bucket": 3, "Topic": 5}


# -- reading the file --------------------------------------------------------------------------------------


def test_a_device_is_refused_without_being_read() -> None:
    with pytest.raises(TemplateError, match="is a character device, not a file"):
        read_template_text(Path("/dev/zero"))


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "template.yaml"
    os.mkfifo(fifo)
    # In a child process with a timeout: a reader that waits for a writer would hang the suite.
    code = (
        "from pathlib import Path\nfrom eu_residency.template_loader import read_template_text\n"
        f"try:\n    read_template_text(Path({str(fifo)!r}))\nexcept Exception as error:\n    print(error)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == f"{fifo}: is a named pipe (FIFO), not a file; only regular files are read"


def test_a_file_larger_than_cloudformation_reads_is_refused_with_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_TEMPLATE_BYTES + 1))
    with pytest.raises(TemplateError) as raised:
        read_template_text(big)
    assert str(raised.value) == (
        f"{big}: is 1,000,001 bytes, larger than 1,000,000 (1 MB, CloudFormation's limit for a template in S3)"
    )
    exact = tmp_path / "exact.yaml"
    exact.write_bytes(b"#" * MAX_TEMPLATE_BYTES)
    assert read_template_text(exact) == "#" * MAX_TEMPLATE_BYTES


def test_utf16_and_bytes_that_are_not_utf8_are_refused(tmp_path: Path) -> None:
    wide = tmp_path / "wide.yaml"
    wide.write_text(BUCKET, encoding="utf-16")
    with pytest.raises(TemplateError, match="is UTF-16 or UTF-32 text; CloudFormation reads templates as UTF-8"):
        read_template_text(wide)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(BUCKET.encode() + b"# caf\xe9\n")
    with pytest.raises(TemplateError, match=rf"cannot be read as UTF-8 text \(byte {len(BUCKET) + 5} is not UTF-8\)"):
        read_template_text(latin)
    marked = tmp_path / "marked.yaml"
    marked.write_bytes(b"\xef\xbb\xbf" + BUCKET.encode())
    assert parse_template(read_template_text(marked), "m")["Resources"]["Bucket"]["Type"] == "AWS::S3::Bucket"


# -- fuzzing, bounded ---------------------------------------------------------------------------------------

ALIAS_TOKENS = st.sampled_from(
    ["&a ", "&b ", "*a", "*b", "[", "]", "{", "}", ", ", ": ", "- ", "\n", "\n  ", "<<: ", "x", "Resources",
     "Type", "!Ref ", "!Sub ", "? ", "'", "1", "true"]
)  # fmt: skip


@settings(max_examples=300, deadline=2_000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ALIAS_TOKENS, max_size=80))
def test_yaml_with_anchors_and_aliases_is_a_template_or_one_line_in_bounded_memory(tokens: list[str]) -> None:
    tracemalloc.start()
    try:
        parse_template("".join(tokens), "fuzz")
    except TemplateError as error:
        assert str(error).startswith("fuzz: ") and "\n" not in str(error)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < 20 * 2**20


def test_several_yaml_documents_are_plainly_not_a_template() -> None:
    with pytest.raises(NotATemplateError, match="several YAML documents in one file; a template is one"):
        parse_template("kind: Deployment\n---\nkind: Service\n", "t")


def test_a_rain_directive_written_as_a_json_key_is_named_like_its_yaml_tag() -> None:
    text = '{"Resources": {\n "Bucket": {\n  "Type": "AWS::S3::Bucket",\n  "Properties": {"Rain::Embed": "b.yaml"}}}}'
    with pytest.raises(TemplateError) as raised:
        parse_template(text, "t.json")
    assert (
        str(raised.value) == "t.json: line 4: Rain::Embed is a Rain directive, not CloudFormation; run `rain pkg` first"
    )
    module = "Resources:\n  Network:\n    Rain::Module: vpc.yaml\n"  # a Rain module has no Type either
    assert (
        _error(module) == "t.yaml: line 3: Rain::Module is a Rain directive, not CloudFormation; run `rain pkg` first"
    )
    # text that only mentions Rain is no directive
    parse_template(BUCKET + "    Properties: {Tags: [{Key: note, Value: 'Rain::Embed was used once'}]}\n", "t.yaml")
