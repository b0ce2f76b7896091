"""References between the stacks of one CDK app, resolved through the app view: S3 replication from a
bucket of one stack to a bucket of another, handed over by CDK's own cross-stack references (an export and
``Fn::ImportValue`` in one region; ``crossRegionReferences``' export writer and reader across regions).
The destination's region is the region of the stack that defines it, at synthesis and in the command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Environment, RemovalPolicy, Stack, Validations
from aws_cdk import aws_s3 as s3

from constructs_lib.constructs import AccessLogBucket, DataBucket, DataClassification, DataKey
from constructs_lib.validation_plugin import PLUGIN_NAME, EuResidencyPlugin
from eu_residency.check_run.run import run_check
from eu_residency.core.rule_model import Severity
from eu_residency.core.settings import RuleSettings
from eu_residency.core.template_view import CROSS_REGION_EXPORT_READER, CROSS_REGION_EXPORT_WRITER

ACCOUNT = "123456789012"
REPLICATION = "EU-RES-010"


def _data_bucket(stack: Stack) -> DataBucket:
    key = DataKey(
        stack,
        "DataKey",
        alias=f"alias/{stack.stack_name.lower()}-data",
        description="data",
        services=("s3",),
        classification=DataClassification.PERSONAL,
        removal_policy=RemovalPolicy.DESTROY,
    )
    return DataBucket(
        stack,
        "Data",
        encryption_key=key.key,
        access_logs=AccessLogBucket(stack, "AccessLogs", expiration_days=90),
        access_log_prefix="data/",
        noncurrent_version_days=30,
        classification=DataClassification.PERSONAL,
    )


def _app(outdir: Path, *, source_region: str, replica_region: str, cross_region: bool) -> App:
    """Stack Source replicates its bucket into the bucket of stack Replica, named by a CDK reference."""
    app = App(outdir=str(outdir))
    replica_stack = Stack(
        app, "Replica", env=Environment(account=ACCOUNT, region=replica_region), cross_region_references=cross_region
    )
    replica = _data_bucket(replica_stack)
    source_stack = Stack(
        app, "Source", env=Environment(account=ACCOUNT, region=source_region), cross_region_references=cross_region
    )
    source = _data_bucket(source_stack)
    cfn = source.bucket.node.default_child
    assert isinstance(cfn, s3.CfnBucket)
    cfn.replication_configuration = s3.CfnBucket.ReplicationConfigurationProperty(
        role=f"arn:aws:iam::{ACCOUNT}:role/s3-replication",
        rules=[
            s3.CfnBucket.ReplicationRuleProperty(
                status="Enabled",
                destination=s3.CfnBucket.ReplicationDestinationProperty(bucket=replica.bucket.bucket_arn),
            )
        ],
    )
    # Our plugin alone: cdk-nag's AwsSolutions findings are not what these tests are about.
    Validations.of(app).add_plugins(EuResidencyPlugin())
    return app


def _violations(outdir: Path) -> list[dict[str, Any]]:
    report = json.loads((outdir / "validation-report.json").read_text(encoding="utf-8"))
    plugin = next(p for p in report["pluginReports"] if p["pluginName"] == PLUGIN_NAME)
    violations: list[dict[str, Any]] = plugin["violations"]
    return violations


def _template(outdir: Path, name: str) -> dict[str, Any]:
    template: dict[str, Any] = json.loads((outdir / f"{name}.template.json").read_text(encoding="utf-8"))
    return template


def _destination(outdir: Path) -> Any:
    resources = _template(outdir, "Source")["Resources"]
    [bucket] = [body for body in resources.values() if "ReplicationConfiguration" in body.get("Properties", {})]
    return bucket["Properties"]["ReplicationConfiguration"]["Rules"][0]["Destination"]["Bucket"]


def test_replication_to_a_bucket_exported_by_a_stack_in_the_eu_passes_synthesis(tmp_path: Path) -> None:
    app = _app(tmp_path, source_region="eu-central-1", replica_region="eu-central-1", cross_region=False)
    app.synth()  # raises on any finding of the plugin
    assert set(_destination(tmp_path)) == {"Fn::ImportValue"}  # CDK's export, not a literal ARN


def test_replication_across_regions_to_a_bucket_in_the_eu_passes_synthesis(tmp_path: Path) -> None:
    app = _app(tmp_path, source_region="eu-west-1", replica_region="eu-central-1", cross_region=True)
    app.synth()
    # The shape the core reads: the reader's attribute names the export, the writer's props hold its value.
    destination = _destination(tmp_path)
    reader_id, attribute = destination["Fn::GetAtt"]
    assert attribute.startswith("/cdk/exports/")
    assert _template(tmp_path, "Source")["Resources"][reader_id]["Type"] == CROSS_REGION_EXPORT_READER
    [writer] = [
        body
        for body in _template(tmp_path, "Replica")["Resources"].values()
        if body["Type"] == CROSS_REGION_EXPORT_WRITER
    ]
    assert attribute in writer["Properties"]["WriterProps"]["exports"]


def test_replication_across_regions_to_a_bucket_in_us_east_1_fails_synthesis(tmp_path: Path) -> None:
    app = _app(tmp_path, source_region="eu-west-1", replica_region="us-east-1", cross_region=True)
    with pytest.raises(RuntimeError, match=r"ValidationFailed|Validation failed"):
        app.synth()
    [violation] = [v for v in _violations(tmp_path) if v["ruleName"] == REPLICATION]
    assert violation["severity"] == Severity.FATAL.value
    assert violation["violatingConstructs"][0]["constructPath"].startswith("Source/Data/")
    assert "us-east-1" in violation["description"]


@pytest.mark.parametrize(
    ("replica_region", "fails"), [("eu-central-1", False), ("us-east-1", True)], ids=["eu-central-1", "us-east-1"]
)
def test_the_command_resolves_the_cross_region_reference_of_a_cloud_assembly(
    tmp_path: Path, replica_region: str, fails: bool
) -> None:
    app = _app(tmp_path, source_region="eu-west-1", replica_region=replica_region, cross_region=True)
    if fails:
        with pytest.raises(RuntimeError, match=r"ValidationFailed|Validation failed"):
            app.synth()
    else:
        app.synth()
    run = run_check([str(tmp_path)], region=None, settings=RuleSettings())
    replication = [
        checked.finding
        for result in run.results
        for checked in result.findings
        if checked.finding.rule_id == REPLICATION
    ]
    if fails:
        [finding] = replication
        assert finding.severity is Severity.FATAL and "us-east-1" in finding.message
    else:
        assert replication == []
