"""EU-RES-022: VPC and Transit Gateway peering connects only to allowed regions."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.residency._replication import region_leaf, settled, walk


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    # A VPC peering connection without PeerRegion peers within the stack's own region; a Transit Gateway
    # peering attachment must name its peer's region.
    required = resource.type == "AWS::EC2::TransitGatewayPeeringAttachment"
    for path, region in walk(view, resource.properties, ("PeerRegion",)):
        yield from settled(region_leaf(view, path, region, "the peer region", required=required))


RULE = Rule(
    id="EU-RES-022",
    title="VPC and Transit Gateway peering connects only to networks in allowed regions",
    explanation=(
        "A peering connection routes traffic between this network and one in the peer region; with a peer "
        "outside the allowed regions, the services here can send user data there and workloads there can "
        "reach the data stores here, a transfer out of the EU the network itself allows. A peer region "
        "proven to be outside the allowed regions is fatal; one that cannot be shown (a parameter, an "
        "import) is an error. A VPC peering connection without PeerRegion stays in the stack's region."
    ),
    fix="Peer only with VPCs and transit gateways in allowed regions: set PeerRegion to an allowed region "
    "or leave it out for a same-region VPC peering (L1: CfnVPCPeeringConnection(peer_region=...), "
    "CfnTransitGatewayPeeringAttachment(peer_region='eu-central-1')).",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({"AWS::EC2::VPCPeeringConnection", "AWS::EC2::TransitGatewayPeeringAttachment"}),
    check_resource=check,
)
