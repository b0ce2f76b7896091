"""What every benchmark shares: a fresh child process per run, timed with its peak memory; median, min and
max; ratios; the results file merged by name; the growth exponent.

Standard library only: ``bench.report`` imports it from the peers' virtual environment too.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
RESULTS = BENCH / "results.json"
# What is not a timing: the machine, the fixtures each tool flags, the profiles, resource counts.
DETAILS = BENCH / "details.json"
# Synthesized templates and profiles of the current run (ignored by git).
SCRATCH = BENCH / ".scratch"
PROJECT_PYTHON = REPO / ".venv" / "bin" / "python"
PEERS_VENV = BENCH / ".venv-peers"
PEERS_BIN = PEERS_VENV / "bin"

# Nothing reaches out, nothing nags: the same environment for every child.
QUIET_ENV = {
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    "CDK_DISABLE_CLI_TELEMETRY": "true",
    "CDK_DISABLE_VERSION_CHECK": "true",
    "PYTHONDONTWRITEBYTECODE": "1",
}


class BenchError(RuntimeError):
    """A child that failed when it should not have: the message names it and ends with its stderr."""


@dataclass(frozen=True)
class Sample:
    """One run of one fresh process."""

    wall_s: float
    # user + system CPU of the process and the children it waited for (the jsii runtime's node, workers).
    cpu_s: float
    # ru_maxrss from wait4: the peak resident memory of the largest single process of the run.
    max_rss_mib: float
    exit_code: int
    stdout: str
    stderr: str

    def payload(self) -> dict[str, Any]:
        """The JSON object a bench child prints as its last line."""
        lines = self.stdout.strip().splitlines()
        if not lines:
            raise BenchError(f"no output from a bench child; stderr:\n{self.stderr[-2000:]}")
        payload: dict[str, Any] = json.loads(lines[-1])
        return payload


def child_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, **QUIET_ENV, **extra}
    env.pop("CDK_DEFAULT_ACCOUNT", None)  # synthesis must not depend on who runs it
    return env


def run(
    argv: Sequence[str | Path],
    *,
    env: Mapping[str, str] | None = None,
    ok: Sequence[int] = (0,),
    cwd: Path = REPO,
) -> Sample:
    """Run ``argv`` in a fresh process; its wall time, CPU time and peak RSS come from wait4, for it alone."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            [str(arg) for arg in argv], stdout=out, stderr=err, cwd=cwd, env=dict(env or child_env())
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen consistent
        out.seek(0)
        err.seek(0)
        sample = Sample(
            wall_s=wall,
            cpu_s=usage.ru_utime + usage.ru_stime,
            max_rss_mib=usage.ru_maxrss / 1024,
            exit_code=process.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )
    if sample.exit_code not in ok:
        command = " ".join(str(arg) for arg in argv)
        raise BenchError(f"{command[:300]} exited {sample.exit_code}; stderr:\n{sample.stderr[-3000:]}")
    return sample


def interleaved(jobs: Mapping[str, Callable[[], Sample]], runs: int) -> dict[str, list[Sample]]:
    """``runs`` rounds of every job in turn, so that a slow moment of the machine weighs on all alike."""
    samples: dict[str, list[Sample]] = {name: [] for name in jobs}
    for _ in range(runs):
        for name, job in jobs.items():
            samples[name].append(job())
    return samples


def summary(name: str, seconds: Sequence[float], **extra: Any) -> dict[str, Any]:
    """One measurement: median, min and max over the runs, with whatever else describes it."""
    return {
        "name": name,
        "median_s": round(statistics.median(seconds), 4),
        "min_s": round(min(seconds), 4),
        "max_s": round(max(seconds), 4),
        "runs": len(seconds),
        **extra,
    }


def process_summary(name: str, samples: Sequence[Sample], **extra: Any) -> dict[str, Any]:
    """A measurement of whole processes: wall time, and the median and largest peak RSS and CPU time."""
    return summary(
        name,
        [sample.wall_s for sample in samples],
        cpu_s=round(statistics.median(sample.cpu_s for sample in samples), 3),
        peak_rss_mib=round(statistics.median(sample.max_rss_mib for sample in samples), 1),
        peak_rss_mib_max=round(max(sample.max_rss_mib for sample in samples), 1),
        **extra,
    )


def ratio(numerator: Sequence[float], denominator: Sequence[float]) -> float:
    """Median over median, both measured in the same run on the same inputs."""
    return round(statistics.median(numerator) / statistics.median(denominator), 3)


def walls(samples: Sequence[Sample]) -> list[float]:
    return [sample.wall_s for sample in samples]


def field(samples: Sequence[Sample], key: str) -> list[float]:
    """One number of every run's printed payload."""
    return [float(sample.payload()[key]) for sample in samples]


def growth_exponent(sizes: Sequence[float], seconds: Sequence[float]) -> float:
    """The slope of log(time) over log(size), least squares: 1 is linear, 2 quadratic."""
    xs = [math.log(size) for size in sizes]
    ys = [math.log(value) for value in seconds]
    return round(_slope(xs, ys), 3)


def linear_fit(sizes: Sequence[float], seconds: Sequence[float]) -> tuple[float, float]:
    """Least squares ``seconds = fixed + per_item * size``: (fixed, per_item)."""
    slope = _slope(list(sizes), list(seconds))
    return statistics.fmean(seconds) - slope * statistics.fmean(sizes), slope


def _slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum((x - mean_x) ** 2 for x in xs)


def load_results() -> list[dict[str, Any]]:
    if not RESULTS.exists():
        return []
    entries: list[dict[str, Any]] = json.loads(RESULTS.read_text(encoding="utf-8"))
    return entries


def merge_results(entries: Sequence[dict[str, Any]]) -> None:
    """Write ``entries`` into results.json, replacing those of the same name and keeping the others."""
    names = {entry["name"] for entry in entries}
    merged = [entry for entry in load_results() if entry["name"] not in names] + list(entries)
    RESULTS.write_text(json.dumps(merged, indent=2) + "\n", encoding="utf-8")


def load_details() -> dict[str, Any]:
    if not DETAILS.exists():
        return {}
    details: dict[str, Any] = json.loads(DETAILS.read_text(encoding="utf-8"))
    return details


def merge_details(**sections: Any) -> None:
    """Write the given top-level sections into details.json, keeping the others."""
    DETAILS.write_text(json.dumps({**load_details(), **sections}, indent=2) + "\n", encoding="utf-8")


def by_name(entries: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {entry["name"]: entry for entry in entries}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
