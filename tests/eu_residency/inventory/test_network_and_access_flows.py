"""The ways in and out of the app's networks, and the application's reads and writes, as inventory flows:
gateways and their routes, security-group egress, VPC endpoints, ingress, IAM grants and environment."""

from __future__ import annotations

import json
from typing import Any

import pytest

from eu_residency.core.template_view import TemplateView
from eu_residency.inventory import UNKNOWN_REGION, Flow, FlowKind, Inventory
from eu_residency.inventory.network_flows import INTERNET_CLIENTS, THE_INTERNET
from tests.eu_residency.inventory.test_inventory import inventory


def flows(found: Inventory, kind: str) -> list[Flow]:
    return [flow for flow in found.flows if flow.kind == kind]


def ends(found: Inventory, kind: str) -> set[tuple[str, str]]:
    """(source logical id, destination logical id or label) of every flow of ``kind``."""
    return {
        (flow.source.logical_id or flow.source.label, flow.destination.logical_id or flow.destination.label)
        for flow in flows(found, kind)
    }


def ref(logical_id: str) -> dict[str, str]:
    return {"Ref": logical_id}


def arn(logical_id: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


VPC = {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}}
TABLE = {"Table": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": ref("Vpc")}}}


def route(target: str, value: Any, cidr: str = "0.0.0.0/0", key: str = "DestinationCidrBlock") -> dict[str, Any]:
    return {"Type": "AWS::EC2::Route", "Properties": {"RouteTableId": ref("Table"), key: cidr, target: value}}


# -- gateways ------------------------------------------------------------------------------------------------


def test_routes_to_internet_nat_and_egress_only_gateways_are_egress_to_the_internet() -> None:
    found = inventory(
        {
            **VPC,
            **TABLE,
            "Igw": {"Type": "AWS::EC2::InternetGateway"},
            "Attach": {
                "Type": "AWS::EC2::VPCGatewayAttachment",
                "Properties": {"VpcId": ref("Vpc"), "InternetGatewayId": ref("Igw")},
            },
            "Nat": {"Type": "AWS::EC2::NatGateway", "Properties": {"SubnetId": "subnet-1"}},
            "Eigw": {"Type": "AWS::EC2::EgressOnlyInternetGateway", "Properties": {"VpcId": ref("Vpc")}},
            "ToIgw": route("GatewayId", ref("Igw")),
            "ToNat": route("NatGatewayId", ref("Nat")),
            "ToEigw": route("EgressOnlyInternetGatewayId", ref("Eigw"), "::/0", "DestinationIpv6CidrBlock"),
            "ToVpn": route("GatewayId", "vgw-0123"),
        }
    )
    egress = flows(found, FlowKind.EGRESS)
    assert {(flow.source.logical_id, flow.destination.label) for flow in egress} == {("Vpc", THE_INTERNET)}
    assert sorted(flow.detail for flow in egress) == [
        "route 0.0.0.0/0 through NAT gateway Nat",
        "route 0.0.0.0/0 through internet gateway Igw",
        "route ::/0 through egress-only internet gateway Eigw",
    ]
    assert all(not flow.inside and flow.destination.outside_aws for flow in egress)


def test_an_attached_internet_gateway_without_a_route_is_still_a_way_out() -> None:
    found = inventory(
        {
            **VPC,
            "Igw": {"Type": "AWS::EC2::InternetGateway"},
            "Attach": {
                "Type": "AWS::EC2::VPCGatewayAttachment",
                "Properties": {"VpcId": ref("Vpc"), "InternetGatewayId": ref("Igw")},
            },
        }
    )
    [flow] = flows(found, FlowKind.EGRESS)
    assert flow.source.logical_id == "Vpc" and "no route to it in the templates" in flow.detail


def test_a_private_nat_gateway_leads_to_other_networks_not_the_internet() -> None:
    found = inventory(
        {
            **VPC,
            **TABLE,
            "Nat": {"Type": "AWS::EC2::NatGateway", "Properties": {"ConnectivityType": "private"}},
            "ToNat": route("NatGatewayId", ref("Nat"), "10.9.0.0/16"),
        }
    )
    [flow] = flows(found, FlowKind.EGRESS)
    assert flow.destination.label == "networks beyond a private NAT gateway" and not flow.inside


# -- security groups ----------------------------------------------------------------------------------------


def group(**properties: Any) -> dict[str, Any]:
    return {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "g", **properties}}


