"""The workflow drawn as SVG on the server: states as boxes in columns by distance from the
initial state, transitions as labelled arrows (curved when two run between the same states)."""

from __future__ import annotations

import math
from typing import Any

from markupsafe import Markup, escape

from core.i18n import is_english

__all__ = ("diagram_svg",)

W, H, GAP_X, GAP_Y, PAD = 150, 44, 90, 46, 24
FILL = {"open": "#e3f0ff", "waiting": "#fff4d6", "closed": "#e6e6e6"}


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _label(item: dict[str, Any], locale: str) -> str:
    label = item.get("label")
    if isinstance(label, dict):
        en = label.get("en") if is_english(locale) else None
        return str(en or label.get("zh") or item.get("key") or "")
    return str(label or item.get("key") or "")


def _layout(
    states: list[dict[str, Any]], transitions: list[dict[str, Any]], initial: str
) -> dict[str, tuple[int, int]]:
    keys = [str(s.get("key") or "") for s in states]
    depth = {initial: 0} if initial in keys else {}
    frontier = list(depth)
    while frontier:
        nxt = []
        for key in frontier:
            for t in transitions:
                target = str(t.get("to") or "")
                if key in [str(s) for s in _list(t.get("from"))] and target in keys and target not in depth:
                    depth[target] = depth[key] + 1
                    nxt.append(target)
        frontier = nxt
    last = max(depth.values(), default=-1) + 1
    rows: dict[int, int] = {}
    pos = {}
    for key in keys:
        col = depth.get(key, last)
        row = rows.get(col, 0)
        rows[col] = row + 1
        pos[key] = (PAD + col * (W + GAP_X), PAD + 20 + row * (H + GAP_Y))
    return pos


def _edge_point(cx: float, cy: float, dx: float, dy: float) -> tuple[float, float]:
    """Where a ray from the centre of a box towards (dx, dy) leaves the box."""
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min((W / 2) / abs(dx) if dx else math.inf, (H / 2) / abs(dy) if dy else math.inf)
    return cx + dx * scale, cy + dy * scale


def diagram_svg(workflow: Any, locale: str = "zh_CN", bad: frozenset[str] = frozenset()) -> Markup:
    """An ``<svg>`` of the workflow (``bad``: keys of states drawn in red, e.g. unreachable ones)."""
    if not isinstance(workflow, dict):
        return Markup("")
    states = [s for s in _list(workflow.get("states")) if isinstance(s, dict)]
    transitions = [t for t in _list(workflow.get("transitions")) if isinstance(t, dict)]
    keys = [str(s.get("key") or "") for s in states]
    initial = str(workflow.get("initial") or (keys[0] if keys else ""))
    pos = _layout(states, transitions, initial)
    width = max((x for x, _ in pos.values()), default=0) + W + PAD
    height = max((y for _, y in pos.values()), default=0) + H + PAD + 20
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="workflow-diagram" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-size="13" font-family="sans-serif">',
        f"<title>{escape('workflow')}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#445"/></marker></defs>',
    ]
    pairs: dict[frozenset[str], int] = {}
    for t in transitions:
        target = str(t.get("to") or "")
        for source in (str(s) for s in _list(t.get("from"))):
            if source not in pos or target not in pos:
                continue
            label = escape(_label(t, locale))
            x1, y1 = pos[source][0] + W / 2, pos[source][1] + H / 2
            x2, y2 = pos[target][0] + W / 2, pos[target][1] + H / 2
            if source == target:
                top = pos[source][1]
                out.append(
                    f'<path class="transition" d="M{x1 - 20},{top} C{x1 - 30},{top - 30} {x1 + 30},{top - 30} '
                    f'{x1 + 20},{top}" fill="none" stroke="#445" marker-end="url(#arrow)"/>'
                    f'<text x="{x1}" y="{top - 24}" text-anchor="middle">{label}</text>'
                )
                continue
            pair = frozenset((source, target))
            n = pairs.get(pair, 0)
            pairs[pair] = n + 1
            dx, dy = x2 - x1, y2 - y1
            length = math.hypot(dx, dy) or 1
            bend = (18 + 26 * n) * (1 if source < target else -1) if n or _reverse(transitions, source, target) else 0
            nx, ny = -dy / length * bend, dx / length * bend
            cx, cy = (x1 + x2) / 2 + nx, (y1 + y2) / 2 + ny
            sx, sy = _edge_point(x1, y1, cx - x1, cy - y1)
            ex, ey = _edge_point(x2, y2, cx - x2, cy - y2)
            out.append(
                f'<path class="transition" d="M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}" fill="none" '
                f'stroke="#445" marker-end="url(#arrow)"/>'
                f'<text x="{(sx + 2 * cx + ex) / 4:.1f}" y="{(sy + 2 * cy + ey) / 4 - 4:.1f}" text-anchor="middle" '
                f'fill="#223">{label}</text>'
            )
    for state, key in zip(states, keys, strict=True):
        x, y = pos[key]
        kind = str(state.get("kind") or "open")
        stroke = "#c0392b" if key in bad else "#334"
        width_ = 3 if key == initial else 1.5
        out.append(
            f'<g class="state state-{escape(kind)}" data-state="{escape(key)}">'
            f'<rect x="{x}" y="{y}" width="{W}" height="{H}" rx="{H / 2 if kind == "closed" else 6}" '
            f'fill="{FILL.get(kind, "#fff")}" stroke="{stroke}" stroke-width="{width_}"/>'
            f'<text x="{x + W / 2}" y="{y + H / 2 + 5}" text-anchor="middle">{escape(_label(state, locale))}</text>'
            "</g>"
        )
    if initial in pos:
        x, y = pos[initial]
        out.append(
            f'<path d="M{x + W / 2},{y - 18} L{x + W / 2},{y}" stroke="#334" stroke-width="2" '
            'marker-end="url(#arrow)"/>'
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text part went through escape()


def _reverse(transitions: list[dict[str, Any]], source: str, target: str) -> bool:
    return any(
        str(t.get("to") or "") == source and target in [str(s) for s in _list(t.get("from"))] for t in transitions
    )
