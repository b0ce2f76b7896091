"""`eu-residency report`: the review pack of a real cloud assembly and of a small one built by hand.

The platform is synthesized once for the module, as a user runs it (``python app.py -c env=prod``); the
hand-made assembly has what the platform has not: findings, a flow out of the EU, an acknowledgement, and
text from templates that must reach the page escaped. The page is then opened in headless Chromium and
read back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from eu_residency.audit.audit_report import AuditFinding, AuditReport, Coverage, InventoryItem
from eu_residency.check_run.run import run_check
from eu_residency.cli.main import main
from eu_residency.core.rule_model import Severity
from eu_residency.core.settings import RuleSettings
from eu_residency.formats import json_format
from eu_residency.inventory.records import UNKNOWN_REGION, FlowKind
from eu_residency.review_pack.contents import ReviewPack
from eu_residency.review_pack.files import REPORT_FILES, write_review_pack
from tests.conftest import REPO, offline_environment
from tests.test_app import NPX

CHROMIUM = Path("/usr/bin/chromium")
EU, US = "Residency-Eu", "Residency-Us"
SCRIPT = '<script>alert("owned")</script>'
ESCAPED_SCRIPT = "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;"
REPLICA_BUCKET = "residency-us-replica"
WEBHOOK = "https://hooks.example.com/chat"
ACK_REASON = "<i>Reviewed</i> by security: the bucket is only written by the replication role"
PERSONAL = [{"Key": "data-classification", "Value": "personal"}, {"Key": "data-residency", "Value": "eu"}]
OUTSIDE_RED = "#c62828"


# A live audit of one account: a bucket in us-east-1 and a service it could not read.
SAMPLE_AUDIT = AuditReport(
    account="123456789012",
    regions=("eu-west-1", "us-east-1"),
    allowed_regions=frozenset({"eu-west-1"}),
    inventory=(
        InventoryItem(
            "us-east-1", "s3", "AWS::S3::Bucket", "forgotten-export", "arn:aws:s3:::forgotten-export", "SSE-S3"
        ),
    ),
    findings=(
        AuditFinding(
            "EU-RES-001", Severity.FATAL, "us-east-1", "arn:aws:s3:::forgotten-export", "AWS::S3::Bucket",
            "the bucket is in us-east-1 (N. Virginia, outside the EU)",
        ),
    ),
    coverage=(Coverage("us-east-1", "s3", "audited"), Coverage("us-east-1", "rds", "not audited", "AccessDenied")),
)  # fmt: skip


# -- the two assemblies -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def platform(
    platform_assembly: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, ReviewPack]:
    """The committed platform (prod), synthesized once for the session, and its review pack."""
    outdir = platform_assembly("prod")
    pack = write_review_pack(outdir, tmp_path_factory.mktemp("review"), region="eu-west-1", settings=RuleSettings())
    return outdir, pack


def _template(resources: dict[str, Any], description: str = "") -> dict[str, Any]:
    template: dict[str, Any] = {"Resources": resources}
    if description:
        template["Description"] = description
    return template


def _resource(resource_type: str, stack: str, path: str, properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"Type": resource_type, "Properties": properties, "Metadata": {"aws:cdk:path": f"{stack}/{path}"}, **extra}


def build_assembly(root: Path) -> Path:
    """A cdk.out by hand: a stack in eu-west-1 replicating a bucket to one of a stack in us-east-1, an SNS https
    subscription, an unencrypted queue, a key whose description carries a script, and a validation report.
    """
    root.mkdir(parents=True, exist_ok=True)
    manifest = {
        "version": "48.0.0",
        "artifacts": {
            name: {
                "type": "aws:cloudformation:stack",
                "environment": f"aws://123456789012/{region}",
                "properties": {"templateFile": f"{name}.template.json"},
                "displayName": name,
            }
            for name, region in ((EU, "eu-west-1"), (US, "us-east-1"))
        },
    }
    eu = _template(
        {
            "DataKey": _resource(
                "AWS::KMS::Key",
                EU,
                "DataKey/Resource",
                {"Description": f"Key of the source bucket {SCRIPT}", "EnableKeyRotation": True, "Tags": PERSONAL},
            ),
            "Source": _resource(
                "AWS::S3::Bucket",
                EU,
                "Source/Resource",
                {
                    "BucketEncryption": {
                        "ServerSideEncryptionConfiguration": [
                            {
                                "BucketKeyEnabled": True,
                                "ServerSideEncryptionByDefault": {
                                    "SSEAlgorithm": "aws:kms",
                                    "KMSMasterKeyID": {"Fn::GetAtt": ["DataKey", "Arn"]},
                                },
                            }
                        ]
                    },
                    "VersioningConfiguration": {"Status": "Enabled"},
                    "ReplicationConfiguration": {
                        "Role": "arn:aws:iam::123456789012:role/replication",
                        "Rules": [{"Status": "Enabled", "Destination": {"Bucket": f"arn:aws:s3:::{REPLICA_BUCKET}"}}],
                    },
                    "Tags": PERSONAL,
                },
                Metadata={
                    "aws:cdk:path": f"{EU}/Source/Resource",
                    "eu-residency": {"acknowledgements": [{"id": "EU-ENC-040", "reason": ACK_REASON}]},
                },
            ),
            "Alerts": _resource(
                "AWS::SNS::Topic", EU, "Alerts/Resource", {"KmsMasterKeyId": "alias/aws/sns", "Tags": PERSONAL}
            ),
            "AlertsWebhook": _resource(
                "AWS::SNS::Subscription",
                EU,
                "Alerts/Webhook/Resource",
                {"TopicArn": {"Ref": "Alerts"}, "Protocol": "https", "Endpoint": WEBHOOK},
            ),
            "Jobs": _resource(
                "AWS::SQS::Queue",
                EU,
                f"Jobs{SCRIPT}/Resource",
                {"SqsManagedSseEnabled": False, "Tags": [{"Key": "data-classification", "Value": "internal"}]},
            ),
        },
        description="Hand-made stack in the EU",
    )
    us = _template(
        {
            "Replica": _resource(
                "AWS::S3::Bucket",
                US,
                "Replica/Resource",
                {"BucketName": REPLICA_BUCKET, "Tags": PERSONAL},
            )
        }
    )
    validation = {
        "version": "55.0.0",
        "title": "Validation Report",
        "pluginReports": [
            {
                "pluginName": "AwsSolutions",
                "conclusion": "failure",
                "violations": [
                    {
                        "ruleName": "AwsSolutions-SQS3",
                        "description": "The SQS queue is not used as a dead-letter queue and has none.",
                        "severity": "error",
                        "violatingConstructs": [{"constructPath": f"{EU}/Jobs{SCRIPT}/Resource"}],
                    }
                ],
                "suppressedViolations": [
                    {
                        "ruleName": "AwsSolutions-S1",
                        "description": "The S3 Bucket has server access logs disabled.",
                        "severity": "error",
                        "violatingConstructs": [{"constructPath": f"{US}/Replica/Resource"}],
                        "reason": "Replica buckets log through the source bucket's trail.",
                        "acknowledgedAt": f"{US}/Replica",
                    }
                ],
            }
        ],
    }
    for name, document in ((EU, eu), (US, us)):
        (root / f"{name}.template.json").write_text(json.dumps(document, indent=1), encoding="utf-8")
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    (root / "validation-report.json").write_text(json.dumps(validation, indent=1), encoding="utf-8")
    return root


@pytest.fixture
def handmade(tmp_path: Path) -> tuple[Path, ReviewPack]:
    assembly = build_assembly(tmp_path / "cdk.out")
    pack = write_review_pack(assembly, tmp_path / "review", region="eu-west-1", settings=RuleSettings())
    return assembly, pack


# -- reading the pack back ------------------------------------------------------------------------------------


def _file(pack: ReviewPack, name: str) -> Path:
    [path] = [path for path in pack.files if path.name == name]
    return path


def _report_json(pack: ReviewPack) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(_file(pack, "report.json").read_text(encoding="utf-8"))
    return document


def _expected_open_findings(document: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {
        (finding["rule_id"], finding["logical_id"] or "", template["path"])
        for template in document["templates"]
        for finding in template["findings"]
        if not finding["acknowledged"]
    }


def _expected_inventory(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(store["logical_id"], store["template"]) for store in document["inventory"]["stores"]}


class PageReader(HTMLParser):
    """The rows of the findings and inventory tables, the flow arrows and every element with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[str] = []
        self.rows: dict[str, list[dict[str, str]]] = {}
        self.cells: dict[str, list[int]] = {}
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if tag == "table":
            self.tables.append(attributes.get("id", ""))
        elif tag == "tr" and self.tables and "data-logical-id" in attributes:
            self.rows.setdefault(self.tables[-1], []).append(attributes)
            self.cells.setdefault(self.tables[-1], []).append(0)
        elif tag == "td" and self.tables and self.cells.get(self.tables[-1]):
            self.cells[self.tables[-1]][-1] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.tables:
            self.tables.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def findings(self) -> set[tuple[str, str, str]]:
        return {
            (row["data-rule"], row["data-logical-id"], row["data-template"]) for row in self.rows.get("findings", [])
        }

    def inventory(self) -> set[tuple[str, str]]:
        return {(row["data-logical-id"], row["data-template"]) for row in self.rows.get("inventory", [])}


