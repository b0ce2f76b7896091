"""Network stack: three tiers over the pinned zones, in-region endpoints, encrypted flow logs."""

from __future__ import annotations

import re

import pytest
from aws_cdk.assertions import Match

from constructs_lib.constructs.network import INTERFACE_ENDPOINTS
from tests.conftest import BuiltPlatform, only_resource, resources


def test_vpc_spans_the_three_pinned_zones_with_three_tiers(each_env: BuiltPlatform) -> None:
    template = each_env.template(each_env.stacks.network)
    subnets = resources(template, "AWS::EC2::Subnet").values()
    zones = {subnet["Properties"]["AvailabilityZone"] for subnet in subnets}
    assert zones == set(each_env.config.availability_zones)
    tiers = {
        tag["Value"]
        for subnet in subnets
        for tag in subnet["Properties"]["Tags"]
        if tag["Key"] == "aws-cdk:subnet-name"
    }
    assert tiers == {"public", "application", "data"}
    assert len(subnets) == 9
    public = [s for s in subnets if s["Properties"].get("MapPublicIpOnLaunch")]
    assert len(public) == 3


@pytest.mark.parametrize(("env_name", "nat_count"), [("dev", 1), ("prod", 3)])
def test_nat_gateways_one_in_dev_one_per_zone_in_prod(
    env_name: str, nat_count: int, dev: BuiltPlatform, prod: BuiltPlatform
) -> None:
    platform = {"dev": dev, "prod": prod}[env_name]
    platform.template(platform.stacks.network).resource_count_is("AWS::EC2::NatGateway", nat_count)


def test_data_subnets_have_no_route_to_the_internet(dev: BuiltPlatform) -> None:
    template = dev.template(dev.stacks.network)
    routes = resources(template, "AWS::EC2::Route")
    data_route_tables = {
        logical_id
        for logical_id, table in resources(template, "AWS::EC2::RouteTable").items()
        if any(tag["Value"].split("/")[-1].startswith("dataSubnet") for tag in table["Properties"]["Tags"])
    }
    assert len(data_route_tables) == 3
    for route in routes.values():
        assert route["Properties"]["RouteTableId"]["Ref"] not in data_route_tables


def test_flow_logs_capture_all_traffic_to_an_encrypted_expiring_group(each_env: BuiltPlatform) -> None:
    template = each_env.template(each_env.stacks.network)
    flow_log = only_resource(template, "AWS::EC2::FlowLog")["Properties"]
    assert flow_log["TrafficType"] == "ALL"
    assert flow_log["LogDestinationType"] == "cloud-watch-logs"
    group_id = flow_log["LogGroupName"]["Ref"]
    group = resources(template, "AWS::Logs::LogGroup")[group_id]["Properties"]
    assert group["RetentionInDays"] == each_env.config.retention.log_days
    assert "KmsKeyId" in group


def test_gateway_endpoints_for_s3_and_dynamodb(dev: BuiltPlatform) -> None:
    template = dev.template(dev.stacks.network)
    endpoints = resources(template, "AWS::EC2::VPCEndpoint").values()
    gateway_services = {
        _service_suffix(endpoint["Properties"]["ServiceName"])
        for endpoint in endpoints
        if endpoint["Properties"].get("VpcEndpointType") == "Gateway"
    }
    assert gateway_services == {"s3", "dynamodb"}


def test_interface_endpoints_keep_aws_api_traffic_in_region(dev: BuiltPlatform) -> None:
    template = dev.template(dev.stacks.network)
    interface = [
        endpoint["Properties"]
        for endpoint in resources(template, "AWS::EC2::VPCEndpoint").values()
        if endpoint["Properties"].get("VpcEndpointType") == "Interface"
    ]
    services = {_service_suffix(endpoint["ServiceName"]) for endpoint in interface}
    assert services == {"kms", "secretsmanager", "logs", "ecr.api", "ecr.dkr", "sts", "ssm"}
    assert len(interface) == len(INTERFACE_ENDPOINTS)
    assert all(endpoint["PrivateDnsEnabled"] for endpoint in interface)


def test_endpoint_security_group_admits_only_https_from_the_vpc(dev: BuiltPlatform) -> None:
    template = dev.template(dev.stacks.network)
    template.has_resource_properties(
        "AWS::EC2::SecurityGroup",
        {
            "GroupDescription": Match.string_like_regexp("in-region AWS service endpoints"),
            "SecurityGroupIngress": [
                Match.object_like({"CidrIp": "10.20.0.0/16", "FromPort": 443, "ToPort": 443, "IpProtocol": "tcp"})
            ],
        },
    )


def test_default_security_group_is_stripped_of_its_rules(dev: BuiltPlatform) -> None:
    template = dev.template(dev.stacks.network)
    template.resource_count_is("Custom::VpcRestrictDefaultSG", 1)


def test_custom_resource_lambda_logs_to_an_encrypted_expiring_group(dev: BuiltPlatform) -> None:
    template = dev.template(dev.stacks.network)
    function = only_resource(template, "AWS::Lambda::Function")
    group_id = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    assert group_id in function["DependsOn"]
    group = resources(template, "AWS::Logs::LogGroup")[group_id]["Properties"]
    assert group["RetentionInDays"] == dev.config.retention.log_days
    assert "KmsKeyId" in group


def _service_suffix(service_name: object) -> str:
    """com.amazonaws.eu-west-1.ecr.api -> ecr.api, for both literal and joined service names."""
    text = (
        service_name
        if isinstance(service_name, str)
        else "".join(
            part
            for part in service_name["Fn::Join"][1]
            if isinstance(part, str)  # type: ignore[index]
        )
    )
    return re.sub(r"^com\.amazonaws\.(eu-west-1)?\.?", "", text)
