"""``eu-residency audit`` of Redshift and MSK: planted violations are found, compliant look-alikes are not.

Served by moto (server mode, 127.0.0.1) in eu-west-1 and eu-central-1: Redshift clusters (encryption, the
default parameter group, a group of the account's own, cross-region snapshot copy) and MSK clusters.

Answered by botocore's Stubber, with responses shaped as in the AWS API reference, in eu-north-1:

- Redshift ``DescribeClusters``, ``DescribeClusterParameters``: moto has no ModifyClusterParameterGroup, so
  a group whose require_ssl is true cannot be made there.
- MSK ``ListClustersV2``: moto drops EncryptionInfo.EncryptionAtRest, so a cluster under a customer key
  cannot be made there; a serverless cluster besides.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.stub import Stubber

from eu_residency.audit.audit_report import AuditReport
from tests.eu_residency.audit.conftest import (
    ACCOUNT,
    EU,
    NO_ACCELERATORS,
    Harness,
    Moto,
    access_denied,
    key,
    redshift_warehouse,
    run_audit_command,
)

FRANKFURT, STOCKHOLM, VIRGINIA = "eu-central-1", "eu-north-1", "us-east-1"
REGIONS = (EU, FRANKFURT, STOCKHOLM)
Finding = tuple[str, str, str, str]


def _cluster(region: str, name: str) -> str:
    return f"arn:aws:redshift:{region}:{ACCOUNT}:cluster:{name}"


def _kafka(moto: Moto, name: str, **kwargs: Any) -> str:
    arn: str = moto.client("kafka").create_cluster(
        ClusterName=name,
        KafkaVersion="3.6.0",
        NumberOfBrokerNodes=3,
        BrokerNodeGroupInfo={"InstanceType": "kafka.m5.large", "ClientSubnets": ["subnet-1", "subnet-2", "subnet-3"]},
        **kwargs,
    )["ClusterArn"]
    return arn


def stockholm_kafka(customer_key: str) -> Any:
    """A provisioned cluster under a customer key, TLS only, and a serverless one (MSK ListClustersV2)."""

    def plan(stubber: Stubber) -> None:
        base = f"arn:aws:kafka:{STOCKHOLM}:{ACCOUNT}:cluster"
        stubber.add_response(
            "list_clusters_v2",
            {
                "ClusterInfoList": [
                    {
                        "ClusterArn": f"{base}/chat-events/0b1c2d3e-1111-2222-3333-444455556666-2",
                        "ClusterName": "chat-events",
                        "ClusterType": "PROVISIONED",
                        "State": "ACTIVE",
                        "Tags": {"data-classification": "personal"},
                        "Provisioned": {
                            "NumberOfBrokerNodes": 3,
                            "BrokerNodeGroupInfo": {
                                "InstanceType": "kafka.m5.large",
                                "ClientSubnets": ["subnet-1", "subnet-2", "subnet-3"],
                            },
                            "EncryptionInfo": {
                                "EncryptionAtRest": {"DataVolumeKMSKeyId": customer_key},
                                "EncryptionInTransit": {"ClientBroker": "TLS", "InCluster": True},
                            },
                        },
                    },
                    {
                        "ClusterArn": f"{base}/chat-stream/7a8b9c0d-1111-2222-3333-444455556666-s1",
                        "ClusterName": "chat-stream",
                        "ClusterType": "SERVERLESS",
                        "State": "ACTIVE",
                        "Serverless": {"VpcConfigs": [{"SubnetIds": ["subnet-1", "subnet-2"]}]},
                    },
                ]
            },
            {},
        )

    return plan


@pytest.fixture(scope="module")
def account(moto: Moto) -> dict[str, str]:
    moto.reset()
    arns: dict[str, str] = {"stockholm-key": key(moto, STOCKHOLM)}
    redshift = moto.client("redshift")
    # Violations: unencrypted, on the default parameter group (require_ssl false).
    redshift.create_cluster(
        ClusterIdentifier="plain-warehouse",
        NodeType="ra3.xlplus",
        MasterUsername="chat",
        MasterUserPassword="Not-a-real-passw0rd",
        Encrypted=False,
    )
    # In an allowed region, encrypted, but its own group keeps require_ssl false and snapshots go to us-east-1.
    frankfurt = moto.client("redshift", FRANKFURT)
    frankfurt.create_cluster_parameter_group(
        ParameterGroupName="dr-params", ParameterGroupFamily="redshift-1.0", Description="defaults"
    )
    frankfurt.create_cluster(
        ClusterIdentifier="dr-warehouse",
        NodeType="ra3.xlplus",
        MasterUsername="chat",
        MasterUserPassword="Not-a-real-passw0rd",
        Encrypted=True,
        KmsKeyId=key(moto, FRANKFURT),
        ClusterParameterGroupName="dr-params",
    )
    frankfurt.create_snapshot_copy_grant(SnapshotCopyGrantName="dr-grant")
    frankfurt.enable_snapshot_copy(
        ClusterIdentifier="dr-warehouse", DestinationRegion=VIRGINIA, SnapshotCopyGrantName="dr-grant"
    )
    # MSK: clients may use plain text and brokers replicate in plain text; and one left at MSK's defaults,
    # which encrypts in transit (a look-alike) under the AWS-managed key (EU-KEY-010 with key control only).
    plain = {"EncryptionInTransit": {"ClientBroker": "TLS_PLAINTEXT", "InCluster": False}}
    arns["plain-events"] = _kafka(moto, "plain-events", EncryptionInfo=plain)
    arns["default-events"] = _kafka(moto, "default-events")
    return arns


def _audit(key_control: str, customer_key: str) -> tuple[int, AuditReport, Harness]:
    harness = Harness(
        stubs={
            **NO_ACCELERATORS,
            # Compliant look-alikes: require_ssl true, snapshots copied to another allowed region.
            ("redshift", STOCKHOLM): redshift_warehouse(STOCKHOLM, copy_to=FRANKFURT),
            ("kafka", STOCKHOLM): stockholm_kafka(customer_key),
        }
    )
    run = run_audit_command(
        ["--regions", ",".join(REGIONS), "--format", "json", "--key-control", key_control], harness=harness
    )
    harness.assert_stubs_used()
    return run.code, AuditReport.from_dict(run.json()), harness


@pytest.fixture(scope="module")
def audits(account: dict[str, str]) -> dict[str, tuple[int, AuditReport, Harness]]:
    return {setting: _audit(setting, account["stockholm-key"]) for setting in ("any", "customer-managed")}


def _found(report: AuditReport) -> set[Finding]:
    return {(item.rule_id, item.region, item.resource, item.severity.value) for item in report.findings}


def expected(arns: dict[str, str]) -> set[Finding]:
    return {
        ("EU-ENC-004", EU, _cluster(EU, "plain-warehouse"), "error"),
        ("EU-ENC-050", EU, _cluster(EU, "plain-warehouse"), "error"),
        ("EU-ENC-049", FRANKFURT, f"arn:aws:redshift:{FRANKFURT}:{ACCOUNT}:parametergroup:dr-params", "error"),
        ("EU-RES-019", FRANKFURT, _cluster(FRANKFURT, "dr-warehouse"), "fatal"),
        ("EU-ENC-048", EU, arns["plain-events"], "error"),
    }


def test_the_planted_violations_are_found_and_nothing_else(
    audits: dict[str, tuple[int, AuditReport, Harness]], account: dict[str, str]
) -> None:
    code, report, _ = audits["any"]
    assert code == 1
    assert _found(report) == expected(account)
    assert report.not_audited == []


def test_with_key_control_msk_clusters_without_a_customer_key_are_found(
    audits: dict[str, tuple[int, AuditReport, Harness]], account: dict[str, str]
) -> None:
    _, report, _ = audits["customer-managed"]
    assert _found(report) == expected(account) | {
        ("EU-KEY-010", EU, account["plain-events"], "error"),
        ("EU-KEY-010", EU, account["default-events"], "error"),
    }


def test_the_messages_say_what_is_wrong(audits: dict[str, tuple[int, AuditReport, Harness]]) -> None:
    _, report, _ = audits["customer-managed"]
    messages = {(finding.rule_id, finding.resource.rsplit(":", 1)[-1]): finding.message for finding in report.findings}
    assert messages["EU-RES-019", "dr-warehouse"] == (
        "the cluster copies its snapshots to a destination in us-east-1 (N. Virginia, outside the EU)"
    )
    assert (
        "default parameter group default.redshift-1.0, whose require_ssl is 'false'"
        in (messages["EU-ENC-050", "plain-warehouse"])
    )
    assert messages["EU-ENC-049", "dr-params"].startswith("require_ssl is 'false' in the parameter group dr-params")
    plain = next(message for (rule, _), message in messages.items() if rule == "EU-ENC-048")
    assert "ClientBroker is TLS_PLAINTEXT" in plain and "InCluster is false" in plain
    for message in messages.values():
        assert len(message) < 300


def test_the_inventory_lists_every_cluster(audits: dict[str, tuple[int, AuditReport, Harness]]) -> None:
    _, report, _ = audits["any"]
    clusters = {
        (item.region, item.resource_type, item.name): item
        for item in report.inventory
        if item.resource_type in {"AWS::Redshift::Cluster", "AWS::MSK::Cluster"}
    }
    assert set(clusters) == {
        (EU, "AWS::Redshift::Cluster", "plain-warehouse"),
        (FRANKFURT, "AWS::Redshift::Cluster", "dr-warehouse"),
        (STOCKHOLM, "AWS::Redshift::Cluster", "chat-warehouse"),
        (EU, "AWS::MSK::Cluster", "plain-events"),
        (EU, "AWS::MSK::Cluster", "default-events"),
        (STOCKHOLM, "AWS::MSK::Cluster", "chat-events"),
        (STOCKHOLM, "AWS::MSK::Cluster", "chat-stream"),
    }
    assert clusters[EU, "AWS::Redshift::Cluster", "plain-warehouse"].encryption == "none"
    assert clusters[STOCKHOLM, "AWS::Redshift::Cluster", "chat-warehouse"].classification == "personal"
    assert clusters[STOCKHOLM, "AWS::MSK::Cluster", "chat-events"].classification == "personal"
    assert clusters[EU, "AWS::MSK::Cluster", "default-events"].encryption == "encrypted, key not shown"


def test_an_account_where_redshift_is_refused_is_not_audited_there(account: dict[str, str]) -> None:
    harness = Harness(
        stubs={**NO_ACCELERATORS, ("redshift", EU): access_denied("describe_clusters", "redshift:DescribeClusters")}
    )
    run = run_audit_command(["--regions", EU, "--format", "json"], harness=harness)
    report = AuditReport.from_dict(run.json())
    assert [(entry.region, entry.service) for entry in report.not_audited] == [(EU, "redshift")]
    assert report.not_audited[0].reason.startswith("AccessDenied on DescribeClusters: ")
