"""What every page of the review pack shows, HTML and Markdown alike: the verdict, the rows of findings and
counts in their order, and the words for regions, flows and endpoints.
"""

from __future__ import annotations

from eu_residency.check_run.results import CheckedFinding, CheckRun, NestingKind, TemplateResult
from eu_residency.core.regions import EU_REGIONS, place
from eu_residency.core.rule_model import RULE_ID, Family, Rule, Severity
from eu_residency.core.settings import KEY_CONTROL_KEY, RuleSettings
from eu_residency.inventory.records import UNKNOWN_REGION, Endpoint, Flow, FlowKind, Inventory, stack_name
from eu_residency.rules.catalogue import FAMILY_TITLES
from eu_residency.rules.engine import active_rules
from eu_residency.rules.registry import RULES, RULES_BY_ID
from eu_residency.template_loader.stack_set_instances import instance_label

# The logical-id column of a finding about the whole stack.
STACK_LOGICAL_ID = "(stack)"

FindingRow = tuple[TemplateResult, CheckedFinding]


def finding_rows(run: CheckRun, *, acknowledged: bool) -> list[FindingRow]:
    """The open (or the acknowledged) findings of every template, in the run's order."""
    return [
        (result, item)
        for result in run.results
        for item in (result.acknowledged if acknowledged else result.open_findings)
    ]


def open_findings(run: CheckRun) -> list[FindingRow]:
    """Fatal first, then by stack, rule and resource."""
    return sorted(
        finding_rows(run, acknowledged=False),
        key=lambda row: (
            row[1].finding.severity is not Severity.FATAL,
            stack_label(row[0]),
            row[1].finding.rule_id,
            row[1].finding.logical_id or "",
        ),
    )


def acknowledged_count(run: CheckRun) -> int:
    """The findings of the rules acknowledged in the templates."""
    return sum(len(result.acknowledged) for result in run.results)


def rule_title(rule_id: str) -> str:
    rule = RULES_BY_ID.get(rule_id)
    return rule.title if rule is not None else ""


def family_label(rule_id: str) -> str:
    """``EU-KEY (Key control)``: a rule's family, its id and the first words of its title; empty for an id
    that is not one of ours (a cdk-nag rule)."""
    if not RULE_ID.match(rule_id):
        return ""
    family = Family(rule_id.rsplit("-", 1)[0])
    return f"{family.value} ({FAMILY_TITLES[family].split(':', 1)[0]})"


def rule_set_rows(settings: RuleSettings) -> list[tuple[str, str, int, int, str]]:
    """(family, its title, rules run, rules in it, whether it ran) for every family, under the run's settings."""
    ran = {rule.id for rule in active_rules(settings)}
    rows = []
    for family in Family:
        members = [rule for rule in RULES if rule.family is family]
        run_here = sum(1 for rule in members if rule.id in ran)
        needs = {rule.enabled_by for rule in members if rule.id not in ran and rule.enabled_by}
        status = "ran" if run_here == len(members) else "did not run"
        if needs:
            status += "; needs " + ", ".join(f"{KEY_CONTROL_KEY}: {setting.value}" for setting in needs)
        rows.append((family.value, FAMILY_TITLES[family], run_here, len(members), status))
    return rows


def property_path(item: CheckedFinding) -> str:
    return ".".join(str(part) for part in item.finding.path) or "-"


def stack_label(result: TemplateResult) -> str:
    """How the pack names a template's stack: a nested stack by its top-level stack and its path there
    (``Parent (nested stack Parent/Outer/Inner)``), not by its asset file's name; a StackSet's stack instance
    by that stack, the StackSet and the instance's region (``Parent (stack set Parent/Instances in
    eu-central-1)``)."""
    if result.nested_in is None:
        return stack_name(result.path)
    top, path, kind = result.nested_in
    if kind is NestingKind.STACK_SET_INSTANCE:
        return f"{stack_name(top)} ({instance_label(path, result.region)})"
    return f"{stack_name(top)} (nested stack {path})"


