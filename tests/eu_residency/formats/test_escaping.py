"""Hostile text from templates and accounts is inert in every output: Markdown tables keep their columns and carry
no HTML or links, SARIF messages carry no embedded links, and the terminal gets no control characters."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from eu_residency.audit.audit_report import AUDITED, NOT_AUDITED, AuditFinding, AuditReport, Coverage, InventoryItem
from eu_residency.check_run.results import CheckRun
from eu_residency.check_run.run import run_check
from eu_residency.cli.main import main
from eu_residency.core.regions import EU_REGIONS
from eu_residency.core.rule_model import Severity
from eu_residency.core.settings import RuleSettings
from eu_residency.formats import AUDIT_RENDERERS, CHECK_RENDERERS, markdown, sarif, text
from eu_residency.formats.escaping import markdown_text, sarif_text, terminal_text
from eu_residency.review_pack.contents import assemble_review_pack
from eu_residency.review_pack.markdown_page import render_markdown

ESC = "\x1b"
# Each breaks one thing: a table (|), a code span (`), a link ([..](javascript:..)), raw HTML (<b>, <img>), the
# terminal's colour and line (ESC [, CR, newline), and a forged summary line after a newline.
HOSTILE = f"x|y`z`[a](javascript:alert(1))<b>bold</b>{ESC}[32m compliant{ESC}[0m"
ENDPOINT_OUTSIDE_AWS = f"https://hooks.example.com/{HOSTILE}"
ENDPOINT_IN_US_EAST_1 = f"https://sns.us-east-1.amazonaws.com/{HOSTILE}"  # its message quotes it as it is
ACK_REASON = (
    f"Reviewed\r{ESC}[2K<img src=x onerror=alert(1)> | [ok](javascript:alert(2))\n"
    "eu-residency: 1 template(s) checked, 1 compliant, 0 finding(s) (0 fatal, 0 error), 0 acknowledged"
)
STACK = "Hostile"


def _subscription(endpoint: str, **extra: Any) -> dict[str, Any]:
    properties = {"TopicArn": "arn:aws:sns:eu-west-1:123456789012:alerts", "Protocol": "https", "Endpoint": endpoint}
    return {"Type": "AWS::SNS::Subscription", "Properties": properties, **extra}


TEMPLATE: dict[str, Any] = {
    "Resources": {
        "OutsideAws": _subscription(ENDPOINT_OUTSIDE_AWS),
        "InUsEast1": _subscription(ENDPOINT_IN_US_EAST_1),
        "Acknowledged": _subscription(
            "https://other.example.com/hook",
            Metadata={
                "aws:cdk:path": f"{STACK}/Acknowledged{HOSTILE}/Resource",
                "eu-residency": {"acknowledgements": [{"id": "EU-RES-052", "reason": ACK_REASON}]},
            },
        ),
    }
}


@pytest.fixture(scope="module")
def hostile_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile.json"
    path.write_text(json.dumps(TEMPLATE), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def run(hostile_template: Path) -> CheckRun:
    checked = run_check([str(hostile_template)], region="eu-west-1", settings=RuleSettings())
    findings = {item.finding.logical_id for result in checked.results for item in result.findings}
    assert findings == {"OutsideAws", "InUsEast1", "Acknowledged"}  # the hostile text reaches the messages
    return checked


@pytest.fixture(scope="module")
def audit() -> AuditReport:
    arn = f"arn:aws:s3:::{HOSTILE}"
    return AuditReport(
        account=f"1234{HOSTILE}",
        regions=("eu-west-1",),
        allowed_regions=EU_REGIONS,
        inventory=(InventoryItem("eu-west-1", "s3", "AWS::S3::Bucket", HOSTILE, arn, f"none {HOSTILE}"),),
        findings=(AuditFinding("EU-KEY-001", Severity.ERROR, "eu-west-1", arn, "AWS::S3::Bucket", HOSTILE),),
        coverage=(
            Coverage("eu-west-1", "s3", AUDITED),
            Coverage("eu-west-1", "sqs", NOT_AUDITED, ACK_REASON),
        ),
        generated_at="2026-01-01T00:00:00Z",
        profile=HOSTILE,
    )


def _unescaped(line: str) -> list[tuple[int, str]]:
    """The characters of a Markdown line that no backslash escapes, with their positions."""
    found, escaped = [], False
    for index, character in enumerate(line):
        if escaped:
            escaped = False
        elif character == "\\":
            escaped = True
        else:
            found.append((index, character))
    return found


def assert_inert_markdown(document: str) -> None:
    """No raw HTML, no link, no code span, no control character; every table row has its header's columns."""
    assert ESC not in document and "\r" not in document
    assert "<b>" not in document and "<img" not in document and "<" not in document.replace("&lt;", "")
    columns: int | None = None
    for line in document.splitlines():
        characters = _unescaped(line)
        assert not [c for _, c in characters if c in "[]`"], line  # no link text, no code span from the templates
        assert "](" not in "".join(c for _, c in characters), line
        if not line.startswith("|"):
            columns = None
            continue
        cells = sum(1 for _, c in characters if c == "|") - 1
        if columns is None:
            columns = cells  # the header of a new table
        assert cells == columns, line


