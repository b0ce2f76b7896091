"""Profiles (pyinstrument): ``eu-residency check`` over the 2,000-resource template and over the rule
fixtures (YAML), and a synthesis of the 2,000 resources with the pack. Where do the seconds go, and is the
jsii bridge what costs?

Usage: python -m bench.profiling. pyinstrument lives in bench/.venv-peers (pinned with the peers); it has
no dependencies, so the project's Python gets that one package on its path (a link in the scratch
folder), never the peers' others. The sessions are rendered by the peers' pyinstrument: the top of the
call tree as text, and from the JSON tree the seconds under jsii's frames (the bridge to node, where
constructs are built and CDK synthesizes) and under the pack's ``validate``. Writes
``profiles`` into bench/details.json.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from bench.harness import (
    PEERS_BIN,
    PEERS_VENV,
    PROJECT_PYTHON,
    SCRATCH,
    child_env,
    log,
    merge_details,
    run,
)
from bench.peers import fixture_templates
from bench.scale import ensure_template, outdir

SIZE = 2000
TREE_LINES = 45
TOP_FUNCTIONS = 12
JSII = "/site-packages/jsii/"
PACK_FILE = "constructs_lib/validation_plugin.py"
RULE_CORE = ("check_templates", "eu_residency/rules/engine.py")
# Frames whose seconds are summed by name (outermost only), to say what a run spends its time on.
PHASES = {
    "check_templates": "eu_residency/rules/engine.py",
    "parse_template_with_lines": "eu_residency/template_loader/__init__.py",
    "json_resource_lines": "eu_residency/template_loader/json_reader.py",
    "build": "bench/generated_stack.py",
}


def _profiler_path() -> Path:
    """A folder holding only pyinstrument (a link into the peers' environment), for PYTHONPATH."""
    site = next(PEERS_VENV.glob("lib/python3*/site-packages"))
    shim = SCRATCH / "profiler-path"
    shim.mkdir(parents=True, exist_ok=True)
    link = shim / "pyinstrument"
    if not link.exists():
        link.symlink_to(site / "pyinstrument", target_is_directory=True)
    return shim


def record(name: str, module_argv: list[str], **env: str) -> Path:
    session = SCRATCH / f"profile-{name}.pyisession"
    argv: list[str | Path] = [PROJECT_PYTHON, "-m", "pyinstrument", "-r", "pyisession", "-o", session, "-m"]
    run([*argv, *module_argv], env=child_env(PYTHONPATH=str(_profiler_path()), **env), ok=(0, 1))
    return session


def render_text(session: Path) -> str:
    text = run(
        [PEERS_BIN / "pyinstrument", f"--load={session}", "-r", "text", "--no-color", "--unicode"], ok=(0,)
    ).stdout
    lines = [line.rstrip() for line in text.splitlines()]
    start = next((i for i, line in enumerate(lines) if line.startswith("Program:")), 0)
    tree = [line for line in lines[start + 1 :] if line.strip()]
    return "\n".join(tree[:TREE_LINES])


def render_tree(session: Path) -> dict[str, Any]:
    out = session.with_suffix(".json")
    run([PEERS_BIN / "pyinstrument", f"--load={session}", "-r", "json", "-o", out], ok=(0,))
    tree: dict[str, Any] = json.loads(out.read_text())
    return tree


def _frames(frame: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield frame
    for child in frame.get("children", []):
        yield from _frames(child)


def _outermost(frame: Mapping[str, Any], matches: Any) -> Iterator[Mapping[str, Any]]:
    """The frames that match, not descending into a match (so that their times add up)."""
    if matches(frame):
        yield frame
        return
    for child in frame.get("children", []):
        yield from _outermost(child, matches)


def _named(frame: Mapping[str, Any], function: str, path: str) -> bool:
    return bool(frame["function"] == function and frame.get("file_path", "").endswith(path))


def _is_jsii(frame: Mapping[str, Any]) -> bool:
    return JSII in frame.get("file_path", "")


def _is_callback(frame: Mapping[str, Any]) -> bool:
    """Python called back from node (our validate), not the bridge itself."""
    return bool(frame.get("is_application_code")) and not _is_jsii(frame)


def _bridge_seconds(frame: Mapping[str, Any]) -> float:
    """Seconds in jsii's frames (the call to node, node's work, the answer), less the callbacks to Python."""
    total = 0.0
    for bridge in _outermost(frame, _is_jsii):
        callbacks = sum(
            inner["time"] for child in bridge.get("children", []) for inner in _outermost(child, _is_callback)
        )
        total += bridge["time"] - callbacks
    return round(total, 3)


def _seconds(frames: Iterator[Mapping[str, Any]]) -> float:
    return round(float(sum(frame["time"] for frame in frames)), 3)


def analyse(tree: Mapping[str, Any]) -> dict[str, Any]:
    root = tree["root_frame"]
    self_time: dict[str, float] = {}
    for frame in _frames(root):
        own = frame["time"] - sum(child["time"] for child in frame.get("children", []))
        key = f"{frame['function']}  {frame['file_path_short']}"
        self_time[key] = self_time.get(key, 0.0) + own
    top = sorted(self_time.items(), key=lambda item: -item[1])[:TOP_FUNCTIONS]
    validates = list(_outermost(root, lambda f: _named(f, "validate", PACK_FILE)))
    rule_core = list(_outermost(root, lambda f: _named(f, *RULE_CORE)))
    phases = {
        function: _seconds(_outermost(root, lambda f, fn=function, path=path: _named(f, fn, path)))
        for function, path in PHASES.items()
    }
    analysis: dict[str, Any] = {
        "duration_s": round(tree["duration"], 3),
        "phases_s": {function: seconds for function, seconds in phases.items() if seconds},
        "jsii_s": _bridge_seconds(root),
        "rule_core_s": _seconds(iter(rule_core)),
        "top_self_time": [{"frame": key, "seconds": round(seconds, 3)} for key, seconds in top],
    }
    if validates:
        analysis["pack_validate_s"] = _seconds(iter(validates))
        analysis["pack_validate_jsii_s"] = round(sum(_bridge_seconds(frame) for frame in validates), 3)
    return analysis


def profile() -> dict[str, Any]:
    template = ensure_template(SIZE)
    log(f"profiles: eu-residency check over {SIZE} resources, and synthesis of them with the pack")
    fixtures = [str(path) for path in fixture_templates()]
    sessions = {
        "check": record("check", ["bench.children", "command", "check", "--format", "json", str(template)]),
        "check-fixtures": record("check-fixtures", ["eu_residency.cli.main", "check", "--format", "json", *fixtures]),
        "synth-pack": record(
            "synth-pack",
            ["bench.children", "synth", str(SIZE), "pack", str(outdir(SIZE, "profile"))],
            CDK_VALIDATION="false",
        ),
    }
    commands = {
        "check": f"eu-residency check --format json Generated{SIZE}.template.json",
        "check-fixtures": (
            f"eu-residency check --format json tests/fixtures/templates/{{good,bad}}/*.yaml ({len(fixtures)} files)"
        ),
        "synth-pack": f"python -m bench.children synth {SIZE} pack (built-in validation off)",
    }
    return {
        name: {"command": commands[name], "tree": render_text(session), **analyse(render_tree(session))}
        for name, session in sessions.items()
    }


def main() -> int:
    if not (PEERS_BIN / "pyinstrument").exists():
        log(f"no {PEERS_BIN}/pyinstrument: run `make bench`, which creates the peers' environment")
        return 2
    profiles = profile()
    merge_details(profiles=profiles)
    for name, found in profiles.items():
        log(f"profile {name}: {json.dumps({k: v for k, v in found.items() if k not in ('tree', 'top_self_time')})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
