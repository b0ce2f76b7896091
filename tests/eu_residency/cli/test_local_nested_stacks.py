"""A template file whose nested stack's TemplateURL is a local file (``aws cloudformation package``, SAM):
the child is checked with its parent, in the parent's region; a remote or escaping TemplateURL is EU-RES-002."""

from __future__ import annotations

from pathlib import Path

from eu_residency.check_run.run import run_check
from eu_residency.core.settings import RuleSettings

PARENT = """\
Resources:
  Child:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: {url}
"""
CHILD_WITH_REPLICA_OUTSIDE = """\
Resources:
  Table:
    Type: AWS::DynamoDB::GlobalTable
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
      SSESpecification: {SSEEnabled: true, SSEType: KMS}
      Replicas: [{Region: eu-west-1}, {Region: us-west-2}]
"""


def test_a_local_child_is_checked_as_the_nested_stack_of_its_parent(tmp_path: Path) -> None:
    for url in ("./child.yaml", "child.yaml", "nested/../child.yaml"):
        (tmp_path / "parent.yaml").write_text(PARENT.format(url=url), encoding="utf-8")
        (tmp_path / "child.yaml").write_text(CHILD_WITH_REPLICA_OUTSIDE, encoding="utf-8")
        run = run_check([str(tmp_path / "parent.yaml")], region="eu-west-1", settings=RuleSettings())
        by_name = {Path(result.path).name: result for result in run.results}
        assert set(by_name) == {"parent.yaml", "child.yaml"}, url
        assert {c.finding.rule_id for c in by_name["parent.yaml"].findings} == set()  # its child is checked
        assert "EU-RES-011" in {c.finding.rule_id for c in by_name["child.yaml"].findings}
        assert by_name["child.yaml"].region == "eu-west-1"


def test_a_folder_checks_the_child_once_as_the_nested_stack(tmp_path: Path) -> None:
    (tmp_path / "a-child.yaml").write_text(CHILD_WITH_REPLICA_OUTSIDE, encoding="utf-8")
    (tmp_path / "parent.yaml").write_text(PARENT.format(url="a-child.yaml"), encoding="utf-8")
    run = run_check([str(tmp_path)], region="eu-west-1", settings=RuleSettings())
    assert sorted(Path(result.path).name for result in run.results) == ["a-child.yaml", "parent.yaml"]
    [parent] = [result for result in run.results if result.path.endswith("parent.yaml")]
    assert not parent.findings


def test_a_remote_or_escaping_template_url_is_not_read_and_fails_closed(tmp_path: Path) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    (tmp_path / "outside.yaml").write_text(CHILD_WITH_REPLICA_OUTSIDE, encoding="utf-8")
    for url in (
        "../outside.yaml",
        "https://bucket.s3.eu-west-1.amazonaws.com/child.yaml",
        str(tmp_path / "outside.yaml"),
    ):
        (folder / "parent.yaml").write_text(PARENT.format(url=url), encoding="utf-8")
        run = run_check([str(folder / "parent.yaml")], region="eu-west-1", settings=RuleSettings())
        [result] = run.results
        [checked] = result.findings
        assert checked.finding.rule_id == "EU-RES-002", url
        assert checked.finding.message == (
            f"what the nested stack deploys cannot be shown: its template (TemplateURL {url}) "
            "is not among the templates checked"
        )


