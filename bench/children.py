"""The processes the benchmarks time, one fresh process per run; each prints one JSON line of timings.

    python -m bench.children synth TARGET CHECKS OUTDIR   TARGET: platform (prod) or a resource count;
                                                        CHECKS: bare, nag, pack or nag+pack
    python -m bench.children check TEMPLATE...          the template command's work, in process
    python -m bench.children rules REPEATS TEMPLATE     each rule alone over one template, median seconds
    python -m bench.children core TEMPLATE              the rule core alone over a JSON template of any size
    python -m bench.children command ARGUMENT...        the eu-residency command, for templates of any size

The generated stacks of 2,000 resources are past CloudFormation's quota (500 resources) and its template
size (1 MB), which the loader refuses; to measure how the check grows, every child lifts the loader's size
cap (``BENCH_TEMPLATE_BYTES``) and changes nothing else.

CDK's built-in CloudFormation validation follows the environment (``CDK_VALIDATION=false`` turns it off),
as it does for ``cdk synth``. With the pack, the seconds spent in its ``validate`` (called by CDK over the
jsii bridge) and in the rule core inside it are measured too.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import functools  # noqa: E402 - the clock starts before the imports it measures
import json  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, TypeVar  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CHECKS = ("bare", "nag", "pack", "nag+pack")
F = TypeVar("F", bound=Callable[..., Any])


class Stopwatch:
    """Seconds spent in the wrapped functions, added up over calls."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, name: str, function: F) -> F:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start

        return timed  # type: ignore[return-value]


def synth(target: str, checks: str, outdir: str) -> dict[str, Any]:
    if checks not in CHECKS:
        raise SystemExit(f"checks {checks!r}: one of {', '.join(CHECKS)}")
    from aws_cdk import App, Validations  # noqa: PLC0415

    from constructs_lib import validation_plugin as pack  # noqa: PLC0415
    from constructs_lib.guardrails import apply_guardrails, settings_from_context  # noqa: PLC0415
    from eu_residency.rules.engine import check_templates  # noqa: PLC0415

    watch = Stopwatch()
    # Before the plugin object exists, so that jsii calls the timed method.
    pack.EuResidencyPlugin.validate = watch.wrap("pack_validate_s", pack.EuResidencyPlugin.validate)  # type: ignore[method-assign]
    setattr(pack, "check_templates", watch.wrap("rule_core_s", check_templates))  # noqa: B010
    imported = time.perf_counter()
    if target == "platform":
        from stacks.config import load_config  # noqa: PLC0415
        from stacks.context import direct_run_context  # noqa: PLC0415
        from stacks.platform import build_platform  # noqa: PLC0415

        app = App(context=direct_run_context(["-c", "env=prod"]), outdir=outdir)
        build_platform(app, load_config(app.node.try_get_context))
    else:
        from bench.generated_stack import RESOURCE_LIMIT_CONTEXT, build  # noqa: PLC0415

        app = App(context=RESOURCE_LIMIT_CONTEXT, outdir=outdir)
        build(app, int(target))
    if checks == "nag+pack":
        apply_guardrails(app)  # exactly what app.py registers
    elif checks == "nag":
        from cdk_nag import AwsSolutionsChecks  # noqa: PLC0415

        Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    elif checks == "pack":
        settings = settings_from_context(app.node.try_get_context)
        Validations.of(app).add_plugins(pack.EuResidencyPlugin(settings))
    built = time.perf_counter()
    app.synth()
    synthesized = time.perf_counter()
    templates = sorted(Path(outdir).glob("*.template.json"))
    resources = sum(len(json.loads(path.read_text())["Resources"]) for path in templates)
    return {
        "import_s": imported - STARTED,
        "build_s": built - imported,
        "synth_s": synthesized - built,
        "in_process_s": synthesized - STARTED,
        "pack_validate_s": watch.seconds.get("pack_validate_s", 0.0),
        "rule_core_s": watch.seconds.get("rule_core_s", 0.0),
        "templates": len(templates),
        "resources": resources,
    }


BENCH_TEMPLATE_BYTES = 64 * 1_000_000


def _lift_size_cap() -> None:
    from eu_residency.template_loader import reading  # noqa: PLC0415

    reading.MAX_TEMPLATE_BYTES = BENCH_TEMPLATE_BYTES


def check(paths: list[str]) -> dict[str, Any]:
    """What ``eu-residency check --format json`` does after start-up: load, rules, report."""
    from eu_residency.check_run.run import run_check  # noqa: PLC0415
    from eu_residency.core.settings import RuleSettings  # noqa: PLC0415
    from eu_residency.formats import CHECK_RENDERERS  # noqa: PLC0415

    imported = time.perf_counter()
    result = run_check(paths, region="eu-west-1", settings=RuleSettings())
    CHECK_RENDERERS["json"](result)
    done = time.perf_counter()
    return {
        "import_s": imported - STARTED,
        "check_s": done - imported,
        "in_process_s": done - STARTED,
        "findings": sum(len(template.findings) for template in result.results),
        "errors": sum(1 for template in result.results if template.error),
    }


def core(path: str) -> dict[str, Any]:
    """The rule core over one JSON template, read with json (past the loader's 1 MB cap: a scale test)."""
    from eu_residency.core.settings import RuleSettings  # noqa: PLC0415
    from eu_residency.rules.engine import TemplateInput, check_templates  # noqa: PLC0415

    template = json.loads(Path(path).read_text(encoding="utf-8"))
    start = time.perf_counter()
    findings = check_templates([TemplateInput(name=path, template=template, region="eu-west-1")], RuleSettings())
    return {"core_s": time.perf_counter() - start, "findings": sum(len(found) for found in findings.values())}


def rules(repeats: int, path: str) -> dict[str, Any]:
    """Each rule alone over the template, ``repeats`` times: which rules cost, and how they grow."""
    import statistics  # noqa: PLC0415

    from eu_residency.core.settings import RuleSettings  # noqa: PLC0415
    from eu_residency.core.template_view import TemplateView  # noqa: PLC0415
    from eu_residency.rules.engine import check_view  # noqa: PLC0415
    from eu_residency.rules.registry import RULES  # noqa: PLC0415
    from eu_residency.template_loader import load_template  # noqa: PLC0415

    template = load_template(Path(path))
    settings = RuleSettings()
    seconds: dict[str, list[float]] = {rule.id: [] for rule in RULES}
    for _ in range(repeats):
        for rule in RULES:
            start = time.perf_counter()
            view = TemplateView(template=template, region="eu-west-1", account=None, settings=settings, name=path)
            check_view(view, [rule])
            seconds[rule.id].append(time.perf_counter() - start)
    return {rule_id: statistics.median(values) for rule_id, values in seconds.items()}


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(REPO))
    _lift_size_cap()
    if argv and argv[0] == "command":
        from eu_residency.cli.main import main as command  # noqa: PLC0415

        return command(argv[1:])
    if len(argv) == 4 and argv[0] == "synth":
        measured = synth(argv[1], argv[2], argv[3])
    elif len(argv) >= 2 and argv[0] == "check":
        measured = check(argv[1:])
    elif len(argv) == 2 and argv[0] == "core":
        measured = core(argv[1])
    elif len(argv) == 3 and argv[0] == "rules":
        measured = rules(int(argv[1]), argv[2])
    else:
        raise SystemExit(__doc__)
    print(json.dumps(measured))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
