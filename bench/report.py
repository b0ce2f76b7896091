"""Write bench/RESULTS.md and its plots from bench/results.json and bench/details.json.

Usage (in the peers' environment, where matplotlib is): bench/.venv-peers/bin/python -m bench.report.
bench.run calls it at the end. Every sentence that judges a target is computed from the numbers.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt

from bench.harness import BENCH, by_name, growth_exponent, linear_fit, load_details, load_results, log

RESULTS_MD = BENCH / "RESULTS.md"
# The aws-cdk-examples trial, judged by hand (python -m bench.trial_cdk_examples, outside make bench: CI cannot
# fetch): written by a person, so RESULTS.md takes it as it is.
TRIAL_MD = BENCH / "trial-cdk-examples.md"
FIXTURES = BENCH.parent / "tests" / "fixtures" / "templates"
FIXTURE_METADATA = "EuResidencyFixture"
OVERHEAD_PNG = BENCH / "overhead.png"
SCALE_PNG = BENCH / "scale.png"
PEERS_PNG = BENCH / "peers.png"

SIZES = (100, 500, 1000, 2000)
CONFIGURATIONS = {
    "bare": "bare (no checks)",
    "cdk-nag": "AwsSolutionsChecks (cdk-nag)",
    "pack": "our pack (EU-Residency)",
    "cdk-nag+pack": "both (`apply_guardrails`)",
    "cdk-nag+pack+cfn-validate": "both, built-in CloudFormation validation on (the main job)",
}
SETS = {
    "platform": "the platform, prod (synthesized)",
    "fixtures": "the rule fixtures (good and bad)",
    **{f"generated-{size}": f"generated stack of {size:,}" for size in SIZES},
}
TOOLS = ("ours", "checkov", "cfn-lint")
TOOL_LABELS = {"ours": "eu-residency check", "checkov": "checkov", "cfn-lint": "cfn-lint"}
FAMILIES: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("Residency (EU-RES)", lambda rule: rule.startswith("EU-RES")),
    ("Encryption at rest (EU-ENC-001 to 029)", lambda rule: rule.startswith("EU-ENC") and int(rule[-3:]) < 40),
    ("Encryption in transit (EU-ENC-040 to 048)", lambda rule: rule.startswith("EU-ENC") and int(rule[-3:]) >= 40),
    ("Retention (EU-RET)", lambda rule: rule.startswith("EU-RET")),
)
# A growth exponent up to this counts as linear (noise and fixed costs move it a little either way).
LINEAR_UP_TO = 1.15
TARGET_OVERHEAD = 1.20
TARGET_SHARE = 0.20
TARGET_CHECK_1000_S = 1.0
TARGET_CHECKOV = 10.0
TARGET_CFN_LINT = 1.0
TARGET_HOSTILE_S = 2.0
# Lambda hooks wait 30 seconds for the function: the cold start and the largest stack operation each far inside.
HOOK_LIMIT_S = 30.0
TARGET_HOOK_S = 3.0
# Part 5's input classes: (name in results.json, what grows, label).
HOSTILE_CLASSES = (
    ("mixed", "resources", "Mixed buckets, logging and policies, rule core"),
    ("long-sub", "bytes", "One long Fn::Sub with an unterminated ${, whole check"),
    ("aliases", "resources", "Resources sharing aliased YAML blocks, whole check"),
)

Entry = Mapping[str, Any]


# -- formatting ------------------------------------------------------------------------------------


def sec(value: float) -> str:
    if value < 0.0995:
        return f"{value * 1000:.1f} ms"
    if value < 9.95:
        return f"{value:.2f} s"
    return f"{value:.1f} s"


def spread(entry: Entry) -> str:
    """Median, then min to max, e.g. ``1.71 s (1.69 to 1.72)``."""
    return f"{sec(entry['median_s'])} ({sec(entry['min_s'])} to {sec(entry['max_s'])})"


def times(value: float) -> str:
    return f"{value:.2f}x" if value < 10 else f"{value:.0f}x"


def pct(fraction: float) -> str:
    return f"{fraction * 100:+.1f} %"


def met(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows] + [""]


# -- sections --------------------------------------------------------------------------------------


class Report:
    def __init__(self, results: Mapping[str, Entry], details: Mapping[str, Any]) -> None:
        self.results = results
        self.details = details
        self.targets: list[tuple[str, str, bool]] = []

    def get(self, name: str) -> Entry | None:
        return self.results.get(name)

    def need(self, name: str) -> Entry:
        entry = self.results.get(name)
        if entry is None:
            raise KeyError(f"bench/results.json has no {name!r}: run the part that measures it (python -m bench.run)")
        return entry

    # -- header

    def header(self) -> list[str]:
        machine = self.details.get("machine", {})
        run = self.details.get("run", {})
        packages = machine.get("packages", {})
        versions = self.details.get("peer_versions", {})
        load_start = run.get("load_average_start", ["?"])
        load_end = run.get("load_average_end", ["?"])
        commit = f" at commit `{run['commit']}`" if run.get("commit") else ""
        return [
            "# Benchmark results",
            "",
            f"Taken by `make bench` (`python -m bench.run`){commit} on {run.get('taken', '?')}, in "
            f"{run.get('duration_s', 0) / 60:.0f} minutes, on this project's machine: **{machine.get('cores')} cores** "
            f"({machine.get('cpu')}), **{machine.get('memory_gib')} GiB**, {machine.get('os')}, "
            f"**Python {machine.get('python')}**, **Node.js {machine.get('node')}**; aws-cdk-lib "
            f"{packages.get('aws-cdk-lib')}, cdk-nag {packages.get('cdk-nag')}, jsii {packages.get('jsii')}; peers "
            f"{versions.get('checkov', 'checkov ?')}, {versions.get('cfn-lint', 'cfn-lint ?')} (pinned in "
            "`bench/requirements-peers.txt`, in their own virtual environment). Load average (1 min) "
            f"{load_start[0]} at the start, {load_end[0]} at the end.",
            "",
            f"**How.** Every figure is the median of several runs ({run.get('runs', '?')}; {run.get('big_runs', '?')} "
            "for the synths of 2,000 resources and for the peers on the generated stacks of 1,000 and 2,000), each "
            "a fresh process, with min and max beside "
            "it; what is compared is interleaved run by run, and every ratio is median over median of the same run "
            "on the same inputs. Peak memory is `ru_maxrss` from `wait4` of each run: the largest single process "
            "(for a synthesis, the Python process or the jsii runtime's node, whichever is larger). Raw figures: "
            "`results.json` (one object per measurement: `name`, `median_s`, `min_s`, `max_s`, `runs`, `ratio`"
            " for comparisons); what is not a timing: `details.json`.",
            "",
        ]

    # -- part 1

    def synth_overhead(self) -> list[str]:
        prefix = "synth-overhead/platform"
        bare = self.need(f"{prefix}/bare")
        rows = []
        for name, label in CONFIGURATIONS.items():
            whole, call = self.need(f"{prefix}/{name}"), self.need(f"{prefix}/{name}/synth-call")
            rows.append(
                [
                    label,
                    spread(whole),
                    pct(whole["ratio"] - 1) if "ratio" in whole else "",
                    spread(call),
                    times(call["ratio"]) if "ratio" in call else "",
                    f"{whole['peak_rss_mib']:.0f} MiB",
                ]
            )
        pack = self.need(f"{prefix}/pack")
        both = self.need(f"{prefix}/cdk-nag+pack")
        validate_on = self.need(f"{prefix}/cdk-nag+pack+cfn-validate")
        nag = self.need(f"{prefix}/cdk-nag")
        validate = self.need(f"{prefix}/pack/validate")
        core = self.need(f"{prefix}/pack/rule-core")
        ok = pack["ratio"] < TARGET_OVERHEAD
        self.targets.append(
            ("Part 1: our pack adds under 20 % to the platform's synthesis", f"{pct(pack['ratio'] - 1)}", ok)
        )
        builtin = validate_on["median_s"] - both["median_s"]
        lines = [
            "## 1. Synthesis overhead: the whole platform",
            "",
            f"The prod platform: {bare['resources']} resources in 7 stacks, synthesized in process by "
            "`bench/children.py` as `app.py` builds it. CDK's built-in CloudFormation validation is off "
            "(`CDK_VALIDATION=false`) in the first four rows and on in the last. *Whole process* is what a person "
            "waits for (Python, the jsii runtime, building the constructs, synthesis); `app.synth()` is where the "
            "validation plugins run.",
            "",
            *table(["Configuration", "Whole process", "vs bare", "`app.synth()` alone", "vs bare", "Peak RSS"], rows),
            f"**Target: our pack adds under 20 %:** {met(ok)} ({pct(pack['ratio'] - 1)}, "
            f"{sec(bare['median_s'])} to {sec(pack['median_s'])}). Inside the synthesis the pack's `validate` "
            f"takes {sec(validate['median_s'])}, of which the rule core (all rules over the 7 templates) is "
            f"{sec(core['median_s'])}; the rest of what it adds to `app.synth()` is CDK's own handling of a "
            "validation plugin (the construct tree for the report, `validation-report.json`). cdk-nag's "
            f"AwsSolutionsChecks adds {pct(nag['ratio'] - 1)}, both together {pct(both['ratio'] - 1)}. The "
            f"built-in CloudFormation validation costs **{sec(builtin)}** on its own (both checks with it on, "
            f"{sec(validate_on['median_s'])}, against without, {sec(both['median_s'])}): "
            f"{times(validate_on['ratio'])} the bare synthesis, and the largest single cost of the main job.",
            "",
            f"![Synthesis of the platform per configuration]({OVERHEAD_PNG.name})",
            "",
        ]
        return lines

    # -- part 2

    def scale_entry(self, size: int, figure: str) -> Entry:
        return self.need(f"scale/{size}/{figure}")

    def sizes(self) -> list[int]:
        return [size for size in SIZES if self.get(f"scale/{size}/synth-bare")]

    def share_inside(self, size: int) -> float:
        """What the pack adds to ``app.synth()`` (its validate and CDK's handling of a plugin), over the whole
        synthesis with it: the pack's share, without the noise of building the constructs twice.
        """
        added = (
            self.scale_entry(size, "synth-call-pack")["median_s"]
            - self.scale_entry(size, "synth-call-bare")["median_s"]
        )
        return float(added / self.scale_entry(size, "synth-pack")["median_s"])

    def growth(self, figure: str, sizes: Sequence[int]) -> tuple[float, float]:
        """(exponent, marginal seconds per resource) of a scale figure."""
        resources = [float(self.scale_entry(size, figure)["resources"]) for size in sizes]
        medians = [self.scale_entry(size, figure)["median_s"] for size in sizes]
        return growth_exponent(resources, medians), linear_fit(resources, medians)[1]

    def scale(self) -> list[str]:
        sizes = self.sizes()
        rows = []
        for size in sizes:
            bare, pack = self.scale_entry(size, "synth-bare"), self.scale_entry(size, "synth-pack")
            bare_call, pack_call = self.scale_entry(size, "synth-call-bare"), self.scale_entry(size, "synth-call-pack")
            validate, core = self.scale_entry(size, "pack-validate"), self.scale_entry(size, "rule-core")
            command, inside = self.scale_entry(size, "check-command"), self.scale_entry(size, "check-in-process")
            machinery = pack_call["median_s"] - bare_call["median_s"] - validate["median_s"]
            rows.append(
                [
                    f"{bare['resources']:,}",
                    spread(bare),
                    spread(pack),
                    pct(pack["ratio"] - 1),
                    f"{self.share_inside(size) * 100:.1f} % ({pack['pack_share'] * 100:.1f} %)",
                    sec(validate["median_s"]),
                    sec(core["median_s"]),
                    sec(machinery),
                    spread(command),
                    sec(inside["median_s"]),
                    f"{command['median_s'] / bare['resources'] * 1000:.2f} ms",
                ]
            )
        figures = {
            "synth-bare": "synthesis, bare (whole process)",
            "synth-pack": "synthesis with the pack (whole process)",
            "pack-validate": "the pack's `validate` inside it",
            "rule-core": "the rule core inside it",
            "check-command": "`eu-residency check` (whole process)",
            "check-in-process": "`eu-residency check` after start-up (load, rules, report)",
        }
        growth_rows = []
        exponents: dict[str, float] = {}
        for figure, label in figures.items():
            exponent, per_resource = self.growth(figure, sizes)
            exponents[figure] = exponent
            largest = self.scale_entry(sizes[-1], figure)
            growth_rows.append(
                [
                    label,
                    *(sec(self.scale_entry(size, figure)["median_s"]) for size in sizes),
                    f"{largest['median_s'] / largest['resources'] * 1000:.3f} ms",
                    f"{per_resource * 1000:.3f} ms",
                    f"{exponent:.2f}",
                ]
            )
        for tool in ("checkov", "cfn-lint"):
            entries = [self.get(f"peers/generated-{size}/{tool}") for size in sizes]
            if all(entries):
                present = [entry for entry in entries if entry is not None]
                resources = [float(entry["resources"]) for entry in present]
                medians = [entry["median_s"] for entry in present]
                growth_rows.append(
                    [
                        f"{tool} (part 3, whole process)",
                        *(sec(value) for value in medians),
                        f"{medians[-1] / resources[-1] * 1000:.3f} ms",
                        f"{linear_fit(resources, medians)[1] * 1000:.3f} ms",
                        f"{growth_exponent(resources, medians):.2f}",
                    ]
                )
        thousand = self.get("scale/1000/check-command")
        share_1000 = self.get("scale/1000/synth-pack")
        lines = [
            "## 2. Scale: generated stacks",
            "",
            "`bench/generated_stack.py`: one stack of S3 buckets (with their TLS-only policies), DynamoDB tables, "
            "SQS queues, log groups, Lambda functions (role and policy each, reading their unit's bucket, table, "
            "queue and load balancer) and HTTPS listeners on Application Load Balancers (25 a balancer) in one "
            "VPC without NAT gateways, all under one KMS key; compliant, so that the pack runs to the end. "
            "Synthesis bare and with the pack (built-in validation off), interleaved; then "
            "`eu-residency check --format json` over the synthesized template (through `bench.children command`, "
            "which lifts the loader's 1 MB cap and changes nothing else: the stacks of 2,000 resources are 1.6 MB, "
            "past what CloudFormation deploys). *Pack adds*: whole process with "
            "over without. *Pack's share*: what the pack adds to `app.synth()` over the whole synthesis with it "
            "(in brackets the same from the whole processes' difference, which also carries the noise of building "
            "the constructs in two processes). *CDK's plugin handling*: what `app.synth()` gains beyond the "
            "pack's own `validate` (CDK building the report; near zero, and noise can make it negative).",
            "",
            *table(
                [
                    "Resources",
                    "Synthesis, bare",
                    "Synthesis with the pack",
                    "Pack adds",
                    "Pack's share",
                    "Pack `validate`",
                    "of which rules",
                    "CDK's plugin handling",
                    "`eu-residency check`",
                    "after start-up",
                    "check per resource",
                ],
                rows,
            ),
            "Growth: the exponent is the slope of log(time) over log(resources), least squares over the four "
            "stacks (1 is linear, 2 quadratic); *marginal* is the slope of a straight-line fit, the time one more "
            "resource costs, without the fixed start-up.",
            "",
            *table(
                [
                    "Figure",
                    *(f"{self.scale_entry(size, 'synth-bare')['resources']:,}" for size in sizes),
                    f"per resource at {sizes[-1]:,}",
                    "marginal per resource",
                    "exponent",
                ],
                growth_rows,
            ),
            f"![Time over stack size, log-log]({SCALE_PNG.name})",
            "",
        ]
        linear = exponents["rule-core"] <= LINEAR_UP_TO and exponents["check-in-process"] <= LINEAR_UP_TO
        self.targets.append(
            (
                "Part 2: linear growth (the rule core and the check's work after start-up)",
                f"exponents {exponents['rule-core']:.2f} and {exponents['check-in-process']:.2f} "
                f"(whole command {exponents['check-command']:.2f})",
                linear,
            )
        )
        if thousand is not None:
            self.targets.append(
                (
                    "Part 2: the 1,000-resource stack checked by `eu-residency check` in under 1 s",
                    f"{sec(thousand['median_s'])} (max {sec(thousand['max_s'])})",
                    thousand["median_s"] < TARGET_CHECK_1000_S,
                )
            )
        if share_1000 is not None:
            share = self.share_inside(1000)
            self.targets.append(
                (
                    "Part 2: the pack's share of the 1,000-resource synthesis under 20 %",
                    f"{share * 100:.1f} % (from the whole processes' difference: "
                    f"{share_1000['pack_share'] * 100:.1f} %)",
                    share < TARGET_SHARE and share_1000["pack_share"] < TARGET_SHARE,
                )
            )
        lines += self.rules_growth(sizes, exponents)
        return lines

    def rules_growth(self, sizes: Sequence[int], exponents: Mapping[str, float]) -> list[str]:
        per_rule: Mapping[str, Mapping[str, float]] = self.details.get("rule_seconds", {})
        if not all(str(size) in per_rule for size in sizes):
            return []
        largest = per_rule[str(sizes[-1])]
        top = sorted(largest, key=lambda rule: -largest[rule])[:5]
        resources = [float(self.scale_entry(size, "synth-bare")["resources"]) for size in sizes]
        totals = [sum(per_rule[str(size)].values()) for size in sizes]
        rows = [
            [
                f"`{rule}`",
                *(sec(per_rule[str(size)][rule]) for size in sizes),
                f"{largest[rule] / totals[-1] * 100:.0f} %",
                f"{growth_exponent(resources, [max(per_rule[str(size)][rule], 1e-6) for size in sizes]):.2f}",
            ]
            for rule in top
        ]
        rows.append(
            [
                "all rules, each alone",
                *(sec(total) for total in totals),
                "100 %",
                f"{growth_exponent(resources, totals):.2f}",
            ]
        )
        worst = top[0]
        worst_exponent = growth_exponent(resources, [max(per_rule[str(size)][worst], 1e-6) for size in sizes])
        others = [total - per_rule[str(size)][worst] for size, total in zip(sizes, totals, strict=True)]
        lines = [
            "Which rules the time goes to: each rule alone over each generated template (median of 5 in one "
            "process; a rule alone also lists the template's resources, so the sum is a little above the rule "
            "core's time).",
            "",
            *table(
                ["Rule", *(f"{resources[i]:,.0f}" for i in range(len(sizes))), f"share at {sizes[-1]:,}", "exponent"],
                rows,
            ),
        ]
        if worst_exponent > LINEAR_UP_TO:
            lines += [
                f"**Not linear: `{worst}`.** It grows with exponent {worst_exponent:.2f} and takes "
                f"{largest[worst] / totals[-1] * 100:.0f} % of the rules' time at {sizes[-1]:,} resources; every "
                f"other rule together grows with exponent {growth_exponent(resources, others):.2f}. For each bucket "
                "it walks every resource of the template to find the bucket policies "
                "(`TemplateView.resources_of_type`, which wraps each resource anew), then resolves each policy's "
                "`Bucket`: buckets x resources. See *Hot spots* below.",
                "",
            ]
        return lines

    # -- part 3

    def peers(self) -> list[str]:
        rows, memory_rows = [], []
        checkov_ratios, cfn_lint_ratios = [], []
        for name, label in SETS.items():
            ours = self.get(f"peers/{name}/ours")
            if ours is None:
                continue
            checkov, cfn_lint = self.need(f"peers/{name}/checkov"), self.need(f"peers/{name}/cfn-lint")
            checkov_ratios.append((checkov["ratio"], name))
            cfn_lint_ratios.append((cfn_lint["ratio"], name))
            rows.append(
                [
                    label,
                    str(ours["templates"]),
                    f"{ours['resources']:,}",
                    spread(ours),
                    spread(checkov),
                    f"**{times(checkov['ratio'])}**",
                    spread(cfn_lint),
                    f"**{times(cfn_lint['ratio'])}**",
                ]
            )
            memory_rows.append(
                [
                    label,
                    f"{ours['peak_rss_mib']:.0f} MiB, {sec(ours['cpu_s'])}",
                    f"{checkov['peak_rss_mib']:.0f} MiB ({times(checkov['memory_ratio'])}), {sec(checkov['cpu_s'])}",
                    f"{cfn_lint['peak_rss_mib']:.0f} MiB ({times(cfn_lint['memory_ratio'])}), {sec(cfn_lint['cpu_s'])}",
                ]
            )
        if not rows:
            return []
        slowest_checkov = min(checkov_ratios)
        slowest_cfn_lint = min(cfn_lint_ratios)
        self.targets.append(
            (
                "Part 3: ours at least 10x faster than checkov, on every set",
                f"{times(slowest_checkov[0])} at the least ({slowest_checkov[1]}), "
                f"{times(max(checkov_ratios)[0])} at the most",
                slowest_checkov[0] >= TARGET_CHECKOV,
            )
        )
        self.targets.append(
            (
                "Part 3: ours faster than cfn-lint, on every set",
                f"{times(slowest_cfn_lint[0])} at the least ({slowest_cfn_lint[1]}), "
                f"{times(max(cfn_lint_ratios)[0])} at the most",
                slowest_cfn_lint[0] > TARGET_CFN_LINT,
            )
        )
        return [
            "## 3. Peers on the same templates",
            "",
            "Each tool gets the same template files on its command line, one fresh process per run, the three "
            "interleaved. Ours: `eu-residency check --format json` (the loader's size cap lifted, as above). "
            "checkov: `--framework cloudformation --quiet "
            "--compact --skip-download` (offline). cfn-lint: its default rules, `--regions eu-west-1` (the "
            "templates' region; its default is us-east-1). *x ours*: the peer's median over ours.",
            "",
            *table(
                ["Templates", "Files", "Resources", "ours", "checkov", "x ours", "cfn-lint", "x ours"],
                rows,
            ),
            "Peak memory (x ours) and CPU time (user + system, children included) of the same runs:",
            "",
            *table(["Templates", "ours", "checkov", "cfn-lint"], memory_rows),
            f"![Wall time and peak memory per tool and template set]({PEERS_PNG.name})",
            "",
            *self.detection(),
        ]

    def detection(self) -> list[str]:
        flagged: Mapping[str, Mapping[str, list[str]]] = self.details.get("fixtures_flagged", {})
        bad = {name: tools for name, tools in flagged.items() if name.startswith("bad/")}
        good = {name: tools for name, tools in flagged.items() if name.startswith("good/")}
        if not bad:
            return []
        rows = []
        for family, belongs in FAMILIES:
            members = {name: tools for name, tools in bad.items() if belongs(_rule_of(name))}
            rows.append([family, str(len(members)), *(_count(members, tool) for tool in TOOLS)])
        rows.append(
            [
                "**All non-compliant fixtures**",
                f"**{len(bad)}**",
                *(f"**{_count(bad, tool)}**" for tool in TOOLS),
            ]
        )
        rows.append(
            ["Good fixtures (see below), flagged anyway", str(len(good)), *(_count(good, tool) for tool in TOOLS)]
        )
        own_rule = [name for name, tools in bad.items() if _rule_of(name) in tools["ours"]]
        not_own = sorted(Path(name).name for name in bad if name not in own_rule)
        good_own = sorted(Path(name).name for name, tools in good.items() if _rule_of(name) in tools["ours"])
        # A fixture renamed since the measured run (its rule moved) is read as it was: without the metadata.
        with_metadata = [
            name
            for name in good_own
            if (FIXTURES / "good" / name).is_file() and FIXTURE_METADATA in (FIXTURES / "good" / name).read_text()
        ]
        without_metadata = [name for name in good_own if name not in with_metadata]
        missed_by_peers = [name for name, tools in bad.items() if not tools["checkov"] and not tools["cfn-lint"]]
        names: Mapping[str, Mapping[str, str]] = self.details.get("peer_check_names", {})
        details = [
            [f"`{Path(name).name}`", *(_ids(tools[tool]) for tool in TOOLS)] for name, tools in sorted(bad.items())
        ]
        on_bad = {
            tool: sorted({check for tools in bad.values() for check in tools[tool]}) for tool in ("checkov", "cfn-lint")
        }
        legend = [
            [tool, f"`{check}`", names.get(tool, {}).get(check, "").replace("|", "/")]
            for tool, checks in on_bad.items()
            for check in checks
        ]
        return [
            "### What the peers miss: our non-compliant fixtures",
            "",
            "`tests/fixtures/templates/bad/` holds, for every rule, a template that breaks it (and variants). "
            "One run of each tool with JSON output over all fixtures, default options; a fixture counts as "
            "flagged when the tool reports anything failed on it, whatever the check. That is generous to the "
            "peers: much of what they report on a fixture is about something else (access logging, public "
            "access blocks, backups, deprecated engine versions), not the residency, encryption or retention "
            "problem the fixture holds; the per-fixture table and the names of the checks below show which.",
            "",
            *table(["Rule family", "Fixtures", "ours", "checkov", "cfn-lint"], rows),
            f"**{len(missed_by_peers)} of {len(bad)}** non-compliant fixtures are flagged by neither peer at all: "
            + ", ".join(f"`{Path(name).name}`" for name in sorted(missed_by_peers))
            + ".",
            "",
            f"Ours flags every non-compliant fixture; on {len(own_rule)} of {len(bad)} through the fixture's own "
            "rule with the command's defaults, as the peers were run. "
            + (
                f"The other {len(not_own)} ({', '.join(f'`{name}`' for name in not_own)}) set the stack's region "
                "(or none) and settings in their metadata, which the test harness passes and the command, run "
                "with its defaults like the peers, was not given; another of our rules flags them all the same. "
                if not_own
                else ""
            )
            + "The good fixtures are compliant with their own rule only (the rule tests run one rule per fixture), "
            f"so any tool may flag them for something else; ours flags {_count(good, 'ours')} of them, "
            f"{len(good_own)} through their own rule"
            + (
                f": {', '.join(f'`{name}`' for name in with_metadata)} need the settings in their metadata "
                "(allowlists of replication destinations or EU endpoints, which `eu-residency check` has no "
                "option for)"
                if with_metadata
                else ""
            )
            + (
                f"{'; ' if with_metadata else ': '}{', '.join(f'`{name}`' for name in without_metadata)} need the "
                "stack's account, which the test harness sets and a bare template does not carry (ours then fails "
                "closed)"
                if without_metadata
                else ""
            )
            + ".",
            "",
            "<details><summary>Per fixture: the rules or checks each tool reports (none: not flagged)</summary>",
            "",
            *table(["Fixture (bad/)", "ours", "checkov", "cfn-lint"], details),
            "</details>",
            "",
            "<details><summary>The peers' checks named above</summary>",
            "",
            *table(["Peer", "Check", "What it checks"], legend),
            "</details>",
            "",
        ]

    # -- profiles

    def profiles(self) -> list[str]:
        profiles: Mapping[str, Mapping[str, Any]] = self.details.get("profiles", {})
        synth, check, fixtures = profiles.get("synth-pack"), profiles.get("check"), profiles.get("check-fixtures")
        if synth is None or check is None or fixtures is None:
            return []
        duration, bridge = synth["duration_s"], synth["jsii_s"]
        validate = synth.get("pack_validate_s", 0.0)
        validate_bridge = synth.get("pack_validate_jsii_s", 0.0)
        rules = synth["rule_core_s"]
        build = synth.get("phases_s", {}).get("build", 0.0)
        bridge_dominates_pack = validate > 0 and validate_bridge > validate / 2
        glue = ""
        measured_validate, measured_core = self.get("scale/2000/pack-validate"), self.get("scale/2000/rule-core")
        if measured_validate and measured_core:
            glue = (
                f" Without the profiler (part 2) the pack's `validate` takes {sec(measured_validate['median_s'])} at "
                f"2,000 resources, the rule core {sec(measured_core['median_s'])} of it: its bridge calls, reading "
                f"the template and building the report take "
                f"{sec(measured_validate['median_s'] - measured_core['median_s'])}."
            )
        fixture_phases = fixtures.get("phases_s", {})
        parse = fixture_phases.get("parse_template_with_lines", 0.0)
        check_parse = check.get("phases_s", {}).get("parse_template_with_lines", 0.0)
        check_lines = check.get("phases_s", {}).get("json_resource_lines", 0.0)
        worst_rule = self.costliest_rule()
        return [
            "## Profiles (pyinstrument)",
            "",
            "Sampled with pyinstrument 5 (from the peers' environment). A profiler slows pure Python code down "
            "several times and node not at all, so read the shares, not the seconds.",
            "",
            f"**Synthesis of the 2,000-resource stack with the pack** (`{synth['command']}`): {sec(duration)} "
            f"under the profiler. {sec(bridge)} ({bridge / duration * 100:.0f} %) is in the jsii bridge: calls "
            "into node and node's work, building the constructs "
            f"({sec(build)} in `build` all told) and synthesizing. {sec(validate)} "
            f"({validate / duration * 100:.0f} %) is in the pack's `validate`, called back from node: {sec(rules)} of "
            f"it in the rule core; "
            + (
                f"{sec(validate_bridge)} in the pack's own calls across the bridge."
                if validate_bridge
                else "the pack's own calls across the bridge are too short for the profiler to sample."
            )
            + f"{glue} "
            + (
                "**The jsii bridge dominates the pack's time.**"
                if bridge_dominates_pack
                else "**The jsii bridge dominates the synthesis, not the pack**: the pack crosses it once per "
                "synthesis (and once per finding) and spends its time in the rule core, in Python. No design "
                "change on the bridge side would pay, so none was made; what would pay is in the rule core "
                "(below)."
            ),
            "",
            "```",
            synth["tree"],
            "```",
            "",
            f"**`{check['command']}`**: {sec(check['duration_s'])} under the profiler, {sec(check['rule_core_s'])} "
            f"({check['rule_core_s'] / check['duration_s'] * 100:.0f} %) in the rule core (the costliest rule "
            f"alone: `{worst_rule}`, section 2); {sec(check_parse)} reading the template, {sec(check_lines)} of "
            "it finding the line of each resource. No jsii: the command imports nothing of CDK.",
            "",
            "```",
            check["tree"],
            "```",
            "",
            f"**`{fixtures['command']}`**: {sec(fixtures['duration_s'])} under the profiler, of which "
            f"{sec(parse)} ({parse / fixtures['duration_s'] * 100:.0f} %) reading the templates "
            f"(`parse_template_with_lines`: libyaml's parser, one pass with the lines of the resources); the rule "
            f"core takes {sec(fixtures['rule_core_s'])}."
            + (
                " This is why checkov comes closest to ours on the fixtures."
                if self.closest_checkov_set() == "fixtures"
                else ""
            ),
            "",
            "```",
            fixtures["tree"],
            "```",
            "",
        ]

    def costliest_rule(self) -> str:
        """The rule that takes longest alone at the largest generated size (section 2's table)."""
        per_rule: Mapping[str, Mapping[str, float]] = self.details.get("rule_seconds", {})
        largest = per_rule.get(max(per_rule, key=int)) if per_rule else None
        return max(largest, key=lambda rule: largest[rule]) if largest else "?"

    def closest_checkov_set(self) -> str | None:
        ratios = [(entry["ratio"], name) for name in SETS if (entry := self.get(f"peers/{name}/checkov"))]
        return min(ratios)[1] if ratios else None

    # -- hot spots

    def hot_spots(self) -> list[str]:
        """What the measurements say costs most: the costliest rule at the largest size, and the loader's share
        of the profiled checks. Only measured figures; nothing here is written by hand."""
        per_rule: Mapping[str, Mapping[str, float]] = self.details.get("rule_seconds", {})
        profiles: Mapping[str, Mapping[str, Any]] = self.details.get("profiles", {})
        sizes = self.sizes()
        if not sizes or str(sizes[-1]) not in per_rule or "check-fixtures" not in profiles or "check" not in profiles:
            return []
        largest = per_rule[str(sizes[-1])]
        worst = max(largest, key=lambda rule: largest[rule])
        resources = [float(self.scale_entry(size, "synth-bare")["resources"]) for size in sizes]
        worst_exponent = growth_exponent(resources, [max(per_rule[str(size)][worst], 1e-6) for size in sizes])
        others = [sum(per_rule[str(size)].values()) - per_rule[str(size)][worst] for size in sizes]

        def share(profile: Mapping[str, Any], phase: str) -> str:
            return f"{profile.get('phases_s', {}).get(phase, 0.0) / profile['duration_s'] * 100:.0f} %"

        fixtures, check = profiles["check-fixtures"], profiles["check"]
        return [
            "## Hot spots in our code",
            "",
            f"1. **The costliest rule is `{worst}`**: {sec(largest[worst])} of the rules' "
            f"{sec(sum(largest.values()))} at {resources[-1]:,.0f} resources, growing with exponent "
            f"{worst_exponent:.2f} ({'linear' if worst_exponent <= LINEAR_UP_TO else 'not linear'}); every other "
            f"rule together grows with exponent {growth_exponent(resources, others):.2f}.",
            f"2. **Reading templates** (`parse_template_with_lines`): {share(fixtures, 'parse_template_with_lines')} "
            f"of the fixtures' check and {share(check, 'parse_template_with_lines')} of the generated stack's "
            "check under the profiler; "
            f"the JSON line scan (`json_resource_lines`) {share(check, 'json_resource_lines')} of the latter.",
            "",
        ]

    def hostile(self) -> list[str]:
        """Part 5: hostile and huge inputs, each in bounded time, with the growth exponent."""
        rows = []
        for name, grows, label in HOSTILE_CLASSES:
            entries = sorted(
                (entry for key, entry in self.results.items() if key.startswith(f"hostile/{name}/")),
                key=lambda entry: entry[grows],
            )
            if len(entries) < 2:
                continue
            sizes = [float(entry[grows]) for entry in entries]
            medians = [max(float(entry["median_s"]), 1e-6) for entry in entries]
            exponent = growth_exponent(sizes, medians)
            largest = entries[-1]
            ok = largest["median_s"] < TARGET_HOSTILE_S and exponent <= LINEAR_UP_TO
            rows.append(
                [
                    label,
                    ", ".join(f"{entry[grows]:,} {grows}: {sec(entry['median_s'])}" for entry in entries),
                    f"{exponent:.2f}",
                    met(ok),
                ]
            )
            self.targets.append(
                (
                    f"Part 5: {label.split(',')[0]} under {TARGET_HOSTILE_S:.0f} s, linear",
                    f"{sec(largest['median_s'])} at {largest[grows]:,} {grows}, exponent {exponent:.2f}",
                    ok,
                )
            )
        bomb = self.get("hostile/alias-bomb")
        if bomb is not None:
            ok = bomb["median_s"] < TARGET_HOSTILE_S
            rows.append(
                [
                    f"Alias bomb ({bomb['bytes']:,} bytes, 387 million values), refused",
                    sec(bomb["median_s"]),
                    "",
                    met(ok),
                ]
            )
            self.targets.append(("Part 5: an alias bomb refused in well under a second", sec(bomb["median_s"]), ok))
        if not rows:
            return []
        return [
            "## Part 5: hostile and huge inputs",
            "",
            "Each input class of `bench/hostile.py`, at four sizes, median of fresh processes; the exponent is the "
            "slope of log(time) over log(size). The mixed template is past CloudFormation's resource quota and the "
            "loader's 1 MB cap, so it is given to the rule core directly; the others go through the whole check.",
            "",
            *table(["Input", "Median by size", "exponent", ""], rows),
            "",
        ]

    def partial_note(self, part: str) -> str:
        """`` Measured by `python -m bench.run --only hook` at commit X on DATE.``: for a part measured after the
        whole bench, which the page's header dates."""
        record = self.details.get("partial_runs", {}).get(part)
        if not record:
            return ""
        commit = f" at commit `{record['commit']}`" if record.get("commit") else ""
        return f" Measured by `python -m bench.run --only {part}`{commit} on {record['taken']}."

    def hook(self) -> list[str]:
        """The deploy-time hook (bench.hook_bench): a cold start and the largest stack operation."""
        cold = self.get("hook/cold-start")
        stacks = sorted(
            (entry for key, entry in self.results.items() if key.startswith("hook/stack-operation/")),
            key=lambda entry: entry["resources"],
        )
        if cold is None or not stacks:
            return []
        stack = stacks[-1]
        for label, entry in (("a cold start", cold), (f"a stack operation of {stack['resources']:,} resources", stack)):
            ok = entry["median_s"] < TARGET_HOOK_S
            self.targets.append((f"Hook: {label} under {TARGET_HOOK_S:.0f} s", sec(entry["median_s"]), ok))
        rows = [
            [
                "Cold start: a fresh interpreter imports the handler, answers one resource operation",
                sec(cold["median_s"]),
                f"import {sec(cold['import_s'])}, answer {sec(cold['answer_s'])}, peak RSS {cold['peak_rss_mib']} MiB",
            ],
            [
                f"Stack operation: the generated stack of {stack['resources']:,} resources "
                f"({stack['template_bytes']:,} bytes of JSON) fetched on loopback, every rule (warm)",
                sec(stack["median_s"]),
                f"{stack['runs']} runs, {sec(stack['min_s'])} to {sec(stack['max_s'])}",
            ],
        ]
        return [
            "## The deploy-time hook",
            "",
            f"Lambda hooks wait {HOOK_LIMIT_S:.0f} s for the function (`bench/hook_bench.py`, median of the runs)."
            + self.partial_note("hook"),
            "",
            *table(["Figure", "Median", ""], rows),
            "",
        ]

    def corpora(self) -> list[str]:
        """Public templates nobody here wrote (python -m bench.corpora, outside make bench: CI cannot fetch)."""
        corpora: Mapping[str, Any] = self.details.get("corpora", {})
        if not corpora:
            return []
        lines = [
            "## Real corpora: public templates nobody here wrote",
            "",
            "Taken by `python -m bench.corpora` over repositories brought with the search tool's fetch (not part "
            "of `make bench`: CI cannot fetch). Each file with a template's suffix checked alone, as "
            "`eu-residency check FILE` checks it.",
            "",
        ]
        rows = []
        for name, corpus in corpora.items():
            if "figures" in corpus:
                continue
            classes = "; ".join(f"{count} {label}" for label, count in corpus["refused by class"].items()) or "none"
            rows.append(
                [
                    name,
                    f"{corpus['files']:,}",
                    f"{corpus['checked']:,}",
                    str(len(corpus["tracebacks"])),
                    f"{corpus['refused']:,}: {classes}",
                ]
            )
        if rows:
            lines += table(["Corpus", "Files", "Checked", "Tracebacks", "Refused (exit 2), by reason"], rows)
        for name, corpus in corpora.items():
            others = corpus.get("refused, other") or {}
            if others:
                lines.append(
                    f"Refused in {name} for another reason: " + "; ".join(f"`{k}`: {v}" for k, v in others.items())
                )
                lines.append("")
        sam = corpora.get("sam-translator-tests")
        if sam is not None:
            figures, cases = sam["figures"], sam.get("cases", {})
            found = ", ".join(
                f"{rule} {count}"
                for rule, count in figures["region-independent residency findings of the outputs"].items()
            )
            refused = "; ".join(
                f"`{name}`: {reason.split(f'{name}: ', 1)[-1]}" for name, reason in cases.get("refused", {}).items()
            )
            missed = "; ".join(f"`{name}`: {', '.join(what)}" for name, what in cases.get("missed", {}).items())
            lines += [
                f"**SAM's translator tests**: {figures['inputs']:,} inputs ({figures['valid inputs']:,} valid), "
                f"{figures['tracebacks']} tracebacks, {figures['valid inputs refused']} valid inputs refused"
                f"{f' ({refused})' if refused else ''}; {figures['pairs compared']:,} inputs compared with their "
                f"translated output, whose region-independent residency findings are {found}: "
                f"{figures['inputs missing a finding of their output']} input(s) miss one"
                f"{f' ({missed})' if missed else ''}. {figures['invalid (error_*) inputs not refused']} of the inputs "
                "SAM's tests expect it to refuse are checked instead.",
                "",
            ]
        return lines

    def summary(self) -> list[str]:
        rows = [[target, result, met(ok)] for target, result, ok in self.targets]
        return ["## Targets", "", *table(["Target", "Measured", ""], rows)]

    def nagpack(self) -> list[str]:
        return [
            "## Why a validation plugin rather than a NagPack (earlier measurement, not part of `make bench`)",
            "",
            "A cdk-nag 3 `NagPack` subclass calls back into Python once per `CfnResource`. Measured once on the "
            "prod platform (138 resources) before this benchmark existed: empty callbacks added 0.05 s; callbacks "
            "that also resolve each resource's properties through the bridge (what a rule needs) added 0.24 s, "
            "about 1.75 ms a resource, against a bare `app.synth()` of 0.15 s. At 1,000 resources that is about "
            "1.75 s before any rule has run. The plugin crosses the bridge once per synthesis; the profile above "
            "shows what it spends there.",
            "",
        ]

    def trial(self) -> list[str]:
        return TRIAL_MD.read_text(encoding="utf-8").splitlines() if TRIAL_MD.exists() else []

    def markdown(self) -> str:
        body = [
            *self.synth_overhead(),
            *self.scale(),
            *self.peers(),
            *self.profiles(),
            *self.hot_spots(),
            *self.hostile(),
            *self.hook(),
            *self.corpora(),
            *self.nagpack(),
            *self.trial(),
        ]
        return "\n".join([*self.header(), *self.summary(), *body]).rstrip() + "\n"


def _rule_of(fixture: str) -> str:
    """bad/EU-RES-001.london.yaml -> EU-RES-001"""
    return Path(fixture).name.split(".")[0]


def _count(fixtures: Mapping[str, Mapping[str, list[str]]], tool: str) -> str:
    return str(sum(1 for tools in fixtures.values() if tools[tool]))


def _ids(ids: Sequence[str], shown: int = 5) -> str:
    if not ids:
        return "none"
    more = f" +{len(ids) - shown}" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more


# -- plots -----------------------------------------------------------------------------------------


def _errors(entries: Sequence[Entry]) -> list[list[float]]:
    return [
        [entry["median_s"] - entry["min_s"] for entry in entries],
        [entry["max_s"] - entry["median_s"] for entry in entries],
    ]


def plot_overhead(results: Mapping[str, Entry]) -> None:
    names = [name for name in CONFIGURATIONS if f"synth-overhead/platform/{name}" in results]
    entries = [results[f"synth-overhead/platform/{name}"] for name in names]
    figure, axes = plt.subplots(figsize=(9, 3.6))
    positions = range(len(entries))
    axes.barh(
        list(positions),
        [entry["median_s"] for entry in entries],
        xerr=_errors(entries),
        color=["#999999", "#d98c3f", "#3f7fbf", "#6f5fbf", "#bf3f3f"][: len(entries)],
        capsize=3,
    )
    axes.set_yticks(list(positions), [CONFIGURATIONS[name].replace("`", "") for name in names])
    axes.invert_yaxis()
    for position, entry in zip(positions, entries, strict=True):
        label = f"{entry['median_s']:.2f} s" + (f"  ({pct(entry['ratio'] - 1)})" if "ratio" in entry else "")
        axes.text(entry["max_s"] + 0.05, position, label, va="center", fontsize=9)
    axes.set_xlabel("whole process, seconds (median, min to max)")
    axes.set_title("Synthesis of the platform (prod, 7 stacks)")
    axes.set_xlim(0, max(entry["max_s"] for entry in entries) * 1.35)
    figure.tight_layout()
    figure.savefig(OVERHEAD_PNG, dpi=110)
    plt.close(figure)


def plot_scale(results: Mapping[str, Entry]) -> None:
    sizes = [size for size in SIZES if f"scale/{size}/synth-bare" in results]
    figure, axes = plt.subplots(figsize=(9, 5.5))
    series: list[tuple[str, Callable[[int], str], str]] = [
        ("synthesis, bare", lambda size: f"scale/{size}/synth-bare", "#999999"),
        ("synthesis with the pack", lambda size: f"scale/{size}/synth-pack", "#3f7fbf"),
        ("the pack's validate", lambda size: f"scale/{size}/pack-validate", "#7fbf3f"),
        ("eu-residency check (process)", lambda size: f"scale/{size}/check-command", "#2f2f8f"),
        ("eu-residency check (after start-up)", lambda size: f"scale/{size}/check-in-process", "#6f9fdf"),
        ("checkov", lambda size: f"peers/generated-{size}/checkov", "#d98c3f"),
        ("cfn-lint", lambda size: f"peers/generated-{size}/cfn-lint", "#bf3f3f"),
    ]
    for label, name, color in series:
        entries = [results[name(size)] for size in sizes if name(size) in results]
        if len(entries) != len(sizes):
            continue
        resources = [entry["resources"] for entry in entries]
        axes.errorbar(
            resources,
            [entry["median_s"] for entry in entries],
            yerr=_errors(entries),
            label=label,
            color=color,
            marker="o",
            capsize=3,
        )
    if sizes:
        low = results[f"scale/{sizes[0]}/synth-bare"]["resources"]
        high = results[f"scale/{sizes[-1]}/synth-bare"]["resources"]
        anchor = results[f"scale/{sizes[0]}/check-in-process"]["median_s"]
        axes.plot([low, high], [anchor, anchor * high / low], linestyle=":", color="black", label="linear (slope 1)")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("resources in the stack")
    axes.set_ylabel("seconds (median, min to max)")
    axes.set_title("Time over stack size (log-log)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(SCALE_PNG, dpi=110)
    plt.close(figure)


def plot_peers(results: Mapping[str, Entry]) -> None:
    names = [name for name in SETS if f"peers/{name}/ours" in results]
    figure, (time_axes, memory_axes) = plt.subplots(1, 2, figsize=(12, 4.8))
    width = 0.27
    colors = {"ours": "#3f7fbf", "checkov": "#d98c3f", "cfn-lint": "#bf3f3f"}
    for offset, tool in enumerate(TOOLS):
        entries = [results[f"peers/{name}/{tool}"] for name in names]
        positions = [index + (offset - 1) * width for index in range(len(names))]
        time_axes.bar(
            positions,
            [entry["median_s"] for entry in entries],
            width,
            yerr=_errors(entries),
            label=TOOL_LABELS[tool],
            color=colors[tool],
            capsize=2,
        )
        memory_axes.bar(
            positions, [entry["peak_rss_mib"] for entry in entries], width, label=TOOL_LABELS[tool], color=colors[tool]
        )
    for axes in (time_axes, memory_axes):
        axes.set_xticks(range(len(names)), [name.replace("generated-", "gen. ") for name in names], rotation=20)
        axes.grid(True, axis="y", which="both", alpha=0.3)
    time_axes.set_yscale("log")
    time_axes.set_ylabel("wall time, seconds (log)")
    time_axes.set_title("Wall time (median, min to max)")
    time_axes.legend(fontsize=8)
    memory_axes.set_ylabel("peak RSS, MiB")
    memory_axes.set_title("Peak memory (median)")
    figure.tight_layout()
    figure.savefig(PEERS_PNG, dpi=110)
    plt.close(figure)


def main() -> int:
    results = by_name(load_results())
    details = load_details()
    report = Report(results, details)
    RESULTS_MD.write_text(report.markdown(), encoding="utf-8")
    plot_overhead(results)
    plot_scale(results)
    plot_peers(results)
    log(f"wrote {RESULTS_MD.name}, {OVERHEAD_PNG.name}, {SCALE_PNG.name}, {PEERS_PNG.name}")
    for target, result, ok in report.targets:
        log(f"{'met   ' if ok else 'MISSED'} {target}: {result}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
