"""The privacy policy's promises: one list, the README's table kept equal to it, every rule traced to a promise,
and the review pack's first section showing each promise kept or not, with its evidence."""

from __future__ import annotations

import json
import re
from pathlib import Path

from eu_residency.core.rule_model import Family
from eu_residency.core.settings import RuleSettings
from eu_residency.review_pack.files import write_review_pack
from eu_residency.review_pack.promises import PROMISES, readme_rows
from eu_residency.rules.registry import RULES
from tests.conftest import REPO
from tests.eu_residency.review_pack.test_review_pack import ACK_REASON, build_assembly

README_ROW = re.compile(r"^\| (?P<promise>[^|]+) \| (?P<kept_by>.+) \|$")


def test_the_readme_table_is_the_list_of_promises() -> None:
    rows = [
        (row["promise"], row["kept_by"])
        for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines()
        if (row := README_ROW.match(line)) and row["promise"] in {promise.policy for promise in PROMISES}
    ]
    assert rows == readme_rows()


def test_every_file_a_promise_names_exists() -> None:
    names = {path.name for path in REPO.rglob("*.py") if ".venv" not in path.parts}
    for promise in PROMISES:
        for named in re.findall(r"`([^`]+\.py)`", promise.kept_by):
            assert (REPO / named).is_file() or Path(named).name in names, (promise.key, named)


def test_every_rule_keeps_one_of_the_policys_general_promises() -> None:
    general = PROMISES[:5]
    for rule in RULES:
        keeping = [promise.key for promise in general if promise.covers(rule)]
        assert len(keeping) == 1, (rule.id, keeping)
    assert {rule.family for rule in PROMISES[3].rules} == {Family.ENCRYPTION, Family.KEY_CONTROL}


def test_the_pack_traces_each_promise_to_its_findings(tmp_path: Path) -> None:
    assembly = build_assembly(tmp_path / "cdk.out")
    pack = write_review_pack(assembly, tmp_path / "review", region="eu-west-1", settings=RuleSettings())
    document = json.loads((tmp_path / "review" / "report.json").read_text(encoding="utf-8"))
    traced = {entry["key"]: entry for entry in document["promises"]["traced"]}
    assert list(traced) == [promise.key for promise in PROMISES]
    assert document["promises"]["policy_home_regions"] == ["eu-west-1"]
    # The replication to a us-east-1 bucket breaks "never transferred"; the stack in us-east-1, "stored in Ireland".
    assert not traced["never-transferred"]["kept"]
    assert "EU-RES-010" in {finding["rule_id"] for finding in traced["never-transferred"]["open_findings"]}
    assert not traced["stored-in-ireland"]["kept"]
    assert any("us-east-1" in line for line in traced["stored-in-ireland"]["inventory"])
    # The acknowledged TLS finding is the evidence of "encrypted in transit", with its reason.
    [acknowledged] = traced["encrypted-in-transit"]["acknowledged"]
    assert (acknowledged["rule_id"], acknowledged["reason"]) == ("EU-ENC-040", ACK_REASON)
    html = (tmp_path / "review" / "report.html").read_text(encoding="utf-8")
    first = html.index('<section id="')
    assert html[first:].startswith('<section id="promises"><h2>1. The privacy policy')
    assert '<nav id="contents"' in html and 'href="#promises"' in html
    assert "<tr id='promise-never-transferred'>" in html
    markdown = (tmp_path / "review" / "report.md").read_text(encoding="utf-8")
    assert "## 1. The privacy policy's promises" in markdown
    assert "1. [The privacy policy's promises](#1-the-privacy-policys-promises)" in markdown
    assert pack.verdict.word == "NON-COMPLIANT"