def assert_inert_terminal(rendered: str, *, lines: int | None = None) -> None:
    assert ESC not in rendered and "\r" not in rendered
    assert all(character == "\n" or character.isprintable() for character in rendered)
    assert "\\x1b[32m" in rendered  # shown, not acted on
    if lines is not None:
        assert len(rendered.splitlines()) == lines


def test_terminal_text_shows_every_control_character_escaped() -> None:
    assert terminal_text(f"a{ESC}[31mb\n\tc\x7f\x9b\u202e\u2028d") == "a\\x1b[31mb\\x0a\\x09c\\x7f\\x9b\\u202e\\u2028d"
    assert terminal_text("plain text, é and 日本") == "plain text, é and 日本"


def test_markdown_text_escapes_every_markup_character() -> None:
    assert markdown_text("a|b`c`[d](e)") == "a\\|b\\`c\\`\\[d\\]\\(e)"
    assert markdown_text("<b>&amp;</b>") == "&lt;b&gt;&amp;amp;&lt;/b&gt;"
    assert markdown_text("*x* _y_ ~z~ $m$ \\") == "\\*x\\* \\_y\\_ \\~z\\~ \\$m\\$ \\\\"
    assert markdown_text("# heading\nline\r\nnext") == "\\# heading line next"
    assert markdown_text("rds.force_ssl and constructs_lib") == "rds.force_ssl and constructs_lib"  # inside a word
    assert markdown_text("a\\|b") == "a\\\\\\|b"  # a template's own backslash cannot undo the escape
    assert markdown_text(f"{ESC}[1m") == "\\\\x1b\\[1m"


def test_sarif_text_leaves_no_embedded_link() -> None:
    assert sarif_text("[a](javascript:alert(1))") == "\\[a\\](javascript:alert(1))"
    assert sarif_text("\\[a]") == "\\\\\\[a\\]"  # the backslash before a bracket is escaped too
    assert sarif_text("no brackets") == "no brackets"


