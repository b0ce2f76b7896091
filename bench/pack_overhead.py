"""Measure what the EU-Residency plugin adds to synthesis: the whole platform, and generated stacks.

Usage: python -m bench.pack_overhead [--runs N] [--sizes 100,1000]. Writes bench/results.json entries
named ``pack-overhead/...``; each figure is a median of N runs of a fresh process, with min and max:
``synth-*`` is the whole process (what a person waits for: Python, the jsii runtime, building the
constructs, synthesis), ``synth-call-*`` only ``app.synth()``, where the plugin runs, and
``rule-core-check`` the rule core alone over the synthesized templates (what the plugin does).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results.json"

# One synthesis in a fresh process; prints the seconds app.synth() took (construct building excluded:
# the plugin runs inside synth, so that is where its cost shows).
SYNTH = """
import sys, time, json
sys.path.insert(0, {repo!r})
from aws_cdk import App, Validations
mode, target = sys.argv[1], sys.argv[2]
if target == "platform":
    from stacks.context import direct_run_context
    from stacks.config import load_config
    from stacks.platform import build_platform
    app = App(context=direct_run_context(["-c", "env=prod"]))
    build_platform(app, load_config(app.node.try_get_context))
else:
    from bench.generated_stack import RESOURCE_LIMIT_CONTEXT, build
    app = App(context=RESOURCE_LIMIT_CONTEXT)
    build(app, int(target))
if mode == "pack":
    from constructs_lib.pack import EuResidencyChecks
    Validations.of(app).add_plugins(EuResidencyChecks())
start = time.perf_counter()
app.synth()
print(json.dumps({{"synth_s": time.perf_counter() - start}}))
"""

CHECK = """
import sys, time, json, glob
sys.path.insert(0, {repo!r})
from constructs_lib.rules import RuleSettings, TemplateInput, check_templates
paths = sorted(glob.glob(sys.argv[1] + "/*.template.json"))
start = time.perf_counter()
inputs = [TemplateInput(name=p, template=json.load(open(p)), region="eu-west-1") for p in paths]
findings = check_templates(inputs, RuleSettings())
resources = sum(len(i.template["Resources"]) for i in inputs)
print(json.dumps({{"check_s": time.perf_counter() - start, "resources": resources,
                  "findings": sum(len(f) for f in findings.values())}}))
"""


def _run(code: str, *args: str, outdir: Path | None = None) -> dict[str, Any]:
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", "CDK_VALIDATION": "false"}
    if outdir is not None:
        env["CDK_OUTDIR"] = str(outdir)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code.format(repo=str(REPO)), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    measured: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    measured["process_s"] = time.perf_counter() - start
    return measured


def _summary(name: str, samples: list[float], **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "median_s": round(statistics.median(samples), 4),
        "min_s": round(min(samples), 4),
        "max_s": round(max(samples), 4),
        "runs": len(samples),
        **extra,
    }


def measure(target: str, runs: int, outdir: Path) -> list[dict[str, Any]]:
    # Interleaved, so that a slow moment of the machine weighs on both sides alike.
    bare, pack = [], []
    for _ in range(runs):
        bare.append(_run(SYNTH, "bare", target, outdir=outdir))
        pack.append(_run(SYNTH, "pack", target, outdir=outdir))
    checks = [_run(CHECK, str(outdir)) for _ in range(runs)]
    resources = checks[0]["resources"]
    results = []
    for label, key in (("synth", "process_s"), ("synth-call", "synth_s")):
        bare_samples = [run[key] for run in bare]
        pack_samples = [run[key] for run in pack]
        results += [
            _summary(f"pack-overhead/{target}/{label}-bare", bare_samples, resources=resources),
            _summary(
                f"pack-overhead/{target}/{label}-with-pack",
                pack_samples,
                resources=resources,
                ratio=round(statistics.median(pack_samples) / statistics.median(bare_samples), 3),
            ),
        ]
    check_samples = [check["check_s"] for check in checks]
    results.append(_summary(f"pack-overhead/{target}/rule-core-check", check_samples, resources=resources))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1000")
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    targets = ["platform", *[size.strip() for size in args.sizes.split(",") if size.strip()]]
    for target in targets:
        outdir = Path(f"/tmp/eu-residency-bench-{target}-{time.time_ns()}")
        results += measure(target, args.runs, outdir)
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    names = {result["name"] for result in results}
    merged = [entry for entry in existing if entry["name"] not in names] + results
    RESULTS.write_text(json.dumps(merged, indent=2) + "\n")
    for result in results:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
