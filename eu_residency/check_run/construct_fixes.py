"""Fixes in the words of the construct a user wrote: a resource a higher-level construct generated (an
``rds.DatabaseInstance``'s secret, a ``codepipeline.Pipeline``'s artifact key, an ``ecs_patterns`` service's
listener) is fixed through that construct's props, not through the L2 of the resource (which the user never wrote).

The construct is found from the finding's construct path and the FQNs CDK records in the assembly's ``tree.json``;
both front ends read it (the plugin finds ``tree.json`` written before validation runs). What cannot be read
gives no construct fix, never an error: the rule's own fix stands.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eu_residency.assembly import MANIFEST, read_json_file
from eu_residency.check_run.cdk_metadata import PATH_SEPARATOR
from eu_residency.core.rule_model import Finding

TREE_FILE = "tree.json"
# Where CDK writes the subtrees of a tree above @aws-cdk/core.TreeMetadata:maxNodes nodes (core/lib/private).
FOREST_FILE = re.compile(r"trees-\d+\.json")
CDK_LIBRARY = "aws-cdk-lib."
ANY_PART = "*"  # in ConstructFix.below: any one construct id; "Name*": any id that starts with Name


@dataclass(frozen=True)
class ConstructFix:
    """How to fix ``rules`` on a resource that one of ``owners`` generates at ``below`` (the construct ids from
    the owner down to the resource's construct, which may have children of its own such as ``Resource``)."""

    owners: tuple[str, ...]  # FQNs without "aws-cdk-lib."
    below: tuple[str, ...]
    rules: frozenset[str]
    props: str  # what to give the owner

    def text(self, owner: str, owner_path: str) -> str:
        return f"The {owner} at {owner_path} makes this resource; give it {self.props}."


_GENERATED_SECRET_KEY = "encryption_key=key"
_LOG_GROUP = "log_group=logs.LogGroup(..., encryption_key=key, retention=logs.RetentionDays.ONE_MONTH)"
_ECS_LOGS = f"log_driver=ecs.LogDrivers.aws_logs(stream_prefix=..., {_LOG_GROUP})"
_ENCRYPTED_VOLUME = "volume=autoscaling.BlockDeviceVolume.ebs(size, encrypted=True)"
_LOAD_BALANCED_SERVICES = (
    "aws_ecs_patterns.ApplicationLoadBalancedFargateService",
    "aws_ecs_patterns.ApplicationLoadBalancedEc2Service",
)
_DRAINED_CLUSTER_TOPIC = frozenset({"EU-ENC-022", "EU-KEY-010"})
_CONTAINER_LOGS = frozenset({"EU-KEY-010", "EU-RET-001"})

CONSTRUCT_FIXES: tuple[ConstructFix, ...] = (
    ConstructFix(
        ("aws_rds.DatabaseInstance", "aws_rds.DatabaseCluster", "aws_rds.ServerlessCluster"),
        ("Secret",),
        frozenset({"EU-KEY-003"}),
        f'credentials=rds.Credentials.from_generated_secret("<user>", {_GENERATED_SECRET_KEY})',
    ),
    ConstructFix(
        ("aws_rds.DatabaseInstanceFromSnapshot",),
        ("Secret",),
        frozenset({"EU-KEY-003"}),
        f'credentials=rds.SnapshotCredentials.from_generated_secret("<user>", {_GENERATED_SECRET_KEY})',
    ),
    ConstructFix(
        ("aws_rds.DatabaseClusterFromSnapshot",),
        ("Secret",),
        frozenset({"EU-KEY-003"}),
        f'snapshot_credentials=rds.SnapshotCredentials.from_generated_secret("<user>", {_GENERATED_SECRET_KEY})',
    ),
    ConstructFix(
        ("aws_docdb.DatabaseCluster",),
        ("Secret",),
        frozenset({"EU-KEY-003"}),
        'master_user=docdb.Login(username="<user>", kms_key=key)',
    ),
    ConstructFix(
        ("aws_opensearchservice.Domain", "aws_elasticsearch.Domain"),
        ("MasterUser",),
        frozenset({"EU-KEY-003"}),
        "fine_grained_access_control=AdvancedSecurityOptions(master_user_name=..., master_user_password="
        "<the secret_value of a secretsmanager.Secret with encryption_key=key>), or a master_user_arn (IAM) instead",
    ),
    ConstructFix(
        ("aws_rds.DatabaseInstance", "aws_rds.DatabaseCluster"),
        ("Resource",),
        frozenset({"EU-ENC-046"}),
        'parameter_group=rds.ParameterGroup(..., parameters={"rds.force_ssl": "1"}) for PostgreSQL, '
        '{"require_secure_transport": "ON"} for MySQL and MariaDB',
    ),
    ConstructFix(
        ("aws_codepipeline.Pipeline",),
        ("ArtifactsBucketEncryptionKey",),
        frozenset({"EU-KEY-020"}),
        "enable_key_rotation=True",
    ),
    ConstructFix(
        ("aws_codepipeline.Pipeline",),
        ("ArtifactsBucket",),
        frozenset({"EU-KEY-001"}),
        "artifact_bucket=<an s3.Bucket with encryption_key=key>, or cross_account_keys=True (it then creates a KMS key "
        "for the artifacts)",
    ),
    ConstructFix(
        ("aws_cloudtrail.Trail",),
        ("S3",),
        frozenset({"EU-KEY-001", "EU-RET-002"}),
        "bucket=<an s3.Bucket of your own, with encryption_key=key and lifecycle rules>",
    ),
    ConstructFix(
        ("aws_cloudtrail.Trail",),
        ("LogGroup",),
        frozenset({"EU-KEY-010", "EU-RET-001"}),
        f"cloud_watch_log_group=<a {_LOG_GROUP.removeprefix('log_group=')}> (cloud_watch_logs_retention= sets only "
        "the retention)",
    ),
    ConstructFix(
        ("aws_ec2.FlowLog",),
        ("LogGroup",),
        frozenset({"EU-KEY-010", "EU-RET-001"}),
        f"destination=ec2.FlowLogDestination.to_cloud_watch_logs({_LOG_GROUP})",
    ),
    ConstructFix(
        ("aws_backup.BackupPlan",),
        ("Vault",),
        frozenset({"EU-KEY-010"}),
        "backup_vault=backup.BackupVault(..., encryption_key=key)",
    ),
    ConstructFix(
        (
            *_LOAD_BALANCED_SERVICES,
            "aws_ecs_patterns.NetworkLoadBalancedFargateService",
            "aws_ecs_patterns.NetworkLoadBalancedEc2Service",
        ),
        (ANY_PART, ANY_PART, "LogGroup"),
        _CONTAINER_LOGS,
        f"task_image_options with {_ECS_LOGS}",
    ),
    ConstructFix(
        ("aws_ecs_patterns.QueueProcessingFargateService", "aws_ecs_patterns.QueueProcessingEc2Service"),
        (ANY_PART, ANY_PART, "LogGroup"),
        _CONTAINER_LOGS,
        _ECS_LOGS,
    ),
    ConstructFix(
        ("aws_ecs_patterns.ScheduledFargateTask", "aws_ecs_patterns.ScheduledEc2Task"),
        (ANY_PART, ANY_PART, "LogGroup"),
        _CONTAINER_LOGS,
        f"image options (scheduled_fargate_task_image_options or scheduled_ec2_task_image_options) with {_ECS_LOGS}",
    ),
    ConstructFix(
        ("aws_ecs.ContainerDefinition",),
        ("LogGroup",),
        _CONTAINER_LOGS,
        f"logging=ecs.LogDrivers.aws_logs(stream_prefix=..., {_LOG_GROUP})",
    ),
    ConstructFix(
        ("aws_ecs_patterns.QueueProcessingFargateService", "aws_ecs_patterns.QueueProcessingEc2Service"),
        ("EcsProcessing*",),
        frozenset({"EU-KEY-010"}),
        "queue=sqs.Queue(..., encryption=sqs.QueueEncryption.KMS, encryption_master_key=key) with a dead-letter "
        "queue of your own",
    ),
    ConstructFix(
        _LOAD_BALANCED_SERVICES,
        ("LB", ANY_PART),
        frozenset({"EU-ENC-041"}),
        "protocol=elbv2.ApplicationProtocol.HTTPS with certificate= (or domain_name and domain_zone), and "
        "redirect_http=True",
    ),
    ConstructFix(
        _LOAD_BALANCED_SERVICES,
        ("LB", ANY_PART),
        frozenset({"EU-ENC-042"}),
        "ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS",
    ),
    ConstructFix(
        _LOAD_BALANCED_SERVICES,
        ("LB", ANY_PART),
        frozenset({"EU-ENC-064"}),
        "target_protocol=elbv2.ApplicationProtocol.HTTPS (and a container that serves HTTPS)",
    ),
    ConstructFix(
        ("aws_autoscaling.AutoScalingGroup",),
        ("Launch*",),
        frozenset({"EU-ENC-008"}),
        f"block_devices=[autoscaling.BlockDevice(device_name=..., {_ENCRYPTED_VOLUME})] for every volume",
    ),
    ConstructFix(
        ("aws_ecs.Cluster",),
        (ANY_PART, "Launch*"),
        frozenset({"EU-ENC-008"}),
        f"block_devices=[autoscaling.BlockDevice(device_name=..., {_ENCRYPTED_VOLUME})] in add_capacity (or in "
        "capacity=AddCapacityOptions)",
    ),
    ConstructFix(
        ("aws_ecs.Cluster",),
        (ANY_PART, "LifecycleHookDrainHook", "Topic"),
        _DRAINED_CLUSTER_TOPIC,
        "topic_encryption_key=key in add_capacity (or in the AsgCapacityProvider)",
    ),
    ConstructFix(
        ("aws_ec2.BastionHostLinux", "aws_ec2.BastionHostWindows"),
        ("Resource",),
        frozenset({"EU-ENC-008"}),
        "block_devices=[ec2.BlockDevice(device_name=..., volume=ec2.BlockDeviceVolume.ebs(size, encrypted=True))]",
    ),
    ConstructFix(
        ("aws_apigateway.RestApi", "aws_apigateway.LambdaRestApi", "aws_apigateway.SpecRestApi"),
        ("DeploymentStage.*",),
        frozenset({"EU-ENC-030"}),
        "deploy_options=apigateway.StageOptions(..., cache_data_encrypted=True)",
    ),
)

_FIXES_BY_OWNER: Mapping[str, tuple[ConstructFix, ...]] = {
    owner: tuple(fix for fix in CONSTRUCT_FIXES if owner in fix.owners)
    for owner in dict.fromkeys(owner for fix in CONSTRUCT_FIXES for owner in fix.owners)
}


class ConstructFixes:
    """The construct fixes of one run: each assembly's tree read once, when a finding in it first needs it."""

    def __init__(self) -> None:
        self._types: dict[Path, Mapping[str, str]] = {}

    def fix(self, finding: Finding, construct_path: str | None, assembly: Path) -> str:
        """``finding``'s fix in the words of the construct that generated its resource, else its own."""
        if assembly not in self._types:
            self._types[assembly] = read_construct_types(assembly)
        return construct_fix(finding.rule_id, construct_path, self._types[assembly]) or finding.fix


def construct_fix(rule_id: str, construct_path: str | None, types: Mapping[str, str]) -> str | None:
    """The fix of ``rule_id`` in the props of the outermost construct (by ``types``: construct path -> FQN) that
    generated the resource at ``construct_path``; None where none of CONSTRUCT_FIXES applies."""
    if not construct_path or not types:
        return None
    parts = construct_path.split(PATH_SEPARATOR)
    for depth in range(1, len(parts)):
        owner_path = PATH_SEPARATOR.join(parts[:depth])
        owner = types.get(owner_path, "").removeprefix(CDK_LIBRARY)
        for fix in _FIXES_BY_OWNER.get(owner, ()):
            if rule_id in fix.rules and _is_below(parts[depth:], fix.below):
                return fix.text(owner, owner_path)
    return None


def _is_below(parts: list[str], below: tuple[str, ...]) -> bool:
    pairs = zip(parts, below, strict=False)
    return len(parts) >= len(below) and all(_matches(part, pattern) for part, pattern in pairs)


def _matches(part: str, pattern: str) -> bool:
    if pattern.endswith(ANY_PART):
        return part.startswith(pattern.removesuffix(ANY_PART))
    return part == pattern


def read_construct_types(directory: Path) -> Mapping[str, str]:
    """Construct path -> FQN of every construct in the tree CDK wrote for the assembly in ``directory``: its own
    ``tree.json``, or that of the assembly that nests it (a stage's assembly is written inside the app's, which
    alone has the tree); empty where there is none or it cannot be read."""
    for folder in (directory, directory.parent):
        if (folder / TREE_FILE).is_file() and (folder / MANIFEST).is_file():
            return _types_in(folder)
    return {}


def _types_in(folder: Path) -> Mapping[str, str]:
    types: dict[str, str] = {}
    files = [folder / TREE_FILE, *sorted(path for path in folder.iterdir() if FOREST_FILE.fullmatch(path.name))]
    for path in files:
        try:
            document = read_json_file(path)
        except (OSError, ValueError):
            continue
        for node in _nodes(document):
            where, info = node.get("path"), node.get("constructInfo")
            fqn = info.get("fqn") if isinstance(info, Mapping) else None
            if isinstance(where, str) and isinstance(fqn, str):
                types[where] = fqn
    return types


def _nodes(document: Any) -> Iterator[Mapping[str, Any]]:
    """Every node of a tree file (``tree``) or forest file (``forest``: its subtrees by name), without recursion."""
    if not isinstance(document, Mapping):
        return
    roots: list[Any] = [document.get("tree")]
    forest = document.get("forest")
    if isinstance(forest, Mapping):
        roots += list(forest.values())
    while roots:
        node = roots.pop()
        if not isinstance(node, Mapping):
            continue
        yield node
        children = node.get("children")
        if isinstance(children, Mapping):
            roots += list(children.values())