def read_page(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    reader.close()
    return reader


# -- the platform ---------------------------------------------------------------------------------------------


def test_every_file_of_the_pack_is_written(platform: tuple[Path, ReviewPack]) -> None:
    _, pack = platform
    assert [path.name for path in pack.files] == list(REPORT_FILES)
    folders = {path.parent for path in pack.files}
    assert len(folders) == 1 and all(path.stat().st_size > 500 for path in pack.files)
    sarif = json.loads(_file(pack, "report.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"


def test_report_json_lists_the_findings_run_check_finds(platform: tuple[Path, ReviewPack]) -> None:
    outdir, pack = platform
    document = _report_json(pack)
    expected = json_format.document(run_check([str(outdir)], region="eu-west-1", settings=RuleSettings()))
    assert document["templates"] == expected["templates"]
    assert document["summary"] == expected["summary"] and document["exit_code"] == expected["exit_code"]
    assert document["cdk_validation"]["path"] == str(outdir / "validation-report.json")


def test_inventory_of_the_platform_holds_its_data_stores(platform: tuple[Path, ReviewPack]) -> None:
    outdir, pack = platform
    stores = pack.inventory.stores
    templates = {path.name: json.loads(path.read_text()) for path in outdir.glob("*.template.json")}

    def of_type(resource_type: str) -> list[Any]:
        return [store for store in stores if store.type == resource_type]

    [database] = of_type("AWS::RDS::DBInstance")
    [sessions] = of_type("AWS::ElastiCache::ReplicationGroup")
    engine = templates[Path(sessions.template).name]["Resources"][sessions.logical_id]["Properties"]["Engine"]
    assert engine == "valkey"
    buckets = {store.name for store in of_type("AWS::S3::Bucket") if store.stack.endswith("-Data")}
    assert buckets == {"Attachments/Bucket", "AccessLogs/Bucket"}
    keys = of_type("AWS::KMS::Key")
    assert {store.name for store in keys if store.stack.endswith("-Keys")} >= {
        "DatabaseKey/Key",
        "CacheKey/Key",
        "AttachmentsKey/Key",
        "LogsKey/Key",
    }
    assert len(of_type("AWS::Logs::LogGroup")) >= 5
    for store in [database, sessions, *of_type("AWS::S3::Bucket"), *keys, *of_type("AWS::Logs::LogGroup")]:
        expected_region = "eu-central-1" if store.stack.endswith("-BackupCopy") else "eu-west-1"
        assert store.region == expected_region and store.inside, store
        body = templates[Path(store.template).name]["Resources"][store.logical_id]["Properties"]
        tags = {tag["Key"]: tag["Value"] for tag in body.get("Tags", [])}
        assert store.classification == tags.get("data-classification", "unclassified"), store
    assert database.classification == sessions.classification == "personal"
    assert database.at_rest.key is not None and database.at_rest.key.startswith("DatabaseKey")
    assert database.in_transit.status == "enforced" and "rds.force_ssl" in database.in_transit.text
    assert sessions.in_transit.text == "transit encryption required"


def test_platform_backups_are_copied_to_eu_central_1_inside_the_allowed_set(platform: tuple[Path, ReviewPack]) -> None:
    _, pack = platform
    [database] = [store for store in pack.inventory.stores if store.type == "AWS::RDS::DBInstance"]
    [copy] = [flow for flow in database.flows if flow.kind == FlowKind.BACKUP_COPY]
    assert copy.region == "eu-central-1" and copy.inside
    assert copy.destination.type == "AWS::Backup::BackupVault" and copy.destination.stack is not None
    assert not pack.inventory.outside_flows
    # What is not inside is only the VPC's ways out to the internet (its IGW and NAT routes): paths, not flows.
    outside = [flow for flow in pack.inventory.flows if not flow.inside]
    assert outside and {flow.kind for flow in outside} == {FlowKind.EGRESS} and outside == pack.inventory.paths_out
    html = _file(pack, "report.html").read_text(encoding="utf-8")
    assert 'data-kind="backup copy" data-region="eu-central-1"' in html


def test_platform_page_lists_cdk_acknowledgements_with_their_reasons(platform: tuple[Path, ReviewPack]) -> None:
    outdir, pack = platform
    report = json.loads((outdir / "validation-report.json").read_text())
    suppressed = [entry for plugin in report["pluginReports"] for entry in plugin.get("suppressedViolations", [])]
    page = read_page(_file(pack, "report.html").read_text(encoding="utf-8"))
    rows = [row for row in page.rows.get("acknowledged", []) if row["data-source"] == "cdk"]
    assert len(rows) == sum(len(entry["violatingConstructs"]) for entry in suppressed)
    text = " ".join(page.text)
    for entry in suppressed:
        assert " ".join(entry["reason"].split()) in " ".join(text.split())


# -- the hand-made assembly -------------------------------------------------------------------------------------


def test_handmade_pack_reports_the_findings_of_run_check(handmade: tuple[Path, ReviewPack]) -> None:
    assembly, pack = handmade
    document = _report_json(pack)
    run = run_check([str(assembly)], region="eu-west-1", settings=RuleSettings())
    assert document["templates"] == json_format.document(run)["templates"]
    rules = {rule for rule, _, _ in _expected_open_findings(document)}
    assert {"EU-RES-001", "EU-RES-010", "EU-RES-052", "EU-ENC-021"} <= rules
    assert pack.run.exit_code == 1
    cdk = document["cdk_validation"]
    assert [finding["rule"] for finding in cdk["findings"]] == ["AwsSolutions-SQS3"]
    assert cdk["findings"][0]["logical_id"] == "Jobs"
    assert [finding["reason"] for finding in cdk["acknowledged"]] == [
        "Replica buckets log through the source bucket's trail."
    ]


def test_replication_to_us_east_1_is_outside_and_drawn_in_red(handmade: tuple[Path, ReviewPack]) -> None:
    _, pack = handmade
    source = next(store for store in pack.inventory.stores if store.logical_id == "Source")
    [replication] = [flow for flow in source.flows if flow.kind == FlowKind.REPLICATION]
    assert replication.region == "us-east-1" and not replication.inside
    assert replication.destination.logical_id == "Replica"
    [webhook] = [flow for flow in pack.inventory.flows if flow.kind == FlowKind.OUTBOUND]
    assert webhook.destination.label == WEBHOOK and webhook.region == UNKNOWN_REGION and not webhook.inside
    assert webhook.source.logical_id == "Alerts"

    page = read_page(_file(pack, "report.html").read_text(encoding="utf-8"))
    arrows = [
        attributes
        for tag, attributes in page.elements
        if tag == "path" and attributes.get("data-kind") == FlowKind.REPLICATION
    ]
    [arrow] = arrows
    assert arrow["data-region"] == "us-east-1" and arrow["data-source"] == "Source"
    assert arrow["stroke"] == OUTSIDE_RED and "flow-outside" in arrow["class"].split()
    [us_band] = [
        attributes
        for tag, attributes in page.elements
        if attributes.get("data-region") == "us-east-1" and "region" in attributes.get("class", "").split()
    ]
    assert "region-outside" in us_band["class"].split()
    text = " ".join(page.text)
    assert "us-east-1 · N. Virginia" in text and "outside the EU" in text
    assert "eu-west-1 · Ireland" in text and "in the EU" in text
    assert "replication → us-east-1: outside the EU" in text


def test_every_text_from_templates_is_escaped(handmade: tuple[Path, ReviewPack]) -> None:
    _, pack = handmade
    html = _file(pack, "report.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert f"Key of the source bucket {ESCAPED_SCRIPT}" in html  # the key's Description, in the inventory
    assert f"Jobs{ESCAPED_SCRIPT}/Resource" in html  # a construct path, in the findings and the CDK table
    assert "&lt;i&gt;Reviewed&lt;/i&gt; by security" in html  # an acknowledgement's reason
    page = read_page(html)
    assert not [tag for tag, _ in page.elements if tag in ("script", "i", "iframe", "object", "embed")]
    markdown = _file(pack, "report.md").read_text(encoding="utf-8")
    assert "<script" not in markdown and "&lt;script&gt;" in markdown
    assert ACK_REASON not in markdown and "&lt;i&gt;Reviewed&lt;/i&gt;" in markdown


def test_page_loads_nothing_from_anywhere(handmade: tuple[Path, ReviewPack], platform: tuple[Path, ReviewPack]) -> None:
    for pack in (handmade[1], platform[1]):
        html = _file(pack, "report.html").read_text(encoding="utf-8")
        page = read_page(html)
        for tag, attributes in page.elements:
            assert tag not in ("script", "link", "img", "iframe", "object", "embed", "base"), tag
            for name, value in attributes.items():
                if name in ("src", "href", "xlink:href", "action", "formaction", "poster", "data", "srcset"):
                    assert not value.strip().lower().startswith(("http:", "https:", "//")), (tag, name, value)
        assert "@import" not in html and "url(http" not in html and "@font-face" not in html
        assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_markdown_has_the_sections_of_the_page(handmade: tuple[Path, ReviewPack]) -> None:
    _, pack = handmade
    markdown = _file(pack, "report.md").read_text(encoding="utf-8")
    for heading in (
        "## 1. The privacy policy's promises",
        "## 2. Scope and verdict per stack",
        "## 3. Findings at a glance",
        "## 4. Open findings",
        "## 5. Acknowledged findings",
        "## 6. CDK validation report",
        "## 7. Where data can go",
        "## 8. Data inventory",
    ):
        assert heading in markdown
    assert "**Verdict: NON-COMPLIANT.**" in markdown
    assert "<svg" not in markdown
    assert f"| {WEBHOOK} | unknown | **NO**" in markdown


def test_report_command_writes_the_pack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assembly = build_assembly(tmp_path / "cdk.out")
    code = main(["report", str(assembly), "--out", str(tmp_path / "pack")])
    assert code == 1
    assert sorted(path.name for path in (tmp_path / "pack").iterdir()) == sorted(REPORT_FILES)
    assert "eu-residency: wrote" in capsys.readouterr().err


# -- the page in a browser ------------------------------------------------------------------------------------


def _chromium() -> Path:
    """Headless Chromium (Debian package chromium); installed here when missing and running as root."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0:
        pytest.fail(
            f"headless Chromium is needed at {CHROMIUM} to open the review pack: install the Debian package "
            "`chromium` (as root: apt-get install -y chromium) and run the tests again"
        )
    installed = subprocess.run(
        ["apt-get", "install", "-y", "chromium"],
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    if not CHROMIUM.exists():
        pytest.fail(f"apt-get install -y chromium did not install {CHROMIUM}: {installed.stderr[-2000:]}")
    return CHROMIUM


def _browser(arguments: list[str], profile: Path, page: Path) -> subprocess.CompletedProcess[str]:
    command = [
        str(_chromium()),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *arguments,
        page.resolve().as_uri(),
    ]
    assert command[-1].startswith("file:///")
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


@pytest.mark.parametrize("assembly", ["platform", "handmade"])
def test_page_read_back_from_chromium_matches_report_json(
    assembly: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    cdk_out, pack = request.getfixturevalue(assembly)
    page = _file(pack, "report.html")
    dumped = _browser(["--dump-dom"], tmp_path / "profile", page)
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    assert "</html>" in dumped.stdout, dumped.stderr[-2000:]
    reader = read_page(dumped.stdout)
    document = _report_json(pack)
    assert reader.findings() == _expected_open_findings(document)
    assert reader.inventory() == _expected_inventory(document)
    assert set(reader.cells.get("findings", [])) <= {8}
    assert set(reader.cells["inventory"]) == {8}
    if assembly == "handmade":
        assert reader.findings(), "the hand-made assembly has findings to read back"
        assert ("EU-RES-010", "Source", str(cdk_out / f"{EU}.template.json")) in reader.findings()


def test_screenshot_of_the_page(handmade: tuple[Path, ReviewPack], tmp_path: Path) -> None:
    _, pack = handmade
    screenshot = tmp_path / "report.png"
    shot = _browser(
        [f"--screenshot={screenshot}", "--window-size=1400,2400"], tmp_path / "profile", _file(pack, "report.html")
    )
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.is_file()
    data = screenshot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 50_000, len(data)


def test_the_pack_is_written_when_findings_stopped_synthesis(tmp_path: Path) -> None:
    outdir = tmp_path / "cdk.out"
    app = REPO / "tests" / "fixtures" / "apps" / "noncompliant_bucket.py"
    synth = subprocess.run(
        [*NPX, "synth", "--quiet", "--no-notices", "--app", f"{sys.executable} {app}", "-o", str(outdir)],
        cwd=REPO,
        env=offline_environment(outdir),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert synth.returncode != 0
    pack = write_review_pack(outdir, tmp_path / "pack", region="eu-west-1", settings=RuleSettings())
    document = _report_json(pack)
    assert {finding["rule"] for finding in document["cdk_validation"]["findings"]} >= {
        "AwsSolutions-S1",
        "AwsSolutions-S10",
        "EU-KEY-001",
        "EU-ENC-040",
    }
    assert pack.run.exit_code == 1


def test_the_live_audit_joins_the_pack(tmp_path: Path, handmade: tuple[Path, ReviewPack]) -> None:
    audit = SAMPLE_AUDIT
    audit_file = tmp_path / "audit.json"
    audit_file.write_text(json_format.render_audit(audit), encoding="utf-8")
    assembly = handmade[0]
    code = main(["report", str(assembly), "--out", str(tmp_path / "pack"), "--audit", str(audit_file)])
    assert code == 1
    html = (tmp_path / "pack" / "report.html").read_text()
    assert 'id="live-audit"' in html and "forgotten-export" in html and "AccessDenied" in html
    assert "forgotten-export" in (tmp_path / "pack" / "report.md").read_text()
    document = json.loads((tmp_path / "pack" / "report.json").read_text())
    assert document["live_audit"]["findings"][0]["rule_id"] == "EU-RES-001"
    sarif_log = json.loads((tmp_path / "pack" / "report.sarif").read_text())
    assert len(sarif_log["runs"]) == 3  # the templates', CDK's validation report's, the live account's


def test_a_bad_audit_file_is_one_line_and_exit_two(
    tmp_path: Path, handmade: tuple[Path, ReviewPack], capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "audit.json"
    bad.write_text("[]")
    assert main(["report", str(handmade[0]), "--out", str(tmp_path / "pack"), "--audit", str(bad)]) == 2
    assert "--audit" in capsys.readouterr().err


def test_report_of_a_folder_that_is_not_a_cloud_assembly_is_one_line_and_exit_two(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "pack")]) == 2
    err = capsys.readouterr().err
    assert "not a cloud assembly (no manifest.json); run cdk synth first" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "pack").exists()
