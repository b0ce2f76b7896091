"""The VPC: public, application and data tiers over three pinned zones, AWS APIs kept in-region."""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from constructs import Construct

from constructs_lib.constructs import PrivateNetwork
from stacks.base import PlatformStack
from stacks.config import PlatformConfig

VPC_CIDR = "10.20.0.0/16"


class NetworkStack(PlatformStack):
    def __init__(self, scope: Construct, construct_id: str, *, config: PlatformConfig, logs_key: kms.IKey) -> None:
        super().__init__(
            scope, construct_id, config=config, description="VPC, subnets, in-region endpoints and flow logs"
        )
        self.network = PrivateNetwork(
            self,
            "Network",
            cidr=VPC_CIDR,
            availability_zones=config.availability_zones,
            nat_gateways=config.nat_gateways,
            flow_log_key=logs_key,
            flow_log_retention_days=config.retention.log_days,
        )
