"""What a live audit produces: the data stores found, the findings, and exactly what was and was not examined.

Plain data, no boto3: the formatters, the review pack and the tests read it, and ``as_dict``/``from_dict``
round-trip it through the JSON output (``eu-residency audit --format json``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from eu_residency.core.rule_model import Severity
from eu_residency.core.settings import KeyControl
from eu_residency.rules.registry import RULES_BY_ID

AUDITED, NOT_AUDITED = "audited", "not audited"
# Services whose listing is not regional (S3's bucket list, CloudFront, Global Accelerator).
GLOBAL = "global"
EXIT_CLEAN, EXIT_FINDINGS, EXIT_NOTHING_AUDITED = 0, 1, 2
FORMAT_VERSION = 1

# What each CloudFormation type is called in messages.
KINDS: dict[str, str] = {
    "AWS::S3::Bucket": "S3 bucket",
    "AWS::Redshift::Cluster": "Redshift cluster",
    "AWS::Redshift::ClusterParameterGroup": "Redshift parameter group",
    "AWS::MSK::Cluster": "MSK cluster",
    "AWS::RDS::DBInstance": "RDS database instance",
    "AWS::RDS::DBCluster": "RDS database cluster",
    "AWS::RDS::DBParameterGroup": "RDS parameter group",
    "AWS::RDS::DBClusterParameterGroup": "RDS cluster parameter group",
    "AWS::DynamoDB::Table": "DynamoDB table",
    "AWS::ElastiCache::ReplicationGroup": "ElastiCache replication group",
    "AWS::EFS::FileSystem": "EFS file system",
    "AWS::SecretsManager::Secret": "secret",
    "AWS::KMS::Key": "KMS key",
    "AWS::Logs::LogGroup": "log group",
    "AWS::SQS::Queue": "SQS queue",
    "AWS::SNS::Topic": "SNS topic",
    "AWS::Kinesis::Stream": "Kinesis stream",
    "AWS::ECR::Repository": "ECR repository",
    "AWS::ECR::ReplicationConfiguration": "ECR registry",
    "AWS::Backup::BackupVault": "backup vault",
    "AWS::Backup::BackupPlan": "backup plan",
    "AWS::OpenSearchService::Domain": "OpenSearch domain",
    "AWS::CloudFront::Distribution": "CloudFront distribution",
    "AWS::GlobalAccelerator::Accelerator": "Global Accelerator",
}


def kind(resource_type: str) -> str:
    return KINDS.get(resource_type, resource_type)


class AuditFileError(ValueError):
    """An audit JSON file that cannot be read back: one line naming the file and what is wrong."""


@dataclass(frozen=True)
class InventoryItem:
    """One data store: where it is, what it is, how it is encrypted at rest, and its classification tag."""

    region: str
    service: str  # the boto3 service name: "s3", "rds", ...
    resource_type: str  # the CloudFormation type, as the template rules name it: "AWS::S3::Bucket"
    name: str
    arn: str
    encryption: str  # "SSE-KMS, customer-managed key arn:...", "none", ...
    classification: str | None = None  # the data-classification tag, when the store carries one

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "service": self.service,
            "resource_type": self.resource_type,
            "name": self.name,
            "arn": self.arn,
            "encryption": self.encryption,
            "classification": self.classification,
        }


@dataclass(frozen=True)
class AuditFinding:
    """One rule broken by one live resource; the rule ids and fixes are those of the template rules."""

    rule_id: str
    severity: Severity
    region: str
    resource: str  # the ARN; for the few things without one (an ECR registry), an identifier
    resource_type: str
    message: str

    @property
    def fix(self) -> str:
        """The rule's fix; for a store outside the allowed regions, what to do with the live store first."""
        fix = RULES_BY_ID[self.rule_id].fix
        if self.rule_id == "EU-RES-001":
            return (
                f"Move the data to a store in an allowed region and delete this one. For the stack that made it: {fix}"
            )
        return fix

    @property
    def title(self) -> str:
        return RULES_BY_ID[self.rule_id].title

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule_id, self.region, self.resource)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "severity": self.severity.value,
            "region": self.region,
            "resource": self.resource,
            "resource_type": self.resource_type,
            "message": self.message,
            "fix": self.fix,
        }


@dataclass(frozen=True)
class Coverage:
    """Whether one service was examined in one region (or globally); the reason when it was not."""

    region: str
    service: str
    status: str  # AUDITED or NOT_AUDITED
    reason: str = ""

    @property
    def audited(self) -> bool:
        return self.status == AUDITED

    def as_dict(self) -> dict[str, Any]:
        return {"region": self.region, "service": self.service, "status": self.status, "reason": self.reason}


def _sort_region(region: str) -> tuple[int, str]:
    return (1 if region == GLOBAL else 0, region)


