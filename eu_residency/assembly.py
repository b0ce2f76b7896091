"""The one reader of a cloud assembly (cdk.out): its manifest, templates, nested assemblies and validation report.

The check run, the review pack and the synthesis summary all read a cdk.out through here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

from eu_residency.core.values import written_texts
from eu_residency.core.vocabulary import (
    MAX_ASSEMBLY_FILE_BYTES,
    MAX_ASSEMBLY_FILE_SIZE_TEXT,
    MAX_NESTING,
    NESTED_STACK_TYPE,
)
from eu_residency.template_loader import TemplateError, parse_template, read_template_text
from eu_residency.template_loader.reading import UnreadableFileError, decode_template, read_regular_file

MANIFEST = "manifest.json"
VALIDATION_REPORT = "validation-report.json"
STACK_ARTIFACT = "aws:cloudformation:stack"
NESTED_ASSEMBLY_ARTIFACT = "cdk:cloud-assembly"
ENVIRONMENT_PREFIX = "aws://"
# The region of an environment-agnostic stack: aws://unknown-account/unknown-region.
AGNOSTIC_REGION = "unknown-region"
# CDK writes each nested stack's template into the assembly as a file asset with this ending.
NESTED_TEMPLATE_SUFFIX = ".nested.template.json"
ASSET_MANIFEST_SUFFIX = ".assets.json"
# With asset metadata on (the CDK CLI's default), a nested stack resource names its template file here.
ASSET_PATH_METADATA = "aws:asset:path"
# What is shown for a finding whose entry names no construct, no rule or no plugin.
UNNAMED = "?"


class AssemblyError(ValueError):
    """A cloud assembly whose manifest cannot be read (the message is one line naming it)."""


# -- the manifest ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StackArtifact:
    """A stack of a cloud assembly: its template file, and where it deploys."""

    name: str  # the artifact id in the manifest; PARENT/LOGICAL-ID for a nested stack
    template: Path
    region: str | None  # None: environment-agnostic
    assembly: Path  # the directory of the (nested) assembly the stack belongs to
    # For a nested stack: the stack it deploys with, and the AWS::CloudFormation::Stack resource there.
    parent: StackArtifact | None = None
    nested_stack_resource: str | None = None
    # The deployed stack's name (the manifest's stackName, else the artifact id); None for a nested stack,
    # whose name CloudFormation makes up at deploy time.
    stack_name: str | None = None

    @property
    def validation_report(self) -> Path:
        return self.assembly / VALIDATION_REPORT


def read_stacks(directory: Path) -> list[StackArtifact]:
    """The stacks of the cloud assembly in ``directory`` and of its nested assemblies, in manifest order, each
    followed by its nested stacks (which deploy in their parent's region).
    """
    stacks: list[StackArtifact] = []
    for stack in _stacks(directory, seen=set()):
        stacks.append(stack)
        stacks += nested_stacks(stack)
    return stacks


def manifest_stacks(directory: Path) -> list[StackArtifact]:
    """The stacks the manifest in ``directory`` (and its nested assemblies) lists, without nested stacks."""
    return list(_stacks(directory, seen=set()))


def nested_stacks(stack: StackArtifact) -> list[StackArtifact]:
    """The nested stacks of ``stack`` whose templates are files of its assembly, and theirs, depth first.

    CDK links a nested stack resource to its template by the asset's hash in the resource's TemplateURL
    (and, with asset metadata on, by ``aws:asset:path``); the asset manifests beside the template map the
    hash to the file. An assembly without nested templates costs one directory listing.
    """
    files = _nested_template_assets(stack.template.parent)
    if not files:
        return []
    found: list[StackArtifact] = []
    _nested(stack, files, found, seen={stack.template.resolve()}, depth=0)
    return found


def _nested(
    stack: StackArtifact, files: Mapping[str, Path], found: list[StackArtifact], *, seen: set[Path], depth: int
) -> None:
    if depth > MAX_NESTING:
        return
    try:
        template = parse_template(read_template_text(stack.template), str(stack.template))
    except TemplateError:
        return  # the check run reports the template that cannot be read
    resources = template.get("Resources")
    for logical_id, body in resources.items() if isinstance(resources, Mapping) else ():
        if not (isinstance(body, Mapping) and body.get("Type") == NESTED_STACK_TYPE):
            continue
        path = _nested_template(body, files, stack.template.parent)
        if path is None or path.resolve() in seen:
            continue
        seen.add(path.resolve())
        nested = StackArtifact(
            name=f"{stack.name}/{logical_id}",
            template=path,
            region=stack.region,
            assembly=stack.assembly,
            parent=stack,
            nested_stack_resource=str(logical_id),
        )
        found.append(nested)
        _nested(nested, files, found, seen=seen, depth=depth + 1)


def _nested_template_assets(directory: Path) -> dict[str, Path]:
    """Asset hash -> nested template file, from the asset manifests in ``directory``."""
    files: dict[str, Path] = {}
    try:
        manifests = sorted(path for path in directory.iterdir() if path.name.endswith(ASSET_MANIFEST_SUFFIX))
    except OSError:
        return files
    for manifest_path in manifests:
        try:
            manifest = read_json_file(manifest_path)
        except ValueError:
            continue
        assets = manifest.get("files") if isinstance(manifest, Mapping) else None
        for asset_hash, asset in assets.items() if isinstance(assets, Mapping) else ():
            source = asset.get("source") if isinstance(asset, Mapping) else None
            path = source.get("path") if isinstance(source, Mapping) else None
            if isinstance(path, str) and path.endswith(NESTED_TEMPLATE_SUFFIX) and (inside := _inside(directory, path)):
                files[str(asset_hash)] = inside
    return files


def _nested_template(body: Mapping[str, Any], files: Mapping[str, Path], directory: Path) -> Path | None:
    metadata = body.get("Metadata")
    asset_path = metadata.get(ASSET_PATH_METADATA) if isinstance(metadata, Mapping) else None
    if isinstance(asset_path, str) and asset_path.endswith(NESTED_TEMPLATE_SUFFIX):
        return _inside(directory, asset_path)
    properties = body.get("Properties")
    url = properties.get("TemplateURL") if isinstance(properties, Mapping) else None
    texts = list(written_texts(url))
    for asset_hash, path in files.items():
        if any(asset_hash in text for text in texts):
            return path
    return None


def _inside(directory: Path, name: str) -> Path | None:
    """``directory / name`` when it stays inside the assembly (CDK writes nested templates there, never
    elsewhere); None for a name that climbs out of it.
    """
    path = directory / name
    return path if path.resolve().is_relative_to(directory.resolve()) else None


def _stacks(directory: Path, *, seen: set[Path]) -> Iterator[StackArtifact]:
    seen.add(directory.resolve())
    manifest_path = directory / MANIFEST
    try:
        manifest = read_json_file(manifest_path)
    except ValueError as error:
        raise AssemblyError(f"{manifest_path}: not a readable cloud assembly manifest ({error})") from None
    if not isinstance(manifest, Mapping):
        raise AssemblyError(f"{manifest_path}: not a readable cloud assembly manifest (not a JSON object)")
    artifacts = manifest.get("artifacts")
    for name, artifact in artifacts.items() if isinstance(artifacts, Mapping) else ():
        if not isinstance(artifact, Mapping):
            continue
        properties = artifact.get("properties")
        properties = properties if isinstance(properties, Mapping) else {}
        if artifact.get("type") == STACK_ARTIFACT:
            template = properties.get("templateFile")
            if not isinstance(template, str):
                raise AssemblyError(f"{manifest_path}: the stack {name} names no template file (templateFile)")
            stack_name = properties.get("stackName")
            yield StackArtifact(
                str(name),
                directory / template,
                _region(artifact.get("environment")),
                directory,
                stack_name=stack_name if isinstance(stack_name, str) else str(name),
            )
        elif artifact.get("type") == NESTED_ASSEMBLY_ARTIFACT and isinstance(properties.get("directoryName"), str):
            nested = directory / properties["directoryName"]
            if nested.resolve() not in seen:
                yield from _stacks(nested, seen=seen)


def _region(environment: Any) -> str | None:
    """``aws://123456789012/eu-west-1`` -> ``eu-west-1``; None for an environment-agnostic stack."""
    text = str(environment if environment is not None else "")
    region = text.rsplit("/", 1)[-1] if text.startswith(ENVIRONMENT_PREFIX) else None
    return None if region == AGNOSTIC_REGION else region


@dataclass(frozen=True)
class StackTemplate:
    """A stack's template, read; ``name`` is its file as the check run names it."""

    stack: StackArtifact
    template: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.stack.template)


