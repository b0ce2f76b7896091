"""Part 1: what the checks add to the synthesis of the whole platform (prod, 7 stacks).

Usage: python -m bench.synth_overhead [--runs N]. Five configurations, each a fresh process per run, runs
interleaved: bare, AwsSolutionsChecks (cdk-nag), our pack, both (``apply_guardrails``, what app.py
registers), all with CDK's built-in CloudFormation validation off; then both with it on, as the main
job runs. Each is reported as the whole process (what a person waits for) and as ``app.synth()`` alone
(where the validation plugins run), with its ratio to bare. Writes ``synth-overhead/platform/...``
entries into bench/results.json.
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path
from typing import Any

from bench.harness import (
    PROJECT_PYTHON,
    SCRATCH,
    Sample,
    child_env,
    field,
    interleaved,
    log,
    merge_results,
    process_summary,
    ratio,
    run,
    summary,
    walls,
)

# name -> (checks registered, CDK's built-in CloudFormation validation on)
CONFIGURATIONS: dict[str, tuple[str, bool]] = {
    "bare": ("bare", False),
    "cdk-nag": ("nag", False),
    "pack": ("pack", False),
    "cdk-nag+pack": ("nag+pack", False),
    "cdk-nag+pack+cfn-validate": ("nag+pack", True),
}
PREFIX = "synth-overhead/platform"


def synth_job(target: str, checks: str, builtin_validation: bool, outdir: Path) -> Sample:
    env = child_env() if builtin_validation else child_env(CDK_VALIDATION="false")
    return run([PROJECT_PYTHON, "-m", "bench.children", "synth", target, checks, outdir], env=env)


def measure(runs: int) -> list[dict[str, Any]]:
    jobs = {
        name: functools.partial(synth_job, "platform", checks, on, SCRATCH / f"synth-{name}")
        for name, (checks, on) in CONFIGURATIONS.items()
    }
    log(f"synth overhead: the platform, {len(jobs)} configurations x {runs} runs")
    samples = interleaved(jobs, runs)
    bare = samples["bare"]
    resources = bare[0].payload()["resources"]
    results: list[dict[str, Any]] = []
    for name, (checks, on) in CONFIGURATIONS.items():
        these = samples[name]
        describe = {"resources": resources, "checks": checks, "cfn_validate": on}
        compare = {} if name == "bare" else {"ratio": ratio(walls(these), walls(bare))}
        results.append(process_summary(f"{PREFIX}/{name}", these, **describe, **compare))
        compare = {} if name == "bare" else {"ratio": ratio(field(these, "synth_s"), field(bare, "synth_s"))}
        results.append(summary(f"{PREFIX}/{name}/synth-call", field(these, "synth_s"), **describe, **compare))
    # The pack's own seconds inside the synthesis: its validate() and the rule core within it.
    pack = samples["pack"]
    results.append(summary(f"{PREFIX}/pack/validate", field(pack, "pack_validate_s"), resources=resources))
    results.append(summary(f"{PREFIX}/pack/rule-core", field(pack, "rule_core_s"), resources=resources))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    results = measure(args.runs)
    merge_results(results)
    for result in results:
        log(f"{result['name']}: {result['median_s']} s" + (f", x{result['ratio']}" if "ratio" in result else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