NO_TRAFFIC = {"CidrIp": "255.255.255.255/32", "IpProtocol": "icmp", "FromPort": 252, "ToPort": 86}


def test_security_group_egress_to_any_address_and_the_default_rule() -> None:
    found = inventory(
        {
            "Open": group(SecurityGroupEgress=[{"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 443}]),
            "Closed": group(SecurityGroupEgress=[NO_TRAFFIC]),
            "Private": group(SecurityGroupEgress=[{"CidrIp": "10.0.0.0/8", "IpProtocol": "-1"}]),
            "Default": group(),
            "Standalone": group(),
            "StandaloneRule": {
                "Type": "AWS::EC2::SecurityGroupEgress",
                "Properties": {
                    "GroupId": {"Fn::GetAtt": ["Standalone", "GroupId"]},
                    "IpProtocol": "-1",
                    "CidrIpv6": "::/0",
                },
            },
            "ToGroup": group(),
            "ToGroupRule": {
                "Type": "AWS::EC2::SecurityGroupEgress",
                "Properties": {
                    "GroupId": {"Fn::GetAtt": ["ToGroup", "GroupId"]},
                    "IpProtocol": "tcp",
                    "FromPort": 5432,
                    "ToPort": 5432,
                    "DestinationSecurityGroupId": {"Fn::GetAtt": ["Closed", "GroupId"]},
                },
            },
        }
    )
    details = {flow.source.logical_id: flow.detail for flow in flows(found, FlowKind.EGRESS)}
    assert details == {
        "Open": "egress rule: tcp 443 to 0.0.0.0/0",
        "Default": "no egress rule in the templates: the default rule allows all outbound traffic",
        "Standalone": "egress rule StandaloneRule: all traffic to ::/0",
    }


def test_an_egress_cidr_decided_at_deploy_time_may_be_the_internet() -> None:
    found = inventory(
        {"Group": group(SecurityGroupEgress=[{"CidrIp": ref("Cidr"), "IpProtocol": "-1"}])},
        Parameters={"Cidr": {"Type": "String"}},
    )
    [flow] = flows(found, FlowKind.EGRESS)
    assert flow.destination.label == THE_INTERNET and "decided at deploy time" in flow.detail and not flow.inside


# -- VPC endpoints ------------------------------------------------------------------------------------------


def endpoint(service: Any, kind: str | None = None) -> dict[str, Any]:
    properties: dict[str, Any] = {"VpcId": ref("Vpc"), "ServiceName": service}
    if kind:
        properties["VpcEndpointType"] = kind
    return {"Type": "AWS::EC2::VPCEndpoint", "Properties": properties}


def test_vpc_endpoints_reach_their_service_in_the_region_their_name_says() -> None:
    found = inventory(
        {
            **VPC,
            "S3": endpoint({"Fn::Join": ["", ["com.amazonaws.", ref("AWS::Region"), ".s3"]]}),
            "Kms": endpoint("com.amazonaws.eu-west-1.kms", "Interface"),
            "Far": endpoint("com.amazonaws.us-east-1.secretsmanager", "Interface"),
            "Vendor": endpoint("com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0", "Interface"),
        }
    )
    found_flows = {
        flow.destination.label: (flow.source.logical_id, flow.region, flow.inside)
        for flow in flows(found, FlowKind.ENDPOINT)
    }
    assert found_flows == {
        "S3 in eu-west-1 through a gateway endpoint": ("Vpc", "eu-west-1", True),
        "KMS in eu-west-1 through an interface endpoint": ("Vpc", "eu-west-1", True),
        "Secrets Manager in us-east-1 through an interface endpoint": ("Vpc", "us-east-1", False),
        "endpoint service vpce-svc-0123456789abcdef0 (PrivateLink, run by its owner) in eu-west-1 through an "
        "interface endpoint": ("Vpc", "eu-west-1", True),
    }


# -- ingress ------------------------------------------------------------------------------------------------


def test_what_the_internet_can_reach() -> None:
    found = inventory(
        {
            "Public": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {}},
            "Https": {
                "Type": "AWS::ElasticLoadBalancingV2::Listener",
                "Properties": {"LoadBalancerArn": ref("Public"), "Protocol": "HTTPS", "Port": 443},
            },
            "Internal": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Scheme": "internal"}},
            "InternalListener": {
                "Type": "AWS::ElasticLoadBalancingV2::Listener",
                "Properties": {"LoadBalancerArn": ref("Internal"), "Protocol": "HTTP", "Port": 80},
            },
            "Unheard": {
                "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "Properties": {"Scheme": "internet-facing"},
            },
            "Rest": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "r"}},
            "PrivateRest": {
                "Type": "AWS::ApiGateway::RestApi",
                "Properties": {"EndpointConfiguration": {"Types": ["PRIVATE"]}},
            },
            "Http": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"ProtocolType": "HTTP"}},
            "Cdn": {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {}}},
        }
    )
    details = {flow.destination.logical_id: flow.detail for flow in flows(found, FlowKind.INGRESS)}
    assert details == {
        "Public": "internet-facing; listener HTTPS 443",
        "Unheard": "internet-facing; no listener in the templates",
        "Rest": "REST API, EDGE (the default) endpoint",
        "Http": "HTTP API",
        "Cdn": "CloudFront distribution",
    }
    assert {flow.source.label for flow in flows(found, FlowKind.INGRESS)} == {INTERNET_CLIENTS}
    assert all(flow.inside for flow in flows(found, FlowKind.INGRESS))  # the entry is in eu-west-1


