"""Acknowledgements written in a template's Metadata, and the finding each accepts: the one reading the command
(``check_run``) and the deploy-time hook (``eu_residency.hook``) share. Plain data, no file or YAML reading."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from eu_residency.core.rule_model import PLUGIN_NAME, Finding

OWN_METADATA = "eu-residency"
OWN_LIST = "acknowledgements"
OWN_SOURCE = "eu-residency metadata"
CDK_NAG_METADATA = "cdk_nag"
CDK_NAG_LIST = "rules_to_suppress"
CDK_NAG_SOURCE = "cdk-nag metadata"
# The two Metadata blocks acknowledgements are read from: (key, list key, source).
METADATA_BLOCKS = ((OWN_METADATA, OWN_LIST, OWN_SOURCE), (CDK_NAG_METADATA, CDK_NAG_LIST, CDK_NAG_SOURCE))


class MetadataAcknowledgement(NamedTuple):
    """One acknowledgement as a Metadata block holds it: the rule it accepts, why, and which block said so."""

    rule_id: str
    reason: str
    source: str  # OWN_SOURCE or CDK_NAG_SOURCE


def metadata_entries(metadata: Any) -> Iterator[tuple[Any, Any, str]]:
    """The entries of both acknowledgement blocks of a Metadata object: (id, reason, source), as written."""
    if not isinstance(metadata, Mapping):
        return
    for key, list_key, source in METADATA_BLOCKS:
        block = metadata.get(key)
        entries = block.get(list_key) if isinstance(block, Mapping) else None
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, Mapping):
                yield entry.get("id"), entry.get("reason"), source


def metadata_acknowledgements(metadata: Any) -> list[MetadataAcknowledgement]:
    """Acknowledgements in a resource's (or the template's) Metadata, in the two forms understood:

    ``eu-residency: {acknowledgements: [{id: EU-KEY-001, reason: ...}]}`` (ours) and
    ``cdk_nag: {rules_to_suppress: [{id: EU-Residency::EU-KEY-001, reason: ...}]}`` (what cdk-nag writes
    with writeSuppressionsToCloudFormation). An entry without a reason acknowledges nothing.
    """
    return [
        MetadataAcknowledgement(rule_id.removeprefix(f"{PLUGIN_NAME}::"), reason.strip(), source)
        for rule_id, reason, source in metadata_entries(metadata)
        if isinstance(rule_id, str) and isinstance(reason, str) and reason.strip()
    ]


def template_acknowledgement(template: Mapping[str, Any], finding: Finding) -> MetadataAcknowledgement | None:
    """The acknowledgement of ``finding`` the template carries (in its resource's Metadata, or the template's own
    for a finding on the template), if any; fatal findings have none."""
    if not finding.severity.acknowledgeable:
        return None
    if finding.logical_id is None:
        metadata = template.get("Metadata")
    else:
        resources = template.get("Resources")
        resource = resources.get(finding.logical_id) if isinstance(resources, Mapping) else None
        metadata = resource.get("Metadata") if isinstance(resource, Mapping) else None
    for acknowledgement in metadata_acknowledgements(metadata):
        if acknowledgement.rule_id == finding.rule_id:
            return acknowledgement
    return None