def read_templates(stacks: Sequence[StackArtifact]) -> list[StackTemplate]:
    """The templates of ``stacks``, each file once; one that cannot be read is left out (the check run
    reports it).
    """
    loaded: list[StackTemplate] = []
    seen: set[Path] = set()
    for stack in stacks:
        if stack.template.resolve() in seen:
            continue
        seen.add(stack.template.resolve())
        try:
            template = parse_template(read_template_text(stack.template), str(stack.template))
        except TemplateError:
            continue
        loaded.append(StackTemplate(stack, template))
    return loaded


# -- the validation report ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidationFinding:
    """One entry of CDK's validation report for one construct: open, or acknowledged with a reason."""

    plugin: str
    rule: str
    severity: str
    description: str
    construct_path: str | None  # None: the entry names no construct, or one without a path
    fix: str | None = None
    location: str | None = None
    acknowledged: bool = False
    reason: str | None = None
    acknowledged_at: str | None = None

    @property
    def construct_label(self) -> str:
        """The construct path as reports print it: ``?`` when the entry names none."""
        return UNNAMED if self.construct_path is None else self.construct_path


@dataclass(frozen=True)
class ValidationReport:
    """CDK's validation-report.json: ``path`` None when the assembly has none, ``error`` when unreadable."""

    path: str | None = None
    findings: tuple[ValidationFinding, ...] = ()
    error: str | None = None
    # Every plugin that reported, in the report's order, also those with nothing to report.
    plugins: tuple[str, ...] = ()

    @property
    def open(self) -> list[ValidationFinding]:
        return [finding for finding in self.findings if not finding.acknowledged]

    @property
    def acknowledged(self) -> list[ValidationFinding]:
        return [finding for finding in self.findings if finding.acknowledged]


