"""Part 2: how our pack and the template command scale with the size of a stack.

Usage: python -m bench.scale [--runs N] [--big-runs N] [--sizes 100,500,1000,2000]. For each generated
stack (bench/generated_stack.py): synthesis bare and with the pack (built-in validation off; fresh
processes, interleaved), the pack's own ``validate`` and the rule core inside the synthesis, then
``eu-residency check --format json`` over the synthesized template as a whole process and its work in
process (after start-up). Writes ``scale/SIZE/...`` entries into bench/results.json; bench.report derives
the time per resource and the growth exponents from them.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
from pathlib import Path
from typing import Any

from bench.harness import (
    PROJECT_PYTHON,
    SCRATCH,
    Sample,
    field,
    interleaved,
    log,
    merge_details,
    merge_results,
    process_summary,
    ratio,
    run,
    summary,
    walls,
)
from bench.synth_overhead import synth_job

SIZES = (100, 500, 1000, 2000)
# The synths of this many resources or more get --big-runs runs (they take seconds each).
BIG = 2000
# The eu-residency command, with the loader's size cap lifted for the stacks past CloudFormation's (children.py).
EU_RESIDENCY = (PROJECT_PYTHON, "-m", "bench.children", "command")


def outdir(size: int, checks: str) -> Path:
    return SCRATCH / f"scale-{size}-{checks}"


def template(size: int) -> Path:
    """The generated template of ``size`` resources (synthesized bare: the pack does not change it)."""
    return outdir(size, "bare") / f"Generated{size}.template.json"


def ensure_template(size: int) -> Path:
    if not template(size).exists():
        synth_job(str(size), "bare", False, outdir(size, "bare"))
    return template(size)


def check_command(paths: list[Path]) -> Sample:
    # Exit 1 is a finding: the time counts all the same (the generated stacks have none).
    return run([*EU_RESIDENCY, "check", "--format", "json", *paths], ok=(0, 1))


def rule_seconds(size: int, repeats: int) -> dict[str, float]:
    """Each rule alone over the template, median of ``repeats`` in one process: which rules grow how."""
    measured = run([PROJECT_PYTHON, "-m", "bench.children", "rules", str(repeats), template(size)]).payload()
    return {rule_id: round(float(seconds), 5) for rule_id, seconds in measured.items()}


def measure_size(size: int, runs: int) -> list[dict[str, Any]]:
    log(f"scale: {size} resources, synth bare and with the pack x {runs} runs, then the template command")
    synths = interleaved(
        {
            checks: functools.partial(synth_job, str(size), checks, False, outdir(size, checks))
            for checks in ("bare", "pack")
        },
        runs,
    )
    bare, pack = synths["bare"], synths["pack"]
    resources = int(bare[0].payload()["resources"])
    path = template(size)
    quick_runs = max(runs, 5)
    commands = interleaved(
        {
            "command": lambda: check_command([path]),
            "in-process": lambda: run([PROJECT_PYTHON, "-m", "bench.children", "check", path], ok=(0,)),
        },
        quick_runs,
    )
    prefix = f"scale/{size}"
    with_pack, without = walls(pack), walls(bare)
    # The pack's share of the synthesis it is part of: what it adds, over the whole with it.
    share = 1 - statistics.median(without) / statistics.median(with_pack)
    described = {"resources": resources}
    return [
        process_summary(f"{prefix}/synth-bare", bare, **described),
        process_summary(
            f"{prefix}/synth-pack",
            pack,
            **described,
            ratio=ratio(with_pack, without),
            pack_share=round(share, 4),
        ),
        summary(f"{prefix}/synth-call-bare", field(bare, "synth_s"), **described),
        summary(
            f"{prefix}/synth-call-pack",
            field(pack, "synth_s"),
            **described,
            ratio=ratio(field(pack, "synth_s"), field(bare, "synth_s")),
        ),
        summary(f"{prefix}/pack-validate", field(pack, "pack_validate_s"), **described),
        summary(f"{prefix}/rule-core", field(pack, "rule_core_s"), **described),
        process_summary(f"{prefix}/check-command", commands["command"], **described),
        summary(f"{prefix}/check-in-process", field(commands["in-process"], "check_s"), **described),
    ]


def measure(sizes: tuple[int, ...], runs: int, big_runs: int) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    per_rule: dict[str, dict[str, float]] = {}
    for size in sizes:
        results += measure_size(size, big_runs if size >= BIG else runs)
        per_rule[str(size)] = rule_seconds(size, runs)
    merge_details(rule_seconds=per_rule)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--big-runs", type=int, default=3)
    parser.add_argument("--sizes", default=",".join(str(size) for size in SIZES))
    args = parser.parse_args(argv)
    sizes = tuple(int(size) for size in args.sizes.split(",") if size.strip())
    results = measure(sizes, args.runs, args.big_runs)
    merge_results(results)
    for result in results:
        log(f"{result['name']}: {result['median_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
