"""SAM's own translator tests as a corpus: is each SAM input checked as what its translation deploys?

    python -m bench.sam_corpus CORPUS [--subprocess] [--json OUT]

CORPUS is a folder holding SAM's ``tests/translator/input/*.yaml`` and ``tests/translator/output/*.json``
(aws/serverless-application-model; extract them with ``git archive HEAD tests/translator/input
tests/translator/output | tar -x -C CORPUS``). Each input is checked with ``eu-residency check --format json``
(in this process, through ``eu_residency.cli.main``, or as the installed command with ``--subprocess``), and
each valid input's translated output beside it. It reports: the inputs, the tracebacks (must be none), the
valid inputs refused (exit 2), the ``error_*`` inputs (invalid on purpose) not refused, and the inputs whose
findings miss a residency finding of their translated output that does not depend on the region (the outputs
were translated for us-east-1, so a finding naming that region, or the stack-region finding, is left out).
Not part of the test command: CI cannot fetch the corpus.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import subprocess
import sys
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
COMMAND = REPO / ".venv" / "bin" / "eu-residency"
OUTPUT_REGION = "us-east-1"  # the region SAM's expected outputs were translated for
# Findings that depend on the region a template is checked for, not on what the template deploys.
REGION_DEPENDENT_RULES = frozenset({"EU-RES-001"})
# SAM names some resources after a hash of their properties (a domain name given by a parameter's default in
# the output, left to deploy time in our translation): compared without it.
GENERATED_HASH = re.compile(r"[0-9a-f]{10}$")


def check(path: Path, *, in_subprocess: bool) -> tuple[int, dict[str, Any] | None, str]:
    """(exit code, the JSON report or None, stderr) of ``eu-residency check --format json PATH``."""
    argv = ["check", "--format", "json", str(path)]
    if in_subprocess:
        done = subprocess.run([str(COMMAND), *argv], capture_output=True, text=True, check=False, timeout=300)
        code, out, err = done.returncode, done.stdout, done.stderr
    else:
        from eu_residency.cli.main import main  # noqa: PLC0415 - only this mode needs the product in process

        out_buffer, err_buffer = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out_buffer), contextlib.redirect_stderr(err_buffer):
            try:
                code = main(argv)
            except BaseException:
                traceback.print_exc()
                code = -1
        out, err = out_buffer.getvalue(), err_buffer.getvalue()
    try:
        document = json.loads(out) if out.strip() else None
    except json.JSONDecodeError:
        document = None
    return code, document, err


def residency_findings(document: dict[str, Any] | None, *, region_independent: bool) -> list[dict[str, Any]]:
    """The residency findings of a report; with ``region_independent``, only those that do not depend on
    the region the template was translated or checked for."""
    found = []
    for template in (document or {}).get("templates", []):
        for finding in template.get("findings", []):
            if not str(finding["rule_id"]).startswith("EU-RES-"):
                continue
            if region_independent and (
                finding["rule_id"] in REGION_DEPENDENT_RULES or OUTPUT_REGION in str(finding["message"])
            ):
                continue
            found.append(finding)
    return found


def covers(sam_finding: dict[str, Any], output_finding: dict[str, Any]) -> bool:
    """Whether a finding on the SAM input is the output's finding: same rule, on the same resource (the
    output's logical id, or a SAM resource whose message names it as the generated resource)."""
    if sam_finding["rule_id"] != output_finding["rule_id"]:
        return False
    generated = GENERATED_HASH.sub("", str(output_finding["logical_id"]))
    if GENERATED_HASH.sub("", str(sam_finding["logical_id"])) == generated:
        return True
    named = re.search(r"\((?:at \S+ of|on) ([A-Za-z0-9]+), the ", str(sam_finding["message"]))
    return named is not None and GENERATED_HASH.sub("", named.group(1)) == generated


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--subprocess", action="store_true", help="run the installed command once per file")
    parser.add_argument("--json", type=Path, help="write the figures and the cases to this file")
    options = parser.parse_args(argv)
    inputs = sorted((options.corpus / "tests" / "translator" / "input").glob("*.yaml"))
    outputs = options.corpus / "tests" / "translator" / "output"
    tracebacks: list[str] = []
    refused: dict[str, str] = {}
    invalid_accepted: list[str] = []
    missed: dict[str, list[str]] = {}
    compared = 0
    rules_seen: Counter[str] = Counter()
    for path in inputs:
        code, document, err = check(path, in_subprocess=options.subprocess)
        if "Traceback" in err or code == -1:
            tracebacks.append(f"{path.name}: {err.strip().splitlines()[-1] if err.strip() else code}")
        if path.name.startswith("error_"):
            if code != 2:
                invalid_accepted.append(path.name)
            continue
        if code == 2:
            reasons = [line for line in err.splitlines() if path.name in line]
            refused[path.name] = reasons[0] if reasons else "exit 2"
            continue
        output = outputs / f"{path.stem}.json"
        if not output.is_file():
            continue
        output_code, output_document, output_err = check(output, in_subprocess=options.subprocess)
        if "Traceback" in output_err or output_code == -1:
            tracebacks.append(f"{output.name} (output): {output_err.strip().splitlines()[-1]}")
        if output_code == 2:
            continue  # the translation itself is not read (not the input's fault)
        compared += 1
        sam_side = residency_findings(document, region_independent=False)
        for finding in residency_findings(output_document, region_independent=True):
            rules_seen[finding["rule_id"]] += 1
            if not any(covers(mine, finding) for mine in sam_side):
                missed.setdefault(path.name, []).append(f"{finding['rule_id']} on {finding['logical_id']}")
    figures = {
        "inputs": len(inputs),
        "valid inputs": sum(1 for path in inputs if not path.name.startswith("error_")),
        "tracebacks": len(tracebacks),
        "valid inputs refused": len(refused),
        "invalid (error_*) inputs not refused": len(invalid_accepted),
        "pairs compared": compared,
        "region-independent residency findings of the outputs": dict(sorted(rules_seen.items())),
        "inputs missing a finding of their output": len(missed),
    }
    print(json.dumps(figures, indent=2))
    for name, reason in sorted(refused.items()):
        print(f"refused  {name}: {reason}")
    for name, what in sorted(missed.items()):
        print(f"missed   {name}: {', '.join(what)}")
    for line in tracebacks:
        print(f"traceback {line}")
    if options.json:
        cases = {"refused": refused, "missed": missed, "tracebacks": tracebacks, "not refused": invalid_accepted}
        options.json.write_text(json.dumps({"figures": figures, "cases": cases}, indent=2) + "\n", encoding="utf-8")
    return 1 if tracebacks else 0


if __name__ == "__main__":
    sys.exit(main())
