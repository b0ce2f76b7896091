"""The picture of where data can go: regions as bands, data stores as boxes in them, one arrow for the flows
between two boxes.

An inline SVG laid out in layers (longest path from a source, capped), each column ordered to cross as few
arrows as it can, with isolated stores in a grid beside them; red for what leaves the allowed regions. An arrow
between bands runs in the gaps between columns and along the space between bands, never across a box; every
text is cut (with an ellipsis, the whole of it in a tooltip) to what its box or the picture can hold, by
``text_width``, an estimate on the wide side of the fonts the page asks for.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eu_residency.core.regions import EU_REGIONS, place
from eu_residency.inventory.records import SOURCE_TYPES, UNKNOWN_REGION, Flow, FlowKind, Inventory
from eu_residency.review_pack.markup import CLASSIFICATION_COLORS, e
from eu_residency.review_pack.rows import endpoint_text, flow_status
from eu_residency.review_pack.svg_text import svg_text, text_width

KIND_COLORS = {
    FlowKind.LOG: "#7b8794",
    FlowKind.BACKUP: "#1565c0",
    FlowKind.BACKUP_COPY: "#1565c0",
    FlowKind.REPLICA: "#6a1b9a",
    FlowKind.REPLICATION: "#6a1b9a",
    FlowKind.DELIVERY: "#00838f",
    FlowKind.OUTBOUND: "#ef6c00",
    FlowKind.EGRESS: "#ad1457",
    FlowKind.ENDPOINT: "#2e7d32",
    FlowKind.READ: "#3949ab",
    FlowKind.WRITE: "#3949ab",
    FlowKind.USES: "#3949ab",
    FlowKind.INGRESS: "#6d4c41",
}
KIND_DASHES = {FlowKind.LOG: "5 4", FlowKind.USES: "2 3"}
OUTSIDE_COLOR = "#c62828"
# The legend: one entry per colour (and dash) a flow may be drawn in.
LEGEND_KINDS: tuple[tuple[str, str], ...] = (
    ("log", FlowKind.LOG),
    ("backup / backup copy", FlowKind.BACKUP),
    ("replica / replication", FlowKind.REPLICA),
    ("delivery", FlowKind.DELIVERY),
    ("outbound (outside AWS)", FlowKind.OUTBOUND),
    ("egress (out of a network)", FlowKind.EGRESS),
    ("VPC endpoint (to an AWS service)", FlowKind.ENDPOINT),
    ("reads / writes (IAM grants)", FlowKind.READ),
    ("uses (named in its environment)", FlowKind.USES),
    ("ingress (from the internet)", FlowKind.INGRESS),
)
FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif'


NODE_WIDTH, NODE_HEIGHT, NODE_GAP = 244, 44, 10
LAYER_GAP, GRID_GAP, PAD, BAND_HEAD = 90, 14, 18, 40
PICTURE_WIDTH = 1400
TEXT_INSET = 13  # a box's text starts this far in, and ends as far from its right edge
LABEL_SIZE, SUB_SIZE = 12.0, 10.5
PICTURE_TYPES = {
    "AWS::Logs::LogGroup": "log group",
    "AWS::ElastiCache::ReplicationGroup": "ElastiCache group",
    "AWS::ElastiCache::CacheCluster": "ElastiCache cluster",
    "AWS::SecretsManager::Secret": "secret",
    "AWS::KinesisFirehose::DeliveryStream": "Firehose",
    "AWS::Kinesis::Stream": "Kinesis stream",
    "AWS::RDS::DBInstance": "RDS instance",
    "AWS::RDS::DBCluster": "RDS cluster",
    "AWS::OpenSearchService::Domain": "OpenSearch",
    "AWS::DynamoDB::GlobalTable": "DynamoDB global table",
}
GENERIC_TAILS = ("LogGroup", "Bucket", "Key", "Resource", "Default")
MAX_LAYER = 5


@dataclass
class _Node:
    key: tuple[str, str, str]
    label: str
    sub: str
    region: str
    tooltip: str
    classification: str | None = None
    store: bool = False
    outside: bool = False
    dashed: bool = False
    logical_id: str | None = None
    template: str | None = None
    column: int = 0
    x: float = 0.0
    y: float = 0.0


def _nodes(inventory: Inventory) -> dict[tuple[str, str, str], _Node]:
    allowed = inventory.allowed_regions
    nodes: dict[tuple[str, str, str], _Node] = {}
    for store in inventory.stores:
        key = (store.template, store.logical_id, "")
        nodes[key] = _Node(
            key=key,
            label=_picture_label(store.name),
            sub=f"{PICTURE_TYPES.get(store.type, store.type_label)} · {store.stack}",
            region=store.region,
            tooltip=f"{store.name} ({store.logical_id}, {store.stack}): {store.type_label}, "
            f"{store.classification}, {store.region}; at rest: {store.at_rest.text}",
            classification=store.classification,
            store=True,
            outside=not store.inside,
            logical_id=store.logical_id,
            template=store.template,
        )
    services = {flow.destination.key for flow in inventory.flows if flow.kind == FlowKind.ENDPOINT}
    for flow in inventory.flows:
        for endpoint in (flow.source, flow.destination):
            if endpoint.key in nodes:
                continue
            if endpoint.logical_id is not None:
                kind = SOURCE_TYPES.get(endpoint.type or "", endpoint.type or "resource")
                sub = f"{kind} · {endpoint.stack}"
            elif endpoint.outside_aws:
                sub = "outside AWS"
            elif endpoint.key in services:
                sub = "AWS service"
            else:
                sub = "not a resource of these templates"
            outside = endpoint.outside_aws or endpoint.region not in allowed
            label = endpoint.label
            if endpoint.key in services and " through " in label:  # S3 in eu-west-1 | through a gateway endpoint
                label, path = label.split(" through ", 1)
                sub = "AWS service · " + path.removeprefix("an ").removeprefix("a ")
            nodes[endpoint.key] = _Node(
                key=endpoint.key,
                label=label,
                sub=sub,
                region=endpoint.region,
                tooltip=f"{endpoint_text(endpoint)}: {sub}, {endpoint.region}",
                outside=outside,
                dashed=endpoint.logical_id is None,
                logical_id=endpoint.logical_id,
                template=endpoint.template,
            )
    return nodes


def _picture_label(name: str) -> str:
    """``Chat/ApplicationLogs/LogGroup`` -> ``Chat/ApplicationLogs``: the box says it is a log group."""
    parts = name.split("/")
    while len(parts) > 1 and parts[-1] in GENERIC_TAILS:
        parts.pop()
    return "/".join(parts)


def _region_order(nodes: Iterable[_Node], allowed: frozenset[str]) -> list[str]:
    counts = Counter(node.region for node in nodes)

    def rank(region: str) -> tuple[int, int, str]:
        if region == UNKNOWN_REGION:
            group = 4
        elif region in allowed:
            group = 0
        elif region in EU_REGIONS:
            group = 2
        else:
            group = 3
        return (group, -counts[region], region)

    return sorted(counts, key=rank)


def _layers(nodes: Mapping[tuple[str, str, str], _Node], edges: Sequence[Flow]) -> set[tuple[str, str, str]]:
    """Longest-path columns (capped); returns the keys of nodes without any flow."""
    linked = {flow.source.key for flow in edges} | {flow.destination.key for flow in edges}
    for _ in range(len(nodes) + 1):
        changed = False
        for flow in edges:
            source, target = nodes[flow.source.key], nodes[flow.destination.key]
            wanted = min(source.column + 1, MAX_LAYER)
            if source.key != target.key and target.column < wanted:
                target.column = wanted
                changed = True
        if not changed:
            break
    return {key for key in nodes if key not in linked}


def render_flow_map(inventory: Inventory) -> str:
    """Inline SVG: regions as bands, data stores as boxes in them, one arrow per flow, red when outside."""
    allowed = inventory.allowed_regions
    nodes = _nodes(inventory)
    if not nodes:
        return (
            '<svg class="flows-picture" viewBox="0 0 800 90" role="img" aria-label="No data store">'
            '<rect x="1" y="1" width="798" height="88" rx="8" fill="#f8fafc" stroke="#d9e2ec"/>'
            '<text x="400" y="50" font-size="15" text-anchor="middle" fill="#52606d">'
            "No data-bearing resource and no flow in the templates</text></svg>"
        )
    flows = list(inventory.flows)
    isolated = _layers(nodes, flows)
    layered_columns = max((node.column for key, node in nodes.items() if key not in isolated), default=-1) + 1
    layered_width = layered_columns * (NODE_WIDTH + LAYER_GAP)
    grid_columns = max(1, (PICTURE_WIDTH - 2 * PAD - 16 - layered_width + GRID_GAP) // (NODE_WIDTH + GRID_GAP))
    width = max(PICTURE_WIDTH, 2 * PAD + 16 + layered_width + grid_columns * (NODE_WIDTH + GRID_GAP))
    regions = _region_order(nodes.values(), allowed)
    predecessors: dict[tuple[str, str, str], list[tuple[str, str, str]]] = {}
    successors: dict[tuple[str, str, str], list[tuple[str, str, str]]] = {}
    for flow in flows:
        predecessors.setdefault(flow.destination.key, []).append(flow.source.key)
        successors.setdefault(flow.source.key, []).append(flow.destination.key)

    bands: list[tuple[str, float, float]] = []
    y: float = PAD
    x0 = PAD + 16
    for region in regions:
        members = [node for node in nodes.values() if node.region == region]
        columns = [
            sorted(
                (node for node in members if node.key not in isolated and node.column == column),
                key=lambda node: (node.sub, node.label),
            )
            for column in range(layered_columns)
        ]
        _order(columns, predecessors, successors)
        rows = 0
        for column, in_column in enumerate(columns):
            for index, node in enumerate(in_column):
                node.x = x0 + column * (NODE_WIDTH + LAYER_GAP)
                node.y = y + BAND_HEAD + index * (NODE_HEIGHT + NODE_GAP)
            rows = max(rows, len(in_column))
        alone = sorted((node for node in members if node.key in isolated), key=lambda node: (node.sub, node.label))
        for index, node in enumerate(alone):
            node.x = x0 + layered_width + (index % grid_columns) * (NODE_WIDTH + GRID_GAP)
            node.y = y + BAND_HEAD + (index // grid_columns) * (NODE_HEIGHT + NODE_GAP)
        rows = max(rows, math.ceil(len(alone) / grid_columns))
        band_height = BAND_HEAD + rows * (NODE_HEIGHT + NODE_GAP) + 8.0
        bands.append((region, y, band_height))
        y += band_height + 16
    legend, legend_height = _legend(y + 4, width)
    total_height = y + 4 + legend_height + 8

    parts = [
        f'<svg class="flows-picture" id="flow-map" viewBox="0 0 {width} {total_height:.0f}" role="img" '
        f'font-family="{e(FONT_FAMILY)}" '
        'aria-label="Where data can go: data stores by region and the flows between them">',
        "<title>Where data can go</title>",
        _markers(),
    ]
    titles = []
    for region, top, height in bands:
        background, title = _band(
            region,
            top,
            height,
            width=width,
            allowed=allowed,
            grid_x=layered_width if isolated else None,
            nodes=nodes,
            isolated=isolated,
        )
        parts.append(background)
        titles.append(title)
    spans = {region: (top, top + height) for region, top, height in bands}
    parts += _edges(flows, nodes, spans)
    parts += titles
    parts += [_node_svg(node) for node in nodes.values()]
    parts.append(legend)
    parts.append("</svg>")
    return "".join(parts)


def _order(
    columns: list[list[_Node]],
    predecessors: Mapping[tuple[str, str, str], list[tuple[str, str, str]]],
    successors: Mapping[tuple[str, str, str], list[tuple[str, str, str]]],
) -> None:
    """Order each column of one band by the mean position of its neighbours (a few sweeps each way), so
    that arrows cross as little as they can.
    """
    position: dict[tuple[str, str, str], int] = {}

    def note_positions(column: list[_Node]) -> None:
        for index, node in enumerate(column):
            position[node.key] = index

    def mean(keys: list[tuple[str, str, str]]) -> float:
        found = [position[key] for key in keys if key in position]
        return sum(found) / len(found) if found else math.inf

    for column in columns:
        note_positions(column)
    for _ in range(4):
        for column in columns[1:]:
            column.sort(key=lambda node: mean(predecessors.get(node.key, [])))
            note_positions(column)
        for column in reversed(columns[:-1]):
            column.sort(key=lambda node: mean(successors.get(node.key, [])))
            note_positions(column)


def _markers() -> str:
    colors = {**{kind.replace(" ", "-"): color for kind, color in KIND_COLORS.items()}, "outside": OUTSIDE_COLOR}
    markers = "".join(
        f'<marker id="arrow-{e(name)}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
        f'markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>'
        for name, color in colors.items()
    )
    return f"<defs>{markers}</defs>"


def _band(
    region: str,
    top: float,
    height: float,
    *,
    width: float,
    allowed: frozenset[str],
    grid_x: float | None,
    nodes: Mapping[Any, _Node],
    isolated: set[Any],
) -> tuple[str, str]:
    """The band of one region (drawn first) and its title (drawn over the arrows, with a halo)."""
    inside = region in allowed
    if inside:
        fill, stroke, ink, status = "#f1f8f4", "#81c784", "#1b5e20", "in the EU"
    elif region in EU_REGIONS:
        fill, stroke, ink, status = "#fff8e1", "#ffb300", "#8d5a00", "in the EU, not in the allowed regions"
    elif region == UNKNOWN_REGION:
        fill, stroke, ink, status = "#fdecea", OUTSIDE_COLOR, "#b71c1c", "outside the EU (cannot be shown)"
    else:
        fill, stroke, ink, status = "#fdecea", OUTSIDE_COLOR, "#b71c1c", "outside the EU"
    known_as = place(region)
    if region == UNKNOWN_REGION:
        name = "Region unknown or outside AWS"
    else:
        name = region + (f" · {known_as}" if known_as else "")
    dash = ' stroke-dasharray="8 5"' if region == UNKNOWN_REGION else ""
    halo = f'stroke="{fill}" stroke-width="6" paint-order="stroke" stroke-linejoin="round"'
    background = (
        f'<g class="region {"region-inside" if inside else "region-outside"}" data-region="{e(region)}">'
        f'<rect x="{PAD}" y="{top:.0f}" width="{width - 2 * PAD}" height="{height:.0f}" rx="10" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="{1.5 if inside else 2.5}"{dash}/></g>'
    )
    heading = f"{name} — {status}"
    room = (grid_x if grid_x is not None else width - 2 * PAD) - 32
    title = [
        f'<g class="region-title" data-region="{e(region)}">'
        + svg_text(PAD + 16, top + 25, heading, room, attributes=f'fill="{ink}" {halo}', size=14, bold=True)
    ]
    if grid_x is not None and any(node.region == region and node.key in isolated for node in nodes.values()):
        title.append(
            svg_text(
                PAD + 16 + grid_x,
                top + 25,
                "no flow shown in the templates",
                width - 2 * PAD - grid_x - 32,
                attributes=f'fill="#7b8794" font-style="italic" {halo}',
                size=11,
            )
        )
    title.append("</g>")
    return background, "".join(title)


@dataclass
class _Arrow:
    """The flows from one box to another, drawn as one arrow."""

    source: _Node
    target: _Node
    flows: list[Flow]

    @property
    def inside(self) -> bool:
        return all(flow.inside for flow in self.flows)

    @property
    def kinds(self) -> list[str]:
        return list(dict.fromkeys(flow.kind for flow in self.flows))


def _arrows(flows: Sequence[Flow], nodes: Mapping[Any, _Node]) -> list[_Arrow]:
    arrows: dict[tuple[Any, Any], _Arrow] = {}
    for flow in flows:
        pair = (flow.source.key, flow.destination.key)
        if pair not in arrows:
            arrows[pair] = _Arrow(nodes[flow.source.key], nodes[flow.destination.key], [])
        arrows[pair].flows.append(flow)
    return list(arrows.values())


def _edges(flows: Sequence[Flow], nodes: Mapping[Any, _Node], spans: Mapping[str, tuple[float, float]]) -> list[str]:
    arrows = _arrows(flows, nodes)
    outgoing: dict[Any, list[_Arrow]] = {}
    incoming: dict[Any, list[_Arrow]] = {}
    for arrow in arrows:
        outgoing.setdefault(arrow.source.key, []).append(arrow)
        incoming.setdefault(arrow.target.key, []).append(arrow)

    def offset(group: list[_Arrow], arrow: _Arrow) -> float:
        if len(group) < 2:
            return 0.0
        step = min(7.0, (NODE_HEIGHT - 14) / (len(group) - 1))
        return (group.index(arrow) - (len(group) - 1) / 2) * step

    for group in outgoing.values():
        group.sort(key=lambda arrow: (arrow.target.y, arrow.target.x))
    for group in incoming.values():
        group.sort(key=lambda arrow: (arrow.source.y, arrow.source.x))
    lanes: dict[float, int] = {}

    def lane(gap_x: float) -> float:
        """A vertical lane in the gap at ``gap_x``, one per arrow, spread from its middle."""
        taken = lanes[gap_x] = lanes.get(gap_x, -1) + 1
        step = 6.0
        return gap_x + (taken + 1) // 2 * step * (1 if taken % 2 else -1)

    lines: list[str] = []
    for index, arrow in enumerate(arrows):
        source, target = arrow.source, arrow.target
        x1 = source.x + NODE_WIDTH
        y1 = source.y + NODE_HEIGHT / 2 + offset(outgoing[source.key], arrow)
        y2 = target.y + NODE_HEIGHT / 2 + offset(incoming[target.key], arrow)
        forward = target.x > source.x + 1
        x2 = target.x if forward else target.x + NODE_WIDTH
        if source.region == target.region:
            if forward:
                bend = max(36.0, (x2 - x1) / 2)
                c1, c2 = (x1 + bend, y1), (x2 - bend, y2)
            else:  # same column or backwards: loop around the right side
                bend = 34.0 + (index % 4) * 9
                c1, c2 = (x1 + bend, y1), (x2 + bend, y2)
            d = f"M{x1:.1f},{y1:.1f} C{c1[0]:.1f},{c1[1]:.1f} {c2[0]:.1f},{c2[1]:.1f} {x2:.1f},{y2:.1f}"
        else:  # between bands: through the gaps between columns and the space between bands, never over a box
            out_gap = lane(x1 + LAYER_GAP / 2)
            entry_gap = x2 - LAYER_GAP / 2 if forward else x2 + LAYER_GAP / 2
            in_gap = out_gap if abs(entry_gap - (x1 + LAYER_GAP / 2)) < 1 else lane(entry_gap)
            points = [(x1, y1), (out_gap, y1)]
            if in_gap != out_gap:
                top, bottom = spans[target.region]
                corridor = top - 8 if source.y < target.y else bottom + 8
                points += [(out_gap, corridor), (in_gap, corridor)]
            points += [(in_gap, y2), (x2, y2)]
            d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points)
        lines.append(_arrow_svg(arrow, d))
    return lines


def _where(flow: Flow) -> str:
    """``replication → us-east-1: outside the EU``; ``log → region unknown: treated as outside the EU``."""
    if flow.destination.outside_aws or flow.region == UNKNOWN_REGION:  # the status names where
        return f"{flow.kind} → {flow_status(flow)}"
    return f"{flow.kind} → {flow.region}: {flow_status(flow)}"


def _arrow_svg(arrow: _Arrow, d: str) -> str:
    first = arrow.flows[0]
    inside = arrow.inside
    color = KIND_COLORS.get(first.kind, "#7b8794") if inside else OUTSIDE_COLOR
    marker = "outside" if not inside else first.kind.replace(" ", "-")
    dash = f' stroke-dasharray="{KIND_DASHES[first.kind]}"' if inside and first.kind in KIND_DASHES else ""
    weight = 1.6 if inside else 2.8
    css = "flow flow-inside" if inside else "flow flow-outside"
    titles = [
        f"{_where(flow)}. {endpoint_text(flow.source)} → {endpoint_text(flow.destination)}: {flow.detail}"
        for flow in arrow.flows
    ]
    region = first.region
    return (
        f'<path class="{css}" data-kind="{e(first.kind)}" data-kinds="{e("|".join(arrow.kinds))}" '
        f'data-region="{e(region)}" data-flows="{len(arrow.flows)}" '
        f'data-source="{e(first.source.logical_id or first.source.label)}" '
        f'data-destination="{e(first.destination.logical_id or first.destination.label)}" '
        f'd="{d}" fill="none" stroke="{color}" stroke-width="{weight}"{dash} stroke-linejoin="round" '
        f'marker-end="url(#arrow-{e(marker)})"><title>{e(chr(10).join(titles))}</title></path>'
    )


def _node_svg(node: _Node) -> str:
    stroke = OUTSIDE_COLOR if node.outside else ("#9fb3c8" if node.dashed else "#829ab1")
    dash = ' stroke-dasharray="5 3"' if node.dashed else ""
    fill = "#ffffff" if node.store else "#f8fafc"
    strip = CLASSIFICATION_COLORS.get(node.classification or "", "#f9a825") if node.store else "#d9e2ec"
    attributes = f' data-logical-id="{e(node.logical_id)}"' if node.logical_id else ""
    attributes += f' data-template="{e(node.template)}"' if node.template else ""
    css = "node node-store" if node.store else "node node-other"
    room = NODE_WIDTH - 2 * TEXT_INSET
    ink = "#b71c1c" if node.outside else "#102a43"
    return (
        f'<g class="{css}"{attributes} data-region="{e(node.region)}"><title>{e(node.tooltip)}</title>'
        f'<rect class="box" x="{node.x:.1f}" y="{node.y:.1f}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="6" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{2 if node.outside else 1.2}"{dash}/>'
        f'<rect x="{node.x + 1:.1f}" y="{node.y + 1:.1f}" width="5" height="{NODE_HEIGHT - 2}" rx="2" fill="{strip}"/>'
        + svg_text(
            node.x + TEXT_INSET, node.y + 18, node.label, room, attributes=f'fill="{ink}"', size=LABEL_SIZE, bold=True
        )
        + svg_text(node.x + TEXT_INSET, node.y + 34, node.sub, room, attributes='fill="#52606d"', size=SUB_SIZE)
        + "</g>"
    )


def _legend(top: float, width: float) -> tuple[str, float]:
    """The key to colours, dashes and boxes, its entries wrapped to the picture; and its height."""
    right = width - PAD
    parts = ['<g class="legend">']
    line, x = 0, 0.0

    def row_y() -> float:
        return top + 12 + line * 22

    def heading(text: str) -> None:
        nonlocal x
        parts.append(svg_text(PAD, row_y(), text, 110, attributes='fill="#243b53"', size=11.5, bold=True))
        x = PAD + 112.0

    def place(label: str, swatch: float, draw: Callable[[float, float], str]) -> None:
        """One entry: its swatch drawn by ``draw(x, y)``, then its label; on the next row when it does not fit."""
        nonlocal line, x
        needed = swatch + 6 + text_width(label, 11) + 16
        if x + needed > right:
            line += 1
            x = PAD + 112.0
        y = row_y()
        text = svg_text(x + swatch + 6, y, label, right - x - swatch - 6, attributes='fill="#52606d"', size=11)
        parts.append(draw(x, y) + text)
        x += needed

    def stroke(color: str, dashes: str, weight: float) -> Callable[[float, float], str]:
        dash = f' stroke-dasharray="{dashes}"' if dashes else ""
        return lambda x, y: (
            f'<line x1="{x}" y1="{y - 4:.0f}" x2="{x + 30}" y2="{y - 4:.0f}" stroke="{color}" '
            f'stroke-width="{weight}"{dash}/>'
        )

    def box(fill: str, edge: str, dashes: str) -> Callable[[float, float], str]:
        dash = f' stroke-dasharray="{dashes}"' if dashes else ""
        return lambda x, y: (
            f'<rect x="{x}" y="{y - 11:.0f}" width="20" height="13" rx="3" fill="{fill}" stroke="{edge}" '
            f'stroke-width="1.4"{dash}/>'
        )

    def chip(color: str) -> Callable[[float, float], str]:
        return lambda x, y: f'<rect x="{x}" y="{y - 10:.0f}" width="10" height="12" rx="2" fill="{color}"/>'

    heading("Flows")
    for label, kind in LEGEND_KINDS:
        place(label, 30, stroke(KIND_COLORS[kind], KIND_DASHES.get(kind, ""), 1.8))
    place("outside the allowed regions (any kind)", 30, stroke(OUTSIDE_COLOR, "", 2.8))
    line += 1
    heading("Boxes")
    place("a data store of these templates", 20, box("#ffffff", "#829ab1", ""))
    place("another resource of these templates", 20, box("#f8fafc", "#829ab1", ""))
    place("dashed: not a resource of these templates", 20, box("#f8fafc", "#9fb3c8", "5 3"))
    place("red: outside the allowed regions", 20, box("#ffffff", OUTSIDE_COLOR, ""))
    line += 1
    heading("Classification")
    for name, color in [*CLASSIFICATION_COLORS.items(), ("unknown", "#f9a825")]:
        place(name, 10, chip(color))
    parts.append("</g>")
    return "".join(parts), (line + 1) * 22.0
