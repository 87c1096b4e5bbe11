"""Geometry for the charts the desk pages draw as server-side SVG (no script, no CDN): the
templates place shapes at these numbers, and escape every name themselves."""

import datetime
import math
import textwrap
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 200
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 36, 28, 12
# More bars than this are drawn by year instead of by month.
MAX_MONTH_BARS = 72
MAX_BAR_WIDTH = 48  # a few months' bars stay bars, not one slab across the chart


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    count: int
    tick: str  # an axis label under this bar, or ""


def _months(first: datetime.date, last: datetime.date):
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield datetime.date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def bars_by_month(counts: list[tuple[datetime.date, int]]) -> dict:
    """Bars for [(first day of month, count)], every month between the first and the last
    one drawn (an empty month is a gap, not skipped), or years when the span is long."""
    if not counts:
        return {"bars": [], "max": 0, "width": WIDTH, "height": HEIGHT}
    by_month = dict(counts)
    months = list(_months(counts[0][0], counts[-1][0]))
    if len(months) > MAX_MONTH_BARS:
        by_year: dict[int, int] = {}
        for month, n in counts:
            by_year[month.year] = by_year.get(month.year, 0) + n
        keys = [(str(y), by_year.get(y, 0)) for y in range(months[0].year, months[-1].year + 1)]
        ticks = {label: label for label, _ in keys}
    else:
        keys = [(m.strftime("%Y-%m"), by_month.get(m, 0)) for m in months]
        # A year under its January, and under the first bar; every label when there are few.
        ticks = {m.strftime("%Y-%m"): (m.strftime("%b %Y") if len(months) <= 12 else str(m.year))
                 for i, m in enumerate(months) if len(months) <= 12 or m.month == 1 or i == 0}
    top = max(n for _, n in keys) or 1
    plot_w, plot_h = WIDTH - PAD_LEFT - 8, HEIGHT - PAD_TOP - PAD_BOTTOM
    step = plot_w / len(keys)
    gap = min(4.0, step * 0.2)
    bars = []
    for i, (label, n) in enumerate(keys):
        h = plot_h * n / top
        width = min(step - gap, MAX_BAR_WIDTH)
        bars.append(Bar(x=round(PAD_LEFT + i * step + (step - width) / 2, 1), y=round(PAD_TOP + plot_h - h, 1),
                        width=round(width, 1), height=round(h, 1), label=label, count=n,
                        tick=ticks.get(label, "")))
    return {"bars": bars, "max": top, "width": WIDTH, "height": HEIGHT, "base": PAD_TOP + plot_h,
            "left": PAD_LEFT, "top": PAD_TOP, "right": WIDTH - 8}


GRAPH_SIZE = 760
LABEL_CHARS = 14
POLARITY_COLOURS = {"supports": "#059669", "opposes": "#dc2626"}


def circle_layout(nodes: list[dict], edges: list[dict], size: int = GRAPH_SIZE) -> dict:
    """Nodes evenly on a circle (most connected first, from the top, clockwise) and each edge
    as a slightly bent path from endorser to target, so A->B and B->A do not overlap."""
    centre, radius = size / 2, size / 2 - 120
    placed = {}
    for i, node in enumerate(nodes):
        angle = -math.pi / 2 + 2 * math.pi * i / max(len(nodes), 1)
        x, y = centre + radius * math.cos(angle), centre + radius * math.sin(angle)
        anchor = "middle" if abs(math.cos(angle)) < 0.3 else ("start" if math.cos(angle) > 0 else "end")
        placed[node["id"]] = {**node, "x": round(x, 1), "y": round(y, 1),
                              "r": round(6 + 3 * math.sqrt(node["given"] + node["received"]), 1),
                              "lx": round(centre + (radius + 24) * math.cos(angle), 1),
                              "ly": round(centre + (radius + 24) * math.sin(angle) + 4, 1), "anchor": anchor,
                              # The margin outside the circle holds about 14 characters of a label
                              # a line: a longer name goes on two lines rather than past the edge.
                              "lines": textwrap.wrap(node["name"], LABEL_CHARS, max_lines=2, placeholder="…")
                              or [node["name"][:LABEL_CHARS]]}
    top = max((e["count"] for e in edges), default=1)
    drawn = []
    for edge in edges:
        a, b = placed[edge["endorser"]], placed[edge["target"]]
        if a is b:  # a party endorsing itself: a small loop above its node
            path = f"M{a['x']},{a['y'] - a['r']} c-30,-50 30,-50 0,0"
        else:
            mx, my = (a["x"] + b["x"]) / 2, (a["y"] + b["y"]) / 2
            dx, dy = b["x"] - a["x"], b["y"] - a["y"]
            # Bent to the right of the direction of travel: the way back bends the other way.
            cx, cy = mx - dy * 0.15, my + dx * 0.15
            length = math.hypot(dx, dy) or 1
            # End at the target circle's edge, so the arrow head shows.
            ex, ey = b["x"] - (b["x"] - cx) / length * (b["r"] + 4), b["y"] - (b["y"] - cy) / length * (b["r"] + 4)
            path = f"M{a['x']},{a['y']} Q{round(cx, 1)},{round(cy, 1)} {round(ex, 1)},{round(ey, 1)}"
        drawn.append({**edge, "path": path, "colour": POLARITY_COLOURS[edge["polarity"]],
                      "stroke": round(1.5 + 5 * math.sqrt(edge["count"] / top), 1),
                      "endorser_name": a["name"], "target_name": b["name"]})
    return {"nodes": list(placed.values()), "edges": drawn, "size": size}
