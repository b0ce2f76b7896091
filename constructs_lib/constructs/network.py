"""A three-tier VPC whose AWS API traffic stays in the region, with encrypted, expiring flow logs."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import CfnResource, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from constructs import Construct

from constructs_lib.acknowledgements import CLOUDFORMATION_VALIDATE, acknowledge
from constructs_lib.constructs.classification import DataClassification
from constructs_lib.constructs.log_group import EncryptedLogGroup

# The custom resource that aws-cdk-lib adds to strip the default security group's rules.
RESTRICT_DEFAULT_SG_PROVIDER_ID = "Custom::VpcRestrictDefaultSGCustomResourceProvider"

PUBLIC_SUBNETS = "public"
APPLICATION_SUBNETS = "application"
DATA_SUBNETS = "data"

# The AWS services the platform calls from private subnets, reached through in-region endpoints.
INTERFACE_ENDPOINTS: dict[str, ec2.InterfaceVpcEndpointAwsService] = {
    "Kms": ec2.InterfaceVpcEndpointAwsService.KMS,
    "SecretsManager": ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    "CloudWatchLogs": ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
    "EcrApi": ec2.InterfaceVpcEndpointAwsService.ECR,
    "EcrDocker": ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
    "Sts": ec2.InterfaceVpcEndpointAwsService.STS,
    "Ssm": ec2.InterfaceVpcEndpointAwsService.SSM,
}


class PrivateNetwork(Construct):
    """VPC over the given zones: public (load balancer, NAT), application (private with egress) and
    data (isolated) subnets; gateway endpoints for S3 and DynamoDB and interface endpoints for the
    services above, so AWS API calls never leave the region; all traffic in flow logs; the default
    security group stripped of its rules.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cidr: str,
        availability_zones: Sequence[str],
        nat_gateways: int,
        flow_log_key: kms.IKey,
        flow_log_retention_days: int,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(cidr),
            availability_zones=list(availability_zones),
            nat_gateways=nat_gateways,
            restrict_default_security_group=True,
            subnet_configuration=[
                ec2.SubnetConfiguration(name=PUBLIC_SUBNETS, subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24),
                ec2.SubnetConfiguration(
                    name=APPLICATION_SUBNETS, subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=20
                ),
                ec2.SubnetConfiguration(name=DATA_SUBNETS, subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24),
            ],
            gateway_endpoints={
                "S3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3),
                "DynamoDb": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.DYNAMODB),
            },
        )

        acknowledge(
            self.vpc,
            "W3010",
            "The three availability zones are pinned in cdk.json on purpose: synthesis needs no "
            "credentials or lookups, and two synths give identical templates.",
            plugin=CLOUDFORMATION_VALIDATE,
        )
        flow_logs = EncryptedLogGroup(
            self,
            "FlowLogs",
            encryption_key=flow_log_key,
            retention_days=flow_log_retention_days,
            classification=DataClassification.PERSONAL,  # source IPs of chat visitors
            removal_policy=removal_policy,
        )
        self.vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs.log_group),
            traffic_type=ec2.FlowLogTrafficType.ALL,
        )

        self.endpoint_security_group = ec2.SecurityGroup(
            self,
            "EndpointSecurityGroup",
            vpc=self.vpc,
            description="HTTPS from inside the VPC to the in-region AWS service endpoints",
            allow_all_outbound=False,
        )
        self.endpoint_security_group.add_ingress_rule(ec2.Peer.ipv4(cidr), ec2.Port.HTTPS, "AWS API calls from the VPC")
        self.interface_endpoints = {
            name: self.vpc.add_interface_endpoint(
                name,
                service=service,
                private_dns_enabled=True,
                open=False,  # the shared security group above admits the VPC's range on 443 only
                security_groups=[self.endpoint_security_group],
                subnets=ec2.SubnetSelection(subnet_group_name=APPLICATION_SUBNETS),
            )
            for name, service in INTERFACE_ENDPOINTS.items()
        }
        self._log_default_sg_handler(flow_log_key, flow_log_retention_days, removal_policy)

    @property
    def application_subnets(self) -> ec2.SubnetSelection:
        return ec2.SubnetSelection(subnet_group_name=APPLICATION_SUBNETS)

    @property
    def data_subnets(self) -> ec2.SubnetSelection:
        return ec2.SubnetSelection(subnet_group_name=DATA_SUBNETS)

    @property
    def public_subnets(self) -> ec2.SubnetSelection:
        return ec2.SubnetSelection(subnet_group_name=PUBLIC_SUBNETS)

    def _log_default_sg_handler(self, key: kms.IKey, retention_days: int, removal_policy: RemovalPolicy) -> None:
        """Send the default-SG custom resource's Lambda logs to an encrypted group that expires.

        Left alone, Lambda creates ``/aws/lambda/NAME`` unencrypted and kept forever.
        """
        provider = Stack.of(self).node.try_find_child(RESTRICT_DEFAULT_SG_PROVIDER_ID)
        if provider is None:
            raise RuntimeError(f"aws-cdk-lib no longer adds {RESTRICT_DEFAULT_SG_PROVIDER_ID}; revisit this fix")
        handler = provider.node.find_child("Handler")
        assert isinstance(handler, CfnResource)
        handler_logs = EncryptedLogGroup(
            self,
            "DefaultSecurityGroupHandlerLogs",
            encryption_key=key,
            retention_days=retention_days,
            classification=DataClassification.INTERNAL,
            removal_policy=removal_policy,
        )
        handler.add_property_override("LoggingConfig", {"LogGroup": handler_logs.log_group.log_group_name})
        handler.node.add_dependency(handler_logs)
