"""Where a review pack comes from, for the reviewer who signs it: when it was made, from which commit, by
which tool and library versions, under which settings, over which template files (their SHA-256).

``provenance`` never raises: what cannot be read (no git, no repository, a version the assembly does not
record) is said in words instead.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import subprocess
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from eu_residency.assembly import MANIFEST, read_json_file, read_stacks
from eu_residency.core.product import TOOL_NAME, tool_version
from eu_residency.core.settings import RuleSettings
from eu_residency.core.vocabulary import MAX_ASSEMBLY_FILE_BYTES, MAX_ASSEMBLY_FILE_SIZE_TEXT
from eu_residency.template_loader.reading import read_regular_file

AWS_CDK_LIB = "aws-cdk-lib"
CDK_NAG = "cdk-nag"
TREE = "tree.json"
GIT_TIMEOUT_SECONDS = 5.0
# The CDKMetadata resource's Analytics property: "v2:deflate64:" and the gzip of a prefix-encoded list of
# "VERSION!FQN" entries (aws-cdk-lib core/lib/private/metadata-resource.d.ts, formatAnalytics).
ANALYTICS_PREFIX = "v2:deflate64:"
MAX_ANALYTICS_BYTES = 1_048_576
MAX_TREE_DEPTH = 200
NOT_IN_REPOSITORY = "not in a git repository"
GIT_REPOSITORY_VARIABLES = frozenset(
    {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY", "GIT_NAMESPACE"}
)
# The characters a URL path holds unescaped (RFC 3986 pchar and "/").


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class GitState:
    """The commit the working tree is at and whether it has changes; both None when not known (``text`` says
    why)."""

    commit: str | None
    dirty: bool | None
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"commit": self.commit, "dirty": self.dirty, "text": self.text}


@dataclass(frozen=True)
class LibraryVersion:
    """A library's version (None: not known), and where it was read."""

    name: str
    version: str | None
    source: str

    @property
    def text(self) -> str:
        return f"{self.version} ({self.source})" if self.version else self.source

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "source": self.source}


@dataclass(frozen=True)
class Provenance:
    """The provenance block of one pack; ``as_dict`` for report.json, ``rows`` for the pages."""

    generated_at: str  # UTC, ISO 8601 to the second: 2026-12-06T22:27:17Z
    git: GitState
    tool_version: str
    aws_cdk_lib: LibraryVersion
    cdk_nag: LibraryVersion
    # The manifest records the oldest CDK CLI that can read the assembly, never the CLI that wrote it.
    minimum_cli_version: str | None
    assembly_schema_version: str | None
    settings: Mapping[str, Any]
    template_sha256: Mapping[str, str] = field(default_factory=dict)  # name (relative to CDK_OUT) -> hex digest
    unhashed: Mapping[str, str] = field(default_factory=dict)  # name -> why it could not be read

    def as_dict(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at,
            "git": self.git.as_dict(),
            "tool": {"name": TOOL_NAME, "version": self.tool_version},
            "aws_cdk_lib": self.aws_cdk_lib.as_dict(),
            "cdk_nag": self.cdk_nag.as_dict(),
            "cdk_cli": {
                "version": None,
                "minimum_version": self.minimum_cli_version,
                "source": cli_source(self.minimum_cli_version),
            },
            "cloud_assembly_schema": self.assembly_schema_version,
            "settings": dict(self.settings),
            "template_sha256": dict(self.template_sha256),
            "unhashed_templates": dict(self.unhashed),
        }

    def rows(self) -> list[tuple[str, str]]:
        """(label, text) in the order the pages show them; the template hashes are ``template_sha256``."""
        settings = self.settings
        destinations = settings["replication_destinations"]
        return [
            ("Generated at", self.generated_at),
            ("Git", self.git.text),
            ("Tool", f"{TOOL_NAME} {self.tool_version}"),
            (AWS_CDK_LIB, self.aws_cdk_lib.text),
            (CDK_NAG, self.cdk_nag.text),
            ("CDK CLI", cli_source(self.minimum_cli_version)),
            ("Cloud assembly schema", self.assembly_schema_version or "not recorded in the manifest"),
            ("Allowed regions", ", ".join(settings["allowed_regions"])),
            ("Key control", settings["key_control"]),
            (
                "Replication destinations",
                ", ".join(f"{bucket} ({region})" for bucket, region in destinations.items()) or "none",
            ),
            ("EU endpoints", ", ".join(settings["eu_endpoints"]) or "none"),
        ]


def cli_source(minimum: str | None) -> str:
    if minimum is None:
        return "not recorded in the manifest"
    return f"not recorded; the manifest needs {minimum} or later"


