"""The layout of the product: module sizes, no import cycles, the core without CDK or boto3, what the wheel ships."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("eu_residency", "constructs_lib", "stacks")
MAX_MODULE_LINES = 600
CDK_AND_BOTO = ("aws_cdk", "jsii", "cdk_nag", "constructs", "boto3", "botocore")


def test_no_module_is_over_600_lines() -> None:
    long = {
        str(path.relative_to(REPO)): lines
        for package in PACKAGES
        for path in (REPO / package).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"split these modules: {long}"


def test_no_import_cycle_in_the_product_or_its_cdk_side() -> None:
    graph = grimp.build_graph("eu_residency", "constructs_lib")
    cycles = []
    for importer in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(importer):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None:
                cycles.append(" -> ".join((importer, *back)))
    assert not cycles, "\n".join(cycles[:10])


def _loaded_after(statement: str) -> list[str]:
    code = (
        f"import sys; {statement}; "
        f"print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in {CDK_AND_BOTO!r})))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return result.stdout.split()


def test_importing_the_rules_loads_no_cdk_jsii_or_boto3() -> None:
    assert _loaded_after("import eu_residency.rules") == []
    assert _loaded_after("import eu_residency.rules.registry, eu_residency.rules.engine") == []


def test_every_module_outside_the_audit_runner_imports_no_cdk_or_boto3() -> None:
    boto3_users = ("eu_residency.audit.", "eu_residency.cli.commands.audit")
    boto3_free = ("eu_residency.audit.audit_report", "eu_residency.audit.errors")
    names = [
        ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        for path in sorted((REPO / "eu_residency").rglob("*.py"))
    ]
    modules = [name for name in names if not name.startswith(boto3_users) or name in boto3_free]
    assert "eu_residency.rules.registry" in modules and "eu_residency.audit.runner" not in modules
    assert _loaded_after(f"import importlib; [importlib.import_module(m) for m in {modules!r}]") == []


# The command with CDK, jsii and boto3 absent, as after `pip install eu-residency` without extras.
_WITHOUT_EXTRAS = """
import sys
class Absent:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {absent!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}")
        return None
sys.meta_path.insert(0, Absent())
from eu_residency.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize(
    ("arguments", "exit_code"),
    [
        (["rules"], 0),
        (["explain", "EU-RES-001"], 0),
        (["check", "tests/fixtures/templates/bad/EU-ENC-001.yaml"], 1),
        (["check", "--format", "sarif", "tests/fixtures/templates/bad/EU-RES-001.yaml"], 1),
    ],
)
def test_check_rules_and_explain_work_without_cdk_jsii_or_boto3(arguments: list[str], exit_code: int) -> None:
    code = _WITHOUT_EXTRAS.format(absent=CDK_AND_BOTO)
    result = subprocess.run(
        [sys.executable, "-c", code, *arguments], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == exit_code, result.stderr
    assert "Traceback" not in result.stderr


def test_report_works_without_cdk_jsii_or_boto3(tmp_path: Path) -> None:
    assembly = tmp_path / "cdk.out"
    assembly.mkdir()
    template = (REPO / "tests/fixtures/templates/good/EU-ENC-001.yaml").read_text(encoding="utf-8")
    (assembly / "Stack.template.yaml").write_text(template, encoding="utf-8")
    (assembly / "manifest.json").write_text(
        '{"version": "50.0.0", "artifacts": {"Stack": {"type": "aws:cloudformation:stack", '
        '"environment": "aws://123456789012/eu-west-1", "properties": {"templateFile": "Stack.template.yaml"}}}}',
        encoding="utf-8",
    )
    code = _WITHOUT_EXTRAS.format(absent=CDK_AND_BOTO)
    result = subprocess.run(
        [sys.executable, "-c", code, "report", str(assembly), "--out", str(tmp_path / "pack")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    # The fixture breaks other rules than the one it is for: the pack is written, and the verdict is 1.
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(path.name for path in (tmp_path / "pack").iterdir()) == [
        "report.html",
        "report.json",
        "report.md",
        "report.sarif",
    ]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    # Built from a copy of what the distribution is made of, so that no build/ folder is left in the tree.
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    for package in ("eu_residency", "constructs_lib", "stacks"):
        shutil.copytree(REPO / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("eu_residency-*.whl")
    return zipfile.ZipFile(built)


def test_the_wheel_ships_the_product_and_its_cdk_side_but_not_the_platform(wheel: zipfile.ZipFile) -> None:
    top_level = {name.split("/", 1)[0] for name in wheel.namelist() if not name.split("/", 1)[0].endswith(".dist-info")}
    assert top_level == {"eu_residency", "constructs_lib"}
    assert "eu_residency/review_pack/style.css" in wheel.namelist()


def test_the_wheel_needs_only_pyyaml_and_puts_boto3_and_the_cdk_in_extras(wheel: zipfile.ZipFile) -> None:
    (metadata_name,) = [name for name in wheel.namelist() if name.endswith(".dist-info/METADATA")]
    metadata = Parser().parsestr(wheel.read(metadata_name).decode())
    requires = metadata.get_all("Requires-Dist") or []
    unconditional = sorted(line for line in requires if "extra ==" not in line)
    assert unconditional == ["PyYAML==6.0.4"]
    extras = {line.split("extra == ")[1].strip("\"'") for line in requires if "extra ==" in line}
    assert {"audit", "cdk", "dev"} <= extras
    assert any(line.startswith("boto3==") and "audit" in line for line in requires)
    assert any(line.startswith("aws-cdk-lib==") and "cdk" in line for line in requires)
    entry_points = [name for name in wheel.namelist() if name.endswith(".dist-info/entry_points.txt")]
    assert "eu-residency = eu_residency.cli.main:main" in wheel.read(entry_points[0]).decode()
