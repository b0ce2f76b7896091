"""The ways in and out of the app's networks: routes to internet, NAT and egress-only gateways, security-group
egress to any address, VPC endpoints and the service and region each reaches, and what the internet can reach
(internet-facing load balancers and their listeners, API Gateway APIs, CloudFront distributions).

Each reader makes one pass over the app's resources, so the whole stays linear in the size of the templates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from eu_residency.core.regions import is_known_region
from eu_residency.core.template_view import Resource, ResourceRef, Unknown
from eu_residency.core.values import MISSING
from eu_residency.inventory.flow_graph import FlowGraph
from eu_residency.inventory.records import UNKNOWN_REGION, Endpoint, FlowKind
from eu_residency.inventory.resolver import STAR, AppResolver, AppStack

THE_INTERNET = "the internet"
INTERNET_CLIENTS = "clients on the internet"
ANY_ADDRESS = ("0.0.0.0/0", "::/0")

# Route targets that leave the VPC for the internet (or, for a private NAT gateway, other networks).
_GATEWAY_TYPES = {
    "AWS::EC2::InternetGateway": "internet gateway",
    "AWS::EC2::NatGateway": "NAT gateway",
    "AWS::EC2::EgressOnlyInternetGateway": "egress-only internet gateway",
}
_ROUTE_TARGETS = (
    ("GatewayId", "internet gateway"),
    ("NatGatewayId", "NAT gateway"),
    ("EgressOnlyInternetGatewayId", "egress-only internet gateway"),
)
# A gateway id given as text: its prefix says what it is (vgw- is a VPN gateway: not the internet).
_ID_PREFIXES = {"igw-": "internet gateway", "nat-": "NAT gateway", "eigw-": "egress-only internet gateway"}

# com.amazonaws.eu-west-1.s3, com.amazonaws.vpce.eu-west-1.vpce-svc-0123 (PrivateLink), aws.sagemaker.eu-west-1.notebook
_SERVICE_NAME = re.compile(
    r"^(?:com\.amazonaws|aws\.[a-z0-9-]+)\.(?P<vpce>vpce\.)?(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)\.(?P<service>.+)$"
)
_SERVICES = {
    "s3": "S3",
    "s3express": "S3 Express One Zone",
    "dynamodb": "DynamoDB",
    "kms": "KMS",
    "kms-fips": "KMS (FIPS)",
    "secretsmanager": "Secrets Manager",
    "logs": "CloudWatch Logs",
    "monitoring": "CloudWatch",
    "ecr.api": "ECR API",
    "ecr.dkr": "ECR image registry",
    "sts": "STS",
    "ssm": "Systems Manager",
    "ssmmessages": "Systems Manager messages",
    "ec2messages": "EC2 messages",
    "sqs": "SQS",
    "sns": "SNS",
    "kinesis-streams": "Kinesis Data Streams",
    "kinesis-firehose": "Firehose",
    "execute-api": "API Gateway",
    "rds": "RDS API",
    "elasticache": "ElastiCache API",
    "events": "EventBridge",
    "lambda": "Lambda",
    "ecs": "ECS",
    "ecs-agent": "ECS agent",
    "ecs-telemetry": "ECS telemetry",
    "backup": "AWS Backup",
}


def _text(app: AppResolver, stack: AppStack, value: Any) -> str | None:
    """The one text ``value`` takes, or None (not set, or more than one, or not text)."""
    texts = app.texts(stack, MISSING if value is None else value)
    return texts[0] if len(texts) == 1 and isinstance(texts[0], str) else None


def _vpc_of(app: AppResolver, graph: FlowGraph, stack: AppStack, raw: Any, fallback: Resource) -> Endpoint:
    """The VPC ``raw`` (a VpcId) names, or ``fallback`` itself when the templates do not say."""
    for where, logical_id in app.references(stack, raw):
        resource = where.view.resource(logical_id)
        if resource is not None and resource.type == "AWS::EC2::VPC":
            return graph.node(where, logical_id)
    return graph.node(stack, fallback.logical_id)


def _internet(graph: FlowGraph) -> Endpoint:
    return graph.outside(THE_INTERNET)


# -- routes and gateways --------------------------------------------------------------------------------


def record_gateway_flows(app: AppResolver, graph: FlowGraph) -> None:
    """A route (of any destination) to an internet, NAT or egress-only gateway: the VPC of its route table can
    send data to the internet, one flow per gateway; an attached internet gateway with no route to it, too.
    """
    routed: set[tuple[str, str]] = set()
    attachments: list[tuple[AppStack, Resource]] = []
    for stack in app.stacks:
        for resource in stack.view.resources():
            if resource.type == "AWS::EC2::VPCGatewayAttachment":
                attachments.append((stack, resource))
            if resource.type != "AWS::EC2::Route":
                continue
            tables = app.references(stack, resource.properties.get("RouteTableId", MISSING))
            source = graph.node(stack, resource.logical_id)
            for where, table_id in tables[:1]:
                table = where.view.resource(table_id)
                if table is not None:
                    source = _vpc_of(app, graph, where, table.properties.get("VpcId", MISSING), resource)
            cidrs = [
                text
                for name in ("DestinationCidrBlock", "DestinationIpv6CidrBlock")
                for text in app.texts(stack, resource.properties.get(name, MISSING))
            ]
            shown = ", ".join(text if isinstance(text, str) else "a CIDR decided at deploy time" for text in cidrs)
            for prop, what in _ROUTE_TARGETS:
                raw = resource.properties.get(prop, MISSING)
                for where, target in app.given(stack, raw):
                    gateway = _gateway(app, graph, where, target, what)
                    if gateway is None:
                        continue
                    label, key, private = gateway
                    routed.add(key)
                    destination = (
                        graph.outside("networks beyond a private NAT gateway") if private else _internet(graph)
                    )
                    graph.add(FlowKind.EGRESS, source, destination, f"route {shown or 'to'} through {label}")
    for stack, resource in attachments:
        for where, target in app.given(stack, resource.properties.get("InternetGatewayId", MISSING)):
            gateway = _gateway(app, graph, where, target, "internet gateway")
            if gateway is None or gateway[1] in routed:
                continue
            source = _vpc_of(app, graph, stack, resource.properties.get("VpcId", MISSING), resource)
            detail = f"{gateway[0]} attached; no route to it in the templates, one can be added outside them"
            graph.add(FlowKind.EGRESS, source, _internet(graph), detail)


def _gateway(
    app: AppResolver, graph: FlowGraph, stack: AppStack, target: Any, what: str
) -> tuple[str, tuple[str, str], bool] | None:
    """(how the detail names the gateway, its key, whether it is a private NAT gateway) for a route target that
    leaves the VPC; None for one that does not (a virtual private gateway) or is not given.
    """
    if isinstance(target, ResourceRef):
        resource = stack.view.resource(target.logical_id)
        kind = _GATEWAY_TYPES.get(resource.type if resource else "")
        if resource is None or kind is None:
            return None
        private = kind == "NAT gateway" and _text(app, stack, resource.properties.get("ConnectivityType")) == "private"
        return f"{kind} {graph.node(stack, target.logical_id).label}", (stack.name, target.logical_id), private
    if isinstance(target, Unknown):
        return f"a {what} ({target.reason})", ("", str(target.reason)), False
    text = str(target)
    kind = next((name for prefix, name in _ID_PREFIXES.items() if text.startswith(prefix)), None)
    if kind is None:
        return None
    return f"{kind} {text}", ("", text), False


# -- security groups ------------------------------------------------------------------------------------


def record_security_group_flows(app: AppResolver, graph: FlowGraph) -> None:
    """Security-group egress rules to 0.0.0.0/0 or ::/0 (in the group or as AWS::EC2::SecurityGroupEgress), and
    the default rule of a group with no egress rule at all, which allows all outbound traffic.
    """
    # A group with egress rules of its own has no default rule; standalone rules count too (CDK relies on it).
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html
    ruled: set[tuple[str, str]] = set()
    groups: list[tuple[AppStack, Resource]] = []
    for stack in app.stacks:
        for resource in stack.view.resources():
            if resource.type == "AWS::EC2::SecurityGroup":
                groups.append((stack, resource))
                for where, rule in app.values(stack, resource.properties, ("SecurityGroupEgress", STAR)):
                    if rule is not MISSING:
                        ruled.add((stack.name, resource.logical_id))
                    if isinstance(rule, Unknown):
                        detail = f"egress rules the templates do not decide ({rule.reason})"
                        graph.add(FlowKind.EGRESS, graph.node(stack, resource.logical_id), _internet(graph), detail)
                    elif isinstance(rule, Mapping):
                        _egress_rule(
                            app, graph, graph.node(stack, resource.logical_id), where, rule=rule, what="egress rule"
                        )
            elif resource.type == "AWS::EC2::SecurityGroupEgress":
                owners = app.references(stack, resource.properties.get("GroupId", MISSING))
                for where, group_id in owners:
                    ruled.add((where.name, group_id))
                source = graph.node(*owners[0]) if owners else graph.node(stack, resource.logical_id)
                _egress_rule(
                    app, graph, source, stack, rule=resource.properties, what=f"egress rule {resource.logical_id}"
                )
    for stack, resource in groups:
        if (stack.name, resource.logical_id) in ruled:
            continue
        graph.add(
            FlowKind.EGRESS,
            graph.node(stack, resource.logical_id),
            _internet(graph),
            "no egress rule in the templates: the default rule allows all outbound traffic",
        )


def _egress_rule(
    app: AppResolver, graph: FlowGraph, source: Endpoint, stack: AppStack, *, rule: Mapping[str, Any], what: str
) -> None:
    for name in ("CidrIp", "CidrIpv6"):
        for cidr in app.texts(stack, rule.get(name, MISSING)):
            if isinstance(cidr, str) and cidr not in ANY_ADDRESS:
                continue
            shown = cidr if isinstance(cidr, str) else f"a CIDR decided at deploy time ({cidr.reason})"
            protocol = _text(app, stack, rule.get("IpProtocol")) or "?"
            ports = _ports(app, stack, rule, protocol)
            graph.add(FlowKind.EGRESS, source, _internet(graph), f"{what}: {ports} to {shown}")


def _ports(app: AppResolver, stack: AppStack, rule: Mapping[str, Any], protocol: str) -> str:
    if protocol in ("-1", "all"):
        return "all traffic"
    low, high = _text(app, stack, rule.get("FromPort")), _text(app, stack, rule.get("ToPort"))
    if low is None or high is None or low == high:
        return f"{protocol} {low or high or ''}".strip()
    return f"{protocol} {low}-{high}"


# -- VPC endpoints --------------------------------------------------------------------------------------


def record_endpoint_flows(app: AppResolver, graph: FlowGraph) -> None:
    """Each VPC endpoint: from its VPC to the service it reaches, in the region its service name says."""
    for stack in app.stacks:
        for resource in stack.view.resources_of_type("AWS::EC2::VPCEndpoint"):
            source = _vpc_of(app, graph, stack, resource.properties.get("VpcId", MISSING), resource)
            kind = (_text(app, stack, resource.properties.get("VpcEndpointType")) or "Gateway").lower()
            kind = {"gatewayloadbalancer": "Gateway Load Balancer"}.get(kind, kind)
            for name in app.texts(stack, resource.properties.get("ServiceName", MISSING)) or [Unknown("not set")]:
                graph.add(
                    FlowKind.ENDPOINT,
                    source,
                    _service(graph, name, kind),
                    f"VPC endpoint {graph.node(stack, resource.logical_id).label} ({name})"
                    if isinstance(name, str)
                    else f"VPC endpoint {resource.logical_id}",
                )


def _service(graph: FlowGraph, name: str | Unknown, kind: str) -> Endpoint:
    """``S3 in eu-west-1 through a gateway endpoint``; an endpoint service of PrivateLink by its name."""
    if isinstance(name, Unknown):
        return Endpoint(label=f"a service through a {kind} endpoint ({name.reason})", region=UNKNOWN_REGION)
    match = _SERVICE_NAME.match(name)
    if match is None:
        return Endpoint(label=f"service {name} through a {kind} endpoint", region=UNKNOWN_REGION)
    region = match["region"] if is_known_region(match["region"]) else UNKNOWN_REGION
    if match["vpce"]:
        service = f"endpoint service {match['service']} (PrivateLink, run by its owner)"
    else:
        service = _SERVICES.get(match["service"], match["service"])
    article = "an" if kind[0] in "aeiou" else "a"
    return graph.region_endpoint(f"{service} in {match['region']} through {article} {kind} endpoint", region)


# -- ingress --------------------------------------------------------------------------------------------

_INGRESS_TYPES = (
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancing::LoadBalancer",
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGatewayV2::Api",
    "AWS::CloudFront::Distribution",
)


def record_ingress_flows(app: AppResolver, graph: FlowGraph) -> None:
    """What clients on the internet can send data to: internet-facing load balancers (each listener), API Gateway
    APIs that are not private, CloudFront distributions.
    """
    clients = graph.outside(INTERNET_CLIENTS)
    listened: set[tuple[str, str]] = set()
    balancers: list[tuple[AppStack, Resource]] = []
    for stack in app.stacks:
        for resource in stack.view.resources():
            if resource.type not in _INGRESS_TYPES:
                continue
            entry = graph.node(stack, resource.logical_id)
            if resource.type == "AWS::ElasticLoadBalancingV2::LoadBalancer":
                balancers.append((stack, resource))
            elif resource.type == "AWS::ElasticLoadBalancingV2::Listener":
                for where, balancer_id in app.references(stack, resource.properties.get("LoadBalancerArn", MISSING)):
                    balancer = where.view.resource(balancer_id)
                    listened.add((where.name, balancer_id))
                    if balancer is not None and _internet_facing(app, where, balancer):
                        protocol = _text(app, stack, resource.properties.get("Protocol")) or "a protocol"
                        port = _text(app, stack, resource.properties.get("Port")) or "a port"
                        detail = f"internet-facing; listener {protocol} {port}"
                        graph.add(FlowKind.INGRESS, clients, graph.node(where, balancer_id), detail)
            elif resource.type == "AWS::ElasticLoadBalancing::LoadBalancer":
                if _internet_facing(app, stack, resource):
                    for _, listener in app.values(stack, resource.properties, ("Listeners", STAR)):
                        if isinstance(listener, Mapping):
                            protocol = _text(app, stack, listener.get("Protocol")) or "a protocol"
                            port = _text(app, stack, listener.get("LoadBalancerPort")) or "a port"
                            graph.add(FlowKind.INGRESS, clients, entry, f"internet-facing; listener {protocol} {port}")
            elif resource.type == "AWS::ApiGateway::RestApi":
                types = app.texts(stack, resource.properties, ("EndpointConfiguration", "Types", STAR))
                if types != ["PRIVATE"]:
                    shown = "/".join(str(text) for text in types) or "EDGE (the default)"
                    graph.add(FlowKind.INGRESS, clients, entry, f"REST API, {shown} endpoint")
            elif resource.type == "AWS::ApiGatewayV2::Api":
                protocol = _text(app, stack, resource.properties.get("ProtocolType")) or "HTTP or WEBSOCKET"
                graph.add(FlowKind.INGRESS, clients, entry, f"{protocol} API")
            else:
                graph.add(FlowKind.INGRESS, clients, entry, "CloudFront distribution")
    for stack, resource in balancers:
        if (stack.name, resource.logical_id) not in listened and _internet_facing(app, stack, resource):
            entry = graph.node(stack, resource.logical_id)
            graph.add(FlowKind.INGRESS, clients, entry, "internet-facing; no listener in the templates")


def _internet_facing(app: AppResolver, stack: AppStack, balancer: Resource) -> bool:
    """Scheme internet-facing, or not set (the default); a gateway load balancer has no scheme."""
    if _text(app, stack, balancer.properties.get("Type")) == "gateway":
        return False
    schemes = app.texts(stack, balancer.properties.get("Scheme", MISSING))
    return not schemes or any(scheme != "internal" for scheme in schemes)
