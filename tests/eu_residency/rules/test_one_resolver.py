"""The rules read values through the core's one resolver: text with holes, references, Fn::If options.

Unit cases for what the partial resolvers got wrong, and a property test: the same ARN or URL, with the
same holes, gets the same verdict from every rule that reads a region from it, and that verdict is what
``core.values.named_region`` says.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eu_residency.core.resolved import Cause, Unknown
from eu_residency.core.rule_model import Finding, Severity
from eu_residency.core.settings import RuleSettings
from eu_residency.core.template_view import TemplateView
from eu_residency.core.values import named_region
from eu_residency.rules.encryption import s3_bucket_tls
from eu_residency.rules.engine import TemplateInput, check_templates
from eu_residency.rules.registry import RULES

BY_ID = {rule.id: rule for rule in RULES}
EU = ("eu-west-1", "eu-central-1", "eu-north-1")
OUTSIDE = ("us-east-1", "us-west-2", "ap-southeast-2")
PARAMETERS = {"Region": {"Type": "String"}, "Name": {"Type": "String"}}


def findings(
    rule_id: str,
    resources: dict[str, Any],
    *,
    region: str | None = "eu-west-1",
    account: str | None = None,
    conditions: dict[str, Any] | None = None,
) -> list[Finding]:
    template: dict[str, Any] = {"Parameters": PARAMETERS, "Resources": resources}
    if conditions:
        template["Conditions"] = conditions
    item = TemplateInput(name="t", template=template, region=region, account=account)
    return check_templates([item], RuleSettings(), rules=[BY_ID[rule_id]])["t"]


def verdict(found: list[Finding]) -> str:
    if not found:
        return "pass"
    if any(finding.severity is Severity.FATAL for finding in found):
        return "fatal"
    assert all(finding.undecided is not None for finding in found), found
    return "undecidable"


# -- 4: API Gateway endpoint types under Fn::If ---------------------------------------------------------

IS_PROD = {"IsProd": {"Fn::Equals": [{"Ref": "Name"}, "prod"]}}


def _rest_api(types: Any) -> dict[str, Any]:
    return {"Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"EndpointConfiguration": types}}}


def test_endpoint_configuration_chosen_by_fn_if_between_safe_types_passes() -> None:
    configuration = {"Fn::If": ["IsProd", {"Types": ["REGIONAL"]}, {"Types": ["PRIVATE"]}]}
    assert findings("EU-RES-032", _rest_api(configuration), conditions=IS_PROD) == []


def test_endpoint_configuration_with_an_edge_branch_stays_a_finding() -> None:
    configuration = {"Fn::If": ["IsProd", {"Types": ["REGIONAL"]}, {"Types": ["EDGE"]}]}
    found = findings("EU-RES-032", _rest_api(configuration), conditions=IS_PROD)
    assert [finding.severity for finding in found] == [Severity.FATAL]
    assert "EDGE" in found[0].message


def test_endpoint_configuration_with_a_branch_without_it_is_edge() -> None:
    configuration = {"Fn::If": ["IsProd", {"Types": ["REGIONAL"]}, {"Ref": "AWS::NoValue"}]}
    found = findings("EU-RES-032", _rest_api(configuration), conditions=IS_PROD)
    assert [finding.severity for finding in found] == [Severity.FATAL]
    assert found[0].message.startswith("no EndpointConfiguration")


def test_endpoint_types_from_a_parameter_are_undecidable_and_carry_the_parameter() -> None:
    found = findings("EU-RES-032", _rest_api({"Types": [{"Ref": "Name"}]}))
    assert [finding.severity for finding in found] == [Severity.ERROR]
    assert found[0].undecided is not None and found[0].undecided.cause is Cause.PARAMETER


# -- 5: the stack's own API as an endpoint ----------------------------------------------------------------

OWN_API = {"Fn::Sub": "https://${Api}.execute-api.${AWS::Region}.amazonaws.com/prod"}


def _with_api(resources: dict[str, Any]) -> dict[str, Any]:
    return {"Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {}}, **resources}


def _firehose(url: Any) -> dict[str, Any]:
    configuration = {"EndpointConfiguration": {"Url": url}, "S3Configuration": {}}
    properties = {"HttpEndpointDestinationConfiguration": configuration}
    return {"Stream": {"Type": "AWS::KinesisFirehose::DeliveryStream", "Properties": properties}}


def _api_destination(url: Any) -> dict[str, Any]:
    properties = {"InvocationEndpoint": url, "HttpMethod": "POST"}
    return {"Destination": {"Type": "AWS::Events::ApiDestination", "Properties": properties}}


@pytest.mark.parametrize(("rule_id", "build"), [("EU-RES-050", _firehose), ("EU-RES-051", _api_destination)])
@pytest.mark.parametrize("region", ["eu-west-1", None])
def test_the_stacks_own_api_in_its_own_region_is_no_finding(rule_id: str, build: Any, region: str | None) -> None:
    assert findings(rule_id, _with_api(build(OWN_API)), region=region) == []


@pytest.mark.parametrize(("rule_id", "build"), [("EU-RES-050", _firehose), ("EU-RES-051", _api_destination)])
def test_an_api_in_another_region_is_fatal_and_a_foreign_host_still_needs_vetting(rule_id: str, build: Any) -> None:
    outside = {"Fn::Sub": "https://${Api}.execute-api.us-east-1.amazonaws.com/prod"}
    assert verdict(findings(rule_id, _with_api(build(outside)))) == "fatal"
    foreign = {"Fn::Sub": "https://example.com/${Api}.execute-api.eu-west-1.amazonaws.com/prod"}
    found = findings(rule_id, _with_api(build(foreign)))
    assert verdict(found) == "undecidable"


# -- 6: certificates --------------------------------------------------------------------------------------


def _listener(certificate: Any) -> dict[str, Any]:
    properties = {"Protocol": "HTTPS", "Port": 443, "Certificates": [{"CertificateArn": certificate}]}
    return {"Listener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": properties}}


def _distribution(certificate: Any) -> dict[str, Any]:
    configuration = {"ViewerCertificate": {"AcmCertificateArn": certificate}}
    properties = {"DistributionConfig": configuration}
    return {"Distribution": {"Type": "AWS::CloudFront::Distribution", "Properties": properties}}


def test_a_certificate_of_the_stacks_region_with_the_account_unknown_is_no_finding() -> None:
    certificate = {"Fn::Sub": "arn:aws:acm:${AWS::Region}:${AWS::AccountId}:certificate/x"}
    assert findings("EU-RES-035", _listener(certificate), account=None) == []
    assert findings("EU-RES-035", _listener(certificate), region=None, account=None) == []


def test_a_us_east_1_certificate_on_a_distribution_is_the_distributions_finding_not_the_certificates() -> None:
    """CloudFront takes certificates from us-east-1 only; what moves data is the distribution (EU-RES-030)."""
    distribution = _distribution("arn:aws:acm:us-east-1:123456789012:certificate/x")
    assert findings("EU-RES-035", distribution) == []
    assert [finding.severity for finding in findings("EU-RES-030", distribution)] == [Severity.FATAL]


def test_a_listener_certificate_whose_region_is_a_parameter_is_of_the_stacks_region() -> None:
    """AWS takes a listener certificate of the stack's own region only: whatever the parameter, it is that one."""
    certificate = {"Fn::Sub": "arn:aws:acm:${Region}:${AWS::AccountId}:certificate/x"}
    assert findings("EU-RES-035", _listener(certificate)) == []


