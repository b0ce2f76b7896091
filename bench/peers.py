"""Part 3: ``eu-residency check`` against checkov and cfn-lint on the same templates.

Usage: python -m bench.peers [--runs N] [--big-runs N]. The peers run from bench/.venv-peers (pinned in
bench/requirements-peers.txt; ``make bench`` creates it). Template sets: the synthesized platform (prod,
7 templates), the rule fixtures (tests/fixtures/templates, good and bad) and the generated stacks of
bench.scale. Every tool gets the same files on its command line, one fresh process per run, the tools
interleaved; wall time, CPU time and peak RSS come from wait4. Ours: ``eu-residency check --format json``;
checkov: ``--framework cloudformation --quiet --compact --skip-download``; cfn-lint: its default rules,
for the templates' region (``--regions eu-west-1``). Then one more run of each with JSON output over the
fixtures says which fixtures each tool flags at all. Writes ``peers/SET/TOOL`` entries into
bench/results.json and the fixtures each tool flags into bench/details.json.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.harness import (
    PEERS_BIN,
    REPO,
    SCRATCH,
    Sample,
    interleaved,
    log,
    merge_details,
    merge_results,
    process_summary,
    ratio,
    run,
    walls,
)
from bench.scale import EU_RESIDENCY, SIZES, ensure_template
from bench.synth_overhead import synth_job

FIXTURES = REPO / "tests" / "fixtures" / "templates"
REGION = "eu-west-1"
TOOLS = ("ours", "checkov", "cfn-lint")
# Generated stacks of this many resources or more get --big-runs runs: a peer takes tens of seconds on them.
BIG_SET = 1000
# cfn-lint's exit code is a bit mask of the levels it found (2 error, 4 warning, 8 informational).
CFN_LINT_OK = tuple(range(0, 16, 2))
# checkov and ours: 1 is "a check failed".
FAILED_OK = (0, 1)


def platform_templates() -> list[Path]:
    folder = SCRATCH / "synth-bare"
    if not list(folder.glob("*.template.json")):
        synth_job("platform", "bare", False, folder)
    return sorted(folder.glob("*.template.json"))


# The rule fixtures (compliant and not): the set the peers are compared on. The SAM, language-extension and
# hostile fixtures beside them are about reading templates, and some are meant to be refused.
RULE_FIXTURE_KINDS = ("good", "bad")


def fixture_templates(kind: str | None = None) -> list[Path]:
    return sorted(
        path for name in ((kind,) if kind else RULE_FIXTURE_KINDS) for path in FIXTURES.glob(f"{name}/*.yaml")
    )


def command(tool: str, paths: Sequence[Path], *, json_output: bool = False) -> list[str | Path]:
    """The command line of ``tool`` over ``paths``; ``json_output`` for the run that is read, not timed."""
    if tool == "ours":
        return [*EU_RESIDENCY, "check", "--format", "json", *paths]
    if tool == "checkov":
        files: list[str | Path] = [part for path in paths for part in ("-f", path)]
        output = ["-o", "json"] if json_output else []
        return [
            PEERS_BIN / "checkov",
            "--framework",
            "cloudformation",
            "--quiet",
            "--compact",
            "--skip-download",
            *output,
            *files,
        ]
    if tool == "cfn-lint":
        output = ["--format", "json"] if json_output else []
        return [PEERS_BIN / "cfn-lint", "--regions", REGION, *output, "--", *paths]
    raise ValueError(tool)


def ok_codes(tool: str) -> tuple[int, ...]:
    return CFN_LINT_OK if tool == "cfn-lint" else FAILED_OK


def run_tool(tool: str, paths: Sequence[Path], *, json_output: bool = False) -> Sample:
    return run(command(tool, paths, json_output=json_output), ok=ok_codes(tool))


def template_sets() -> dict[str, tuple[list[Path], bool]]:
    """Name -> (templates, whether a peer takes tens of seconds on them)."""
    sets = {"platform": (platform_templates(), False), "fixtures": (fixture_templates(), False)}
    for size in SIZES:
        sets[f"generated-{size}"] = ([ensure_template(size)], size >= BIG_SET)
    return sets


def measure_set(name: str, paths: list[Path], runs: int) -> list[dict[str, Any]]:
    log(f"peers: {name} ({len(paths)} templates), {', '.join(TOOLS)} x {runs} runs")
    jobs: dict[str, Callable[[], Sample]] = {tool: functools.partial(run_tool, tool, paths) for tool in TOOLS}
    samples = interleaved(jobs, runs)
    ours = samples["ours"]
    checked = json.loads(ours[0].stdout)
    resources = sum(template["resources"] or 0 for template in checked["templates"])
    results = []
    for tool in TOOLS:
        these = samples[tool]
        compare: dict[str, Any] = {}
        if tool != "ours":
            compare = {
                "ratio": ratio(walls(these), walls(ours)),
                "memory_ratio": ratio([s.max_rss_mib for s in these], [s.max_rss_mib for s in ours]),
            }
        results.append(
            process_summary(
                f"peers/{name}/{tool}", these, templates=len(paths), resources=resources, tool=tool, **compare
            )
        )
    return results


def flagged_by_ours(paths: Sequence[Path]) -> dict[str, list[str]]:
    report = json.loads(run_tool("ours", paths, json_output=True).stdout)
    return {
        _key(Path(template["path"])): sorted({finding["rule_id"] for finding in template["findings"]})
        for template in report["templates"]
    }


def flagged_by_checkov(paths: Sequence[Path], names: dict[str, str]) -> dict[str, list[str]]:
    sample = run_tool("checkov", paths, json_output=True)
    reports = json.loads(sample.stdout)
    flagged: dict[str, set[str]] = {_key(path): set() for path in paths}
    for report in reports if isinstance(reports, list) else [reports]:
        for failed in report.get("results", {}).get("failed_checks", []):
            flagged.setdefault(_key(Path(failed["file_abs_path"])), set()).add(failed["check_id"])
            names[failed["check_id"]] = failed.get("check_name") or ""
    return {path: sorted(ids) for path, ids in flagged.items()}


def flagged_by_cfn_lint(paths: Sequence[Path], names: dict[str, str]) -> dict[str, list[str]]:
    matches = json.loads(run_tool("cfn-lint", paths, json_output=True).stdout or "[]")
    flagged: dict[str, set[str]] = {_key(path): set() for path in paths}
    for match in matches:
        flagged.setdefault(_key(Path(match["Filename"])), set()).add(match["Rule"]["Id"])
        names[match["Rule"]["Id"]] = match["Rule"].get("ShortDescription") or ""
    return {path: sorted(ids) for path, ids in flagged.items()}


def _key(path: Path) -> str:
    """A fixture's name as the tables show it: good/EU-ENC-001.yaml."""
    resolved = path if path.is_absolute() else REPO / path
    return str(resolved.resolve().relative_to(FIXTURES))