def read_validation_report(path: Path) -> ValidationReport:
    """The report at ``path``; absent or unreadable, a report that says so (never an exception)."""
    if not path.is_file():
        return ValidationReport()
    try:
        report = _load_validation_report(path)
    except ValueError as error:
        return ValidationReport(path=str(path), error=f"{path}: not a readable validation report ({error})")
    return ValidationReport(path=str(path), findings=parse_validation_report(report), plugins=plugin_names(report))


def load_validation_findings(path: Path) -> tuple[ValidationFinding, ...]:
    """Every plugin's findings in the report at ``path``; ValueError when it cannot be read."""
    return parse_validation_report(_load_validation_report(path))


def _load_validation_report(path: Path) -> Mapping[str, Any]:
    report = read_json_file(path)
    if not isinstance(report, Mapping):
        raise ValueError("not a JSON object")
    return report


def plugin_names(report: Mapping[str, Any]) -> tuple[str, ...]:
    """The plugins the report names, once each, in its order."""
    plugins = report.get("pluginReports")
    names = (
        [_text(plugin, "pluginName", UNNAMED) for plugin in plugins if isinstance(plugin, Mapping)]
        if isinstance(plugins, list)
        else []
    )
    return tuple(dict.fromkeys(names))


def read_json_file(path: Path) -> Any:
    """A JSON file of the assembly, read safely (a regular file, bounded); ValueError says what is wrong."""
    try:
        data = read_regular_file(path, MAX_ASSEMBLY_FILE_BYTES, MAX_ASSEMBLY_FILE_SIZE_TEXT)
        return json.loads(decode_template(data, str(path)))
    except TemplateError as error:  # not UTF-8: the message names the file already
        raise ValueError(str(error).removeprefix(f"{path}: ")) from None
    except UnreadableFileError:
        raise
    except RecursionError:
        raise ValueError("nested too deeply to read") from None


def parse_validation_report(report: Any) -> tuple[ValidationFinding, ...]:
    """Every plugin's findings, open then acknowledged per plugin, one per construct; whatever in the
    document is not shaped as CDK writes it is skipped.
    """
    findings: list[ValidationFinding] = []
    plugins = report.get("pluginReports") if isinstance(report, Mapping) else None
    for plugin in plugins if isinstance(plugins, list) else []:
        if not isinstance(plugin, Mapping):
            continue
        name = _text(plugin, "pluginName", UNNAMED)
        for key, acknowledged in (("violations", False), ("suppressedViolations", True)):
            entries = plugin.get(key)
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, Mapping):
                    findings += _findings(name, entry, acknowledged=acknowledged)
    return tuple(findings)


def _findings(plugin: str, entry: Mapping[str, Any], *, acknowledged: bool) -> list[ValidationFinding]:
    constructs = entry.get("violatingConstructs")
    paths: list[str | None] = [
        path if isinstance(path := item.get("constructPath"), str) else None
        for item in (constructs if isinstance(constructs, list) else [])
        if isinstance(item, Mapping)
    ] or [None]
    rule_metadata = entry.get("ruleMetadata")
    location = _text(rule_metadata, "location") if isinstance(rule_metadata, Mapping) else None
    return [
        ValidationFinding(
            plugin=plugin,
            rule=_text(entry, "ruleName", UNNAMED),
            severity=_text(entry, "severity", "error"),
            description=_text(entry, "description", ""),
            construct_path=construct_path,
            fix=_text(entry, "suggestedFix") or _text(entry, "fix"),
            location=location,
            acknowledged=acknowledged,
            reason=_text(entry, "reason") if acknowledged else None,
            acknowledged_at=_text(entry, "acknowledgedAt") if acknowledged else None,
        )
        for construct_path in paths
    ]


@overload
def _text(entry: Mapping[str, Any], key: str) -> str | None: ...
@overload
def _text(entry: Mapping[str, Any], key: str, default: str) -> str: ...
def _text(entry: Mapping[str, Any], key: str, default: str | None = None) -> str | None:
    """The value at ``key`` as text; ``default`` when it is absent or null."""
    value = entry.get(key)
    return str(value) if value is not None else default