@dataclass(frozen=True)
class AuditReport:
    account: str | None
    regions: tuple[str, ...]  # the regions whose regional services were examined
    allowed_regions: frozenset[str]
    inventory: tuple[InventoryItem, ...] = ()
    findings: tuple[AuditFinding, ...] = ()
    coverage: tuple[Coverage, ...] = ()
    generated_at: str = ""  # ISO 8601, UTC
    profile: str | None = None
    notes: tuple[str, ...] = field(default=())
    # The key-control setting the audit ran under: the EU-KEY rules report only with customer-managed.
    key_control: KeyControl = KeyControl.ANY

    @property
    def not_audited(self) -> list[Coverage]:
        return [entry for entry in self.coverage if not entry.audited]

    @property
    def audited(self) -> list[Coverage]:
        return [entry for entry in self.coverage if entry.audited]

    @property
    def exit_code(self) -> int:
        """2 nothing could be examined; 1 a finding, or a part of the account not examined; 0 clean.

        A part not examined is not shown to be compliant, so it fails the audit as a finding does
        (fail closed); the report lists it with its reason.
        """
        if not self.audited:
            return EXIT_NOTHING_AUDITED
        return EXIT_FINDINGS if self.findings or self.not_audited else EXIT_CLEAN

    def count(self, severity: Severity | None = None) -> int:
        return sum(1 for finding in self.findings if severity is None or finding.severity is severity)

    def regions_in_inventory(self) -> list[str]:
        return sorted({item.region for item in self.inventory}, key=_sort_region)

    def inventory_in(self, region: str) -> list[InventoryItem]:
        return [item for item in self.inventory if item.region == region]

    def summary(self) -> str:
        parts = [
            f"{len(self.regions)} region(s) examined",
            f"{len(self.inventory)} data store(s)",
            f"{self.count()} finding(s) ({self.count(Severity.FATAL)} fatal, {self.count(Severity.ERROR)} error)",
        ]
        gaps = len(self.not_audited)
        parts.append(f"{gaps} region/service part(s) not audited" if gaps else "every region and service audited")
        return ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tool": "eu-residency audit",
            "format_version": FORMAT_VERSION,
            "account": self.account,
            "profile": self.profile,
            "generated_at": self.generated_at,
            "summary": self.summary(),
            "exit_code": self.exit_code,
            "allowed_regions": sorted(self.allowed_regions),
            "key_control": self.key_control.value,
            "regions": list(self.regions),
            "findings": [finding.as_dict() for finding in self.findings],
            "inventory": [item.as_dict() for item in self.inventory],
            "coverage": [entry.as_dict() for entry in self.coverage],
            "notes": list(self.notes),
        }

    @staticmethod
    def from_dict(document: Mapping[str, Any], source: str = "audit report") -> AuditReport:
        """Read back ``as_dict``'s output (the JSON format); AuditFileError names what is wrong."""
        try:
            if document.get("tool") != "eu-residency audit":
                raise AuditFileError(f"{source}: not the JSON output of `eu-residency audit --format json`")
            findings = tuple(
                AuditFinding(
                    rule_id=_known_rule(str(item["rule_id"]), source),
                    severity=Severity(item["severity"]),
                    region=str(item["region"]),
                    resource=str(item["resource"]),
                    resource_type=str(item["resource_type"]),
                    message=str(item["message"]),
                )
                for item in _list(document, "findings", source)
            )
            inventory = tuple(
                InventoryItem(
                    region=str(item["region"]),
                    service=str(item["service"]),
                    resource_type=str(item["resource_type"]),
                    name=str(item["name"]),
                    arn=str(item["arn"]),
                    encryption=str(item["encryption"]),
                    classification=None if item.get("classification") is None else str(item["classification"]),
                )
                for item in _list(document, "inventory", source)
            )
            coverage = tuple(
                Coverage(
                    region=str(item["region"]),
                    service=str(item["service"]),
                    status=_status(str(item["status"]), source),
                    reason=str(item.get("reason", "")),
                )
                for item in _list(document, "coverage", source)
            )
            account = document.get("account")
            profile = document.get("profile")
            return AuditReport(
                account=None if account is None else str(account),
                regions=tuple(str(region) for region in _list(document, "regions", source)),
                allowed_regions=frozenset(str(region) for region in _list(document, "allowed_regions", source)),
                inventory=inventory,
                findings=findings,
                coverage=coverage,
                generated_at=str(document.get("generated_at", "")),
                profile=None if profile is None else str(profile),
                notes=tuple(str(note) for note in _list(document, "notes", source, required=False)),
                # Absent from a report written before the setting existed: it ran as ``any`` does.
                key_control=KeyControl.parse(document.get("key_control", KeyControl.ANY.value)),
            )
        except (KeyError, TypeError, ValueError) as error:
            if isinstance(error, AuditFileError):
                raise
            raise AuditFileError(f"{source}: malformed audit report ({type(error).__name__}: {error})") from None


def _list(document: Mapping[str, Any], key: str, source: str, *, required: bool = True) -> Sequence[Any]:
    value = document.get(key, None if required else [])
    if not isinstance(value, list):
        raise AuditFileError(f"{source}: {key!r} should be a list")
    return value


def _known_rule(rule_id: str, source: str) -> str:
    if rule_id not in RULES_BY_ID:
        raise AuditFileError(f"{source}: unknown rule id {rule_id!r}")
    return rule_id


def _status(status: str, source: str) -> str:
    if status not in (AUDITED, NOT_AUDITED):
        raise AuditFileError(f"{source}: coverage status {status!r} is neither {AUDITED!r} nor {NOT_AUDITED!r}")
    return status
