"""Public templates nobody here wrote, checked one file at a time: no traceback, no valid template refused.

    python -m bench.corpora NAME=FOLDER [NAME=FOLDER ...] [--sam FOLDER]

Each FOLDER is a corpus extracted from a public repository with the search tool's fetch (``git archive HEAD
| tar -x``): cfn-lint's good fixtures (``test/fixtures/templates/good``), aws-cloudformation-templates,
serverless-patterns. Every file with a template's suffix is checked alone, in this process, as
``eu-residency check`` checks a file it is given; what is counted: the files, the templates checked, the
tracebacks (must be none), and each file refused (exit 2) with its reason, sorted into the classes below.
``--sam`` runs ``bench.sam_corpus`` over SAM's translator tests too. The figures go into details.json
(``corpora``), which bench.report writes into RESULTS.md. Not part of ``make bench``: CI cannot fetch.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

from bench.harness import log, merge_details

SUFFIXES = (".json", ".yaml", ".yml", ".template")
# Why a file is refused, by the words of its one line (first match wins); "other" is read by a person.
REFUSAL_CLASSES = (
    (
        "not a template (a workflow, an event, a parameters file)",
        ("no Resources, AWSTemplate", "the document is not a mapping", "several YAML documents"),
    ),
    ("a Rain directive, before `rain pkg`", ("is a Rain directive",)),
    ("Resources empty (CloudFormation refuses it)", ("Resources is empty",)),
    ("a resource with no Type (CloudFormation refuses it)", ("has no Type",)),
    ("refused by AWS's SAM translator", ("the SAM transform refuses",)),
    ("no Resources section (CloudFormation refuses it)", ("no Resources section",)),
)  # fmt: skip


def classify(reason: str) -> str:
    return next((name for name, marks in REFUSAL_CLASSES if any(mark in reason for mark in marks)), "other")


def check_corpus(folder: Path) -> dict[str, Any]:
    from eu_residency.check_run.run import run_check  # noqa: PLC0415
    from eu_residency.core.settings import RuleSettings  # noqa: PLC0415

    files = sorted(path for path in folder.rglob("*") if path.is_file() and path.name.lower().endswith(SUFFIXES))
    checked = findings = 0
    tracebacks: list[str] = []
    refused: dict[str, str] = {}
    for path in files:
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                run = run_check([str(path)], region="eu-west-1", settings=RuleSettings())
        except Exception:  # a traceback is what this counts
            tracebacks.append(f"{path.relative_to(folder)}: {traceback.format_exc().strip().splitlines()[-1]}")
            continue
        errors = [result.error for result in run.results if result.error]
        if errors:
            refused[str(path.relative_to(folder))] = errors[0].replace(str(path), "FILE")
        else:
            checked += 1
            findings += sum(len(result.findings) for result in run.results)
    classes = Counter(classify(reason) for reason in refused.values())
    return {
        "files": len(files),
        "checked": checked,
        "findings": findings,
        "tracebacks": tracebacks,
        "refused": len(refused),
        "refused by class": dict(classes.most_common()),
        "refused, other": {name: reason for name, reason in refused.items() if classify(reason) == "other"},
    }


def sam_corpus(folder: Path) -> dict[str, Any]:
    from bench import sam_corpus as sam  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "sam.json"
        with contextlib.redirect_stdout(io.StringIO()):
            sam.main([str(folder), "--json", str(out)])
        document: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("corpora", nargs="*", metavar="NAME=FOLDER")
    parser.add_argument("--sam", type=Path, help="SAM's repository, extracted (tests/translator/input, output)")
    args = parser.parse_args(argv)
    corpora: dict[str, Any] = {}
    for item in args.corpora:
        name, _, folder = item.partition("=")
        log(f"corpora: {name} ({folder})")
        corpora[name] = check_corpus(Path(folder))
    if args.sam:
        log(f"corpora: SAM's translator tests ({args.sam})")
        corpora["sam-translator-tests"] = sam_corpus(args.sam)
    merge_details(corpora=corpora)
    print(json.dumps(corpora, indent=2))
    return 1 if any(corpus.get("tracebacks") for corpus in corpora.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
