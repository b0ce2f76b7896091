"""The vocabulary: the ARN parser, the patterns built from one region shape, the short tags, the key alias."""

from __future__ import annotations

import pytest

from eu_residency.core.regions import describe_region, partition_of
from eu_residency.core.vocabulary import (
    ACCOUNT_PRINCIPAL,
    ARN_PARTITION_PREFIX,
    AWS_MANAGED_KEY_ALIAS,
    REGION_SHAPE,
    REGIONAL_ARN,
    S3_BUCKET_ARN_PREFIX,
    SHORT_TAGS,
    Arn,
    arn_pattern,
    function_of_tag,
    parse_arn,
    split_sub,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "arn:aws:sns:us-east-1:123456789012:topic",
            Arn("aws", "sns", "us-east-1", "123456789012", "topic"),
        ),
        ("arn:aws:s3:::bucket/key:with:colons", Arn("aws", "s3", "", "", "bucket/key:with:colons")),
        (
            "arn:aws-eusc:kms:eusc-de-east-1:123456789012:key/abc",
            Arn("aws-eusc", "kms", "eusc-de-east-1", "123456789012", "key/abc"),
        ),
    ],
)
def test_parse_arn_gives_every_part(text: str, expected: Arn) -> None:
    assert parse_arn(text) == expected


@pytest.mark.parametrize("text", ["", None, "arn:aws:sns", "not an arn", "arn:other:sns:eu-west-1:1:x"])
def test_parse_arn_refuses_what_is_not_a_whole_arn(text: str | None) -> None:
    assert parse_arn(text) is None


def test_an_arn_prefix_names_a_sibling_resource() -> None:
    arn = parse_arn("arn:aws:rds:eu-west-1:123456789012:db:main")
    assert arn is not None and arn.prefix == "arn:aws:rds:eu-west-1:123456789012:"


def test_regional_arns_are_found_inside_text() -> None:
    text = '{"Resource": "arn:aws:sqs:us-west-2:1:q", "Other": "arn:aws:s3:::bucket"}'
    assert [(m["service"], m["region"]) for m in REGIONAL_ARN.finditer(text)] == [("sqs", "us-west-2")]


def test_region_shape_accepts_region_names_only() -> None:
    assert all(REGION_SHAPE.match(name) for name in ("eu-west-1", "us-gov-west-1", "eusc-de-east-1"))
    assert not any(REGION_SHAPE.match(name) for name in ("eu-west", "EU-WEST-1", "eu-west-1a"))


def test_short_tags_are_the_intrinsics_cloudformation_documents() -> None:
    assert set(SHORT_TAGS) == {
        "Ref", "Condition", "Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join", "Select",
        "Split", "Sub", "Transform", "And", "Equals", "If", "Not", "Or", "ToJsonString", "Length",
        # the Rules section's functions
        "Contains", "EachMemberEquals", "EachMemberIn", "RefAll", "ValueOf", "ValueOfAll",
    }  # fmt: skip
    assert function_of_tag("Sub") == "Fn::Sub" and function_of_tag("Ref") == "Ref"
    assert function_of_tag("Condition") == "Condition"


def test_sub_variables_skip_escaped_literals() -> None:
    pieces = split_sub("${AWS::Region}-${Bucket.Arn}-${!Literal}")
    assert pieces == ["", "AWS::Region", "-", "Bucket.Arn", "-${!Literal}"]


def test_the_aws_managed_key_alias_by_name_or_arn() -> None:
    for text in ("alias/aws/s3", "arn:aws:kms:eu-west-1:123456789012:alias/aws/s3"):
        match = AWS_MANAGED_KEY_ALIAS.search(text)
        assert match is not None and match["alias"] == "alias/aws/s3"
    assert AWS_MANAGED_KEY_ALIAS.search("alias/my-key") is None


def test_account_principals_and_bucket_arns() -> None:
    assert ACCOUNT_PRINCIPAL.match("arn:aws:iam::123456789012:root") and ACCOUNT_PRINCIPAL.match("123456789012")
    assert not ACCOUNT_PRINCIPAL.match("arn:aws:iam::123456789012:role/x")
    assert S3_BUCKET_ARN_PREFIX.match("arn:aws:s3:::bucket") and not S3_BUCKET_ARN_PREFIX.match("arn:aws:sqs:::x")


def test_regions_are_described_and_partitioned_in_one_place() -> None:
    assert describe_region("us-east-1") == "us-east-1 (N. Virginia, outside the EU)"
    assert describe_region("eu-south-2") == "eu-south-2 (in the EU but not in the allowed regions)"
    assert describe_region("eu-south-2", frozenset({"eu-west-1"})) == (
        "eu-south-2 (in the EU but not one of the allowed regions: eu-west-1)"
    )
    assert describe_region("xx-nowhere-9") == "xx-nowhere-9, which is not a region AWS has"
    assert partition_of("eusc-de-east-1") == "aws-eusc" and partition_of("eu-west-1") == "aws"
    assert partition_of(None) == "aws"


def test_arn_patterns_of_one_service_name_region_account_and_resource() -> None:
    repository = arn_pattern("ecr", r"repository/(?P<name>[a-z0-9][a-z0-9._/-]*)")
    match = repository.match("arn:aws:ecr:eu-west-1:123456789012:repository/chat/app")
    assert match is not None and (match["region"], match["account"], match["name"]) == (
        "eu-west-1",
        "123456789012",
        "chat/app",
    )
    assert repository.match("arn:aws:ecr:eu-west-1:1234:repository/x") is None  # the account has 12 digits
    assert repository.match("arn:aws:s3:eu-west-1:123456789012:repository/x") is None
    assert ARN_PARTITION_PREFIX.sub("arn:aws:", "arn:aws-eusc:s3:::b") == "arn:aws:s3:::b"