def construct_shown(result: TemplateResult, item: CheckedFinding) -> str:
    """The finding's construct path; the stack for a finding about the whole stack, ``-`` when unknown."""
    return item.finding.construct_path or (stack_label(result) if item.finding.logical_id is None else "-")


def region_status(region: str, allowed: frozenset[str]) -> str:
    """``eu-west-1 (Ireland), in the EU`` / ``us-east-1 (N. Virginia), outside the EU``."""
    if region == UNKNOWN_REGION:
        return "region unknown: cannot be shown to be in the EU"
    known_as = place(region)
    named = f"{region} ({known_as})" if known_as else region
    if region in EU_REGIONS:
        return f"{named}, in the EU" + ("" if region in allowed else ", not in the allowed regions")
    return f"{named}, outside the EU"


def counts_by_rule(run: CheckRun) -> list[tuple[str, int, int, int]]:
    """(rule, fatal, error, acknowledged) for every rule with a finding, most findings first."""
    counts: dict[str, list[int]] = {}
    for result in run.results:
        for item in result.findings:
            row = counts.setdefault(item.finding.rule_id, [0, 0, 0])
            if not item.open:
                row[2] += 1
            elif item.finding.severity is Severity.FATAL:
                row[0] += 1
            else:
                row[1] += 1
    rows = [(rule, fatal, error, ack) for rule, (fatal, error, ack) in counts.items()]
    return sorted(rows, key=lambda row: (-(row[1] + row[2]), -row[1], -row[3], row[0]))


def counts_by_stack(run: CheckRun) -> list[tuple[TemplateResult, int, int, int]]:
    """(template, fatal, error, acknowledged) for every template of the run."""
    rows = []
    for result in run.results:
        open_ = result.open_findings
        fatal = sum(1 for item in open_ if item.finding.severity is Severity.FATAL)
        rows.append((result, fatal, len(open_) - fatal, len(result.acknowledged)))
    return rows


def shorten(text: str, limit: int = 160) -> str:
    """``text``, cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def first_sentence(text: str, limit: int = 110) -> str:
    sentence = text.split(". ", 1)[0].rstrip(".")
    return shorten(sentence + ("." if sentence else ""), limit)


def flows_in_order(inventory: Inventory) -> list[Flow]:
    """Flows outside the allowed regions first, then by source and kind."""
    return sorted(inventory.flows, key=lambda flow: (flow.inside, flow.source.label, flow.kind))


def flow_status(flow: Flow) -> str:
    """Whether the flow stays in the allowed regions, in words: ``outside the EU``, ``vetted EU endpoint``."""
    if flow.inside:
        return "inside the allowed regions" if not flow.destination.outside_aws else "vetted EU endpoint"
    if flow.kind == FlowKind.EGRESS:
        return "a path out to the internet, not a flow of data: what uses it is for the security groups to decide"
    if flow.kind == FlowKind.INGRESS:
        return "the internet's way in: a path, not a flow of data out"
    if flow.destination.outside_aws:
        return "outside AWS: cannot be shown to be in the EU"
    if flow.region == UNKNOWN_REGION:
        return "region unknown: treated as outside the EU"
    if flow.region in EU_REGIONS:
        return "in the EU, but not in the allowed regions"
    return "outside the EU"


def endpoint_text(endpoint: Endpoint) -> str:
    """``Attachments/Bucket (AttachmentsBucket1234, Chat-prod-Data)``; the label alone outside the templates."""
    if endpoint.logical_id is not None:
        return f"{endpoint.label} ({endpoint.logical_id}, {endpoint.stack})"
    return endpoint.label


def reported_rules(run: CheckRun) -> list[Rule]:
    """The rules with a finding in the run, open or acknowledged, by id."""
    return [
        RULES_BY_ID[rule_id] for rule_id in sorted({item.finding.rule_id for r in run.results for item in r.findings})
    ]
