"""What CDK records about the constructs of a cloud assembly's stacks: the acknowledgements written with
``Validations.of(construct).acknowledge`` and the construct path of each resource, read from the manifest.

CDK writes each stack's construct metadata (its own, its resources' and its nested stacks') into the manifest or
the stack's metadata file; an acknowledgement on the app or a stage is in no stack's, so only the synth-time
plugin sees it (from the construct tree). The plugin and the command read an assembly through here alike.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eu_residency.assembly import MANIFEST, STACK_ARTIFACT, read_json_file

# The metadata entry types CDK writes (aws-cdk-lib Validations.ACKNOWLEDGED_RULES_METADATA_KEY and cx-api).
ACKNOWLEDGED_RULES = "aws:cdk:acknowledged-rules"
LOGICAL_ID = "aws:cdk:logicalId"
TEMPLATE_FILE = "aws:cdk:templateFile"
ADDITIONAL_METADATA_FILE = "additionalMetadataFile"
PATH_SEPARATOR = "/"


@dataclass(frozen=True)
class RecordedAcknowledgement:
    """One acknowledgement CDK recorded on a construct: the id with its namespace, as CDK stored it."""

    construct_path: str  # "" for the app itself
    id: str
    reason: str | None  # None: not text


@dataclass(frozen=True)
class CdkMetadata:
    """The acknowledgements of an assembly's stacks, and per template file (by name in the assembly) the construct
    path of its stack and of each of its resources by logical id."""

    acknowledgements: tuple[RecordedAcknowledgement, ...] = ()
    stacks: Mapping[str, str] = field(default_factory=dict)
    resources: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def construct_path(self, template: str, logical_id: str | None) -> str | None:
        """The construct path of ``logical_id`` in the template file named ``template`` (its stack's for None)."""
        name = Path(template).name
        if logical_id is None:
            return self.stacks.get(name)
        return self.resources.get(name, {}).get(logical_id)

    def template_of(self, construct_path: str) -> str | None:
        """The template file (by name) of the innermost stack that holds ``construct_path``."""
        best: tuple[int, str] | None = None
        for name, stack_path in self.stacks.items():
            if is_within(construct_path, stack_path) and (best is None or len(stack_path) > best[0]):
                best = (len(stack_path), name)
        return best[1] if best else None


def is_within(construct_path: str, scope: str) -> bool:
    """Whether ``construct_path`` is ``scope`` or below it, part by part (``A/B.NestedStack`` is not below ``A/B``)."""
    return scope in ("", construct_path) or construct_path.startswith(scope + PATH_SEPARATOR)


def scopes_of(construct_path: str) -> frozenset[str]:
    """``A/B/C`` -> {``A/B/C``, ``A/B``, ``A``, ``""``}: every construct whose acknowledgement reaches it, as CDK
    looks for the nearest one."""
    parts = construct_path.split(PATH_SEPARATOR) if construct_path else []
    return frozenset(PATH_SEPARATOR.join(parts[:length]) for length in range(len(parts) + 1))


def read_cdk_metadata(directory: Path) -> CdkMetadata:
    """The metadata of every stack the manifest in ``directory`` lists (not its nested assemblies: each has its
    own); what cannot be read is left out, never an error (the check run reports a manifest it cannot read)."""
    try:
        manifest = read_json_file(directory / MANIFEST)
    except ValueError:
        return CdkMetadata()
    acknowledgements: list[RecordedAcknowledgement] = []
    stacks: dict[str, str] = {}
    logical_ids: list[tuple[str, str]] = []
    for entries in _stack_metadata(directory, manifest):
        for path, entry_type, data in entries:
            if entry_type == ACKNOWLEDGED_RULES and isinstance(data, Mapping):
                acknowledgements += [
                    RecordedAcknowledgement(path, str(rule_id), reason if isinstance(reason, str) else None)
                    for rule_id, reason in data.items()
                ]
            elif entry_type == TEMPLATE_FILE and isinstance(data, str):
                stacks[Path(data).name] = path
            elif entry_type == LOGICAL_ID and isinstance(data, str):
                logical_ids.append((path, data))
    found = CdkMetadata(stacks=stacks)
    resources: dict[str, dict[str, str]] = {}
    for path, logical_id in logical_ids:
        template = found.template_of(path)
        if template is not None:
            resources.setdefault(template, {})[logical_id] = path
    return CdkMetadata(tuple(dict.fromkeys(acknowledgements)), stacks, resources)


def _stack_metadata(directory: Path, manifest: Any) -> Iterator[list[tuple[str, str, Any]]]:
    """Per stack artifact, its metadata entries as (construct path without the leading slash, type, data)."""
    artifacts = manifest.get("artifacts") if isinstance(manifest, Mapping) else None
    for artifact in artifacts.values() if isinstance(artifacts, Mapping) else ():
        if not isinstance(artifact, Mapping) or artifact.get("type") != STACK_ARTIFACT:
            continue
        metadata = artifact.get("metadata")
        extra = artifact.get(ADDITIONAL_METADATA_FILE)
        if not isinstance(metadata, Mapping) and isinstance(extra, str):
            metadata = _metadata_file(directory, extra)
        if isinstance(metadata, Mapping):
            yield [
                (str(path).removeprefix(PATH_SEPARATOR), str(entry.get("type")), entry.get("data"))
                for path, entries in metadata.items()
                for entry in (entries if isinstance(entries, list) else [])
                if isinstance(entry, Mapping)
            ]


def _metadata_file(directory: Path, name: str) -> Any:
    path = directory / name
    if not path.resolve().is_relative_to(directory.resolve()):
        return None  # CDK writes it beside the manifest, never elsewhere
    try:
        return read_json_file(path)
    except ValueError:
        return None