# -- reads and writes ---------------------------------------------------------------------------------------


def role() -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {},
            "Policies": [
                {
                    "PolicyName": "Inline",
                    "PolicyDocument": {
                        "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": arn("Queue")}]
                    },
                }
            ],
            "ManagedPolicyArns": [ref("Managed")],
        },
    }


def statement(actions: Any, resource: Any, effect: str = "Allow") -> dict[str, Any]:
    return {"Effect": effect, "Action": actions, "Resource": resource}


APP: dict[str, Any] = {
    "Bucket": {"Type": "AWS::S3::Bucket"},
    "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"KeySchema": []}},
    "Queue": {"Type": "AWS::SQS::Queue"},
    "Secret": {"Type": "AWS::SecretsManager::Secret"},
    "Role": role(),
    "Policy": {
        "Type": "AWS::IAM::Policy",
        "Properties": {
            "PolicyName": "p",
            "Roles": [ref("Role")],
            "PolicyDocument": {
                "Statement": [
                    statement(["s3:GetObject", "s3:PutObject"], {"Fn::Join": ["", [arn("Bucket"), "/*"]]}),
                    statement("dynamodb:Query", [arn("Table")]),
                    statement("s3:GetObject", "arn:aws:s3:::partner-drop/*"),
                    statement("dynamodb:GetItem", "*"),
                    statement("s3:DeleteObject", arn("Bucket"), effect="Deny"),
                    statement("ec2:DescribeInstances", "*"),
                ]
            },
        },
    },
    "Managed": {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {"PolicyDocument": {"Statement": [statement("secretsmanager:Get*", ref("Secret"))]}},
    },
    "Function": {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Role": arn("Role"),
            "Environment": {"Variables": {"QUEUE_URL": ref("Queue"), "TABLE": ref("Table"), "OTHER": "x"}},
        },
    },
}


def test_iam_grants_on_stores_are_reads_and_writes_of_the_function() -> None:
    found = inventory(APP)
    assert ends(found, FlowKind.READ) == {
        ("Function", "Bucket"),
        ("Function", "Table"),
        ("Function", "S3 bucket partner-drop (not in these templates)"),
        ("Function", 'any DynamoDB table of the account (Resource "*")'),
        ("Function", "Secret"),
    }
    assert ends(found, FlowKind.WRITE) == {("Function", "Bucket"), ("Function", "Queue")}
    assert ends(found, FlowKind.USES) == set()  # the queue and the table it names are granted already
    [partner] = [flow for flow in flows(found, FlowKind.READ) if flow.destination.logical_id is None][:1]
    assert partner.region == UNKNOWN_REGION and not partner.inside
    [secret] = [flow for flow in flows(found, FlowKind.READ) if flow.destination.logical_id == "Secret"]
    assert secret.detail == "managed policy Managed: secretsmanager:Get*"


