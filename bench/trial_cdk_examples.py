"""Trial over aws-cdk-examples' Python apps: synthesize each with ``apply_guardrails``, then check its assembly.

    python -m bench.trial_cdk_examples FOLDER [--out FILE] [--only NAME ...] [--recheck]

FOLDER is the ``python/`` folder of aws-samples/aws-cdk-examples, extracted with the search tool's fetch
(``git archive HEAD python | tar -x``). Every directory holding both ``app.py`` and ``cdk.json`` is an app.
Each app runs twice in a fresh process (as written, and with an EU environment in ``CDK_DEFAULT_*`` that
every stack not given an env gets), its ``aws_cdk.App`` patched so that every app gets ``apply_guardrails``;
the cloud assembly (written before the validation plugins run, so it exists even when they fail) is then
checked by ``eu-residency check --format json``, once with the defaults and once with ``--key-control
customer-managed``. An app that cannot be synthesized offline (a missing package, docker bundling, an AWS
lookup, the timeout) is counted with the first line of its error. Not part of ``make bench``: CI cannot fetch.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bench.harness import PROJECT_PYTHON, QUIET_ENV, REPO

CHECK_COMMAND = REPO / ".venv" / "bin" / "eu-residency"
SYNTH_TIMEOUT_S = 60
CHECK_TIMEOUT_S = 120
EU_ENV = {"CDK_DEFAULT_REGION": "eu-west-1", "CDK_DEFAULT_ACCOUNT": "123456789012"}
RUNS = {"as-written": {}, "eu-env": EU_ENV}
# What the CLI's lookup would put in cdk.context.json for the EU env (a known fact, offline): its zones.
EU_ENV_ZONES = {
    "availability-zones:account=123456789012:region=eu-west-1": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
}
# Runs app.py as `cdk synth` would, except that every App gets our guardrails right after construction; with
# CDK_DEFAULT_* set, a stack given no env gets that one (the CDK docs' `env=Environment(account=os.getenv(...))`).
WRAPPER = """
import os, runpy, sys
import aws_cdk
from constructs_lib import apply_guardrails

class GuardedApp(aws_cdk.App):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        apply_guardrails(self)

class DefaultEnvStack(aws_cdk.Stack):
    def __init__(self, scope, id, **kwargs):
        if kwargs.get("env") is None:
            kwargs["env"] = aws_cdk.Environment(
                account=os.environ["CDK_DEFAULT_ACCOUNT"], region=os.environ["CDK_DEFAULT_REGION"]
            )
        super().__init__(scope, id, **kwargs)

aws_cdk.App = GuardedApp
if os.environ.get("CDK_DEFAULT_REGION"):
    aws_cdk.Stack = DefaultEnvStack
