"""The application stack: TLS load balancer, regional WAF, and the chat service on Fargate."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk.assertions import Match, Template

from constructs_lib.constructs.load_balancer import TLS_POLICY
from tests.conftest import BuiltPlatform, only_resource, resources

ALB = "AWS::ElasticLoadBalancingV2::LoadBalancer"
LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"
SECURITY_GROUP = "AWS::EC2::SecurityGroup"
EGRESS = "AWS::EC2::SecurityGroupEgress"
INGRESS = "AWS::EC2::SecurityGroupIngress"
LOG_GROUP = "AWS::Logs::LogGroup"
WEB_ACL = "AWS::WAFv2::WebACL"
TLS_POLICY_FAMILY = "ELBSecurityPolicy-TLS13-1-2"
SETTINGS_AS_SECRETS = (
    "DATABASE_HOST",
    "DATABASE_PORT",
    "DATABASE_USER",
    "SESSION_STORE_HOST",
    "SESSION_STORE_PORT",
    "SESSION_STORE_AUTH_TOKEN",
    "ATTACHMENTS_BUCKET",
)
DNS_ZONE = {"hosted_zone_id": "Z0123456789ABC", "zone_name": "example.eu"}
ANYWHERE = ("0.0.0.0/0", "::/0")


@pytest.fixture(scope="module")
def dns_validated() -> BuiltPlatform:
    """dev with a certificate issued and DNS-validated in the stack instead of an imported one."""
    return BuiltPlatform("dev", certificate_arn=None, hosted_zone=DNS_ZONE)


@pytest.fixture(scope="module")
def tls_policy_name() -> str:
    """The CloudFormation name of ``TLS_POLICY``, read from a listener synthesized with it."""
    stack = Stack(App(), "TlsPolicyProbe")
    load_balancer = elbv2.ApplicationLoadBalancer(stack, "Alb", vpc=ec2.Vpc(stack, "Vpc"))
    load_balancer.add_listener(
        "Https",
        port=443,
        certificates=[elbv2.ListenerCertificate.from_arn("arn:aws:acm:eu-west-1:123456789012:certificate/x")],
        ssl_policy=TLS_POLICY,
        default_action=elbv2.ListenerAction.fixed_response(404),
    )
    name: str = only_resource(Template.from_stack(stack), LISTENER)["Properties"]["SslPolicy"]
    return name


def group_id(logical_id: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, "GroupId"]}


def _application(platform: BuiltPlatform) -> Template:
    return platform.template(platform.stacks.application)


def _logical_id_of(template: Template, resource_type: str) -> str:
    found = resources(template, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {len(found)}"
    return next(iter(found))


def _load_balancer_security_group(template: Template) -> str:
    groups = only_resource(template, ALB)["Properties"]["SecurityGroups"]
    assert len(groups) == 1, groups
    return str(groups[0]["Fn::GetAtt"][0])


def _application_security_group(template: Template) -> str:
    service = only_resource(template, "AWS::ECS::Service")
    groups = service["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"]
    assert len(groups) == 1, groups
    return str(groups[0]["Fn::GetAtt"][0])


def _rules_of(template: Template, resource_type: str, logical_id: str) -> list[dict[str, Any]]:
    """The standalone ingress or egress rules of one security group."""
    return [
        rule["Properties"]
        for rule in resources(template, resource_type).values()
        if rule["Properties"].get("GroupId") == group_id(logical_id)
    ]


def _container(template: Template) -> dict[str, Any]:
    containers = only_resource(template, "AWS::ECS::TaskDefinition")["Properties"]["ContainerDefinitions"]
    assert len(containers) == 1, containers
    container: dict[str, Any] = containers[0]
    return container


def _assert_encrypted_and_expiring(platform: BuiltPlatform, log_group: dict[str, Any], days: int) -> None:
    properties = log_group["Properties"]
    assert "KmsKeyId" in properties, f"log group {properties.get('LogGroupName')} is not KMS-encrypted"
    _, _, key = platform.follow(platform.stacks.application, properties["KmsKeyId"])
    assert key["Type"] == "AWS::KMS::Key"
    assert properties.get("RetentionInDays") == days


# --- load balancer -----------------------------------------------------------------------------------


def test_load_balancer_is_internet_facing(each_env: BuiltPlatform) -> None:
    _application(each_env).has_resource_properties(ALB, {"Scheme": "internet-facing", "Type": "application"})
    _application(each_env).resource_count_is(ALB, 1)


def test_load_balancer_is_in_the_public_subnets_only(each_env: BuiltPlatform) -> None:
    subnets = only_resource(_application(each_env), ALB)["Properties"]["Subnets"]
    assert len(subnets) == len(each_env.config.availability_zones)
    for subnet in subnets:
        stack_name, _, resource = each_env.follow(each_env.stacks.application, subnet)
        assert stack_name == each_env.stacks.network.stack_name
        assert resource["Type"] == "AWS::EC2::Subnet"
        tags = {tag["Key"]: tag["Value"] for tag in resource["Properties"]["Tags"]}
        assert tags["aws-cdk:subnet-type"] == "Public"
        assert tags["aws-cdk:subnet-name"] != "application"


def test_load_balancer_drops_invalid_header_fields(each_env: BuiltPlatform) -> None:
    _application(each_env).has_resource_properties(
        ALB,
        {
            "LoadBalancerAttributes": Match.array_with(
                [{"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"}]
            )
        },
    )


def test_load_balancer_writes_access_logs_to_a_bucket(each_env: BuiltPlatform) -> None:
    attributes = only_resource(_application(each_env), ALB)["Properties"]["LoadBalancerAttributes"]
    by_key = {attribute["Key"]: attribute["Value"] for attribute in attributes}
    assert by_key["access_logs.s3.enabled"] == "true"
    _, _, bucket = each_env.follow(each_env.stacks.application, by_key["access_logs.s3.bucket"])
    assert bucket["Type"] == "AWS::S3::Bucket"


def test_load_balancer_has_exactly_two_listeners(each_env: BuiltPlatform) -> None:
    template = _application(each_env)
    template.resource_count_is(LISTENER, 2)
    ports = sorted(listener["Properties"]["Port"] for listener in resources(template, LISTENER).values())
    assert ports == [80, 443]


def test_https_listener_uses_the_tls_policy(each_env: BuiltPlatform, tls_policy_name: str) -> None:
    assert tls_policy_name.startswith(TLS_POLICY_FAMILY)
    _application(each_env).has_resource_properties(
        LISTENER, {"Port": 443, "Protocol": "HTTPS", "SslPolicy": tls_policy_name}
    )


def test_https_listener_uses_the_configured_certificate(each_env: BuiltPlatform) -> None:
    assert each_env.config.certificate_arn is not None
    _application(each_env).has_resource_properties(
        LISTENER,
        {"Port": 443, "Certificates": Match.exact([{"CertificateArn": each_env.config.certificate_arn}])},
    )


def test_imported_certificate_creates_no_certificate_or_record(each_env: BuiltPlatform) -> None:
    _application(each_env).resource_count_is("AWS::CertificateManager::Certificate", 0)
    _application(each_env).resource_count_is("AWS::Route53::RecordSet", 0)


def test_http_listener_only_redirects_to_https(each_env: BuiltPlatform) -> None:
    _application(each_env).has_resource_properties(
        LISTENER,
        {
            "Port": 80,
            "Protocol": "HTTP",
            "DefaultActions": Match.exact(
                [
                    {
                        "Type": "redirect",
                        "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"},
                    }
                ]
            ),
        },
    )


def test_https_listener_forwards_to_the_target_group(each_env: BuiltPlatform) -> None:
    template = _application(each_env)
    target_group = _logical_id_of(template, TARGET_GROUP)
    template.has_resource_properties(
        LISTENER,
        {"Port": 443, "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": target_group}}]},
    )


def test_target_group_reencrypts_to_the_container_port(each_env: BuiltPlatform) -> None:
    _application(each_env).has_resource_properties(
        TARGET_GROUP,
        {
            "Protocol": "HTTPS",
            "Port": each_env.config.app.container_port,
            "TargetType": "ip",
            "HealthCheckProtocol": "HTTPS",
            "HealthCheckPath": each_env.config.app.health_check_path,
        },
    )
    _application(each_env).resource_count_is(TARGET_GROUP, 1)


# --- WAF ---------------------------------------------------------------------------------------------


def test_web_acl_is_regional(each_env: BuiltPlatform) -> None:
    template = _application(each_env)
    template.resource_count_is(WEB_ACL, 1)
    template.has_resource_properties(WEB_ACL, {"Scope": "REGIONAL"})
    assert template.find_resources(WEB_ACL, {"Properties": {"Scope": "CLOUDFRONT"}}) == {}


def test_web_acl_uses_the_aws_managed_rule_groups(each_env: BuiltPlatform) -> None:
    _application(each_env).has_resource_properties(
        WEB_ACL,
        {
            "Rules": Match.array_with(
                [
                    Match.object_like(
                        {
                            "Statement": {
                                "ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": group},
                            }
                        }
                    )
                    for group in ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesAmazonIpReputationList")
                ]
            )
        },
    )


def test_web_acl_blocks_clients_above_the_configured_rate(each_env: BuiltPlatform) -> None:
    _application(each_env).has_resource_properties(
        WEB_ACL,
        {
            "Rules": Match.array_with(
                [
                    Match.object_like(
                        {
                            "Action": {"Block": {}},
                            "Statement": {
                                "RateBasedStatement": {
                                    "AggregateKeyType": "IP",
                                    "Limit": each_env.config.app.requests_per_five_minutes,
                                }
                            },
                        }
                    )
                ]
            )
        },
    )


def test_web_acl_is_associated_with_the_load_balancer(each_env: BuiltPlatform) -> None:
    template = _application(each_env)
    template.resource_count_is("AWS::WAFv2::WebACLAssociation", 1)
    template.has_resource_properties(
        "AWS::WAFv2::WebACLAssociation",
        {
            "ResourceArn": {"Ref": _logical_id_of(template, ALB)},
            "WebACLArn": {"Fn::GetAtt": [_logical_id_of(template, WEB_ACL), "Arn"]},
        },
    )


def test_web_acl_logs_to_an_encrypted_expiring_waf_log_group(each_env: BuiltPlatform) -> None:
    template = _application(each_env)
    logging = only_resource(template, "AWS::WAFv2::LoggingConfiguration")["Properties"]
    assert logging["ResourceArn"] == {"Fn::GetAtt": [_logical_id_of(template, WEB_ACL), "Arn"]}
    (destination,) = logging["LogDestinationConfigs"]
    assert isinstance(destination, str), destination
    prefix = f"arn:aws:logs:{each_env.config.region}:{each_env.config.account}:log-group:"
    assert destination.startswith(prefix)
    log_group_name = destination.removeprefix(prefix)
    assert log_group_name.startswith("aws-waf-logs-")
    log_groups = template.find_resources(LOG_GROUP, {"Properties": {"LogGroupName": log_group_name}})
    assert len(log_groups) == 1, f"no log group {log_group_name} in the stack"
    _assert_encrypted_and_expiring(each_env, next(iter(log_groups.values())), each_env.config.retention.log_days)


# --- security groups ---------------------------------------------------------------------------------


def test_load_balancer_security_group_admits_only_https_and_http(each_env: BuiltPlatform) -> None:
    template = _application(each_env)
    load_balancer_group = _load_balancer_security_group(template)
    inline = template.to_json()["Resources"][load_balancer_group]["Properties"].get("SecurityGroupIngress", [])
    standalone = _rules_of(template, INGRESS, load_balancer_group)
    ports = sorted((rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) for rule in [*inline, *standalone])
    assert ports == [("tcp", 80, 80), ("tcp", 443, 443)]


def test_application_security_group_admits_only_the_load_balancer(each_env: BuiltPlatform) -> None:
    template = _application(each_env)
    application_group = _application_security_group(template)
    inline = template.to_json()["Resources"][application_group]["Properties"].get("SecurityGroupIngress", [])
    assert inline == []
    port = each_env.config.app.container_port
    rules = [
        (rule["IpProtocol"], rule["FromPort"], rule["ToPort"], rule.get("SourceSecurityGroupId"))
        for rule in _rules_of(template, INGRESS, application_group)
    ]
    assert rules == [("tcp", port, port, group_id(_load_balancer_security_group(template)))]


def test_application_security_group_egress_is_exactly_the_data_stores_and_endpoints(
    each_env: BuiltPlatform,
) -> None:
    template = _application(each_env)
    application_group = _application_security_group(template)
    data = each_env.template(each_env.stacks.data)
    database_group = only_resource(data, "AWS::RDS::DBInstance")["Properties"]["VPCSecurityGroups"]
    sessions_group = only_resource(data, "AWS::ElastiCache::ReplicationGroup")["Properties"]["SecurityGroupIds"]
    endpoint_groups = {
        (each_env.stacks.network.stack_name, group["Fn::GetAtt"][0])
        for endpoint in resources(each_env.template(each_env.stacks.network), "AWS::EC2::VPCEndpoint").values()
        for group in endpoint["Properties"].get("SecurityGroupIds", [])
    }
    assert len(database_group) == 1 and len(sessions_group) == 1 and len(endpoint_groups) == 1
    expected = {
        ("tcp", 5432, 5432, (each_env.stacks.data.stack_name, database_group[0]["Fn::GetAtt"][0])),
        ("tcp", 6379, 6379, (each_env.stacks.data.stack_name, sessions_group[0]["Fn::GetAtt"][0])),
        ("tcp", 443, 443, next(iter(endpoint_groups))),
        ("tcp", 443, 443, ("prefix-list", each_env.config.app.s3_prefix_list_id)),
    }

    actual = []
    for rule in _rules_of(template, EGRESS, application_group):
        if "DestinationSecurityGroupId" in rule:
            stack_name, logical_id, resource = each_env.follow(
                each_env.stacks.application, rule["DestinationSecurityGroupId"]
            )
            assert resource["Type"] == SECURITY_GROUP
            destination: tuple[str, str] = (stack_name, logical_id)
        elif "DestinationPrefixListId" in rule:
            destination = ("prefix-list", rule["DestinationPrefixListId"])
        else:
            destination = ("cidr", rule.get("CidrIp") or rule.get("CidrIpv6"))
        actual.append((rule["IpProtocol"], rule["FromPort"], rule["ToPort"], destination))
    assert sorted(actual) == sorted(expected)


def test_application_security_group_has_no_inline_egress_to_anywhere(each_env: BuiltPlatform) -> None:
    template = _application(each_env)
    group = template.to_json()["Resources"][_application_security_group(template)]["Properties"]
    for rule in group.get("SecurityGroupEgress", []):
        assert rule.get("CidrIp") not in ANYWHERE and rule.get("CidrIpv6") not in ANYWHERE, rule


def test_no_security_group_in_the_stack_allows_egress_to_anywhere(each_env: BuiltPlatform) -> None:
    template = _application(each_env)
    inline = [
        rule
        for group in resources(template, SECURITY_GROUP).values()
        for rule in group["Properties"].get("SecurityGroupEgress", [])
    ]
    standalone = [rule["Properties"] for rule in resources(template, EGRESS).values()]
    for rule in [*inline, *standalone]:
        assert rule.get("CidrIp") not in ANYWHERE and rule.get("CidrIpv6") not in ANYWHERE, rule


# --- the container -----------------------------------------------------------------------------------


def test_container_has_no_plain_environment_variables(each_env: BuiltPlatform) -> None:
    _application(each_env).has_resource_properties(
        "AWS::ECS::TaskDefinition",
        {"ContainerDefinitions": [Match.object_like({"Environment": Match.absent()})]},
    )


def test_container_receives_its_settings_as_secrets(each_env: BuiltPlatform) -> None:
    secrets = _container(_application(each_env))["Secrets"]
    names = [secret["Name"] for secret in secrets]
    assert len(names) == len(set(names)), names
    assert set(SETTINGS_AS_SECRETS) <= set(names)
    assert all("ValueFrom" in secret for secret in secrets)


def test_container_root_filesystem_is_read_only(each_env: BuiltPlatform) -> None:
    assert _container(_application(each_env)).get("ReadonlyRootFilesystem") is True


def test_container_does_not_run_as_root(each_env: BuiltPlatform) -> None:
    user = _container(_application(each_env)).get("User")
    assert user, "no User: the container runs as the image's user, possibly root"
    name, _, group = str(user).partition(":")
    assert name not in ("root", "0"), user
    assert group not in ("root", "0"), user


def test_container_logs_to_an_encrypted_expiring_log_group(each_env: BuiltPlatform) -> None:
    logging = _container(_application(each_env))["LogConfiguration"]
    assert logging["LogDriver"] == "awslogs"
    assert logging["Options"]["awslogs-region"] == each_env.config.region
    _, _, log_group = each_env.follow(each_env.stacks.application, logging["Options"]["awslogs-group"])
    assert log_group["Type"] == LOG_GROUP
    _assert_encrypted_and_expiring(each_env, log_group, each_env.config.retention.log_days)


def test_service_assigns_no_public_ip(each_env: BuiltPlatform) -> None:
    _application(each_env).has_resource_properties(
        "AWS::ECS::Service",
        {
            "LaunchType": "FARGATE",
            "NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": "DISABLED"}},
        },
    )


def test_cluster_has_container_insights_enabled(each_env: BuiltPlatform) -> None:
    _application(each_env).has_resource_properties(
        "AWS::ECS::Cluster",
        {"ClusterSettings": Match.array_with([{"Name": "containerInsights", "Value": "enabled"}])},
    )


def test_container_insights_log_group_is_precreated_encrypted_and_expiring(each_env: BuiltPlatform) -> None:
    template = _application(each_env)
    cluster = only_resource(template, "AWS::ECS::Cluster")
    name = f"/aws/ecs/containerinsights/{cluster['Properties']['ClusterName']}/performance"
    log_groups = template.find_resources(LOG_GROUP, {"Properties": {"LogGroupName": name}})
    assert len(log_groups) == 1, f"no log group {name}"
    (logical_id, log_group) = next(iter(log_groups.items()))
    _assert_encrypted_and_expiring(each_env, log_group, each_env.config.retention.log_days)
    assert logical_id in cluster.get("DependsOn", []), "the cluster may be created before its log group"


def test_every_log_group_is_encrypted_and_expires(each_env: BuiltPlatform) -> None:
    log_groups = resources(_application(each_env), LOG_GROUP)
    assert log_groups
    for log_group in log_groups.values():
        assert "KmsKeyId" in log_group["Properties"], log_group["Properties"].get("LogGroupName")
        assert "RetentionInDays" in log_group["Properties"], log_group["Properties"].get("LogGroupName")


# --- a certificate issued in the stack ---------------------------------------------------------------


def test_dns_validated_certificate_is_issued_for_the_domain(dns_validated: BuiltPlatform) -> None:
    template = _application(dns_validated)
    domain = dns_validated.config.domain_name
    template.resource_count_is("AWS::CertificateManager::Certificate", 1)
    template.has_resource_properties(
        "AWS::CertificateManager::Certificate",
        {
            "DomainName": domain,
            "ValidationMethod": "DNS",
            "DomainValidationOptions": [{"DomainName": domain, "HostedZoneId": DNS_ZONE["hosted_zone_id"]}],
        },
    )


def test_dns_validated_certificate_is_used_by_the_https_listener(dns_validated: BuiltPlatform) -> None:
    template = _application(dns_validated)
    certificate = _logical_id_of(template, "AWS::CertificateManager::Certificate")
    template.has_resource_properties(
        LISTENER, {"Port": 443, "Certificates": Match.exact([{"CertificateArn": {"Ref": certificate}}])}
    )


def test_dns_validated_variant_aliases_the_domain_to_the_load_balancer(dns_validated: BuiltPlatform) -> None:
    template = _application(dns_validated)
    load_balancer = _logical_id_of(template, ALB)
    template.resource_count_is("AWS::Route53::RecordSet", 1)
    record = only_resource(template, "AWS::Route53::RecordSet")["Properties"]
    assert record["Type"] == "A"
    assert record["Name"] == f"{dns_validated.config.domain_name}."
    assert record["HostedZoneId"] == DNS_ZONE["hosted_zone_id"]
    alias = record["AliasTarget"]
    assert alias["HostedZoneId"] == {"Fn::GetAtt": [load_balancer, "CanonicalHostedZoneID"]}
    assert {"Fn::GetAtt": [load_balancer, "DNSName"]} in alias["DNSName"]["Fn::Join"][1]
