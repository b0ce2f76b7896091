"""How findings show values: ARNs and endpoints are never cut off, the middle of a long value is elided, a
region is never said to be in itself, and a name AWS has no region for is said to be one."""

from __future__ import annotations

from typing import Any

from eu_residency.core.messages import ELLIPSIS, arn_in, host_in, shortened, shown_value
from eu_residency.core.regions import describe_region
from eu_residency.core.settings import RuleSettings
from eu_residency.core.template_view import TemplateView, Text
from eu_residency.core.vocabulary import ENDPOINT_REGION, REGIONAL_ARN, SHOWN_LENGTH
from eu_residency.rules.engine import TemplateInput, check_templates
from eu_residency.rules.registry import RULES_BY_ID

LOG_GROUP_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/" + "chat-" * 30 + "handler:*"
QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/" + "attachments-" * 20 + "queue"


def messages(rule_id: str, resource: dict[str, Any], region: str = "eu-west-1") -> list[str]:
    item = TemplateInput(name="t", template={"Resources": {"Thing": resource}}, region=region)
    return [finding.message for finding in check_templates([item], RuleSettings(), [RULES_BY_ID[rule_id]])["t"]]


def test_a_short_value_is_shown_whole() -> None:
    for text in ("arn:aws:sqs:us-east-1:123456789012:queue", "https://hooks.example.eu/x", "x" * SHOWN_LENGTH):
        assert shortened(text) == text


def test_a_long_arn_keeps_its_service_region_account_type_and_name() -> None:
    shown = shortened(LOG_GROUP_ARN)
    assert len(shown) <= SHOWN_LENGTH and ELLIPSIS in shown
    assert shown.startswith("arn:aws:logs:us-east-1:123456789012:log-group:")
    assert shown.endswith("chat-handler:*")  # the end of the name, never cut off
    long_name = "arn:aws:sqs:eu-west-2:123456789012:" + "q" * 300
    assert shortened(long_name).startswith("arn:aws:sqs:eu-west-2:123456789012:q")
    assert shortened(long_name).endswith("q") and len(shortened(long_name)) <= SHOWN_LENGTH
    path = "arn:aws:s3:::bucket/" + "folder/" * 40 + "attachment.bin"
    assert shortened(path).startswith("arn:aws:s3:::bucket/") and shortened(path).endswith("/attachment.bin")


def test_a_long_url_keeps_its_scheme_and_host() -> None:
    shown = shortened(QUEUE_URL)
    assert shown.startswith("https://sqs.us-east-1.amazonaws.com/") and shown.endswith("queue")
    assert len(shown) <= SHOWN_LENGTH and ELLIPSIS in shown


def test_other_text_keeps_its_start_and_end() -> None:
    shown = shortened("start" + "x" * 500 + "end")
    assert shown.startswith("start") and shown.endswith("end") and len(shown) == SHOWN_LENGTH


def test_the_whole_arn_and_host_around_a_match() -> None:
    document = '{"QueueUrl":"https://firehose.us-east-1.amazonaws.com/x","Arn":"arn:aws:sns:ap-south-1:1:topic"}'
    endpoint = ENDPOINT_REGION.search(document)
    arn = REGIONAL_ARN.search(document)
    assert endpoint is not None and arn is not None
    assert host_in(document, endpoint.start(), endpoint.end()) == "firehose.us-east-1.amazonaws.com"
    assert arn_in(document, arn.start()) == "arn:aws:sns:ap-south-1:1:topic"
    registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    image = f"{registry}/chat:1"
    match = ENDPOINT_REGION.search(image)
    assert match is not None and host_in(image, match.start(), match.end()) == registry


def test_region_references_show_the_endpoint_with_its_service_and_the_whole_arn() -> None:
    found = messages(
        "EU-RES-060",
        {
            "Type": "AWS::SSM::Parameter",
            "Properties": {
                "Type": "String",
                "Value": {"Fn::Sub": "https://firehose.us-east-1.amazonaws.com/${AWS::AccountId}/stream"},
                "Description": f"logs to {LOG_GROUP_ARN} and more",
            },
        },
    )
    assert "the endpoint firehose.us-east-1.amazonaws.com is in us-east-1 (N. Virginia, outside the EU)" in found
    assert f"the ARN {shortened(LOG_GROUP_ARN)} is in us-east-1 (N. Virginia, outside the EU)" in found


def test_a_region_is_never_said_to_be_in_itself() -> None:
    resource = {"Type": "Custom::Reader", "Properties": {"ServiceToken": "x", "Region": "eu-west-2"}}
    [message] = messages("EU-RES-060", resource)
    assert message == "the region property Region is eu-west-2 (London, United Kingdom, outside the EU)"
    assert "eu-west-2 is in eu-west-2" not in message


def test_a_name_shaped_like_a_region_that_aws_does_not_have_is_said_to_be_so() -> None:
    assert describe_region("na-east-1") == "na-east-1, which is not a region AWS has"
    [stack] = messages("EU-RES-001", {"Type": "AWS::SNS::Topic"}, region="na-east-1")
    assert stack == "the stack deploys to na-east-1, which is not a region AWS has"
    secret = {"Type": "AWS::SecretsManager::Secret", "Properties": {"ReplicaRegions": [{"Region": "na-east-1"}]}}
    assert messages("EU-RES-017", secret) == ["the secret's replica region is na-east-1, which is not a region AWS has"]


def test_a_text_with_holes_is_shortened_in_its_reason_but_read_whole() -> None:
    view = TemplateView(
        template={"Parameters": {"Env": {}}, "Resources": {}}, region="eu-west-1", settings=RuleSettings()
    )
    value = view.resolve({"Fn::Sub": "prefix-" + "a" * 400 + "-${Env}"})
    assert isinstance(value, Text)
    assert value.shown.endswith("-${Env}") and len(value.shown) > 400  # read whole, field by field
    assert value.reason.endswith("where ${Env} is the parameter Env, chosen at deploy time")
    assert len(value.reason) < 200 and ELLIPSIS in value.reason


def test_a_malformed_value_is_shown_short_however_large_it_is() -> None:
    level: Any = ["x" * 1000]
    for _ in range(40):  # as YAML aliases build it: each level the one below, twice (2**40 leaves)
        level = [level, level]
    assert len(shown_value(level)) <= SHOWN_LENGTH  # read a few levels deep: a full repr would never end
    view = TemplateView(template={"Resources": {}}, region="eu-west-1", settings=RuleSettings())
    malformed = view.resolve({"Fn::Join": level})
    assert malformed.reason.startswith("a malformed Fn::Join [[[[") and len(malformed.reason) < 160
