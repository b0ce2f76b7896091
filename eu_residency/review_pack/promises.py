"""The privacy policy's promises (``shared/privacy-policy.txt``), each with what keeps it: the rules that check it,
where the platform keeps it (constructs and settings), and what no rule checks. One list: the README's table is
tested against it, and the review pack's first section traces each promise to its evidence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eu_residency.check_run.results import CheckedFinding, CheckRun
from eu_residency.core.rule_model import Family, Rule
from eu_residency.inventory.records import FlowKind, Inventory
from eu_residency.rules.catalogue import IN_TRANSIT_FROM
from eu_residency.rules.registry import RULES

# Where the policy says the infrastructure is hosted ("hosted in Ireland"): narrower than the allowed regions.
POLICY_HOME_REGIONS = frozenset({"eu-west-1"})
PLACEMENT_RULES = frozenset({"EU-RES-001", "EU-RES-002", "EU-RES-003"})  # where stacks deploy, and what is checked
SESSION_STORE_TYPES = frozenset({"AWS::ElastiCache::ReplicationGroup", "AWS::ElastiCache::ServerlessCache"})
ATTACHMENT_TYPES = frozenset({"AWS::S3::Bucket"})
MAX_NAMED = 5  # stores named in one line of evidence; the rest counted
RETENTION_TYPES = frozenset({"AWS::Logs::LogGroup", "AWS::S3::Bucket", "AWS::Backup::BackupVault"})


@dataclass(frozen=True)
class Promise:
    """One promise of the policy: its words, the rules that check it, where the platform keeps it."""

    key: str  # the anchor of its row in the pack
    policy: str  # the policy's promise, as the README's table words it
    kept_by: str  # where the platform keeps it: the README's second column, Markdown
    covers: Callable[[Rule], bool]
    not_checked: str  # what no rule checks, said plainly

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(rule for rule in RULES if self.covers(rule))


def _family(family: Family, *, at_rest: bool | None = None) -> Callable[[Rule], bool]:
    def covers(rule: Rule) -> bool:
        if rule.family is not family:
            return False
        return at_rest is None or (rule.id < IN_TRANSIT_FROM) is at_rest

    return covers


def _types(types: frozenset[str]) -> Callable[[Rule], bool]:
    return lambda rule: bool(types & rule.resource_types)


PROMISES: tuple[Promise, ...] = (
    Promise(
        "stored-in-ireland",
        "User data is stored in Europe, on AWS in Ireland",
        "`stacks/config.py` refuses any region outside the EU list in `eu_residency/core/regions.py`; every stack "
        "has an explicit env (`stacks/base.py`)",
        lambda rule: rule.id in PLACEMENT_RULES,
        "where AWS itself keeps account metadata (IAM, billing, support cases) and what the application's code "
        "writes to services it reaches over the internet",
    ),
    Promise(
        "never-transferred",
        "Never transferred outside the EU",
        "the only copy goes to eu-central-1 (`stacks/backup_stack.py`, region validated as EU); no CloudFront, no "
        "global services; AWS API calls go through in-region VPC endpoints (`constructs_lib/constructs/network.py`); "
        "the application's security group allows egress only to the database, the session store, the endpoints and "
        "S3 (`stacks/application_stack.py`); the CloudTrail trail records activity in every region into eu-west-1",
        lambda rule: rule.family is Family.RESIDENCY and rule.id not in PLACEMENT_RULES,
        "what the application's code sends through an open egress path (the flow map shows the paths, not the "
        "traffic), and the regions of buckets and endpoints outside these templates unless listed in the settings",
    ),
    Promise(
        "encrypted-in-transit",
        "Encrypted in transit (TLS)",
        "ALB listeners TLS 1.2/1.3 only, HTTP redirects (`load_balancer.py`); ALB to container over HTTPS; "
        "`rds.force_ssl=1` (`database.py`); Valkey transit encryption `required` (`cache.py`); buckets deny non-TLS "
        "requests (`buckets.py`)",
        _family(Family.ENCRYPTION, at_rest=False),
        "TLS between the application's code and the services it calls (the SDKs' defaults), and the certificate "
        "checks clients make",
    ),
    Promise(
        "safeguarded",
        "Protected against loss and unauthorized access",
        "KMS key per data class (`keys.py`); private subnets; WAF with managed rules and per-IP rate limit "
        "(`web_acl.py`); IAM database auth; Multi-AZ database and cache; AWS Backup with a copy in a second EU "
        "region; versioned buckets; CloudTrail with log file validation",
        lambda rule: _family(Family.ENCRYPTION, at_rest=True)(rule) or rule.family is Family.KEY_CONTROL,
        "the breadth of IAM permissions and network rules (cdk-nag's AwsSolutions checks them, shown below), and "
        "the application's own access control",
    ),
    Promise(
        "kept-as-needed",
        "Kept only as long as needed",
        "every log group has a retention (`log_group.py`); buckets expire non-current versions and logs "
        "(`buckets.py`); backups delete after `backup.retention_days`",
        _family(Family.RETENTION),
        "what the application deletes from the database and the session store (the policy keeps chat IPs "
        "indefinitely, by its own words)",
    ),
    Promise(
        "visitor-sessions",
        "Visitor sessions with IP in server-side storage",
        "the Valkey session store: encrypted at rest with the cache key, TLS required, AUTH token in Secrets "
        "Manager, isolated subnets",
        _types(SESSION_STORE_TYPES),
        "the 30-minute end of sessions without messages (application code)",
    ),
    Promise(
        "attachments",
        "Mobile-app attachments",
        "the attachments bucket: SSE-KMS with its own key, TLS only, private, versioned, access-logged",
        _types(ATTACHMENT_TYPES),
        "what the apps upload and who downloads it (application code and IAM)",
    ),
)


@dataclass(frozen=True)
class PromiseEvidence:
    """One promise as the pack shows it: kept (no open finding of its rules) or not, and why."""

    promise: Promise
    rules_run: tuple[str, ...]
    open: tuple[CheckedFinding, ...]
    acknowledged: tuple[CheckedFinding, ...]
    inventory: tuple[str, ...]  # sentences about the inventory rows that bear on the promise

    @property
    def kept(self) -> bool:
        return not self.open

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.promise.key,
            "promise": self.promise.policy,
            "kept": self.kept,
            "kept_by": self.promise.kept_by,
            "rules_run": list(self.rules_run),
            "open_findings": [_finding_dict(item) for item in self.open],
            "acknowledged": [
                {**_finding_dict(item), "reason": item.acknowledgement.reason if item.acknowledgement else None}
                for item in self.acknowledged
            ],
            "inventory": list(self.inventory),
            "not_checked": self.promise.not_checked,
        }


def _finding_dict(item: CheckedFinding) -> dict[str, Any]:
    finding = item.finding
    return {"rule_id": finding.rule_id, "logical_id": finding.logical_id, "message": finding.message}


def trace_promises(run: CheckRun, inventory: Inventory, ran: Sequence[str]) -> tuple[PromiseEvidence, ...]:
    """Each promise with the findings of its rules that ran (``ran``: the ids of the rules the run used)."""
    traced = []
    for promise in PROMISES:
        ids = {rule.id for rule in promise.rules} & set(ran)
        items = [item for result in run.results for item in result.findings if item.finding.rule_id in ids]
        traced.append(
            PromiseEvidence(
                promise,
                tuple(sorted(ids)),
                tuple(item for item in items if item.open),
                tuple(item for item in items if not item.open),
                _inventory_evidence(promise, inventory),
            )
        )
    return tuple(traced)


def _count(counter: Counter[str]) -> str:
    return ", ".join(f"{region} {count}" for region, count in sorted(counter.items())) or "none"


def _inventory_evidence(promise: Promise, inventory: Inventory) -> tuple[str, ...]:
    stores = inventory.stores
    if promise.key == "stored-in-ireland":
        regions = Counter(store.region for store in stores)
        home = ", ".join(sorted(POLICY_HOME_REGIONS))
        elsewhere = [store for store in stores if store.region not in POLICY_HOME_REGIONS]
        lines = [f"data stores by region: {_count(regions)}"]
        named = ", ".join(f"{store.name} ({store.region})" for store in elsewhere[:MAX_NAMED])
        more = f" and {len(elsewhere) - MAX_NAMED} more" if len(elsewhere) > MAX_NAMED else ""
        lines.append(
            f"the policy says Ireland ({home}); stores elsewhere: {named}{more}"
            if elsewhere
            else f"every data store is in {home}, where the policy says the infrastructure is hosted"
        )
        return tuple(lines)
    if promise.key == "never-transferred":
        flows = [flow for flow in inventory.flows if flow.kind not in FlowKind.PATHS]
        destinations = Counter(flow.region for flow in flows)
        outside = len(inventory.outside_flows)
        paths = len(inventory.paths_out)
        return (
            f"{len(flows)} flow(s) of data, by destination region: {_count(destinations)}",
            f"{outside} flow(s) leave the allowed regions" if outside else "no flow leaves the allowed regions",
            f"{paths} path(s) out to the internet (routes and security groups that allow it): what uses them is the "
            "security groups' and the application's to decide"
            if paths
            else "no path out of the templates' networks to the internet",
        )
    if promise.key == "encrypted-in-transit":
        return (f"in transit, by store: {_count(Counter(store.in_transit.status for store in stores))}",)
    if promise.key == "safeguarded":
        return (f"at rest, by store: {_count(Counter(store.at_rest.status for store in stores))}",)
    if promise.key == "kept-as-needed":
        judged = Counter(store.type_label for store in stores if store.type in RETENTION_TYPES)
        return (f"stores whose retention the rules judge: {_count(judged)}",)
    types = SESSION_STORE_TYPES if promise.key == "visitor-sessions" else ATTACHMENT_TYPES
    chosen = [store for store in stores if store.type in types]
    return tuple(
        f"{store.name} ({store.region}): at rest {store.at_rest.text}; in transit {store.in_transit.text}"
        for store in chosen
    ) or ("no such store in these templates",)


def readme_rows() -> list[tuple[str, str]]:
    """The README's table of promises, as this list words it."""
    return [(promise.policy, promise.kept_by) for promise in PROMISES]


# The promises every rule keeps one of (the last two are about particular stores, whose rules the first five hold).
GENERAL_PROMISES = PROMISES[:5]