def test_a_listener_certificate_of_another_region_is_a_stack_that_cannot_deploy() -> None:
    found = findings("EU-RES-035", _listener("arn:aws:acm:us-east-1:123456789012:certificate/x"))
    assert [finding.severity for finding in found] == [Severity.ERROR]
    assert "cannot deploy" in found[0].message and found[0].undecided is None


# -- 7: an SNS topic in us-east-1 with the account unknown is fatal everywhere -----------------------------

US_TOPIC = {"Fn::Sub": "arn:aws:sns:us-east-1:${AWS::AccountId}:x"}


def _backup(vault: Any) -> dict[str, Any]:
    copy = {"DestinationBackupVaultArn": vault}
    plan_rule = {"RuleName": "r", "TargetBackupVault": "v", "CopyActions": [copy]}
    properties = {"BackupPlan": {"BackupPlanName": "p", "BackupPlanRule": [plan_rule]}}
    return {"Plan": {"Type": "AWS::Backup::BackupPlan", "Properties": properties}}


def _subscription(topic: Any) -> dict[str, Any]:
    properties = {"TopicArn": topic, "Protocol": "sqs", "Endpoint": "arn:aws:sqs:eu-west-1:123456789012:q"}
    return {"Subscription": {"Type": "AWS::SNS::Subscription", "Properties": properties}}


def _function_environment(topic: Any) -> dict[str, Any]:
    properties = {"Role": "r", "Code": {"ZipFile": "x"}, "Environment": {"Variables": {"TOPIC": topic}}}
    return {"Function": {"Type": "AWS::Lambda::Function", "Properties": properties}}


@pytest.mark.parametrize(
    ("rule_id", "build"),
    [("EU-RES-012", _backup), ("EU-RES-060", _subscription), ("EU-RES-060", _function_environment)],
)
def test_a_us_east_1_topic_with_the_account_unknown_is_fatal(rule_id: str, build: Any) -> None:
    found = findings(rule_id, build(US_TOPIC), account=None)
    assert found and all(finding.severity is Severity.FATAL for finding in found)


# -- 1: S3 buckets named by text with holes ----------------------------------------------------------------


def _replication(destination: Any) -> dict[str, Any]:
    rule = {"Status": "Enabled", "Destination": {"Bucket": destination}}
    configuration = {"Role": "arn:aws:iam::123456789012:role/r", "Rules": [rule]}
    properties = {"ReplicationConfiguration": configuration}
    return {"Source": {"Type": "AWS::S3::Bucket", "Properties": properties}}


