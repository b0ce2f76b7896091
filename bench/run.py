"""Run every benchmark, then write bench/RESULTS.md and its plots: what ``make bench`` runs.

Usage: python -m bench.run [--runs N] [--big-runs N] [--only synth,scale,peers,profile,hostile,hook] [--no-report].
Parts 1 to 3 of the benchmark issue (bench.synth_overhead, bench.scale, bench.peers), the profiles
(bench.profiling) and the deploy-time hook (bench.hook_bench) write their measurements into bench/results.json
as they finish (merged by name, each stamped with this run's start), and what is not a timing into
bench/details.json; bench.report then runs in the peers' environment, where matplotlib is.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import hook_bench, hostile, peers, profiling, scale, synth_overhead
from bench.harness import PEERS_BIN, REPO, SCRATCH, load_details, log, merge_details, merge_results

PARTS = ("synth", "scale", "peers", "profile", "hostile", "hook")


def machine() -> dict[str, Any]:
    """What the numbers were taken on."""
    model = next(
        (line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo") if line.startswith("model name")), "?"
    )
    memory_kib = next((int(line.split()[1]) for line in _lines("/proc/meminfo") if line.startswith("MemTotal")), 0)
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "node": node,
        "packages": {name: metadata.version(name) for name in ("aws-cdk-lib", "cdk-nag", "jsii", "constructs")},
    }


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []


def _stamped(entries: list[dict[str, Any]], taken: str) -> list[dict[str, Any]]:
    return [{**entry, "taken": taken} for entry in entries]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="runs of each quick figure (default 5)")
    parser.add_argument("--big-runs", type=int, default=3, help="runs of the 2,000-resource synths and peers' big sets")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts of {', '.join(PARTS)}")
    parser.add_argument("--no-report", action="store_true", help="measure only; bench.report writes RESULTS.md")
    args = parser.parse_args(argv)
    parts = {part.strip() for part in args.only.split(",") if part.strip()}
    if unknown := parts - set(PARTS):
        parser.error(f"--only: unknown part(s) {', '.join(sorted(unknown))}")
    if parts & {"peers", "profile"} and not (PEERS_BIN / "checkov").exists():
        log(f"no {PEERS_BIN}: run `make bench`, which creates the peers' environment from bench/requirements-peers.txt")
        return 2
    SCRATCH.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    taken = datetime.now(UTC).isoformat(timespec="seconds")
    load_start = os.getloadavg()
    log(f"bench run {taken}: parts {', '.join(p for p in PARTS if p in parts)}; load average {load_start[0]:.2f}")
    if "synth" in parts:
        merge_results(_stamped(synth_overhead.measure(args.runs), taken))
    if "scale" in parts:
        merge_results(_stamped(scale.measure(scale.SIZES, args.runs, args.big_runs), taken))
    if "peers" in parts:
        merge_results(_stamped(peers.measure(args.runs, args.big_runs), taken))
        merge_details(**peers.detection(), peer_versions=peers.versions())
    if "profile" in parts:
        merge_details(profiles=profiling.profile())
    if "hostile" in parts:
        merge_results(_stamped(hostile.measure(args.runs), taken))
    if "hook" in parts:
        merge_results(_stamped(hook_bench.measure(args.runs), taken))
    duration = time.monotonic() - started
    load_end = os.getloadavg()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
    ).stdout.strip()
    record = {
        "taken": taken,
        "commit": commit or None,
        "duration_s": round(duration),
        "parts": sorted(parts),
        "runs": args.runs,
        "big_runs": args.big_runs,
        "load_average_start": [round(value, 2) for value in load_start],
        "load_average_end": [round(value, 2) for value in load_end],
    }
    if parts == set(PARTS):
        merge_details(machine=machine(), run=record, partial_runs={})
    else:
        # A run of some parts: RESULTS.md's header keeps saying when the whole bench was taken; each part measured
        # since says its own commit and date.
        partial = dict(load_details().get("partial_runs", {}))
        partial.update(dict.fromkeys(parts, record))
        merge_details(partial_runs=partial)
    log(f"measured in {duration / 60:.1f} min; load average at the end {load_end[0]:.2f}")
    if args.no_report:
        return 0
    return subprocess.run([PEERS_BIN / "python", "-m", "bench.report"], cwd=REPO, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
