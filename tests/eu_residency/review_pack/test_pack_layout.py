"""The review pack laid out by headless Chromium at a desktop and a phone width: nothing runs off the page, every
table sits in its own sideways-scrolling box, headers have their scope, and the screenshots are written for a
person to look at (``$PACK_SCREENSHOTS`` keeps them).

The page itself has no script and forbids one; the test measures a copy of it with a measuring script appended
and the Content-Security-Policy removed, and reads the measures back from the DOM Chromium dumps.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from eu_residency.core.settings import RuleSettings
from eu_residency.review_pack.files import write_review_pack
from tests.eu_residency.review_pack.test_review_pack import SAMPLE_AUDIT, _browser, build_assembly

WIDTHS = {"desktop": 1280, "phone": 390}
CSP = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>')
# Run in a page that holds the pack in an iframe of the width measured (headless Chromium will not make its window
# narrower than about 500 pixels); the pack's own media queries see the iframe's width.
MEASURE = """<script>
function measure(doc, view) {
const width = doc.documentElement.clientWidth;  // without the scroll bar
const escaping = [];
for (const element of doc.querySelectorAll("body *")) {
  if (element.closest(".table-box") || element.closest("svg")) continue;
  const box = element.getBoundingClientRect();
  const name = element.tagName + "#" + element.id + "." + element.className;
  if (box.width > 0 && box.right > width + 1) escaping.push(name);
}
const tables = [...doc.querySelectorAll("table")];
return {
  viewport: view.innerWidth,
  width: width,
  scrollWidth: doc.documentElement.scrollWidth,
  escaping: escaping.slice(0, 20),
  tablesOutsideBoxes: tables.filter((table) => !table.closest(".table-box")).map((table) => table.id),
  headersWithoutScope: [...doc.querySelectorAll("th")].filter((th) => !th.getAttribute("scope")).length,
  tablesWithoutCaption: tables.filter((table) => !table.querySelector("caption")).map((table) => table.id),
  sections: [...doc.querySelectorAll("main > section")].map((section) => section.id),
  contents: [...doc.querySelectorAll("nav#contents a")].map((link) => link.getAttribute("href").slice(1)),
  folded: doc.querySelectorAll("details > summary").length,
};
}
const frame = document.getElementById("pack");
frame.addEventListener("load", () => {
  document.body.setAttribute("data-measured", JSON.stringify(measure(frame.contentDocument, frame.contentWindow)));
});
</script>"""


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("layout")
    assembly = build_assembly(root / "cdk.out")
    pack = write_review_pack(assembly, root / "pack", region="eu-west-1", settings=RuleSettings(), audit=SAMPLE_AUDIT)
    [html] = [path for path in pack.files if path.name == "report.html"]
    return html


def _framed(page: Path, width: int, height: int, work: Path, script: str = "") -> Path:
    """A page holding the pack (its CSP removed, so the script may run) in an iframe ``width`` wide."""
    framed = work / f"framed-{width}.html"
    text = CSP.sub("", page.read_text(encoding="utf-8"), count=1)
    frame = f'<iframe id="pack" style="border:0" width="{width}" height="{height}" srcdoc="{html.escape(text)}">'
    framed.write_text(f"<!DOCTYPE html><html><body style='margin:0'>{frame}</iframe>{script}</body></html>")
    return framed


def _measure(page: Path, width: int, work: Path) -> dict[str, Any]:
    measured_page = _framed(page, width, 900, work, MEASURE)
    dumped = _browser(["--window-size=1400,1000", "--dump-dom"], work / "profile", measured_page)
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    match = re.search(r'data-measured="([^"]*)"', dumped.stdout)
    assert match, "the measuring script did not run"
    measured: dict[str, Any] = json.loads(html.unescape(match[1]))
    return measured


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_nothing_runs_off_the_page(page: Path, name: str, tmp_path: Path) -> None:
    measured = _measure(page, WIDTHS[name], tmp_path)
    assert measured["viewport"] == WIDTHS[name]
    assert measured["scrollWidth"] <= measured["width"], measured
    assert measured["escaping"] == [], measured["escaping"]
    assert measured["tablesOutsideBoxes"] == []
    assert measured["headersWithoutScope"] == 0
    assert measured["tablesWithoutCaption"] == []


def test_the_contents_link_every_section_in_order(page: Path, tmp_path: Path) -> None:
    measured = _measure(page, WIDTHS["desktop"], tmp_path)
    assert measured["contents"] == measured["sections"]
    assert measured["sections"][0] == "promises"
    assert measured["folded"] >= 1  # long fixes and explanations open on a click


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_screenshots_at_desktop_and_phone_width(page: Path, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("PACK_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / f"report-{name}.png"
    framed = _framed(page, WIDTHS[name], 4000, tmp_path)
    taken = _browser(
        [f"--window-size={max(WIDTHS[name], 500)},4000", f"--screenshot={shot}"], tmp_path / "profile", framed
    )
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
