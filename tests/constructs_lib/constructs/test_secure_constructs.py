"""The secure constructs: what they build passes every rule, and no prop can switch a guarantee off."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Environment, RemovalPolicy, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from constructs import Construct

import constructs_lib.constructs as secure_constructs
from constructs_lib.constructs import (
    AccessLogBucket,
    DataBucket,
    DataClassification,
    DataKey,
    EncryptedLogGroup,
    PostgresDatabase,
    PrivateContainerService,
    PrivateNetwork,
    RegionalWebAcl,
    SessionCache,
    TlsLoadBalancer,
)
from constructs_lib.constructs.database import DatabaseSize
from eu_residency.core.settings import RuleSettings
from eu_residency.rules.engine import TemplateInput, check_templates

EU = Environment(account="123456789012", region="eu-west-1")
ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
# Every construct the library exports (DataClassification and classify are not constructs).
CONSTRUCTS = tuple(
    member
    for member in (getattr(secure_constructs, name) for name in secure_constructs.__all__)
    if isinstance(member, type) and issubclass(member, Construct)
)
# Props that would switch a guarantee off if a construct accepted them.
SWITCHES = (
    "encryption",
    "enforce_ssl",
    "storage_encrypted",
    "enable_key_rotation",
    "transit_encryption_enabled",
    "at_rest_encryption_enabled",
    "ssl_policy",
    "protocol",
    "retention",
    "block_public_access",
    "publicly_accessible",
    "iam_authentication",
    "readonly_root_filesystem",
    "assign_public_ip",
)


class _ZonedStack(Stack):
    @property
    def availability_zones(self) -> list[str]:
        return ZONES


def _everything(stack: Stack) -> None:
    logs_key = DataKey(
        stack,
        "LogsKey",
        alias="alias/test-logs",
        description="logs",
        services=("logs",),
        classification=DataClassification.INTERNAL,
        removal_policy=RemovalPolicy.DESTROY,
    )
    logs_key.allow_cloudwatch_logs()
    data_key = DataKey(
        stack,
        "DataKey",
        alias="alias/test-data",
        description="data",
        services=("rds", "s3", "elasticache"),
        classification=DataClassification.PERSONAL,
    )
    network = PrivateNetwork(
        stack,
        "Network",
        cidr="10.30.0.0/16",
        availability_zones=ZONES,
        nat_gateways=1,
        flow_log_key=logs_key.key,
        flow_log_retention_days=30,
    )
    EncryptedLogGroup(
        stack, "Logs", encryption_key=logs_key.key, retention_days=30, classification=DataClassification.INTERNAL
    )
    access_logs = AccessLogBucket(stack, "AccessLogs", expiration_days=90)
    DataBucket(
        stack,
        "Data",
        encryption_key=data_key.key,
        access_logs=access_logs,
        access_log_prefix="data/",
        noncurrent_version_days=30,
        classification=DataClassification.PERSONAL,
    )
    PostgresDatabase(
        stack,
        "Database",
        vpc=network.vpc,
        subnets=network.data_subnets,
        instance_identifier="test-db",
        postgres_version="17.9",
        size=DatabaseSize(ec2.InstanceType("t4g.medium"), 20, 100, multi_az=True),
        encryption_key=data_key.key,
        log_key=logs_key.key,
        log_retention_days=30,
        backup_retention_days=7,
        deletion_protection=True,
    )
    SessionCache(
        stack,
        "Sessions",
        vpc=network.vpc,
        subnets=network.data_subnets,
        replication_group_id="test-sessions",
        node_type="cache.t4g.small",
        replicas_per_node_group=1,
        encryption_key=data_key.key,
        log_key=logs_key.key,
        log_retention_days=30,
        snapshot_retention_days=1,
    )
    edge = TlsLoadBalancer(
        stack,
        "Edge",
        vpc=network.vpc,
        subnets=network.public_subnets,
        certificate=acm.Certificate.from_certificate_arn(
            stack, "Certificate", "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000001"
        ),
        access_log_bucket=access_logs.bucket,
        access_log_prefix="alb",
        deletion_protection=True,
    )
    RegionalWebAcl(
        stack,
        "Firewall",
        name="test",
        resource_arn=edge.load_balancer.load_balancer_arn,
        requests_per_five_minutes=1000,
        log_key=logs_key.key,
        log_retention_days=30,
    )
    service = PrivateContainerService(
        stack,
        "Service",
        vpc=network.vpc,
        subnets=network.application_subnets,
        cluster_name="test",
        image=ecs.ContainerImage.from_registry("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1"),
        container_port=8443,
        cpu=256,
        memory_mib=512,
        desired_count=1,
        secrets={},
        log_key=logs_key.key,
        log_retention_days=30,
    )
    edge.https_listener.add_targets("App", port=8443, targets=[service.service])
    del service  # built for its resources only


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    app = App()
    stack = _ZonedStack(app, "SecureConstructs", env=EU)
    _everything(stack)
    assembly = app.synth()
    document: dict[str, Any] = json.loads(
        Path(assembly.get_stack_by_name(stack.stack_name).template_full_path).read_text()
    )
    return document


def test_secure_constructs_yield_no_finding(template: dict[str, Any]) -> None:
    findings = check_templates(
        [TemplateInput(name="secure", template=template, region="eu-west-1", account="123456789012")], RuleSettings()
    )["secure"]
    assert [(f.rule_id, f.construct_path, f.message) for f in findings] == []


@pytest.mark.parametrize("construct", CONSTRUCTS, ids=lambda construct: construct.__name__)
def test_no_prop_can_switch_a_guarantee_off(construct: type) -> None:
    parameters = set(inspect.signature(construct.__init__).parameters)
    assert not parameters & set(SWITCHES), f"{construct.__name__} accepts {sorted(parameters & set(SWITCHES))}"
    for switch in SWITCHES:
        with pytest.raises(TypeError):
            construct(Stack(App(), "Try"), "Try", **{switch: False})


def test_constructs_refuse_values_that_would_weaken_them() -> None:
    stack = _ZonedStack(App(), "Refusals", env=EU)
    key = DataKey(
        stack, "Key", alias="alias/k", description="k", services=("logs",), classification=DataClassification.INTERNAL
    )
    with pytest.raises(ValueError, match="retention"):
        EncryptedLogGroup(
            stack, "Forever", encryption_key=key.key, retention_days=0, classification=DataClassification.INTERNAL
        )
    with pytest.raises(ValueError, match="encryption key is required"):
        EncryptedLogGroup(
            stack, "Plain", encryption_key=None, retention_days=30, classification=DataClassification.INTERNAL
        )  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="name at least one service"):
        DataKey(
            stack, "Unscoped", alias="alias/u", description="u", services=(), classification=DataClassification.INTERNAL
        )
    with pytest.raises(ValueError, match="customer-managed encryption key is required"):
        DataBucket(
            stack,
            "PlainBucket",
            encryption_key=None,
            access_logs=AccessLogBucket(stack, "Logs", expiration_days=1),  # type: ignore[arg-type]
            access_log_prefix="x/",
            noncurrent_version_days=1,
            classification=DataClassification.PERSONAL,
        )
