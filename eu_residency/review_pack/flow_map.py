"""The picture of where data can go: regions as bands, data stores as boxes in them, one arrow per flow.

An inline SVG laid out in layers (longest path from a source, capped), each column ordered to cross as few
arrows as it can, with isolated stores in a grid beside them; red for what leaves the allowed regions.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eu_residency.core.regions import EU_REGIONS, place
from eu_residency.inventory.records import SOURCE_TYPES, UNKNOWN_REGION, Flow, FlowKind, Inventory
from eu_residency.review_pack.markup import CLASSIFICATION_COLORS, e
from eu_residency.review_pack.rows import endpoint_text, flow_status, shorten

KIND_COLORS = {
    FlowKind.LOG: "#7b8794",
    FlowKind.BACKUP: "#1565c0",
    FlowKind.BACKUP_COPY: "#1565c0",
    FlowKind.REPLICA: "#6a1b9a",
    FlowKind.REPLICATION: "#6a1b9a",
    FlowKind.DELIVERY: "#00838f",
    FlowKind.OUTBOUND: "#ef6c00",
}
OUTSIDE_COLOR = "#c62828"


NODE_WIDTH, NODE_HEIGHT, NODE_GAP = 244, 44, 10
LAYER_GAP, GRID_GAP, PAD, BAND_HEAD = 90, 14, 18, 40
PICTURE_WIDTH = 1400
LABEL_CHARS, SUB_CHARS = int((NODE_WIDTH - 22) / 7.4), int((NODE_WIDTH - 22) / 6.1)
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
    for flow in inventory.flows:
        for endpoint in (flow.source, flow.destination):
            if endpoint.key in nodes:
                continue
            if endpoint.logical_id is not None:
                kind = SOURCE_TYPES.get(endpoint.type or "", endpoint.type or "resource")
                sub = f"{kind} · {endpoint.stack}"
            elif endpoint.outside_aws:
                sub = "outside AWS"
            else:
                sub = "kept by AWS, not a template resource"
            outside = endpoint.outside_aws or endpoint.region not in allowed
            nodes[endpoint.key] = _Node(
                key=endpoint.key,
                label=endpoint.label,
                sub=sub,
                region=endpoint.region,
                tooltip=f"{endpoint_text(endpoint)}: {sub}, {endpoint.region}",
                outside=outside,
                dashed=True,
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
    legend_y = y + 4
    total_height = legend_y + 58

    parts = [
        f'<svg class="flows-picture" id="flow-map" viewBox="0 0 {width} {total_height:.0f}" role="img" '
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
    lines, labels = _edges(flows, nodes)
    parts += lines
    parts += titles
    parts += [_node_svg(node) for node in nodes.values()]
    parts += labels
    parts.append(_legend(legend_y))
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
    title = [
        f'<g class="region-title" data-region="{e(region)}">'
        f'<text x="{PAD + 16}" y="{top + 25:.0f}" font-size="15" font-weight="800" fill="{ink}" {halo}>{e(name)}'
        f'<tspan font-weight="600" font-size="13" dx="10">— {e(status)}</tspan></text>'
    ]
    if grid_x is not None and any(node.region == region and node.key in isolated for node in nodes.values()):
        title.append(
            f'<text x="{PAD + 16 + grid_x:.0f}" y="{top + 25:.0f}" font-size="11" fill="#7b8794" '
            f'font-style="italic" {halo}>no flow shown in the templates</text>'
        )
    title.append("</g>")
    return background, "".join(title)


def _edges(flows: Sequence[Flow], nodes: Mapping[Any, _Node]) -> tuple[list[str], list[str]]:
    outgoing: dict[Any, list[Flow]] = {}
    incoming: dict[Any, list[Flow]] = {}
    for flow in flows:
        outgoing.setdefault(flow.source.key, []).append(flow)
        incoming.setdefault(flow.destination.key, []).append(flow)

    def offset(group: list[Flow], flow: Flow) -> float:
        if len(group) < 2:
            return 0.0
        step = min(7.0, (NODE_HEIGHT - 14) / (len(group) - 1))
        return (group.index(flow) - (len(group) - 1) / 2) * step

    for group in outgoing.values():
        group.sort(key=lambda flow: nodes[flow.destination.key].y)
    for group in incoming.values():
        group.sort(key=lambda flow: nodes[flow.source.key].y)
    lines: list[str] = []
    labels: list[str] = []
    labelled: set[tuple[Any, str]] = set()
    stacks: dict[Any, int] = {}
    for index, flow in enumerate(flows):
        source, target = nodes[flow.source.key], nodes[flow.destination.key]
        x1 = source.x + NODE_WIDTH
        y1 = source.y + NODE_HEIGHT / 2 + offset(outgoing[source.key], flow)
        y2 = target.y + NODE_HEIGHT / 2 + offset(incoming[target.key], flow)
        if target.x > source.x + 1:
            x2 = target.x
            bend = max(36.0, (x2 - x1) / 2)
            c1, c2 = (x1 + bend, y1), (x2 - bend, y2)
        else:  # same column or backwards: loop around the right side
            x2 = target.x + NODE_WIDTH
            bend = 34.0 + (index % 4) * 9
            c1, c2 = (x1 + bend, y1), (x2 + bend, y2)
        color = KIND_COLORS.get(flow.kind, "#7b8794") if flow.inside else OUTSIDE_COLOR
        marker = "outside" if not flow.inside else flow.kind.replace(" ", "-")
        dash = ' stroke-dasharray="5 4"' if flow.kind == FlowKind.LOG and flow.inside else ""
        weight = 1.6 if flow.inside else 2.8
        css = "flow flow-inside" if flow.inside else "flow flow-outside"
        title = f"{flow.kind}: {endpoint_text(flow.source)} → {endpoint_text(flow.destination)} ({flow.region}); "
        title += flow_status(flow)
        lines.append(
            f'<path class="{css}" data-kind="{e(flow.kind)}" data-region="{e(flow.region)}" '
            f'data-source="{e(flow.source.logical_id or flow.source.label)}" '
            f'data-destination="{e(flow.destination.logical_id or flow.destination.label)}" '
            f'd="M{x1:.1f},{y1:.1f} C{c1[0]:.1f},{c1[1]:.1f} {c2[0]:.1f},{c2[1]:.1f} {x2:.1f},{y2:.1f}" '
            f'fill="none" stroke="{color}" stroke-width="{weight}"{dash} marker-end="url(#arrow-{e(marker)})">'
            f"<title>{e(title)}</title></path>"
        )
        if not flow.inside or source.region != target.region:
            where = "region unknown" if flow.region == UNKNOWN_REGION else flow.region
            text = f"{flow.kind} → {where}"
            if not flow.inside:
                text += ": " + ("outside AWS" if flow.destination.outside_aws else flow_status(flow))
            ink = OUTSIDE_COLOR if not flow.inside else "#243b53"
            key = (target.key, text)
            if key in labelled:
                continue
            labelled.add(key)
            stacked = stacks[target.key] = stacks.get(target.key, -1) + 1
            backwards = x2 > target.x + 1
            anchor = "start" if backwards else "end"
            label_x = x2 + 8 if backwards else x2 - 10
            labels.append(
                f'<text class="flow-label" x="{label_x:.1f}" y="{target.y + 12 + 14 * stacked:.1f}" '
                f'font-size="11.5" font-weight="700" text-anchor="{anchor}" fill="{ink}" stroke="#fff" '
                f'stroke-width="4" paint-order="stroke" stroke-linejoin="round">{e(text)}</text>'
            )
    return lines, labels


def _node_svg(node: _Node) -> str:
    stroke = OUTSIDE_COLOR if node.outside else ("#9fb3c8" if node.dashed else "#829ab1")
    dash = ' stroke-dasharray="5 3"' if node.dashed else ""
    fill = "#ffffff" if node.store else "#f8fafc"
    strip = CLASSIFICATION_COLORS.get(node.classification or "", "#f9a825") if node.store else "#d9e2ec"
    attributes = f' data-logical-id="{e(node.logical_id)}"' if node.logical_id else ""
    attributes += f' data-template="{e(node.template)}"' if node.template else ""
    css = "node node-store" if node.store else "node node-other"
    return (
        f'<g class="{css}"{attributes} data-region="{e(node.region)}"><title>{e(node.tooltip)}</title>'
        f'<rect x="{node.x:.1f}" y="{node.y:.1f}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="6" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="{2 if node.outside else 1.2}"{dash}/>'
        f'<rect x="{node.x + 1:.1f}" y="{node.y + 1:.1f}" width="5" height="{NODE_HEIGHT - 2}" rx="2" fill="{strip}"/>'
        f'<text x="{node.x + 13:.1f}" y="{node.y + 18:.1f}" font-size="12" font-weight="700" '
        f'fill="{"#b71c1c" if node.outside else "#102a43"}">{e(shorten(node.label, LABEL_CHARS))}</text>'
        f'<text x="{node.x + 13:.1f}" y="{node.y + 34:.1f}" font-size="10.5" fill="#52606d">'
        f"{e(shorten(node.sub, SUB_CHARS))}</text></g>"
    )


def _legend(top: float) -> str:
    entries = [
        ("log", KIND_COLORS[FlowKind.LOG], True),
        ("backup / backup copy", KIND_COLORS[FlowKind.BACKUP], False),
        ("replica / replication", KIND_COLORS[FlowKind.REPLICA], False),
        ("delivery", KIND_COLORS[FlowKind.DELIVERY], False),
        ("outbound (outside AWS)", KIND_COLORS[FlowKind.OUTBOUND], False),
        ("outside the allowed regions", OUTSIDE_COLOR, False),
    ]
    parts = [f'<g class="legend"><text x="{PAD}" y="{top + 12:.0f}" font-size="11.5" font-weight="700" ']
    parts.append('fill="#243b53">Flows</text>')
    x: float = PAD + 48
    for label, color, dashed in entries:
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        weight = 2.8 if color == OUTSIDE_COLOR else 1.8
        parts.append(
            f'<line x1="{x}" y1="{top + 8:.0f}" x2="{x + 30}" y2="{top + 8:.0f}" stroke="{color}" '
            f'stroke-width="{weight}"{dash}/>'
            f'<text x="{x + 36}" y="{top + 12:.0f}" font-size="11" fill="#52606d">{e(label)}</text>'
        )
        x += 46 + len(label) * 6.2
    parts.append(
        f'<text x="{PAD}" y="{top + 36:.0f}" font-size="11.5" font-weight="700" fill="#243b53">Classification</text>'
    )
    x = PAD + 96.0
    for name, color in [*CLASSIFICATION_COLORS.items(), ("unknown", "#f9a825")]:
        parts.append(
            f'<rect x="{x}" y="{top + 26:.0f}" width="10" height="12" rx="2" fill="{color}"/>'
            f'<text x="{x + 15}" y="{top + 36:.0f}" font-size="11" fill="#52606d">{e(name)}</text>'
        )
        x += 30 + len(name) * 6.5
    parts.append(
        f'<text x="{x + 20}" y="{top + 36:.0f}" font-size="11" fill="#52606d">Dashed box: not a data store '
        "(a resource that sends data, or a destination outside the templates).</text>"
    )
    parts.append("</g>")
    return "".join(parts)