def test_a_bucket_arn_around_a_parameter_says_the_bucket_name_depends_on_it() -> None:
    found = findings("EU-RES-010", _replication({"Fn::Sub": "arn:aws:s3:::${Name}-replica"}))
    assert [finding.severity for finding in found] == [Severity.ERROR]
    assert "its bucket name depends on the parameter Name" in found[0].message
    assert found[0].undecided is not None


def test_a_bucket_arn_of_a_bucket_of_the_template_passes() -> None:
    resources = {**_replication({"Fn::Sub": "arn:aws:s3:::${Replica}"}), "Replica": {"Type": "AWS::S3::Bucket"}}
    assert findings("EU-RES-010", resources) == []


# -- 2: the TLS rule's glob is linear ------------------------------------------------------------------------


def test_the_resource_glob_matches_as_iam_does() -> None:
    matches = s3_bucket_tls._glob
    assert matches("arn:aws:s3:::b*")("arn:aws:s3:::bucket/")
    assert matches("arn:aws:s3:::b?cket")("arn:aws:s3:::bucket")
    assert not matches("arn:aws:s3:::b?cket")("arn:aws:s3:::buckets")
    assert matches("arn:*:s3:::*/*")("arn:aws:s3:::bucket/")
    assert not matches("arn:aws:s3:::*/x*y")("arn:aws:s3:::bucket/")
    assert matches("*")("")
    assert matches("a*a*a")("aaa") and not matches("a*a*a")("aa")


def test_ten_stars_against_an_eighty_character_id_do_not_backtrack() -> None:
    pattern = "a*" * 10 + "b"
    text = "a" * 80
    started = time.perf_counter()
    assert not s3_bucket_tls._glob(pattern)(text)
    assert s3_bucket_tls._glob(pattern)(text + "b")
    assert time.perf_counter() - started < 0.05


# -- the property: one verdict per value, whichever rule reads it ------------------------------------------

REGION_FIELD = st.one_of(
    st.sampled_from(EU + OUTSIDE),
    st.just("${AWS::Region}"),
    st.just("${Region}"),
)
ACCOUNT_FIELD = st.sampled_from(["123456789012", "${AWS::AccountId}"])
RESOURCE_FIELD = st.sampled_from(["thing", "${Queue}", "${Name}"])
SERVICE = st.sampled_from(["sns", "sqs", "kms", "backup", "lambda", "acm"])
QUEUE = {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {}}}


def _value(text: str) -> Any:
    return {"Fn::Sub": text} if "${" in text else text


def _expected(text: str, region: str | None) -> str:
    view = TemplateView({"Parameters": PARAMETERS, "Resources": QUEUE}, region, RuleSettings(), account=None)
    named = named_region(view.resolve(_value(text)))
    if named is None:
        return "pass"
    if isinstance(named, Unknown):
        return "pass" if named.cause is Cause.STACK_REGION else "undecidable"
    return "pass" if named in EU else "fatal"


# EU-RES-035 reads certificates AWS binds to one region (issue 13): its verdicts are tested above.
ARN_READERS = [("EU-RES-012", _backup)]
URL_READERS = [("EU-RES-050", _firehose), ("EU-RES-051", _api_destination)]


@settings(max_examples=60, deadline=None)
@given(SERVICE, REGION_FIELD, ACCOUNT_FIELD, RESOURCE_FIELD, st.sampled_from(["eu-west-1", None]))
def test_every_rule_reading_an_arns_region_agrees_with_named_region(
    service: str, region_field: str, account: str, resource: str, stack_region: str | None
) -> None:
    text = f"arn:aws:{service}:{region_field}:{account}:{resource}"
    expected = _expected(text, stack_region)
    for rule_id, build in ARN_READERS:
        found = findings(rule_id, {**QUEUE, **build(_value(text))}, region=stack_region)
        assert verdict(found) == expected, (rule_id, text, found)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["${Queue}", "${Name}", "api"]),
    st.sampled_from(["execute-api", "lambda-url", "sqs"]),
    REGION_FIELD,
    st.sampled_from(["", "/prod", ":443/prod"]),
    st.sampled_from(["eu-west-1", None]),
)
def test_every_rule_reading_an_endpoints_region_agrees_with_named_region(
    host: str, service: str, region_field: str, tail: str, stack_region: str | None
) -> None:
    text = f"https://{host}.{service}.{region_field}.amazonaws.com{tail}"
    expected = _expected(text, stack_region)
    for rule_id, build in URL_READERS:
        found = findings(rule_id, {**QUEUE, **build(_value(text))}, region=stack_region)
        assert verdict(found) == expected, (rule_id, text, found)


def test_a_listener_certificate_outside_the_eu_in_an_agnostic_stack_says_where_it_could_deploy() -> None:
    found = findings("EU-RES-035", _listener("arn:aws:acm:us-east-1:123456789012:certificate/x"), region=None)
    assert [finding.severity for finding in found] == [Severity.ERROR]
    assert "deploys only there" in found[0].message
    eu = "arn:aws:acm:eu-central-1:123456789012:certificate/x"
    assert findings("EU-RES-035", _listener(eu), region=None) == []
