"""EU-RET-002: versioned S3 buckets expire the non-current versions of every object."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eu_residency.core.resolved import scalar
from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, descend, elements, get
from eu_residency.rules.predicates import dotted, prop_path, unresolved
from eu_residency.rules.retention._lifetimes import days

STATUS = ("VersioningConfiguration", "Status")
RULES = ("LifecycleConfiguration", "Rules")
ENABLED = "Enabled"
EXPIRY_DAYS = (("NoncurrentVersionExpiration", "NoncurrentDays"), ("NoncurrentVersionExpirationInDays",))
# A rule narrowed by any of these expires only some objects' versions.
FILTERS = ("TagFilters", "ObjectSizeGreaterThan", "ObjectSizeLessThan")


class _UndecidedError(Exception):
    """A value of a lifecycle rule the template does not decide: where, and why."""

    def __init__(self, path: PropertyPath, what: str, value: Unknown) -> None:
        super().__init__(what)
        self.path, self.what, self.value = path, what, value


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    statuses = [scalar(status) for status in descend(view.resolve(resource.properties), STATUS)]
    versioning_unknown = next((status for status in statuses if isinstance(status, Unknown)), None)
    if ENABLED not in statuses and versioning_unknown is None:
        return  # never versioned (Suspended, or not set): no non-current versions pile up
    rules = view.resolve(get(resource.properties, RULES))
    gaps: list[str] = []
    undecided: _UndecidedError | None = None
    for index, rule in elements(rules):
        if index is None:
            undecided = undecided or _UndecidedError(RULES, "a lifecycle rule", rule)
            continue
        try:
            gap = _gap(rule, index)
        except _UndecidedError as error:
            undecided = undecided or error
            continue
        if gap is None:
            return  # this rule expires every object's non-current versions
        gaps.append(gap)
    if undecided is not None:
        yield unresolved(
            undecided.path,
            f"that {undecided.what} expires every object's non-current versions",
            undecided.value,
        )
    elif versioning_unknown is not None and ENABLED not in statuses:
        yield unresolved(
            STATUS,
            "whether versioning is on (with no lifecycle rule expiring old versions)",
            versioning_unknown,
        )
    else:
        detail = f": {'; '.join(gaps)}" if gaps else ""
        yield Violation(
            prop_path(*RULES) if rules is not MISSING else prop_path("LifecycleConfiguration"),
            "the bucket is versioned but no enabled lifecycle rule expires the non-current versions of "
            f"every object, so overwritten and deleted data is kept forever{detail}",
        )


def _gap(rule: Any, index: int) -> str | None:
    """Why rule ``index`` does not expire every object's non-current versions; None when it does."""
    path: PropertyPath = (*RULES, index)
    if isinstance(rule, Unknown):
        raise _UndecidedError(path, f"lifecycle rule {index}", rule)
    for status in descend(rule, ("Status",)):
        text = scalar(status)
        if isinstance(text, Unknown):
            raise _UndecidedError((*path, "Status"), f"lifecycle rule {index} (its Status)", text)
        if text != ENABLED:
            return f"rule {index} is not enabled (Status is {text or 'not set'})"
    expiry = _expiry(rule, path, index)
    if expiry is not None:
        return expiry
    for prefix in descend(rule, ("Prefix",)):
        text = scalar(prefix)
        if isinstance(text, Unknown):
            raise _UndecidedError((*path, "Prefix"), f"lifecycle rule {index} (its Prefix)", text)
        if text:
            return f"rule {index} applies only to objects under Prefix {text!r}"
    for name in FILTERS:
        for value in descend(rule, (name,)):
            if isinstance(value, Unknown):
                raise _UndecidedError((*path, name), f"lifecycle rule {index} (its {name})", value)
            if value is not MISSING and value != []:
                return f"rule {index} applies only to some objects ({name} is set)"
    return None


def _expiry(rule: Any, path: PropertyPath, index: int) -> str | None:
    """None when every option of the rule expires non-current versions after a number of days."""
    for expiry_path in EXPIRY_DAYS:
        values = [days(value) for value in descend(rule, expiry_path)]
        unknown = next((value for value in values if isinstance(value, Unknown)), None)
        if unknown is not None:
            raise _UndecidedError(
                (*path, *expiry_path),
                f"lifecycle rule {index} (its {dotted(expiry_path)})",
                unknown,
            )
        if values and all(isinstance(value, int) for value in values):
            kept = descend(rule, ("NoncurrentVersionExpiration", "NewerNoncurrentVersions"))
            if any(value is not MISSING for value in kept) and expiry_path == EXPIRY_DAYS[0]:
                return (
                    f"rule {index} keeps the newest non-current versions of every object forever "
                    "(NoncurrentVersionExpiration.NewerNoncurrentVersions is set)"
                )
            return None
    return f"rule {index} has no NoncurrentVersionExpiration"


RULE = Rule(
    id="EU-RET-002",
    title="Versioned S3 buckets expire the non-current versions of every object",
    explanation=(
        "In a versioned bucket, overwriting or deleting an object only hides it: the old version stays, "
        "billed and readable, until a lifecycle rule expires it. Without one, personal data a user or the "
        "application deleted is kept forever, against the privacy policy's promise to keep data only as "
        "long as it is needed."
    ),
    fix=(
        "Add a LifecycleConfiguration rule with Status: Enabled, no Prefix or filters, and "
        "NoncurrentVersionExpiration.NoncurrentDays (L2: s3.Bucket(versioned=True, lifecycle_rules=["
        "s3.LifecycleRule(noncurrent_version_expiration=Duration.days(30))])); or use constructs_lib's "
        "DataBucket, which requires noncurrent_version_days."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::S3::Bucket"}),
    check_resource=check,
)
