"""What every file of L2 cases shares: an app as the CDK CLI would synthesize it, a check of its stacks by the
rules that have cases, and the comparison of each rule's findings with its case.

A case is rule id -> (the Fail* constructs or stacks it must report, the Pass* ones it must not). A finding is
named by the top-level construct of its stack when that is a Pass*/Fail* one; otherwise by its stack, when the
stack is a Pass*/Fail* one (a construct CDK names, such as glue.Catalog's encryption settings) or the finding is
on the template itself (EU-RES-001's). A Fail construct of one rule appears under another only where that rule
rightly reports it too.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from aws_cdk import App, Environment, Stack, Token

from eu_residency.core.rule_model import Finding
from eu_residency.core.settings import KeyControl, RuleSettings
from eu_residency.rules.engine import TemplateInput, check_templates
from eu_residency.rules.registry import RULES
from stacks.context import CLI_DEFAULT_CONTEXT

ACCOUNT = "123456789012"
REGION = "eu-west-1"
ENVIRONMENT = Environment(account=ACCOUNT, region=REGION)
Cases = dict[str, tuple[set[str], set[str]]]
# The EU-KEY rules run too: every rule with a case is checked.
SETTINGS = RuleSettings(key_control=KeyControl.CUSTOMER_MANAGED)
CASE_PREFIXES = ("Pass", "Fail")


@dataclass(frozen=True)
class L2Run:
    reported: Mapping[str, set[str]]  # rule id -> the Pass*/Fail* constructs (and stacks) it reports
    built: set[str]  # the stacks and the top-level constructs of each


def l2_app() -> App:
    """The context the CDK CLI gives every synth (construct paths in metadata); no feature flags: L2 defaults.
    CDK's own template validation is off: it reports nothing the rules read, and takes most of the synth's time."""
    return App(context=dict(CLI_DEFAULT_CONTEXT), builtin_cloud_formation_validation=False)


def _name(finding: Finding, stack_id: str) -> str | None:
    if not finding.construct_path:
        return stack_id
    top = finding.construct_path.split("/")[1]
    if top.startswith(CASE_PREFIXES):
        return top
    return stack_id if stack_id.startswith(CASE_PREFIXES) else None


def run_cases(app: App, stacks: Sequence[Stack], cases: Collection[str]) -> L2Run:
    """Synthesize ``app`` and check ``stacks`` with the rules ``cases`` names."""
    assembly = app.synth()
    inputs = [
        TemplateInput(
            name=stack.node.id,
            template=assembly.get_stack_by_name(stack.stack_name).template,
            region=None if Token.is_unresolved(stack.region) else stack.region,
            account=ACCOUNT,
        )
        for stack in stacks
    ]
    rules = [rule for rule in RULES if rule.id in cases]
    reported: dict[str, set[str]] = {}
    for stack_id, findings in check_templates(inputs, SETTINGS, rules=rules).items():
        for finding in findings:
            name = _name(finding, stack_id)
            if name is not None:
                reported.setdefault(finding.rule_id, set()).add(name)
    built = {stack.node.id for stack in stacks} | {child.node.id for stack in stacks for child in stack.node.children}
    return L2Run(reported=reported, built=built)


def assert_case(rule_id: str, cases: Cases, run: L2Run) -> None:
    fails, passes = cases[rule_id]
    assert not (fails | passes) - run.built, "a case names a construct the app does not build"
    reported = run.reported.get(rule_id, set())
    assert not reported & passes, f"{rule_id} reports compliant constructs: {sorted(reported & passes)}"
    assert reported == fails, f"{rule_id}: missed {sorted(fails - reported)}, also reported {sorted(reported - fails)}"


def case_tests(build: Callable[[], tuple[App, Sequence[Stack]]], cases: Cases) -> tuple[Any, Any]:
    """The module fixture and the parametrized test of a file of cases, bound at its top level:
    ``l2_run, test_l2_case_breaks_exactly_its_rule = case_tests(_build, CASES)``."""

    @pytest.fixture(scope="module")
    def l2_run() -> L2Run:
        app, stacks = build()
        return run_cases(app, stacks, cases)

    @pytest.mark.parametrize("rule_id", sorted(cases))
    def test_l2_case_breaks_exactly_its_rule(rule_id: str, l2_run: L2Run) -> None:
        assert_case(rule_id, cases, l2_run)

    return l2_run, test_l2_case_breaks_exactly_its_rule