app_dir = os.path.abspath(sys.argv[1])
os.chdir(app_dir)
sys.path.insert(0, app_dir)
sys.argv = [os.path.join(app_dir, "app.py")]
runpy.run_path(sys.argv[0], run_name="__main__")
"""
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit)\b:?")


def find_apps(root: Path) -> list[Path]:
    return sorted(path.parent for path in root.rglob("cdk.json") if (path.parent / "app.py").is_file())


def context_json(app_dir: Path, known_lookups: dict[str, Any]) -> str:
    """The context the CDK CLI would hand the app: cdk.json's ``context``, then cdk.context.json's."""
    context: dict[str, Any] = dict(known_lookups)
    for name, key in (("cdk.json", "context"), ("cdk.context.json", None)):
        path = app_dir / name
        if path.is_file():
            document = json.loads(path.read_text(encoding="utf-8"))
            context.update(document.get(key, {}) if key else document)
    # What the CLI adds by default: resources' construct paths in the template metadata.
    context.update({"aws:cdk:enable-path-metadata": True, "aws:cdk:enable-asset-metadata": True})
    return json.dumps(context)


def first_error_line(stderr: str) -> str:
    """The first line of the last exception raised, else the last line written; docker named as such."""
    lines = [line.rstrip() for line in stderr.splitlines() if line.strip()]
    if any("docker" in line.lower() for line in lines) and any("bundl" in line.lower() for line in lines):
        return "needs docker (asset bundling at synthesis)"
    errors = [line for line in lines if EXCEPTION_LINE.match(line)]
    return (errors[-1] if errors else lines[-1] if lines else "no output")[:200]


def synthesize(app_dir: Path, outdir: Path, extra_env: dict[str, str]) -> dict[str, Any]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CDK_DEFAULT_", "AWS_"))}
    env.update(QUIET_ENV)
    context = context_json(app_dir, EU_ENV_ZONES if extra_env else {})
    env.update({"CDK_OUTDIR": str(outdir), "CDK_CONTEXT_JSON": context, "PYTHONPATH": str(REPO)})
    env.update(extra_env)
    command = ["nice", "-n", "10", str(PROJECT_PYTHON), "-c", WRAPPER, str(app_dir)]
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=SYNTH_TIMEOUT_S, check=False, cwd=app_dir
        )
    except subprocess.TimeoutExpired:
        return {"synthesized": False, "reason": f"timeout after {SYNTH_TIMEOUT_S} s"}
    manifest = outdir / "manifest.json"
    if not manifest.is_file():
        return {"synthesized": False, "reason": first_error_line(done.stderr)}
    missing = json.loads(manifest.read_text(encoding="utf-8")).get("missing", [])
    if missing:
        providers = sorted({entry.get("provider", "?") for entry in missing})
        return {"synthesized": False, "reason": f"needs AWS context lookups ({', '.join(providers)})"}
    failed = done.returncode != 0
    return {
        "synthesized": True,
        "plugin_failed": failed and "Validation failed" in done.stderr,
        "other_error": first_error_line(done.stderr) if failed and "Validation failed" not in done.stderr else None,
    }


def check(outdir: Path, *extra: str) -> dict[str, Any]:
    command = ["nice", "-n", "10", str(CHECK_COMMAND), "check", str(outdir), "--format", "json", *extra]
    done = subprocess.run(command, capture_output=True, text=True, timeout=CHECK_TIMEOUT_S, check=False)
    try:
        document: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError:
        return {"error": first_error_line(done.stderr), "findings": []}
    findings = [
        {
            "template": Path(template["path"]).name,
            "region": template["region"],
            **{key: item[key] for key in ("rule_id", "severity", "resource_type", "logical_id", "construct_path")},
            "message": item["message"],
        }
        for template in document["templates"]
        for item in template["findings"]
    ]
    errors = [template["error"] for template in document["templates"] if template.get("error")]
    return {"error": errors[0] if errors else None, "findings": findings}


def run_app(app_dir: Path, root: Path, scratch: Path) -> dict[str, Any]:
    name = str(app_dir.relative_to(root))
    result: dict[str, Any] = {"app": name}
    for run, extra_env in RUNS.items():
        outdir = scratch / name.replace("/", "+") / run
        shutil.rmtree(outdir, ignore_errors=True)
        outdir.mkdir(parents=True)
        synth = synthesize(app_dir, outdir, extra_env)
        if synth["synthesized"]:
            synth["outdir"] = str(outdir)
            synth["default"] = check(outdir)
            synth["customer-managed"] = check(outdir, "--key-control", "customer-managed")
        result[run] = synth
        print(f"{name} [{run}]: {summary_line(synth)}", file=sys.stderr, flush=True)
    return result


def recheck(result: dict[str, Any]) -> dict[str, Any]:
    """An app's earlier result, its assemblies checked again by the command as it is now (rules changed since)."""
    for run in RUNS:
        synth = result[run]
        if synth["synthesized"]:
            outdir = Path(synth["outdir"])
            synth["default"] = check(outdir)
            synth["customer-managed"] = check(outdir, "--key-control", "customer-managed")
            print(f"{result['app']} [{run}]: {summary_line(synth)}", file=sys.stderr, flush=True)
    return result


def summary_line(synth: dict[str, Any]) -> str:
    if not synth["synthesized"]:
        return f"not synthesized: {synth['reason']}"
    return f"{len(synth['default']['findings'])} findings, {len(synth['customer-managed']['findings'])} with keys"


def totals(results: list[dict[str, Any]]) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for run in RUNS:
        synthesized = [item[run] for item in results if item[run]["synthesized"]]
        by_rule: Counter[str] = Counter(f["rule_id"] for s in synthesized for f in s["default"]["findings"])
        key_rules: Counter[str] = Counter(
            f["rule_id"]
            for s in synthesized
            for f in s["customer-managed"]["findings"]
            if f["rule_id"].startswith("EU-KEY")
        )
        reasons: Counter[str] = Counter(item[run]["reason"] for item in results if not item[run]["synthesized"])
        report[run] = {
            "apps": len(results),
            "synthesized": len(synthesized),
            "apps_with_findings": sum(1 for s in synthesized if s["default"]["findings"]),
            "check_errors": sum(1 for s in synthesized if s["default"]["error"]),
            "by_rule": dict(sorted(by_rule.items())),
            "eu_key_by_rule": dict(sorted(key_rules.items())),
            "not_synthesized": dict(reasons.most_common()),
        }
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("folder", type=Path, help="the python/ folder of aws-cdk-examples")
    parser.add_argument("--out", type=Path, default=Path("/tmp/trial/results.json"))
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/trial/out"))
    parser.add_argument("--only", nargs="*", default=None, help="app paths relative to FOLDER")
    parser.add_argument(
        "--recheck", action="store_true", help="check the assemblies --out lists again, without synthesizing"
    )
    arguments = parser.parse_args(argv)
    if arguments.recheck:
        results = [recheck(item) for item in json.loads(arguments.out.read_text(encoding="utf-8"))["apps"]]
    else:
        root = arguments.folder.resolve()
        apps = [app for app in find_apps(root) if not arguments.only or str(app.relative_to(root)) in arguments.only]
        results = [run_app(app, root, arguments.scratch) for app in apps]
    document = {"totals": totals(results), "apps": results}
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(document["totals"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
