"""S3 replication and Multi-Region Access Points across the stacks of one app: a bucket ARN names no
region, so the destination's region is the region of the stack of the app that defines the bucket.
"""

from __future__ import annotations

from typing import Any

import pytest

from eu_residency.core.rule_model import Finding, Severity
from eu_residency.core.settings import RuleSettings
from eu_residency.rules.engine import TemplateInput, check_templates
from eu_residency.rules.residency.s3_multi_region_access_point import RULE as ACCESS_POINT_RULE
from eu_residency.rules.residency.s3_replication import RULE as REPLICATION_RULE

REPLICA_NAME = "chat-replica-dr"
REPLICA_ARN = f"arn:aws:s3:::{REPLICA_NAME}"
SOURCE, DR = "chat-eu-west-1", "dr"


def _replicating_template() -> dict[str, Any]:
    return {
        "Resources": {
            "Source": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "VersioningConfiguration": {"Status": "Enabled"},
                    "ReplicationConfiguration": {
                        "Role": "arn:aws:iam::123456789012:role/s3-replication",
                        "Rules": [{"Status": "Enabled", "Destination": {"Bucket": REPLICA_ARN}}],
                    },
                },
            }
        }
    }


def _access_point_template() -> dict[str, Any]:
    return {
        "Resources": {
            "Assets": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "chat-assets-ireland"}},
            "AccessPoint": {
                "Type": "AWS::S3::MultiRegionAccessPoint",
                "Properties": {"Regions": [{"Bucket": {"Ref": "Assets"}}, {"Bucket": REPLICA_NAME}]},
            },
        }
    }


def _replica_template() -> dict[str, Any]:
    return {
        "Resources": {
            "Replica": {
                "Type": "AWS::S3::Bucket",
                "Properties": {"BucketName": REPLICA_NAME, "VersioningConfiguration": {"Status": "Enabled"}},
            }
        }
    }


def _check(
    source: dict[str, Any], replica_region: str | None, settings: RuleSettings | None = None
) -> dict[str, list[Finding]]:
    """Findings per template: ``source`` in eu-west-1, the replica bucket's stack in ``replica_region``."""
    inputs = [
        TemplateInput(name=SOURCE, template=source, region="eu-west-1", account="123456789012"),
        TemplateInput(name=DR, template=_replica_template(), region=replica_region, account="123456789012"),
    ]
    rules = [REPLICATION_RULE, ACCESS_POINT_RULE]
    return check_templates(inputs, settings or RuleSettings(), rules=rules)


@pytest.mark.parametrize(
    ("source", "rule_id", "logical_id"),
    [
        (_replicating_template(), "EU-RES-010", "Source"),
        (_access_point_template(), "EU-RES-021", "AccessPoint"),
    ],
)
def test_a_bucket_of_a_stack_of_the_app_outside_the_eu_is_fatal(
    source: dict[str, Any], rule_id: str, logical_id: str
) -> None:
    findings = _check(source, "us-east-1")
    assert findings[DR] == []
    [finding] = findings[SOURCE]
    assert (finding.rule_id, finding.logical_id, finding.severity) == (rule_id, logical_id, Severity.FATAL)
    assert REPLICA_NAME in finding.message and "us-east-1" in finding.message


@pytest.mark.parametrize("source", [_replicating_template(), _access_point_template()])
def test_a_bucket_of_a_stack_of_the_app_in_another_eu_region_passes(source: dict[str, Any]) -> None:
    assert _check(source, "eu-central-1") == {SOURCE: [], DR: []}


def test_an_eu_region_outside_a_narrowed_allowed_set_is_fatal() -> None:
    settings = RuleSettings.build(allowed_regions=["eu-west-1"])
    [finding] = _check(_replicating_template(), "eu-central-1", settings)[SOURCE]
    assert finding.severity is Severity.FATAL
    assert "eu-central-1" in finding.message


def test_a_bucket_of_an_environment_agnostic_stack_cannot_be_shown() -> None:
    [finding] = _check(_replicating_template(), None)[SOURCE]
    assert finding.severity is Severity.ERROR
    assert "cannot be shown" in finding.message


def test_the_app_stack_wins_over_a_stale_settings_entry() -> None:
    # The app defines the bucket, in us-east-1: an allowlist entry claiming Frankfurt does not hide that.
    settings = RuleSettings.build(replication_destinations={REPLICA_NAME: "eu-central-1"})
    [finding] = _check(_replicating_template(), "us-east-1", settings)[SOURCE]
    assert finding.severity is Severity.FATAL


def test_a_bucket_outside_the_app_and_unlisted_cannot_be_shown() -> None:
    inputs = [TemplateInput(name="chat", template=_replicating_template(), region="eu-west-1")]
    [finding] = check_templates(inputs, RuleSettings(), rules=[REPLICATION_RULE])["chat"]
    assert finding.severity is Severity.ERROR
    assert "replication_destinations" in finding.message
