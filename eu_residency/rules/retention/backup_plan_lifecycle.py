"""EU-RET-003: backup plans delete every recovery point, and every copy, after a bounded time."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.core.values import descend, elements, get
from eu_residency.rules.predicates import unresolved
from eu_residency.rules.retention._lifetimes import days_violations

RULES = ("BackupPlan", "BackupPlanRule")


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    rules = view.resolve(get(resource.properties, RULES))
    for index, rule in elements(rules):
        if index is None:
            yield unresolved(RULES, "the retention of the plan's rules", rule)
            continue
        yield from _lifecycle(rule, (*RULES, index), f"backup rule {index}")
        for copies in descend(rule, ("CopyActions",)):
            for copy_index, copy in elements(copies):
                if copy_index is None:
                    yield unresolved((*RULES, index, "CopyActions"), f"the retention of rule {index}'s copies", copy)
                    continue
                yield from _lifecycle(
                    copy,
                    (*RULES, index, "CopyActions", copy_index),
                    f"copy action {copy_index} of rule {index}",
                )


def _lifecycle(rule: object, path: tuple[str | int, ...], what: str) -> Iterator[Violation]:
    for delete_after in descend(rule, ("Lifecycle", "DeleteAfterDays")):
        yield from days_violations(
            delete_after,
            (*path, "Lifecycle", "DeleteAfterDays"),
            f"the retention of {what}",
            "AWS Backup keeps its recovery points forever",
        )


RULE = Rule(
    id="EU-RET-003",
    title="Backup plans delete every recovery point, and every copy, after a bounded time",
    explanation=(
        "Backups are full copies of user data. A rule without Lifecycle.DeleteAfterDays keeps its recovery "
        "points forever, and so does a copy action without one, even when the source expires, so data a "
        "user deleted would live on; the privacy policy promises to keep personal data only as long as "
        "needed."
    ),
    fix=(
        "Give every BackupPlan.BackupPlanRule[*] a Lifecycle.DeleteAfterDays, and every CopyActions[*] its "
        "own Lifecycle.DeleteAfterDays (L2: backup.BackupPlanRule(delete_after=Duration.days(35), "
        "copy_actions=[backup.BackupPlanCopyActionProps(destination_backup_vault=..., "
        "delete_after=Duration.days(35))]))."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::Backup::BackupPlan"}),
    check_resource=check,
)