def test_check_markdown_is_inert(run: CheckRun) -> None:
    document = CHECK_RENDERERS["markdown"](run)
    assert_inert_markdown(document)
    assert "javascript:alert" in document  # shown as text
    rows = [line for line in document.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + 3  # the header and one row per finding: no row forged by a value


TOC_ENTRY = re.compile(r"\d+\. \[[A-Za-z0-9 ,.':-]+\]\(#[a-z0-9-]+\)")


def test_review_pack_markdown_is_inert(hostile_template: Path, audit: AuditReport, tmp_path: Path) -> None:
    assembly = tmp_path / "cdk.out"
    assembly.mkdir()
    (assembly / f"{STACK}.template.json").write_text(hostile_template.read_text(), encoding="utf-8")
    artifact = {
        "type": "aws:cloudformation:stack",
        "environment": "aws://123456789012/eu-west-1",
        "properties": {"templateFile": f"{STACK}.template.json"},
    }
    manifest = {"version": "48.0.0", "artifacts": {STACK: artifact}}
    (assembly / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    pack = assemble_review_pack(assembly, region="eu-west-1", settings=RuleSettings(), audit=audit)
    document = render_markdown(pack, f"Review of {HOSTILE}")
    # The table of contents links to the page's own headings, none of which carries text from a template.
    head, contents = document.split("## Contents\n\n", 1)
    entries, rest = contents.split("\n\n", 1)
    assert all(TOC_ENTRY.fullmatch(line) for line in entries.splitlines()), entries
    assert_inert_markdown(head + rest)
    assert re.search(r"^## \d+\. Open findings$", document, re.M) and re.search(
        r"^## \d+\. Live account audit$", document, re.M
    )
    assert "**NO**" in document  # the page's own emphasis survives


def test_audit_markdown_is_inert(audit: AuditReport) -> None:
    document = AUDIT_RENDERERS["markdown"](audit)
    assert_inert_markdown(document)
    assert document == markdown.render_audit(audit)


def test_sarif_messages_carry_no_embedded_link(run: CheckRun, audit: AuditReport, tmp_path: Path) -> None:
    broken = tmp_path / "broken [x](javascript:alert(1)).yaml"
    broken.write_text("Resources: [\n", encoding="utf-8")
    paths = [*(result.path for result in run.results), str(broken)]
    with_error = run_check(paths, region="eu-west-1", settings=RuleSettings())
    logs = [json.loads(sarif.render(with_error)), json.loads(sarif.render_audit(audit))]
    messages: list[dict[str, Any]] = []
    for log in logs:
        for sarif_run in log["runs"]:
            messages += [result["message"] for result in sarif_run["results"]]
            for invocation in sarif_run["invocations"]:
                messages += [note["message"] for note in invocation["toolExecutionNotifications"]]
    assert len(messages) == 3 + 1 + 1 + 1  # three findings and an input error; an audit finding and a gap
    for message in messages:
        assert set(message) == {"text"}  # never message.markdown
        unescaped = [c for _, c in _unescaped(message["text"])]
        assert "[" not in unescaped and "]" not in unescaped, message["text"]
    assert any("javascript:alert(1)" in message["text"] for message in messages)


def test_text_output_shows_control_characters_escaped(run: CheckRun, audit: AuditReport) -> None:
    rendered = text.render(run)
    assert_inert_terminal(rendered)
    summaries = [line for line in rendered.splitlines() if line.startswith("eu-residency:")]
    assert summaries == [f"eu-residency: {run.summary()}"]  # a reason cannot forge a compliant summary
    assert "\\x0aeu-residency: 1 template(s) checked, 1 compliant" in rendered
    audit_text = text.render_audit(audit)
    assert_inert_terminal(audit_text)
    assert [line for line in audit_text.splitlines() if line.startswith("eu-residency:")] == [
        f"eu-residency: {audit.summary()}"
    ]


def test_the_commands_one_line_errors_show_control_characters_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / f"broken{ESC}[32m compliant.yaml"
    broken.write_text("Resources: [\n", encoding="utf-8")
    assert main(["check", str(broken)]) == 2
    captured = capsys.readouterr()
    assert ESC not in captured.out + captured.err
    [error] = [line for line in captured.err.splitlines() if "invalid YAML" in line]
    assert error.startswith(f"eu-residency: {tmp_path}/broken\\x1b[32m compliant.yaml: ")


def test_sarif_text_escapes_each_bracket_and_the_backslashes_just_before_it() -> None:
    assert sarif_text("[x](javascript:alert(1))") == "\\[x\\](javascript:alert(1))"
    assert sarif_text("a\\[b") == "a\\\\\\[b"  # the backslash before a bracket doubled, the bracket escaped
    assert sarif_text("a\\b\\") == "a\\b\\"  # backslashes elsewhere stay as they are
    run = "\\" * 100_000
    assert sarif_text(run + "]") == run * 2 + "\\]"  # one pass over a long run
