"""An internet-facing Application Load Balancer that speaks only TLS 1.2+ and redirects HTTP to HTTPS."""

from __future__ import annotations

from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib.acknowledgements import acknowledge

# TLS 1.3 and 1.2 only, restricted ciphers, post-quantum hybrid key exchange (2025 policy family).
TLS_POLICY = elbv2.SslPolicy.TLS13_12_RES_PQ


class TlsLoadBalancer(Construct):
    """ALB in public subnets with an HTTPS listener (``TLS_POLICY``) and an HTTP listener whose only
    action is a permanent redirect to HTTPS. Invalid header fields are dropped and access logs go to
    ``access_log_bucket``. Add targets to ``https_listener``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        certificate: acm.ICertificate,
        access_log_bucket: s3.IBucket,
        access_log_prefix: str,
        deletion_protection: bool,
    ) -> None:
        super().__init__(scope, construct_id)
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description="Public chat entry point: HTTPS, and HTTP only to be redirected to HTTPS",
            allow_all_outbound=False,
        )
        self.security_group.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.HTTPS, "HTTPS from chat visitors")
        self.security_group.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.HTTP, "HTTP, redirected to HTTPS")
        acknowledge(
            self.security_group,
            "AwsSolutions-EC23",
            "The internet-facing chat entry point must accept HTTPS from any visitor; port 80 only answers "
            "with a redirect to HTTPS, and the regional WAF web ACL filters what reaches the application.",
        )
        self.load_balancer = elbv2.ApplicationLoadBalancer(
            self,
            "LoadBalancer",
            vpc=vpc,
            vpc_subnets=subnets,
            internet_facing=True,
            security_group=self.security_group,
            drop_invalid_header_fields=True,
            deletion_protection=deletion_protection,
        )
        self.load_balancer.log_access_logs(access_log_bucket, access_log_prefix)
        self.https_listener = self.load_balancer.add_listener(
            "Https",
            port=443,
            protocol=elbv2.ApplicationProtocol.HTTPS,
            certificates=[elbv2.ListenerCertificate.from_certificate_manager(certificate)],
            ssl_policy=TLS_POLICY,
            open=False,
        )
        self.http_redirect_listener = self.load_balancer.add_redirect(
            source_port=80,
            source_protocol=elbv2.ApplicationProtocol.HTTP,
            target_port=443,
            target_protocol=elbv2.ApplicationProtocol.HTTPS,
            open=False,
        )