def provenance(
    cdk_out: Path,
    settings: RuleSettings,
    template_paths: Iterable[Path | str],
    *,
    clock: Callable[[], datetime] = utc_now,
    git: str = "git",
) -> Provenance:
    """The provenance of a pack over the assembly ``cdk_out``, checked under ``settings``, with the SHA-256 of
    each file of ``template_paths`` (``assembly_template_paths`` gives the manifest's)."""
    hashes, unhashed = template_hashes(cdk_out, template_paths)
    manifest = _json_object(cdk_out / MANIFEST)
    min_cli = manifest.get("minimumCliVersion")
    schema = manifest.get("version")
    return Provenance(
        generated_at=clock().astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        git=git_state(cdk_out, git=git),
        tool_version=tool_version(),
        aws_cdk_lib=library_version(cdk_out, AWS_CDK_LIB, manifest, template_paths=hashes),
        cdk_nag=library_version(cdk_out, CDK_NAG, manifest, template_paths=hashes),
        minimum_cli_version=min_cli if isinstance(min_cli, str) else None,
        assembly_schema_version=schema if isinstance(schema, str) else None,
        settings=settings.as_record(),
        template_sha256=hashes,
        unhashed=unhashed,
    )


def assembly_template_paths(cdk_out: Path) -> list[Path]:
    """The template files the assembly's manifests list, nested stacks' included; none when it has no
    readable manifest."""
    try:
        stacks = read_stacks(cdk_out)
    except ValueError:
        return []
    return list(dict.fromkeys(stack.template for stack in stacks))


# -- template hashes ---------------------------------------------------------------------------------------------


def template_hashes(cdk_out: Path, paths: Iterable[Path | str]) -> tuple[dict[str, str], dict[str, str]]:
    """(name -> SHA-256 hex, name -> why not read) for each distinct file, named relative to ``cdk_out``."""
    hashes: dict[str, str] = {}
    unread: dict[str, str] = {}
    for path in dict.fromkeys(Path(item) for item in paths):
        name = template_name(cdk_out, path)
        if path.is_dir():  # read_regular_file opens a folder and fails on it with an errno text
            unread[name] = "is a directory, not a file"
            continue
        try:
            data = read_regular_file(path, MAX_ASSEMBLY_FILE_BYTES, MAX_ASSEMBLY_FILE_SIZE_TEXT)
        except (ValueError, OSError) as error:
            unread[name] = str(error)
            continue
        hashes[name] = hashlib.sha256(data).hexdigest()
    return dict(sorted(hashes.items())), dict(sorted(unread.items()))


