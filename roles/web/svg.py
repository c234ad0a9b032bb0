"""Geometry the charts share: segments laid end to end, bar charts and tiles.

Positions are worked out here, in user units of the SVG's viewBox, so that the
templates only copy numbers into attributes. A `key` (a band, an outcome, a state)
names both a colour class (static/css/charts.css) and a pattern
(templates/charts/_defs.html): the two never disagree, and the pattern alone tells
the keys apart in print or to a colour-blind reader.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# Each key's texture under its colour (templates/charts/_defs.html draws one pattern per
# key): in use or done is solid; waiting or refused, hatched; old, failed or blocked,
# cross-hatched; absent or unread, dotted.
TEXTURES = {
    "solid": ("recent", "succeeded", "clear", "calls"),
    "hatch": ("dormant", "rejected", "partial"),
    "cross": ("stale", "failed", "blocked"),
    "dots": ("none", "unknown"),
}


def short(text: str, limit: int) -> str:
    """A label that fits its place in the picture; the whole text is in its <title>."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def number(value: float) -> str:
    """A count as a count, a measure to one decimal."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


@dataclass
class Segment:
    key: str
    x: float
    y: float
    width: float
    height: float
    value: float


def split(counts: list[tuple[str, float]], length: float) -> list[tuple[str, float, float, float]]:
    """(key, start, size, value) of each non-zero count laid end to end along length,
    in proportion to the counts."""
    total = sum(value for _, value in counts)
    laid, start = [], 0.0
    for key, value in counts:
        if not value:
            continue
        size = length * value / total
        laid.append((key, round(start, 1), round(size, 1), value))
        start += size
    return laid


def nice_ceiling(value: float) -> float:
    """The axis' top: the smallest 1, 2, 2.5 or 5 times a power of ten at or above value."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


@dataclass
class Bar:
    label: str  # under the bar
    title: str  # the bar's whole story, for its tooltip
    x: float
    segments: list[Segment]
    total: float
    note: str = ""  # above the bar (a sync's failed regions)
    note_y: float = 0
    center: float = 0


@dataclass
class BarChart:
    id: str
    title: str
    desc: str
    width: int
    height: int
    bars: list[Bar]
    ticks: list[tuple[float, str]]  # (y, label) of the value axis
    axis_x: int
    baseline: float
    bar_width: int
    label_y: float
    legend: list[tuple[str, str]] = field(default_factory=list)  # (key, words)


BAR, GAP, LEFT, TOP, PLOT, BOTTOM = 18, 8, 52, 18, 110, 46


@dataclass
class BarInput:
    label: str
    title: str
    values: list[tuple[str, float]]  # (key, value), stacked from the baseline up
    note: str = ""


def bar_chart(
    chart_id: str, title: str, desc: str, items: list[BarInput], legend: list[tuple[str, str]]
) -> BarChart:
    top = nice_ceiling(max((sum(v for _, v in item.values) for item in items), default=0))
    baseline = TOP + PLOT
    bars = []
    for index, item in enumerate(items):
        x = LEFT + GAP + index * (BAR + GAP)
        y, segments = float(baseline), []
        for key, value in item.values:
            if not value:
                continue
            # A value too small to see at this scale still shows as a sliver.
            height = max(PLOT * value / top, 1.5)
            y -= height
            segments.append(Segment(key, x, round(y, 1), BAR, round(height, 1), value))
        total = sum(v for _, v in item.values)
        bar = Bar(item.label, item.title, x, segments, total, item.note, round(y - 4, 1))
        bar.center = x + BAR / 2
        bars.append(bar)
    ticks = [(round(baseline - PLOT * part, 1), number(top * part)) for part in (0, 0.5, 1)]
    width = LEFT + GAP + max(len(items), 1) * (BAR + GAP) + GAP
    return BarChart(
        id=chart_id,
        title=title,
        desc=desc,
        width=width,
        height=TOP + PLOT + BOTTOM,
        bars=bars,
        ticks=ticks,
        axis_x=LEFT,
        baseline=baseline,
        bar_width=BAR,
        label_y=baseline + 12,
        legend=legend,
    )


@dataclass
class Tile:
    label: str  # the region: AWS-sourced, escaped by the template
    key: str
    count: int
    text: str  # under the label: "3 clusters", "could not be read"
    title: str
    x: int = 0
    y: int = 0


@dataclass
class TileGrid:
    id: str
    title: str
    desc: str
    width: int
    height: int
    tiles: list[Tile]
    tile_width: int
    tile_height: int
    legend: list[tuple[str, str]] = field(default_factory=list)


TILE_W, TILE_H, TILE_GAP, PER_ROW = 132, 44, 6, 6


def tile_grid(
    chart_id: str, title: str, desc: str, tiles: list[Tile], legend: list[tuple[str, str]]
) -> TileGrid:
    columns = min(max(len(tiles), 1), PER_ROW)
    for index, tile in enumerate(tiles):
        row, column = divmod(index, PER_ROW)
        tile.x, tile.y = column * (TILE_W + TILE_GAP), row * (TILE_H + TILE_GAP)
    rows = max(math.ceil(len(tiles) / PER_ROW), 1)
    return TileGrid(
        id=chart_id,
        title=title,
        desc=desc,
        width=columns * (TILE_W + TILE_GAP) - TILE_GAP,
        height=rows * (TILE_H + TILE_GAP) - TILE_GAP,
        tiles=tiles,
        tile_width=TILE_W,
        tile_height=TILE_H,
        legend=legend,
    )
