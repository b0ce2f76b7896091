"""EU-RET-001: CloudWatch log groups delete their events after a retention period."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.core.values import get
from eu_residency.rules.retention._lifetimes import days_violations, parameter_days


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    raw = get(resource.properties, ("RetentionInDays",))
    if parameter_days(view, raw):
        return  # a parameter whose every allowed value is a number of days: a retention period, whichever
    yield from days_violations(
        view.resolve(raw),
        ("RetentionInDays",),
        "the log group's retention period",
        "CloudWatch Logs keeps its events forever",
    )


RULE = Rule(
    id="EU-RET-001",
    title="CloudWatch log groups delete their events after a retention period",
    explanation=(
        "Logs record requests, addresses, identifiers and sometimes message content; a log group without "
        "RetentionInDays keeps every event forever, against the privacy policy's promise to keep personal "
        "data only as long as it is needed."
    ),
    fix=(
        "Set RetentionInDays (e.g. 30) on the AWS::Logs::LogGroup (L2: logs.LogGroup(retention="
        "RetentionDays.ONE_MONTH), never RetentionDays.INFINITE); or use constructs_lib's "
        "EncryptedLogGroup, which requires retention_days."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::Logs::LogGroup"}),
    check_resource=check,
)
