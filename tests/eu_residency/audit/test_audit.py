"""``eu-residency audit`` of an account with violations in several regions, through main().

Served by moto (server mode, 127.0.0.1): S3, KMS, Secrets Manager (with replicas), CloudWatch Logs, SQS,
SNS, Kinesis, ECR (with registry replication), AWS Backup, OpenSearch, ElastiCache, EFS, RDS, DynamoDB,
CloudFront, the tagging API, STS.

Answered by botocore's Stubber, with responses shaped as in the AWS API reference (the Stubber checks them
against botocore's service models), where moto has no API or does not return the field:

- Global Accelerator ``ListAccelerators`` (moto has no Global Accelerator backend): one accelerator.
- DynamoDB in eu-central-1 (``ListTables``, ``DescribeTable``): moto's tables have no global-table
  replicas, so a table with a replica in us-east-1 is stubbed (API reference: TableDescription.Replicas).
- RDS in eu-central-1 (``DescribeDBInstances``, ``DescribeDBClusters``, ``DescribeDBParameters``): moto
  has no cross-region automated backups, so an instance whose backups are replicated to us-east-1 is
  stubbed (API reference: DBInstance.DBInstanceAutomatedBackupsReplications).
- SQS in eu-west-2 ``ListQueues``: AccessDenied (HTTP 403), the refusal an IAM policy or an SCP gives.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber
from jsonschema import Draft202012Validator, validators

from eu_residency.audit.audit_report import AuditReport
from eu_residency.formats import AUDIT_RENDERERS as FORMATTERS
from eu_residency.formats import markdown, sarif, text
from tests.eu_residency.audit.conftest import (
    ACCOUNT,
    EU,
    NOW,
    Harness,
    Moto,
    Run,
    accelerators,
    access_denied,
    run_audit_command,
    seed_compliant,
)
from tests.eu_residency.audit.seed_violations import FRANKFURT, LONDON, VIRGINIA, ZURICH, seed_violations

REPO = Path(__file__).resolve().parents[3]
REGIONS = [EU, FRANKFURT, LONDON, ZURICH, VIRGINIA]
FATAL, ERROR = "fatal", "error"
STUBBED_TABLE = f"arn:aws:dynamodb:{FRANKFURT}:{ACCOUNT}:table/chat-presence"
STUBBED_DB = f"arn:aws:rds:{FRANKFURT}:{ACCOUNT}:db:chat-db-dr"
ACCELERATOR = f"arn:aws:globalaccelerator::{ACCOUNT}:accelerator/chat-edge"


def frankfurt_table(stubber: Stubber) -> None:
    """A global table with a replica in us-east-1 (DynamoDB DescribeTable, TableDescription.Replicas)."""
    stubber.add_response("list_tables", {"TableNames": ["chat-presence"]})
    stubber.add_response(
        "describe_table",
        {
            "Table": {
                "TableName": "chat-presence",
                "TableArn": STUBBED_TABLE,
                "TableStatus": "ACTIVE",
                "CreationDateTime": NOW,
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "GlobalTableVersion": "2019.11.21",
                "Replicas": [
                    {"RegionName": FRANKFURT, "ReplicaStatus": "ACTIVE"},
                    {"RegionName": VIRGINIA, "ReplicaStatus": "ACTIVE"},
                ],
                "SSEDescription": {
                    "Status": "ENABLED",
                    "SSEType": "KMS",
                    "KMSMasterKeyArn": f"arn:aws:kms:{FRANKFURT}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                },
            }
        },
        {"TableName": "chat-presence"},
    )


def frankfurt_database(stubber: Stubber) -> None:
    """A PostgreSQL instance whose automated backups are replicated to us-east-1 (RDS DescribeDBInstances)."""
    stubber.add_response(
        "describe_db_instances",
        {
            "DBInstances": [
                {
                    "DBInstanceIdentifier": "chat-db-dr",
                    "DBInstanceArn": STUBBED_DB,
                    "DBInstanceClass": "db.t4g.micro",
                    "Engine": "postgres",
                    "EngineVersion": "17.9",
                    "DBInstanceStatus": "available",
                    "StorageEncrypted": True,
                    "KmsKeyId": f"arn:aws:kms:{FRANKFURT}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                    "DBParameterGroups": [
                        {"DBParameterGroupName": "dr-postgres-tls", "ParameterApplyStatus": "in-sync"}
                    ],
                    "DBInstanceAutomatedBackupsReplications": [
                        {"DBInstanceAutomatedBackupsArn": f"arn:aws:rds:{VIRGINIA}:{ACCOUNT}:auto-backup:ab-7f3a2b"}
                    ],
                    "TagList": [{"Key": "data-classification", "Value": "personal"}],
                }
            ]
        },
        {},
    )
    stubber.add_response("describe_db_clusters", {"DBClusters": []}, {})
    stubber.add_response(
        "describe_db_parameters",
        {"Parameters": [{"ParameterName": "rds.force_ssl", "ParameterValue": "1", "Source": "user"}]},
        {"DBParameterGroupName": "dr-postgres-tls"},
    )


@pytest.fixture(scope="module")
def account(moto: Moto) -> dict[str, str]:
    moto.reset()
    arns = seed_compliant(moto)
    arns.update(seed_violations(moto))
    return arns


@pytest.fixture(scope="module")
def audited(account: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, AuditReport, Harness]:
    """One audit of the five regions, as JSON to a file; every test of the module reads it."""
    harness = Harness(
        stubs={
            ("globalaccelerator", "us-west-2"): accelerators("chat-edge"),
            ("sqs", LONDON): access_denied("list_queues", "sqs:ListQueues"),
            ("dynamodb", FRANKFURT): frankfurt_table,
            ("rds", FRANKFURT): frankfurt_database,
        }
    )
    output = tmp_path_factory.mktemp("audit") / "audit.json"
    run = run_audit_command(
        [
            "--regions",
            ",".join(REGIONS),
            "--key-control",
            "customer-managed",
            "--format",
            "json",
            "--output",
            str(output),
        ],
        harness=harness,
    )
    report = AuditReport.from_dict(json.loads(output.read_text(encoding="utf-8")))
    return run, report, harness


def expected_findings(arns: dict[str, str]) -> set[tuple[str, str, str, str]]:
    pg = f"arn:aws:rds:{ZURICH}:{ACCOUNT}:pg:ch-postgres"
    return {
        # eu-central-1, an allowed region: copies that leave it.
        ("EU-RES-010", FRANKFURT, "arn:aws:s3:::eu-dr-copy", ERROR),  # destination bucket's region unknown
        ("EU-RES-033", FRANKFURT, "arn:aws:s3:::eu-dr-copy", FATAL),
        ("EU-RES-012", FRANKFURT, arns["copy-plan"], FATAL),
        ("EU-RES-018", FRANKFURT, f"registry/{ACCOUNT}", FATAL),
        ("EU-RES-020", FRANKFURT, arns["multi-region-key"], FATAL),
        ("EU-RES-011", FRANKFURT, STUBBED_TABLE, FATAL),
        ("EU-RES-013", FRANKFURT, STUBBED_DB, FATAL),
        # eu-central-2 (Zurich): outside the EU, however well configured.
        ("EU-RES-001", ZURICH, arns["zurich-key"], FATAL),
        ("EU-RES-001", ZURICH, "arn:aws:s3:::ch-archive", FATAL),
        ("EU-RES-001", ZURICH, f"arn:aws:rds:{ZURICH}:{ACCOUNT}:db:ch-db", FATAL),
        ("EU-ENC-001", ZURICH, f"arn:aws:rds:{ZURICH}:{ACCOUNT}:db:ch-db", ERROR),
        ("EU-ENC-045", ZURICH, pg, ERROR),
        ("EU-RES-001", ZURICH, arns["ch-files"], FATAL),
        ("EU-ENC-009", ZURICH, arns["ch-files"], ERROR),
        ("EU-RES-001", ZURICH, f"arn:aws:kinesis:{ZURICH}:{ACCOUNT}:stream/ch-clicks", FATAL),
        ("EU-ENC-023", ZURICH, f"arn:aws:kinesis:{ZURICH}:{ACCOUNT}:stream/ch-clicks", ERROR),
        ("EU-RES-001", ZURICH, f"arn:aws:sns:{ZURICH}:{ACCOUNT}:ch-alerts", FATAL),
        ("EU-ENC-022", ZURICH, f"arn:aws:sns:{ZURICH}:{ACCOUNT}:ch-alerts", ERROR),
        # eu-west-2 (London): outside the EU; its SQS queue is not seen (access denied).
        ("EU-RES-001", LONDON, "arn:aws:s3:::uk-exports", FATAL),
        ("EU-KEY-001", LONDON, "arn:aws:s3:::uk-exports", ERROR),
        ("EU-ENC-040", LONDON, "arn:aws:s3:::uk-exports", ERROR),
        ("EU-RES-010", LONDON, "arn:aws:s3:::uk-exports", FATAL),  # to us-replica in us-east-1
        ("EU-RES-001", LONDON, arns["uk-sessions"], FATAL),
        ("EU-KEY-002", LONDON, arns["uk-sessions"], ERROR),
        ("EU-RES-001", LONDON, arns["uk-secret"], FATAL),
        ("EU-RES-017", LONDON, arns["uk-secret"], FATAL),  # replica in us-east-1
        ("EU-KEY-003", LONDON, arns["uk-secret"], ERROR),
        ("EU-RES-001", LONDON, f"arn:aws:logs:{LONDON}:{ACCOUNT}:log-group:/uk/app", FATAL),
        ("EU-RET-001", LONDON, f"arn:aws:logs:{LONDON}:{ACCOUNT}:log-group:/uk/app", ERROR),
        ("EU-KEY-010", LONDON, f"arn:aws:logs:{LONDON}:{ACCOUNT}:log-group:/uk/app", ERROR),
        # us-east-1 (N. Virginia).
        ("EU-RES-001", VIRGINIA, "arn:aws:s3:::us-replica", FATAL),
        ("EU-KEY-001", VIRGINIA, "arn:aws:s3:::us-replica", ERROR),
        ("EU-ENC-040", VIRGINIA, "arn:aws:s3:::us-replica", ERROR),
        ("EU-RES-001", VIRGINIA, f"arn:aws:sqs:{VIRGINIA}:{ACCOUNT}:us-jobs", FATAL),
        ("EU-ENC-021", VIRGINIA, f"arn:aws:sqs:{VIRGINIA}:{ACCOUNT}:us-jobs", ERROR),
        ("EU-RES-001", VIRGINIA, f"arn:aws:elasticache:{VIRGINIA}:{ACCOUNT}:replicationgroup:us-cache", FATAL),
        ("EU-ENC-005", VIRGINIA, f"arn:aws:elasticache:{VIRGINIA}:{ACCOUNT}:replicationgroup:us-cache", ERROR),
        ("EU-ENC-044", VIRGINIA, f"arn:aws:elasticache:{VIRGINIA}:{ACCOUNT}:replicationgroup:us-cache", ERROR),
        ("EU-RES-001", VIRGINIA, f"arn:aws:es:{VIRGINIA}:{ACCOUNT}:domain/us-search", FATAL),
        ("EU-ENC-011", VIRGINIA, f"arn:aws:es:{VIRGINIA}:{ACCOUNT}:domain/us-search", ERROR),
        ("EU-ENC-047", VIRGINIA, f"arn:aws:es:{VIRGINIA}:{ACCOUNT}:domain/us-search", ERROR),
        ("EU-RES-001", VIRGINIA, f"arn:aws:ecr:{VIRGINIA}:{ACCOUNT}:repository/us-images", FATAL),
        ("EU-KEY-004", VIRGINIA, f"arn:aws:ecr:{VIRGINIA}:{ACCOUNT}:repository/us-images", ERROR),
        ("EU-RES-001", VIRGINIA, f"arn:aws:backup:{VIRGINIA}:{ACCOUNT}:backup-vault:us-vault", FATAL),
        ("EU-KEY-010", VIRGINIA, f"arn:aws:backup:{VIRGINIA}:{ACCOUNT}:backup-vault:us-vault", ERROR),
        # The multi-Region key's replica: outside, and multi-Region (its primary is in an allowed region).
        ("EU-RES-001", VIRGINIA, arns["multi-region-replica"], FATAL),
        ("EU-RES-020", VIRGINIA, arns["multi-region-replica"], ERROR),
        # The secret's replica: outside, a copy of a primary outside, with the AWS-managed key.
        ("EU-RES-001", VIRGINIA, arns["uk-secret-replica"], FATAL),
        ("EU-RES-017", VIRGINIA, arns["uk-secret-replica"], FATAL),
        ("EU-KEY-003", VIRGINIA, arns["uk-secret-replica"], ERROR),
        # Edge services exist at all.
        ("EU-RES-030", "global", arns["distribution"], FATAL),
        ("EU-RES-031", "global", ACCELERATOR, FATAL),
    }


def test_findings_are_exactly_the_seeded_violations(
    audited: tuple[Run, AuditReport, Harness], account: dict[str, str]
) -> None:
    _, report, harness = audited
    found = {(item.rule_id, item.region, item.resource, item.severity.value) for item in report.findings}
    assert found == expected_findings(account)
    assert len(report.findings) == len(found), "one finding per rule, region and resource"
    harness.assert_stubs_used()


def test_exit_code_is_1_and_the_summary_is_one_line_on_stderr(
    audited: tuple[Run, AuditReport, Harness], account: dict[str, str]
) -> None:
    run, report, _ = audited
    assert run.code == 1 == report.exit_code
    assert run.stdout == ""  # --output took the report
    assert run.stderr.splitlines() == [f"eu-residency: {report.summary()}"]
    expected = expected_findings(account)
    fatal = sum(1 for *_, severity in expected if severity == FATAL)
    assert f"{len(expected)} finding(s) ({fatal} fatal, {len(expected) - fatal} error)" in run.stderr
    assert "1 region/service part(s) not audited" in run.stderr


def test_inventory_per_region(audited: tuple[Run, AuditReport, Harness], account: dict[str, str]) -> None:
    _, report, _ = audited
    inventory: dict[str, set[tuple[str, str]]] = {}
    for item in report.inventory:
        inventory.setdefault(item.region, set()).add((item.resource_type, item.name))
    key_id = account["key"].rsplit("/", 1)[-1]
    assert inventory[EU] == {
        ("AWS::Backup::BackupVault", "chat-vault"),
        ("AWS::DynamoDB::Table", "chat-sessions"),
        ("AWS::ECR::Repository", "chat-app"),
        ("AWS::EFS::FileSystem", "chat-exports"),
        ("AWS::ElastiCache::ReplicationGroup", "chat-session-store"),
        ("AWS::KMS::Key", key_id),
        ("AWS::Kinesis::Stream", "chat-activity"),
        ("AWS::Logs::LogGroup", "/chat/app"),
        ("AWS::OpenSearchService::Domain", "chat-search"),
        ("AWS::RDS::DBCluster", "chat-analytics"),
        ("AWS::RDS::DBInstance", "chat-db"),
        ("AWS::S3::Bucket", "chat-access-logs-eu"),
        ("AWS::S3::Bucket", "chat-attachments-eu"),
        ("AWS::SNS::Topic", "chat-notifications"),
        ("AWS::SQS::Queue", "chat-events"),
        ("AWS::SecretsManager::Secret", "chat/db-credentials"),
    }
    assert inventory[FRANKFURT] == {
        ("AWS::Backup::BackupVault", "chat-dr"),
        ("AWS::DynamoDB::Table", "chat-presence"),
        ("AWS::KMS::Key", account["frankfurt-key"].rsplit("/", 1)[-1]),
        ("AWS::KMS::Key", account["multi-region-key"].rsplit("/", 1)[-1]),
        ("AWS::RDS::DBInstance", "chat-db-dr"),
        ("AWS::S3::Bucket", "eu-dr-copy"),
    }
    assert inventory[LONDON] == {
        ("AWS::DynamoDB::Table", "uk-sessions"),
        ("AWS::Logs::LogGroup", "/uk/app"),
        ("AWS::S3::Bucket", "uk-exports"),
        ("AWS::SecretsManager::Secret", "uk/api-token"),
    }  # no SQS queue: SQS was not audited there
    assert inventory[ZURICH] == {
        ("AWS::EFS::FileSystem", account["ch-files"].rsplit("/", 1)[-1]),
        ("AWS::KMS::Key", account["zurich-key"].rsplit("/", 1)[-1]),
        ("AWS::Kinesis::Stream", "ch-clicks"),
        ("AWS::RDS::DBInstance", "ch-db"),
        ("AWS::S3::Bucket", "ch-archive"),
        ("AWS::SNS::Topic", "ch-alerts"),
    }
    assert inventory[VIRGINIA] == {
        ("AWS::Backup::BackupVault", "us-vault"),
        ("AWS::ECR::Repository", "us-images"),
        ("AWS::ElastiCache::ReplicationGroup", "us-cache"),
        ("AWS::KMS::Key", account["multi-region-replica"].rsplit("/", 1)[-1]),
        ("AWS::OpenSearchService::Domain", "us-search"),
        ("AWS::S3::Bucket", "us-replica"),
        ("AWS::SQS::Queue", "us-jobs"),
        ("AWS::SecretsManager::Secret", "uk/api-token"),
    }
    assert set(inventory) == set(REGIONS)
    by_name = {(item.region, item.name): item for item in report.inventory}
    # Classification from tags: the tagging API (S3, DynamoDB), or the store's own listing (RDS, secrets).
    assert by_name[EU, "chat-attachments-eu"].classification == "personal"
    assert by_name[EU, "chat-sessions"].classification == "personal"
    assert by_name[EU, "chat-db"].classification == "personal"
    assert by_name[EU, "chat/db-credentials"].classification == "internal"
    assert by_name[FRANKFURT, "chat-db-dr"].classification == "personal"
    assert by_name[EU, "chat-events"].classification is None
    # Encryption at rest, as the inventory states it.
    assert by_name[EU, "chat-access-logs-eu"].encryption == "SSE-S3 (log delivery bucket)"
    assert by_name[LONDON, "uk-exports"].encryption == "SSE-S3"
    assert by_name[VIRGINIA, "us-replica"].encryption == "none"
    assert by_name[VIRGINIA, "us-jobs"].encryption == "none"
    assert by_name[EU, "chat-events"].encryption == f"SSE-KMS, key {account['key']}"


def test_what_was_and_was_not_audited(audited: tuple[Run, AuditReport, Harness]) -> None:
    _, report, _ = audited
    assert [(entry.region, entry.service, entry.status) for entry in report.not_audited] == [
        (LONDON, "sqs", "not audited")
    ]
    reason = report.not_audited[0].reason
    assert reason.startswith("AccessDenied on ListQueues: ")
    assert "not authorized to perform: sqs:ListQueues" in reason
    regional = {
        "kms",
        "rds",
        "dynamodb",
        "elasticache",
        "efs",
        "secretsmanager",
        "logs",
        "sqs",
        "sns",
        "kinesis",
        "ecr",
        "backup",
        "opensearch",
        "redshift",
        "kafka",
        "resourcegroupstaggingapi",
    }
    expected = {(region, service) for region in REGIONS for service in regional} - {(LONDON, "sqs")}
    expected |= {("global", "s3"), ("global", "cloudfront"), ("global", "globalaccelerator")}
    assert {(entry.region, entry.service) for entry in report.audited} == expected
    assert len(report.coverage) == len(expected) + 1
    assert report.regions == tuple(REGIONS)
    assert report.account == ACCOUNT


def test_every_format_renders_the_report(audited: tuple[Run, AuditReport, Harness]) -> None:
    _, report, _ = audited
    assert AuditReport.from_dict(report.as_dict()) == report
    rendered = text.render_audit(report)
    assert rendered.splitlines()[-1] == f"eu-residency: {report.summary()}"
    assert f"  eu-west-2 sqs: {report.not_audited[0].reason}" in rendered
    assert "  FATAL EU-RES-031 global " + ACCELERATOR in rendered
    document = markdown.render_audit(report)
    assert "## Not audited" in document
    assert f"| eu-west-2 | sqs | {report.not_audited[0].reason} |" in document
    assert "| global | cloudfront, globalaccelerator, s3 | - |" in document
    assert set(FORMATTERS) == {"text", "json", "sarif", "markdown"}


def test_sarif_is_valid_and_locates_findings_by_arn(audited: tuple[Run, AuditReport, Harness]) -> None:
    _, report, _ = audited
    schema = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    log: dict[str, Any] = json.loads(sarif.render_audit(report))
    validator_class = validators.validator_for(schema, default=Draft202012Validator)
    errors = sorted(validator_class(schema).iter_errors(log), key=lambda error: list(error.path))
    assert not errors, [f"{list(error.path)}: {error.message}" for error in errors[:5]]
    run = log["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert len(run["results"]) == len(report.findings)
    for result, finding in zip(run["results"], report.findings, strict=True):
        assert rules[result["ruleIndex"]] == result["ruleId"] == finding.rule_id
        (location,) = result["locations"]
        assert "physicalLocation" not in location
        (logical,) = location["logicalLocations"]
        assert logical["fullyQualifiedName"] == finding.resource
        assert logical["kind"] == "resource"
    fingerprints = [result["partialFingerprints"]["euResidencyAudit/v1"] for result in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["message"]["text"].startswith("eu-west-2 sqs: not audited: AccessDenied on ListQueues")
    assert {item["name"] for item in run["properties"]["inventory"]} >= {"chat-attachments-eu", "us-replica"}