def test_nested_stacks_that_loop_are_read_once(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(PARENT.format(url="b.yaml"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(PARENT.format(url="a.yaml"), encoding="utf-8")
    run = run_check([str(tmp_path / "a.yaml")], region="eu-west-1", settings=RuleSettings())
    assert sorted(Path(result.path).name for result in run.results) == ["a.yaml", "b.yaml"]
    [b] = [result for result in run.results if result.path.endswith("b.yaml")]
    # b's child is a, its own ancestor: not read again as a nested stack, so b's stack is unseen.
    assert {c.finding.rule_id for c in b.findings} == {"EU-RES-002"}


def test_an_unreadable_child_is_an_error_and_its_stack_a_finding(tmp_path: Path) -> None:
    (tmp_path / "parent.yaml").write_text(PARENT.format(url="child.yaml"), encoding="utf-8")
    (tmp_path / "child.yaml").write_text("Resources: [not, a, mapping]\n", encoding="utf-8")
    run = run_check([str(tmp_path / "parent.yaml")], region="eu-west-1", settings=RuleSettings())
    by_name = {Path(result.path).name: result for result in run.results}
    assert by_name["child.yaml"].error
    assert {c.finding.rule_id for c in by_name["parent.yaml"].findings} == {"EU-RES-002"}


def test_a_dynamic_reference_template_url_is_no_file_and_fails_closed(tmp_path: Path) -> None:
    parent = tmp_path / "parent.yaml"
    url = "{{resolve:ssm:/app/child-template:1}}"
    parent.write_text(
        f"Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: '{url}'\n",
        encoding="utf-8",
    )
    run = run_check([str(parent)], region="eu-west-1", settings=RuleSettings())
    [result] = run.results
    assert result.error is None
    assert [checked.finding.rule_id for checked in result.findings] == ["EU-RES-002"]
    assert url in result.findings[0].finding.message


TWO_CHILDREN = """\
Resources:
  First:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: child.yaml
  Second:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./child.yaml
"""


def _rule_ids(result: object) -> set[str]:
    return {checked.finding.rule_id for checked in getattr(result, "findings", ())}


def test_a_child_two_parents_nest_is_checked_under_each(tmp_path: Path) -> None:
    (tmp_path / "left.yaml").write_text(PARENT.format(url="child.yaml"), encoding="utf-8")
    (tmp_path / "right.yaml").write_text(PARENT.format(url="child.yaml"), encoding="utf-8")
    (tmp_path / "child.yaml").write_text(CHILD_WITH_REPLICA_OUTSIDE, encoding="utf-8")
    run = run_check([str(tmp_path)], region="eu-west-1", settings=RuleSettings())
    parents = [result for result in run.results if not result.path.endswith("child.yaml")]
    children = [result for result in run.results if result.path.endswith("child.yaml")]
    assert sorted(Path(result.path).name for result in parents) == ["left.yaml", "right.yaml"]
    assert all(not result.findings for result in parents)  # each parent's nested stack is checked
    assert len(children) == 2  # one nested stack under each parent
    assert all("EU-RES-011" in _rule_ids(result) for result in children)
    assert sorted(Path(result.nested_in[0]).name for result in children if result.nested_in) == [
        "left.yaml",
        "right.yaml",
    ]


def test_a_child_one_parent_nests_twice_is_two_nested_stacks(tmp_path: Path) -> None:
    (tmp_path / "parent.yaml").write_text(TWO_CHILDREN, encoding="utf-8")
    (tmp_path / "child.yaml").write_text(CHILD_WITH_REPLICA_OUTSIDE, encoding="utf-8")
    run = run_check([str(tmp_path / "parent.yaml")], region="eu-west-1", settings=RuleSettings())
    [parent] = [result for result in run.results if result.path.endswith("parent.yaml")]
    children = [result for result in run.results if result.path.endswith("child.yaml")]
    assert not parent.findings
    assert sorted(result.nested_in[1] for result in children if result.nested_in) == ["First", "Second"]
    assert all("EU-RES-011" in _rule_ids(result) for result in children)


def test_a_bad_child_of_a_shared_file_is_reported_once_per_parent_in_the_inventory(tmp_path: Path) -> None:
    (tmp_path / "parent.yaml").write_text(TWO_CHILDREN, encoding="utf-8")
    (tmp_path / "child.yaml").write_text(CHILD_WITH_REPLICA_OUTSIDE, encoding="utf-8")
    run = run_check([str(tmp_path)], region="eu-west-1", settings=RuleSettings())
    assert len({item.name for item in run.inputs}) == len(run.inputs) == 3
    assert sum("EU-RES-011" in _rule_ids(result) for result in run.results) == 2


def test_a_template_url_naming_no_file_is_no_input_error_but_fails_closed(tmp_path: Path) -> None:
    (tmp_path / "parent.yaml").write_text(PARENT.format(url="String"), encoding="utf-8")
    run = run_check([str(tmp_path / "parent.yaml")], region="eu-west-1", settings=RuleSettings())
    [result] = run.results
    assert result.error is None
    assert _rule_ids(result) == {"EU-RES-002"}
