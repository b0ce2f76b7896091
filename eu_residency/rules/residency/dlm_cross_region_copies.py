"""EU-RES-024: Data Lifecycle Manager copies EBS snapshots and AMIs only to allowed regions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eu_residency.core.messages import shortened
from eu_residency.core.resolved import Cause
from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown
from eu_residency.core.values import MISSING, get, named_region, text_options
from eu_residency.core.vocabulary import REGION_SHAPE
from eu_residency.rules.predicates import is_always, prop_path, region_violations
from eu_residency.rules.residency._replication import STAR, region_leaf, settled, walk

WHAT = "the copy's target region"
# Where a policy names the regions it copies to: snapshot and AMI policies' copy rules (Target, or the older
# TargetRegion), event-based policies' copy actions, and default policies' copy targets (top-level or in
# PolicyDetails).
COPY_RULES = ("PolicyDetails", "Schedules", STAR, "CrossRegionCopyRules", STAR)
COPY_ACTIONS = ("PolicyDetails", "Actions", STAR, "CrossRegionCopy", STAR, "Target")
DEFAULT_TARGETS = (
    ("CrossRegionCopyTargets", STAR, "TargetRegion"),
    ("PolicyDetails", "CrossRegionCopyTargets", STAR, "TargetRegion"),
)


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    if is_always(view, get(resource.properties, ("State",)), "DISABLED"):
        return  # a policy that is DISABLED in every case runs no copies
    yield from settled(_violations(resource, view))


def _violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    for path, rule in walk(view, resource.properties, COPY_RULES, structures=True):
        if isinstance(rule, Unknown):
            yield from region_violations(view, rule, path, WHAT)
        elif rule is not MISSING:
            yield from _copy_rule(view, rule, path)
    for path, target in walk(view, resource.properties, COPY_ACTIONS):
        yield from _target(view, path, target)
    for pattern in DEFAULT_TARGETS:
        for path, region in walk(view, resource.properties, pattern):
            yield from region_leaf(view, path, region, WHAT, required=False)


def _copy_rule(view: TemplateView, rule: Any, path: PropertyPath) -> Iterator[Violation]:
    """A copy rule names its destination in Target (a region or an Outpost's ARN) or, in policies written
    before Target existed, in TargetRegion; a rule with neither cannot be created, so it copies nothing."""
    for target_path, target in walk(view, rule, ("Target",), path):
        if target is not MISSING:
            yield from _target(view, target_path, target)
    for region_path, region in walk(view, rule, ("TargetRegion",), path):
        yield from region_leaf(view, region_path, region, WHAT, required=False)


def _target(view: TemplateView, path: PropertyPath, raw: Any) -> Iterator[Violation]:
    for option in text_options(view, raw):
        if isinstance(option, str) and option.startswith("arn:"):
            yield from _outpost(view, option, path)
        else:
            yield from region_violations(view, option, path, WHAT)


def _outpost(view: TemplateView, arn: str, path: PropertyPath) -> Iterator[Violation]:
    """An Outpost stands on the customer's premises: its ARN names the region it is anchored to, which must be
    allowed, but not where the rack is, which the template cannot show."""
    shown = shortened(arn)
    region = named_region(arn)
    if isinstance(region, str) and REGION_SHAPE.match(region) and region not in view.settings.allowed_regions:
        yield from region_violations(view, region, path, f"the region of the target Outpost {shown}")
        return
    unknown = Unknown(f"the Outpost {shown}, on premises the template does not locate", Cause.OTHER_STACK)
    message = (
        f"the copies go to the Outpost {shown}, whose premises cannot be shown to be in the EU: an Outpost's "
        "ARN names only the region it is anchored to"
    )
    yield Violation(prop_path(*path), message, Severity.ERROR, unknown)


RULE = Rule(
    id="EU-RES-024",
    title="Data Lifecycle Manager copies snapshots and AMIs only to allowed regions",
    explanation=(
        "A lifecycle policy's cross-Region copy rule (snapshot and AMI policies), copy action (event-based "
        "policies) or copy target (default policies) puts a full copy of each EBS snapshot or AMI, every byte "
        "of the volumes and so the user data on them, into the target region, where it is kept for the copy's "
        "own retention period. A target region outside the allowed set is fatal; one that cannot be shown (a "
        "parameter, an import) is an error, and so is an Outpost, whose premises its ARN does not show. Share "
        "rules are not reported: they share snapshots with other accounts in the same region."
    ),
    fix="Set PolicyDetails.Schedules[].CrossRegionCopyRules[].Target (or TargetRegion), "
    "PolicyDetails.Actions[].CrossRegionCopy[].Target and CrossRegionCopyTargets[].TargetRegion only to "
    "allowed regions, or remove the copy rule (aws-cdk-lib has only the L1 CfnLifecyclePolicy).",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({"AWS::DLM::LifecyclePolicy"}),
    check_resource=check,
)
