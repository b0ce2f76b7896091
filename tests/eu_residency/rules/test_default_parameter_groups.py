"""EU-ENC-046 on AWS's default parameter groups: what a finding says is what AWS documents as the family's
default, and a default whose value is not known fails closed saying why."""

from __future__ import annotations

import pytest

from eu_residency.rules.encryption.rds_database_tls import default_group_tls
from eu_residency.rules.registry import RULES_BY_ID
from tests.eu_residency.rules.harness import FIXTURES, run_rule

RULE = RULES_BY_ID["EU-ENC-046"]


@pytest.mark.parametrize(
    ("family", "forces"),
    [
        ("postgres14", False),
        ("postgres15", True),
        ("postgres9.6", False),
        ("aurora-postgresql16", False),
        ("mysql5.7", False),
        ("mysql8.4", False),
        ("mysql9.1", None),
        ("mysql9.7", True),
        ("mariadb10.4", False),
        ("mariadb11.4", False),
        ("mariadb11.8", True),
        ("aurora-mysql8.0", None),
        ("aurora5.6", None),
        ("postgresql-next", None),
    ],
)
def test_default_group_forces_tls_as_aws_documents(family: str, forces: bool | None) -> None:
    known = default_group_tls(family)
    assert known is not None
    assert known.forces is forces, known.why


def test_engines_the_rule_does_not_cover_have_no_default_to_judge() -> None:
    assert default_group_tls("sqlserver-se-16.0") is None
    assert default_group_tls("oracle-ee-19") is None


def test_named_default_group_says_what_aws_default_is() -> None:
    _, findings = run_rule(RULE, FIXTURES / "bad" / "EU-ENC-046.default-groups.yaml")
    messages = {finding.logical_id: finding.message for finding in findings}
    trial = messages["FailMysql57NamedDefaultGroup"]
    assert "is not defined in this template" not in trial
    assert "default.mysql5.7 is one of AWS's default groups" in trial
    assert "require_secure_transport is OFF" in trial and "clients may connect without TLS" in trial
    assert "rds.force_ssl is 0" in messages["FailPostgres14NamedDefaultGroup"]
    for unknown in ("FailAuroraMysqlNamedDefaultGroup", "FailMysqlUndocumentedNamedDefaultGroup"):
        assert messages[unknown].endswith("so that it forces TLS cannot be shown"), messages[unknown]