def test_a_store_the_environment_names_without_a_grant_is_used_and_ecs_secrets_are_read() -> None:
    found = inventory(
        {
            "Queue": {"Type": "AWS::SQS::Queue"},
            "Secret": {"Type": "AWS::SecretsManager::Secret"},
            "Host": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": arn("Queue")}},
            "TaskRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
            "Task": {
                "Type": "AWS::ECS::TaskDefinition",
                "Properties": {
                    "TaskRoleArn": arn("TaskRole"),
                    "ContainerDefinitions": [
                        {
                            "Name": "App",
                            "Environment": [{"Name": "QUEUE", "Value": ref("Queue")}],
                            "Secrets": [
                                {"Name": "TOKEN", "ValueFrom": ref("Secret")},
                                {"Name": "QUEUE_ARN", "ValueFrom": ref("Host")},
                            ],
                        }
                    ],
                },
            },
        }
    )
    assert {flow.detail for flow in flows(found, FlowKind.USES)} == {
        "environment variable QUEUE names it",
        "environment variable QUEUE_ARN names it, through SSM parameter Host",
    }
    [token] = flows(found, FlowKind.READ)
    assert (token.destination.logical_id, token.detail) == ("Secret", "secret TOKEN: the task reads it when it starts")


def test_a_grant_in_another_stack_is_followed_through_its_output() -> None:
    data = {
        "Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket"},
            "ReadWrite": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "PolicyDocument": {"Statement": [statement("s3:*", {"Fn::Join": ["", [arn("Bucket"), "/*"]]})]}
                },
            },
        },
        "Outputs": {"Policy": {"Value": ref("ReadWrite"), "Export": {"Name": "data-policy"}}},
    }
    found = inventory(
        {
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {"ManagedPolicyArns": [{"Fn::ImportValue": "data-policy"}]},
            },
            "Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"TaskRoleArn": arn("Role")}},
        },
        others=[("cdk.out/Data.template.json", data, "eu-west-1")],
    )
    assert {(flow.kind, flow.destination.logical_id, flow.destination.stack) for flow in found.flows} >= {
        (FlowKind.READ, "Bucket", "Data"),
        (FlowKind.WRITE, "Bucket", "Data"),
    }


def test_the_new_flows_reach_the_json() -> None:
    document = json.loads(json.dumps(inventory(APP).as_dict()))
    assert {flow["kind"] for flow in document["flows"]} >= {FlowKind.READ, FlowKind.WRITE}


# -- linear in the size of the templates --------------------------------------------------------------------


def _app(size: int) -> dict[str, Any]:
    resources: dict[str, Any] = {**VPC, **TABLE}
    for number in range(size):
        resources[f"Bucket{number}"] = {"Type": "AWS::S3::Bucket"}
        resources[f"Role{number}"] = {"Type": "AWS::IAM::Role", "Properties": {}}
        resources[f"Policy{number}"] = {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "Roles": [ref(f"Role{number}")],
                "PolicyDocument": {"Statement": [statement("s3:GetObject", arn(f"Bucket{number}"))]},
            },
        }
        resources[f"Function{number}"] = {"Type": "AWS::Lambda::Function", "Properties": {"Role": arn(f"Role{number}")}}
        resources[f"Group{number}"] = group()
        resources[f"Route{number}"] = route("GatewayId", "igw-0123")
        resources[f"Endpoint{number}"] = endpoint("com.amazonaws.eu-west-1.s3")
    return resources


@pytest.mark.parametrize("size", [5, 60])
def test_every_reader_reads_the_resources_of_a_template_a_fixed_number_of_times(
    monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    scans: list[int] = []
    original = TemplateView.resources

    def counted(self: TemplateView) -> Any:
        scans.append(1)
        return original(self)

    monkeypatch.setattr(TemplateView, "resources", counted)
    found = inventory(_app(size))
    assert len(flows(found, FlowKind.READ)) == size
    assert len(scans) <= 12, len(scans)  # a fixed number of passes, however many resources
