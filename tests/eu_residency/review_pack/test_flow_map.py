"""The flow map read back as geometry (xml.etree): every text inside the picture and inside its box, no two boxes
overlapping, no text over a box it does not belong to, no arrow between bands across a box; a legend; the
words for external destinations. Over the platform's prod and dev inventories (synthesized as a user runs the
app) and a synthetic inventory with long names, many stores and unknown regions.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from eu_residency.core.settings import RuleSettings
from eu_residency.inventory import (
    UNKNOWN_REGION,
    AtRest,
    AtRestStatus,
    DataStore,
    Endpoint,
    Flow,
    FlowKind,
    InTransit,
    InTransitStatus,
    Inventory,
)
from eu_residency.review_pack.contents import assemble_review_pack
from eu_residency.review_pack.flow_map import LEGEND_KINDS, NODE_HEIGHT, NODE_WIDTH, render_flow_map
from eu_residency.review_pack.svg_text import text_width

SVG = ""  # inline SVG in HTML: no namespace
Box = tuple[float, float, float, float]  # x0, y0, x1, y1


@pytest.fixture(scope="module", params=["prod", "dev"])
def platform(request: pytest.FixtureRequest, platform_assembly: Callable[[str], Path]) -> Inventory:
    """The committed platform of one environment, synthesized as a user runs it, and its inventory."""
    outdir = platform_assembly(request.param)
    return assemble_review_pack(outdir, region="eu-west-1", settings=RuleSettings()).inventory


def _store(number: int, region: str, name: str) -> DataStore:
    return DataStore(
        template=f"cdk.out/{name}.template.json",
        stack=f"Chat-prod-{name}",
        logical_id=f"Store{number}",
        construct_path=f"Chat-prod-{name}/{name}/Store{number}/Resource",
        type="AWS::S3::Bucket" if number % 2 else "AWS::DynamoDB::Table",
        region=region,
        inside=region == "eu-west-1",
        classification="personal",
        residency="eu",
        description=None,
        at_rest=AtRest(AtRestStatus.CUSTOMER_KEY, "customer-managed key"),
        in_transit=InTransit(InTransitStatus.ENFORCED, "enforced"),
    )


def synthetic() -> Inventory:
    """Long stack and construct names, 30 stores in three regions, flows to unknown regions and outside AWS."""
    long = "AVeryLongStackNameThatWouldOverflowIntoTheNextColumnOfThePicture"
    stores = [
        _store(number, ("eu-west-1", "eu-central-1", UNKNOWN_REGION)[number % 3], long if number % 4 else "Data")
        for number in range(30)
    ]

    def node(store: DataStore) -> Endpoint:
        return Endpoint(store.name, store.region, store.template, store.stack, store.logical_id, store.type)

    flows = [
        Flow(FlowKind.REPLICATION, node(stores[1]), node(stores[2]), False, "ReplicationConfiguration"),
        Flow(FlowKind.BACKUP_COPY, node(stores[3]), node(stores[4]), True, "copy action"),
        Flow(
            FlowKind.LOG,
            node(stores[5]),
            Endpoint("log group (a value decided at deploy time)", UNKNOWN_REGION),
            False,
            "logs",
        ),
        Flow(
            FlowKind.OUTBOUND,
            node(stores[6]),
            Endpoint("https://" + "x" * 90, UNKNOWN_REGION, outside_aws=True),
            False,
            "x",
        ),
        Flow(
            FlowKind.REPLICATION,
            node(stores[7]),
            Endpoint("S3 bucket far-away (not in these templates)", UNKNOWN_REGION),
            False,
            "r",
        ),
        Flow(FlowKind.READ, node(stores[9]), node(stores[0]), True, "reads"),
        Flow(FlowKind.WRITE, node(stores[9]), node(stores[0]), True, "writes"),
        Flow(FlowKind.BACKUP, node(stores[12]), Endpoint("a backup vault", "eu-central-1"), True, "b"),
        Flow(FlowKind.EGRESS, node(stores[15]), Endpoint("the internet", UNKNOWN_REGION, outside_aws=True), False, "e"),
    ]
    return Inventory(stores=tuple(stores), flows=tuple(flows), allowed_regions=frozenset({"eu-west-1"}))


# -- reading the picture ------------------------------------------------------------------------------------


@dataclass
class Picture:
    width: float
    height: float
    boxes: list[tuple[Box, ET.Element]]  # each node's rect, and its group
    texts: list[tuple[Box, str, Box | None]]  # each text's extent, its words, and the box it belongs to
    paths: list[ET.Element]


def _extent(element: ET.Element) -> tuple[Box, str]:
    words = (
        "".join(element.itertext()) if element.find(f"{SVG}title") is None else (element.find(f"{SVG}title").tail or "")
    )  # type: ignore[union-attr]
    size = float(element.get("font-size", "12"))
    bold = element.get("font-weight") in ("700", "800", "bold")
    width = text_width(words, size, bold=bold)
    x, y = float(element.get("x", "0")), float(element.get("y", "0"))
    anchor = element.get("text-anchor", "start")
    left = x - width if anchor == "end" else x - width / 2 if anchor == "middle" else x
    return (left, y - size * 0.8, left + width, y + size * 0.25), words


def read(svg: str) -> Picture:
    root = ET.fromstring(svg)
    _, _, width, height = (float(value) for value in root.get("viewBox", "").split())
    boxes: list[tuple[Box, ET.Element]] = []
    texts: list[tuple[Box, str, Box | None]] = []
    owned: set[int] = set()
    for group in root.iter(f"{SVG}g"):
        if "node" not in group.get("class", "").split():
            continue
        rect = group.find(f"{SVG}rect")
        assert rect is not None
        x, y = float(rect.get("x", "0")), float(rect.get("y", "0"))
        box = (x, y, x + float(rect.get("width", "0")), y + float(rect.get("height", "0")))
        boxes.append((box, group))
        for text in group.iter(f"{SVG}text"):
            owned.add(id(text))
            texts.append((*_extent(text), box))
    for text in root.iter(f"{SVG}text"):
        if id(text) not in owned:
            texts.append((*_extent(text), None))
    return Picture(width, height, boxes, texts, list(root.iter(f"{SVG}path")))


def _inside(inner: Box, outer: Box) -> bool:
    return (
        inner[0] >= outer[0] - 0.5
        and inner[1] >= outer[1] - 0.5
        and inner[2] <= outer[2] + 0.5
        and inner[3] <= outer[3] + 0.5
    )


def _overlap(first: Box, second: Box) -> bool:
    return first[0] < second[2] and second[0] < first[2] and first[1] < second[3] and second[1] < first[3]


def _segments(path: ET.Element) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The straight segments of a path drawn with M and L only (the arrows between bands)."""
    d = path.get("d", "")
    if "C" in d:
        return []
    points = [(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", d)]
    return list(itertools.pairwise(points))


def check_layout(svg: str) -> Picture:
    picture = read(svg)
    assert picture.boxes, "no box drawn"
    frame = (0.0, 0.0, picture.width, picture.height)
    for extent, words, box in picture.texts:
        assert _inside(extent, frame), f"{words!r} leaves the picture: {extent}"
        if box is not None:
            assert _inside(extent, box), f"{words!r} leaves its box {box}: {extent}"
    for index, (first, _) in enumerate(picture.boxes):
        assert _inside(first, frame)
        for second, _ in picture.boxes[index + 1 :]:
            assert not _overlap(first, second), f"boxes {first} and {second} overlap"
    for extent, words, own in picture.texts:
        for box, _ in picture.boxes:
            if box != own:
                assert not _overlap(extent, box), f"{words!r} lies over the box {box}"
    for path in picture.paths:
        for (x1, y1), (x2, y2) in _segments(path):
            segment = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
            for box, _ in picture.boxes:
                inner = (box[0] + 1, box[1] + 1, box[2] - 1, box[3] - 1)
                assert not _overlap(segment, inner), f"an arrow between bands crosses the box {box}"
    return picture


# -- the tests ----------------------------------------------------------------------------------------------


def test_the_platform_map_is_laid_out_cleanly(platform: Inventory) -> None:
    svg = render_flow_map(platform)
    check_layout(svg)
    assert "region unknown: region unknown" not in svg and "kept by AWS" not in svg


def test_the_platform_map_shows_the_ways_out_reads_writes_and_ingress(platform: Inventory) -> None:
    svg = render_flow_map(platform)
    kinds = {kind for path in read(svg).paths for kind in path.get("data-kinds", "").split("|")}
    assert kinds >= {FlowKind.EGRESS, FlowKind.ENDPOINT, FlowKind.READ, FlowKind.WRITE, FlowKind.INGRESS}
    assert "S3 in eu-west-1" in svg and "the internet" in svg and "clients on the internet" in svg


def test_the_prod_backup_copy_runs_between_columns_not_across_the_ireland_band(platform: Inventory) -> None:
    copies = [flow for flow in platform.flows if flow.kind == FlowKind.BACKUP_COPY]
    if all(store.region == "eu-west-1" for store in platform.stores):
        assert not copies  # dev keeps no copy in a second region: nothing to route
        return
    picture = check_layout(render_flow_map(platform))
    [arrow] = [path for path in picture.paths if path.get("data-kind") == FlowKind.BACKUP_COPY]
    assert "C" not in arrow.get("d", "") and _segments(arrow)


def test_a_synthetic_inventory_with_long_names_and_unknown_regions_is_laid_out_cleanly() -> None:
    inventory = synthetic()
    svg = render_flow_map(inventory)
    picture = check_layout(svg)
    assert len(picture.boxes) == 30 + 5  # the stores and five destinations outside the templates
    shortened = [words for _, words, box in picture.texts if box is not None and words.endswith("…")]
    assert shortened, "the long stack names are cut"
    root = ET.fromstring(svg)
    cut = [text for text in root.iter(f"{SVG}text") if text.find(f"{SVG}title") is not None]
    assert any("AVeryLongStackNameThatWouldOverflow" in (text.find(f"{SVG}title").text or "") for text in cut)  # type: ignore[union-attr]


def test_the_legend_names_every_kind_the_dashes_and_red() -> None:
    svg = render_flow_map(synthetic())
    root = ET.fromstring(svg)
    [legend] = [group for group in root.iter(f"{SVG}g") if group.get("class") == "legend"]
    words = " ".join("".join(text.itertext()) for text in legend.iter(f"{SVG}text"))
    for label, _ in LEGEND_KINDS:
        assert label in words
    assert "dashed: not a resource of these templates" in words and "red: outside the allowed regions" in words


def test_external_destinations_are_named_as_what_they_are() -> None:
    svg = render_flow_map(synthetic())
    assert "S3 bucket far-away (not in these templates)" in svg
    assert "not a resource of these templates" in svg and "outside AWS" in svg


def test_boxes_are_the_size_the_layout_assumes() -> None:
    picture = read(render_flow_map(synthetic()))
    assert {(box[2] - box[0], box[3] - box[1]) for box, _ in picture.boxes} == {(NODE_WIDTH, NODE_HEIGHT)}
