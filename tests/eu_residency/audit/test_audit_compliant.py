"""``eu-residency audit`` of the compliant platform (moto, server mode), and the ways it cannot run at all.

Moto serves every call except Global Accelerator ``ListAccelerators`` (no moto backend), which botocore's
Stubber answers with an empty ``Accelerators`` list (the API reference's ListAcceleratorsResponse), and, in
the full run, Redshift in eu-west-1 (a cluster whose parameter group requires SSL: moto has no
ModifyClusterParameterGroup, see ``redshift_warehouse``); the
"nothing could be audited" test stubs an AccessDenied (HTTP 403) for the first call of every service.
The recorded calls of the full run are compared with docs/audit-iam-policy.json.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from eu_residency.audit.audit_report import AuditFileError, AuditReport
from eu_residency.audit.session import ENDPOINT_ENV, RETRIES, ClientFactory
from eu_residency.review_pack.audit_sections import html_section, load_audit, markdown_section, sarif_run
from tests.eu_residency.audit.conftest import (
    ACCOUNT,
    EU,
    NO_ACCELERATORS,
    Harness,
    Moto,
    Run,
    access_denied,
    redshift_warehouse,
    run_audit_command,
    seed_compliant,
)

REPO = Path(__file__).resolve().parents[3]
POLICY = REPO / "docs" / "audit-iam-policy.json"
# IAM's name for each service (the boto3 name where it differs), and for operations it names differently.
IAM_PREFIX = {"efs": "elasticfilesystem", "opensearch": "es", "resourcegroupstaggingapi": "tag"}
IAM_ACTION = {
    ("s3", "ListBuckets"): "ListAllMyBuckets",
    ("s3", "GetBucketEncryption"): "GetEncryptionConfiguration",
    ("s3", "GetBucketReplication"): "GetReplicationConfiguration",
    ("s3", "GetBucketAccelerateConfiguration"): "GetAccelerateConfiguration",
}


def iam_action(service: str, operation: str) -> str:
    return f"{IAM_PREFIX.get(service, service)}:{IAM_ACTION.get((service, operation), operation)}"


@pytest.fixture(scope="module")
def platform(moto: Moto) -> dict[str, str]:
    moto.reset()
    return seed_compliant(moto)


@pytest.fixture(scope="module")
def full_run(platform: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Harness, Path]:
    """Every enabled region (``--regions all``), JSON to a file, every call recorded; with a Redshift cluster
    that requires SSL (stubbed: moto cannot modify a parameter group), so that every Redshift call is made.
    """
    harness = Harness(stubs={**NO_ACCELERATORS, ("redshift", EU): redshift_warehouse(EU)})
    output = tmp_path_factory.mktemp("audit") / "audit.json"
    run = run_audit_command(["--format", "json", "--output", str(output)], harness=harness)
    return run, harness, output


def test_a_compliant_account_exits_0(full_run: tuple[Run, Harness, Path], moto: Moto) -> None:
    run, _, output = full_run
    report = load_audit(output)
    assert run.code == 0 == report.exit_code, run.stderr
    assert run.stderr.splitlines() == [f"eu-residency: {report.summary()}"]
    assert report.findings == ()
    assert report.not_audited == []
    # --regions all: the regions DescribeRegions says are enabled (moto lists eu-central-2 as not opted in).
    regions = moto.client("ec2").describe_regions()["Regions"]
    enabled = sorted(region["RegionName"] for region in regions if region["OptInStatus"] != "not-opted-in")
    assert list(report.regions) == enabled
    assert EU in report.regions
    assert "eu-central-2" not in report.regions
    assert {item.region for item in report.inventory} == {EU}
    assert len(report.inventory) == 17  # the 16 stores of seed_compliant and the stubbed Redshift cluster
    assert {entry.region for entry in report.coverage} == {*enabled, "global"}


def test_the_iam_policy_names_exactly_the_calls_the_audit_makes(full_run: tuple[Run, Harness, Path]) -> None:
    _, harness, _ = full_run
    policy = json.loads(POLICY.read_text(encoding="utf-8"))
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Resource"] == "*"
    assert set(statement) == {"Sid", "Effect", "Action", "Resource"}
    actions = statement["Action"]
    assert actions == sorted(actions), "keep the policy sorted"
    for action in actions:
        verb = action.split(":", 1)[1]
        assert verb.startswith(("List", "Describe", "Get")), action
        assert "*" not in action, action
    made = {iam_action(service, operation) for service, operation in harness.calls}
    assert set(actions) == made


def test_allowed_regions_narrow_the_set(platform: dict[str, str]) -> None:
    """The backup copy to eu-central-1 is fine for the EU list, and fatal when only eu-west-1 is allowed."""
    run = run_audit_command(["--regions", EU, "--allowed-regions", EU, "--format", "json"])
    assert run.code == 1, run.stderr
    report = AuditReport.from_dict(run.json())
    assert [(item.rule_id, item.region, item.resource, item.severity.value) for item in report.findings] == [
        ("EU-RES-012", EU, platform["plan"], "fatal")
    ]
    assert "eu-central-1 (in the EU but not one of the allowed regions: eu-west-1)" in report.findings[0].message
    assert report.allowed_regions == {EU}


def test_a_profile_is_used(platform: dict[str, str]) -> None:
    run = run_audit_command(["--profile", "audit", "--regions", EU])
    assert run.code == 0, run.stderr
    assert run.stdout.startswith(f"eu-residency audit of account {ACCOUNT} (profile audit), ")
    assert "findings: none\n" in run.stdout
    assert run.stderr == ""


def test_throttling_is_retried_with_backoff(platform: dict[str, str]) -> None:
    """A ThrottlingException (HTTP 400) on the first ListStreams: adaptive retries repeat it, the audit is clean."""
    sent: list[str] = []

    def throttle_once(request: Any, event_name: str, **_: Any) -> AWSResponse | None:
        if event_name.endswith(".ListStreams"):
            sent.append(event_name)
            if len(sent) == 1:
                body = b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'
                return AWSResponse(request.url, 400, {"x-amzn-ErrorType": "ThrottlingException"}, _Raw(body))
        return None

    harness = Harness(stubs=dict(NO_ACCELERATORS), before_send={("kinesis", EU): throttle_once})
    run = run_audit_command(["--regions", EU], harness=harness)
    assert run.code == 0, run.stdout
    assert len(sent) == 2


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def test_a_denied_service_is_not_audited_and_the_rest_goes_on(platform: dict[str, str]) -> None:
    harness = Harness(
        stubs={**NO_ACCELERATORS, ("kms", EU): access_denied("list_keys", "kms:ListKeys")},
    )
    run = run_audit_command(["--regions", EU, "--format", "json"], harness=harness)
    report = AuditReport.from_dict(run.json())
    assert run.code == 1
    assert report.findings == ()
    assert [(entry.region, entry.service) for entry in report.not_audited] == [(EU, "kms")]
    assert len(report.inventory) == 15  # every store but the key


# Each service's first call, refused: nothing at all can be read.
FIRST_CALLS = {
    ("kms", EU): ("list_keys", "kms:ListKeys"),
    ("rds", EU): ("describe_db_instances", "rds:DescribeDBInstances"),
    ("dynamodb", EU): ("list_tables", "dynamodb:ListTables"),
    ("elasticache", EU): ("describe_replication_groups", "elasticache:DescribeReplicationGroups"),
    ("efs", EU): ("describe_file_systems", "elasticfilesystem:DescribeFileSystems"),
    ("secretsmanager", EU): ("list_secrets", "secretsmanager:ListSecrets"),
    ("logs", EU): ("describe_log_groups", "logs:DescribeLogGroups"),
    ("sqs", EU): ("list_queues", "sqs:ListQueues"),
    ("sns", EU): ("list_topics", "sns:ListTopics"),
    ("kinesis", EU): ("list_streams", "kinesis:ListStreams"),
    ("ecr", EU): ("describe_repositories", "ecr:DescribeRepositories"),
    ("backup", EU): ("list_backup_vaults", "backup:ListBackupVaults"),
    ("opensearch", EU): ("list_domain_names", "es:ListDomainNames"),
    ("redshift", EU): ("describe_clusters", "redshift:DescribeClusters"),
    ("kafka", EU): ("list_clusters_v2", "kafka:ListClustersV2"),
    ("resourcegroupstaggingapi", EU): ("get_resources", "tag:GetResources"),
    ("s3", EU): ("list_buckets", "s3:ListAllMyBuckets"),
    ("cloudfront", "us-east-1"): ("list_distributions", "cloudfront:ListDistributions"),
    ("globalaccelerator", "us-west-2"): ("list_accelerators", "globalaccelerator:ListAccelerators"),
}


def test_nothing_audited_exits_2_with_one_line(platform: dict[str, str]) -> None:
    stubs = {key: access_denied(operation, action) for key, (operation, action) in FIRST_CALLS.items()}
    run = run_audit_command(["--regions", EU, "--format", "json"], harness=Harness(stubs=stubs))
    assert run.code == 2
    report = AuditReport.from_dict(run.json())
    assert len(report.not_audited) == len(report.coverage) == len(FIRST_CALLS)
    (line,) = run.stderr.splitlines()
    assert line.startswith("eu-residency: nothing could be audited (first: eu-west-1 backup: AccessDenied on ")


def one_line_exit_2(run: Run) -> str:
    assert run.code == 2
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert "Traceback" not in run.stderr
    return lines[0]


def test_an_invalid_profile_exits_2_with_one_line(moto: Moto) -> None:
    line = one_line_exit_2(run_audit_command(["--profile", "no-such-profile"]))
    assert line == (
        "eu-residency: --profile 'no-such-profile': no such profile in the AWS config files; "
        "`aws configure list-profiles` lists them"
    )


def test_no_credentials_exit_2_with_one_line(moto: Moto, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    line = one_line_exit_2(run_audit_command(["--regions", EU]))
    assert line.startswith("eu-residency: no AWS credentials found in the environment, ~/.aws or the instance role")


def test_an_unreachable_endpoint_exits_2_with_one_line(moto: Moto, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv(ENDPOINT_ENV, f"http://127.0.0.1:{port}")
    line = one_line_exit_2(run_audit_command(["--regions", EU]))
    assert line.startswith(
        f'eu-residency: cannot reach AWS: Could not connect to the endpoint URL: "http://127.0.0.1:{port}/"'
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--regions", "eu-west-1,mars-north-1"],
            "--regions 'eu-west-1,mars-north-1': mars-north-1 is not an AWS region",
        ),
        (["--regions", " , "], "--regions ' , ': name at least one region"),
        (["--allowed-regions", "us-east-1"], "--allowed-regions 'us-east-1': allowed regions must all be in the EU"),
    ],
)
def test_bad_options_exit_2_with_one_line(moto: Moto, argv: list[str], message: str) -> None:
    harness = Harness()  # no client may be made
    line = one_line_exit_2(run_audit_command(argv, harness=harness))
    assert line.startswith(f"eu-residency: {message}")
    assert harness.calls == set()


def test_the_review_pack_reads_the_audit(full_run: tuple[Run, Harness, Path], tmp_path: Path) -> None:
    _, _, output = full_run
    report = load_audit(output)
    section = markdown_section(report)
    assert section.startswith("## Live account audit\n")
    assert "### Inventory" in section
    assert "| AWS::S3::Bucket | chat-attachments-eu |" in section
    html = html_section(report)
    assert html.startswith('<section id="live-audit">')
    assert "chat/db-credentials" in html
    assert sarif_run(report)["results"] == []
    bad: list[tuple[Callable[[Path], None], str]] = [
        (lambda path: path.write_text("{", encoding="utf-8"), "not JSON"),
        (lambda path: path.write_text("[]", encoding="utf-8"), "not the JSON output"),
        (lambda path: path.write_text('{"tool": "eu-residency audit"}', encoding="utf-8"), "'findings' should be"),
    ]
    for write, message in bad:
        path = tmp_path / "audit.json"
        write(path)
        with pytest.raises(AuditFileError, match=message):
            load_audit(path)
    with pytest.raises(AuditFileError, match="cannot read it"):
        load_audit(tmp_path / "missing.json")


def test_clients_retry_adaptively(moto: Moto) -> None:
    factory = ClientFactory()
    for _ in range(2):  # botocore rewrites the retries dict it is given: each client gets its own copy
        client = factory.new_client("sqs", EU)
        # botocore's max_attempts counts retries; total_max_attempts counts the first attempt too.
        assert client.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 11}
        assert client.meta.endpoint_url == moto.url
    assert dict(RETRIES) == {"mode": "adaptive", "max_attempts": 10}


def test_a_missing_aws_profile_variable_exits_2_with_one_line(moto: Moto, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "gone")
    line = one_line_exit_2(run_audit_command([]))
    assert line.startswith("eu-residency: AWS_PROFILE 'gone': no such profile in the AWS config files")