def detection() -> dict[str, Any]:
    """For every fixture, the rules or checks each tool reports on it (an empty list: not flagged), and
    the peers' names of those checks.
    """
    log("peers: which fixtures each tool flags (one run each, JSON output)")
    paths = fixture_templates()
    names: dict[str, dict[str, str]] = {"checkov": {}, "cfn-lint": {}}
    by_tool = {
        "ours": flagged_by_ours(paths),
        "checkov": flagged_by_checkov(paths, names["checkov"]),
        "cfn-lint": flagged_by_cfn_lint(paths, names["cfn-lint"]),
    }
    flagged = {
        _key(path): {tool: by_tool[tool].get(_key(path), []) for tool in TOOLS}
        for path in paths  # sorted: bad/ before good/
    }
    return {
        "fixtures_flagged": flagged,
        "peer_check_names": {tool: dict(sorted(n.items())) for tool, n in names.items()},
    }


def versions() -> dict[str, str]:
    def first_line(argv: list[str | Path]) -> str:
        sample = run(argv)
        return (sample.stdout or sample.stderr).strip().splitlines()[0]

    return {
        "checkov": "checkov " + first_line([PEERS_BIN / "checkov", "--version"]),
        "cfn-lint": first_line([PEERS_BIN / "cfn-lint", "--version"]),
    }


def measure(runs: int, big_runs: int) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for name, (paths, big) in template_sets().items():
        results += measure_set(name, paths, big_runs if big else runs)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--big-runs", type=int, default=3)
    args = parser.parse_args(argv)
    if not (PEERS_BIN / "checkov").exists():
        log(f"no {PEERS_BIN}/checkov: run `make bench`, which creates the peers' environment")
        return 2
    results = measure(args.runs, args.big_runs)
    merge_results(results)
    merge_details(**detection(), peer_versions=versions())
    for result in results:
        log(f"{result['name']}: {result['median_s']} s" + (f", x{result['ratio']}" if "ratio" in result else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
