"""The audit's code itself: every listing goes through a paginator, and SARIF declares every rule it reports.

No AWS and no moto: botocore's service models say which operations paginate.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import boto3
import pytest

from eu_residency.audit.audit_report import KINDS
from eu_residency.audit.collectors import GLOBAL, REGIONAL
from eu_residency.formats.sarif import AUDIT_RULE_IDS
from eu_residency.rules.registry import RULES_BY_ID

PACKAGE = Path(__file__).resolve().parents[3] / "eu_residency" / "audit"
SERVICES = sorted({str(module.SERVICE) for module in (*REGIONAL, *GLOBAL)} | {"ec2", "sts"})
RULE_ID = re.compile(r"\bEU-(?:RES|ENC|KEY|RET)-\d{3}\b")


def _sources() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(PACKAGE.rglob("*.py"))}


def _operations() -> tuple[set[str], set[str]]:
    """(every operation of the services the audit uses, those botocore can paginate), in snake case."""
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
    every, paginated = set(), set()
    for service in SERVICES:
        client = session.client(service, region_name="us-west-2")
        for operation in client.meta.method_to_api_mapping:
            every.add(operation)
            if client.can_paginate(operation):
                paginated.add(operation)
    return every, paginated


def test_every_listing_that_has_a_paginator_uses_it() -> None:
    every, paginated = _operations()
    direct, through_pages = [], []
    for path, tree in _sources().items():
        for node in ast.walk(tree):
            # client.describe_table(...), or client.describe_table handed to scope.guarded(...)
            if isinstance(node, ast.Attribute) and node.attr in every:
                direct.append((path.name, node.attr))
            if not isinstance(node, ast.Call):
                continue
            is_pages = isinstance(node.func, ast.Name) and node.func.id == "pages"
            if is_pages and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant):
                through_pages.append((path.name, str(node.args[1].value)))
            if isinstance(node.func, ast.Name) and node.func.id == "_optional":
                direct.append((path.name, str(node.args[1].value)))  # type: ignore[attr-defined]
    assert through_pages, "the collectors list through pages()"
    assert ("dynamodb.py", "describe_table") in direct
    assert [call for call in direct if call[1] in paginated] == []
    assert [call for call in through_pages if call[1] not in paginated] == []


def test_sarif_declares_every_rule_the_audit_reports() -> None:
    reported = set()
    for path in (PACKAGE / "collectors").glob("*.py"):
        reported |= set(RULE_ID.findall(path.read_text(encoding="utf-8")))
    reported |= set(RULE_ID.findall((PACKAGE / "scope.py").read_text(encoding="utf-8")))
    # Rule ids in docstrings name the rules each collector reports, and must match what its code reports.
    assert set(AUDIT_RULE_IDS) == reported
    assert all(rule_id in RULES_BY_ID for rule_id in AUDIT_RULE_IDS)


@pytest.mark.parametrize("module", [*REGIONAL, *GLOBAL], ids=lambda module: module.__name__.rsplit(".", 1)[-1])
def test_each_collector_names_its_service(module: object) -> None:
    assert isinstance(module.SERVICE, str)  # type: ignore[attr-defined]
    assert callable(module.collect)  # type: ignore[attr-defined]


def test_every_resource_type_has_a_name_for_messages() -> None:
    types = set()
    for tree in _sources().values():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("AWS::"):
                types.add(node.value)
    assert types <= set(KINDS)
