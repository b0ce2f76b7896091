"""Where the command finds acknowledgements as they were written, and where each finding can be acknowledged from,
for ``acknowledgement_audit``: a template's Metadata (ours and cdk-nag's form) and what CDK recorded in a cloud
assembly (``cdk_metadata``).

A place is a key both sides share: ``TEMPLATE#LOGICAL-ID`` for a resource's Metadata, ``TEMPLATE#`` for the
template's own, and a construct path for CDK (which also reaches everything below it).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eu_residency.check_run.acknowledgement_audit import CDK_SOURCE, WrittenAcknowledgement
from eu_residency.check_run.cdk_metadata import CdkMetadata, scopes_of
from eu_residency.check_run.sam import ORIGIN_METADATA, SamOrigin
from eu_residency.core.acknowledgements import OWN_SOURCE, metadata_entries

TEMPLATE_LABEL = "(template)"
APP_LABEL = "(app)"


def template_place(template: str, logical_id: str | None) -> str:
    """The place of a resource's Metadata in ``template`` (the template's own Metadata for None)."""
    return f"{template}#{logical_id or ''}"


def cdk_places(construct_path: str | None) -> frozenset[str]:
    """The places a CDK acknowledgement reaches a finding at ``construct_path`` from: it and every construct above."""
    return scopes_of(construct_path) if construct_path is not None else frozenset()


def written_in_template(
    template_name: str, path: str, template: Mapping[str, Any], *, inside: str | None = None
) -> list[WrittenAcknowledgement]:
    """Every acknowledgement in the Metadata of ``template`` (its places named by ``template_name``, in the file
    ``path``; ``inside`` the StackSet whose template body it is). A resource SAM generated carries its SAM
    resource's Metadata: it is read as the SAM resource's, as its findings are reported there."""
    found = _written(template_name, path, None, template.get("Metadata"), inside)
    resources = template.get("Resources")
    for logical_id, resource in resources.items() if isinstance(resources, Mapping) else ():
        metadata = resource.get("Metadata") if isinstance(resource, Mapping) else None
        origin = metadata.get(ORIGIN_METADATA) if isinstance(metadata, Mapping) else None
        owner = origin.owners[0] if isinstance(origin, SamOrigin) and origin.owners else str(logical_id)
        found += _written(template_name, path, owner, metadata, inside)
    return found


def _written(
    template_name: str, path: str, logical_id: str | None, metadata: Any, inside: str | None
) -> list[WrittenAcknowledgement]:
    where = logical_id or TEMPLATE_LABEL
    return [
        WrittenAcknowledgement(
            id=rule_id,
            reason=reason if isinstance(reason, str) else None,
            where=f"{inside}/{where}" if inside else where,
            place=template_place(template_name, logical_id),
            source=source,
            template=path,
            logical_id=logical_id,
            own_block=source == OWN_SOURCE,
        )
        for rule_id, reason, source in metadata_entries(metadata)
        if isinstance(rule_id, str)
    ]


def written_by_cdk(directory: Path, metadata: CdkMetadata) -> list[WrittenAcknowledgement]:
    """The acknowledgements CDK recorded in the cloud assembly in ``directory``, each in the template of the stack
    that holds its construct, on the resource it is, if it is one."""
    found = []
    for recorded in metadata.acknowledgements:
        template = metadata.template_of(recorded.construct_path)
        resources = metadata.resources.get(template or "", {})
        logical_id = next((name for name, path in resources.items() if path == recorded.construct_path), None)
        found.append(
            WrittenAcknowledgement(
                id=recorded.id,
                reason=recorded.reason,
                where=recorded.construct_path or APP_LABEL,
                place=recorded.construct_path,
                source=CDK_SOURCE,
                template=str(directory / template) if template else None,
                logical_id=logical_id,
            )
        )
    return found