def template_name(cdk_out: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(cdk_out.resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


# -- git ---------------------------------------------------------------------------------------------------------


def git_state(directory: Path, *, git: str = "git", timeout: float = GIT_TIMEOUT_SECONDS) -> GitState:
    """The commit and dirty state of the git work tree ``directory`` lies in; never raises."""
    if not directory.is_dir():
        return GitState(None, None, "not a folder, so in no git repository")
    inside = _git(git, directory, timeout, "rev-parse", "--is-inside-work-tree")
    if isinstance(inside, str):
        return GitState(None, None, inside)
    if inside.returncode != 0:
        error = inside.stderr.strip().splitlines()[0] if inside.stderr.strip() else f"exit code {inside.returncode}"
        if "not a git repository" in error:
            return GitState(None, None, NOT_IN_REPOSITORY)
        if "dubious ownership" in error:
            return GitState(None, None, "git refuses to read the repository (dubious ownership; see safe.directory)")
        return GitState(None, None, f"git could not read the repository ({error})")
    if inside.stdout.strip() != "true":
        return GitState(None, None, "in a git directory, not in a work tree")
    head = _git(git, directory, timeout, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    commit = head.stdout.strip() if not isinstance(head, str) and head.returncode == 0 else None
    status = _git(git, directory, timeout, "status", "--porcelain", "--untracked-files=normal")
    if isinstance(status, str) or status.returncode != 0:
        reason = status if isinstance(status, str) else "git status failed"
        return GitState(commit, None, f"{_commit_text(commit)}; whether it has changes is not known ({reason})")
    changed = len([line for line in status.stdout.splitlines() if line.strip()])
    if not changed:
        return GitState(commit, False, f"{_commit_text(commit)}, no uncommitted changes")
    files = "1 file" if changed == 1 else f"{changed} files"
    return GitState(commit, True, f"{_commit_text(commit)}, dirty: {files} changed or untracked")


def _commit_text(commit: str | None) -> str:
    return f"commit {commit}" if commit else "no commit yet"


def _git(git: str, directory: Path, timeout: float, *args: str) -> subprocess.CompletedProcess[str] | str:
    """git's answer, or why there is none in words."""
    # The repository is the one the folder lies in, whatever repository the caller's environment names.
    env = {key: value for key, value in os.environ.items() if key not in GIT_REPOSITORY_VARIABLES}
    # No index lock taken by `git status` (git(1), GIT_OPTIONAL_LOCKS), English messages to match on, and no
    # fsmonitor hook started.
    env.update(GIT_OPTIONAL_LOCKS="0", LC_ALL="C")
    command = [git, "-c", "core.fsmonitor=false", "-C", str(directory), *args]
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    except FileNotFoundError:
        return "git is not installed: no commit recorded"
    except subprocess.TimeoutExpired:
        return f"git did not answer within {timeout:g} s: no commit recorded"
    except (OSError, ValueError) as error:
        return f"git could not be run ({error}): no commit recorded"


# -- library versions --------------------------------------------------------------------------------------------


def library_version(
    cdk_out: Path, library: str, manifest: Mapping[str, Any], *, template_paths: Iterable[str]
) -> LibraryVersion:
    """``library``'s version as the assembly records it (tree.json, the manifest's runtime libraries, the
    templates' CDKMetadata, in that order), else the installed Python package's."""
    found = _tree_versions(cdk_out / TREE, library)
    if found:
        return LibraryVersion(library, ", ".join(sorted(found)), f"recorded in {TREE}")
    runtime = manifest.get("runtime")
    libraries = runtime.get("libraries") if isinstance(runtime, Mapping) else None
    if isinstance(libraries, Mapping) and isinstance(libraries.get(library), str):
        return LibraryVersion(library, libraries[library], f"recorded in {MANIFEST}")
    found = set()
    for name in template_paths:
        found |= analytics_versions(_json_object(cdk_out / name), library)
    if found:
        return LibraryVersion(library, ", ".join(sorted(found)), "recorded in the templates' CDKMetadata")
    try:
        installed = metadata.version(library)
    except metadata.PackageNotFoundError:
        return LibraryVersion(library, None, "not recorded in the assembly, and not installed")
    return LibraryVersion(library, installed, "the installed Python package; the assembly records none")


def _tree_versions(path: Path, library: str) -> set[str]:
    if not path.is_file():
        return set()
    tree = _json_object(path).get("tree")
    found: set[str] = set()
    stack: list[tuple[Any, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, Mapping) or depth > MAX_TREE_DEPTH:
            continue
        info = node.get("constructInfo")
        if isinstance(info, Mapping) and _is_of(info.get("fqn"), library) and isinstance(info.get("version"), str):
            found.add(info["version"])
        children = node.get("children")
        if isinstance(children, Mapping):
            stack += [(child, depth + 1) for child in children.values()]
    return found


def analytics_versions(template: Mapping[str, Any], library: str) -> set[str]:
    """The versions of ``library`` a template's CDKMetadata resource records."""
    resources = template.get("Resources")
    found: set[str] = set()
    for body in resources.values() if isinstance(resources, Mapping) else ():
        if not isinstance(body, Mapping) or body.get("Type") != "AWS::CDK::Metadata":
            continue
        properties = body.get("Properties")
        analytics = properties.get("Analytics") if isinstance(properties, Mapping) else None
        for entry in _analytics_entries(analytics):
            version, _, fqn = entry.partition("!")
            if version and _is_of(fqn, library):
                found.add(version)
    return found


def _is_of(fqn: object, library: str) -> bool:
    return isinstance(fqn, str) and fqn.startswith(f"{library}.")


def _analytics_entries(analytics: object) -> list[str]:
    if not isinstance(analytics, str) or not analytics.startswith(ANALYTICS_PREFIX):
        return []
    encoded = analytics[len(ANALYTICS_PREFIX) :].split(":", 1)[0]
    try:
        inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)  # gzip
        text = inflater.decompress(base64.b64decode(encoded, validate=True), MAX_ANALYTICS_BYTES)
        return list(expand_prefix_list(text.decode("utf-8")))
    except (binascii.Error, zlib.error, UnicodeDecodeError):
        return []


def expand_prefix_list(text: str) -> Iterator[str]:
    """The entries of a prefix-encoded list: ``2.1.0!lib.{A,b.C}`` -> ``2.1.0!lib.A``, ``2.1.0!lib.b.C``.

    A construct's recorded properties follow its name as a JSON array (``Bucket[{...}]``); they are skipped.
    """
    prefixes = [""]
    token = ""
    index = 0
    while index < len(text):
        char = text[index]
        if char == "[":
            index = _skip_json_array(text, index)
            continue
        if char == "{":
            prefixes.append(prefixes[-1] + token)
            token = ""
        elif char in ",}":
            if token:
                yield prefixes[-1] + token
            elif text[index - 1 : index] == "]":  # a name whose properties were just skipped
                yield prefixes[-1]
            token = ""
            if char == "}" and len(prefixes) > 1:
                prefixes.pop()
        else:
            token += char
        index += 1
    if token:
        yield prefixes[-1] + token


def _skip_json_array(text: str, start: int) -> int:
    """The index after the JSON array starting at ``start`` (or the end of ``text``)."""
    depth = 0
    in_string = False
    index = start
    while index < len(text):
        char = text[index]
        if in_string:
            if char == "\\":
                index += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return index


def _json_object(path: Path) -> Mapping[str, Any]:
    try:
        document = read_json_file(path)
    except (ValueError, OSError):
        return {}
    return document if isinstance(document, Mapping) else {}
