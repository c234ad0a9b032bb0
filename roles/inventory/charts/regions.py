"""Blocking resources per region: a tile per region, so "blocked in 3 regions" is seen.

Drawn from what the page has already read (a role's predicted usage,
roles/inventory/readiness.py; a cleanup plan's regions, roles/cleanup/charts.py), so
the grid costs no query.
"""

from __future__ import annotations

from roles.web.svg import Tile, TileGrid, tile_grid

LEGEND = [
    ("blocked", "blocking resources found"),
    ("clear", "nothing found"),
    ("unknown", "could not be read"),
]


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def grid(chart_id: str, what: str, tiles: list[Tile], noun: str) -> TileGrid:
    blocked = [t for t in tiles if t.count]
    unread = [t for t in tiles if t.key == "unknown" or "not be read" in t.text]
    desc = (
        f"{plural(sum(t.count for t in blocked), noun)} in {plural(len(blocked), 'region')} "
        f"of {len(tiles)}"
    )
    if unread:
        desc += f"; {plural(len(unread), 'region')} could not be read"
    return tile_grid(chart_id, f"Blocking resources by region, {what}", desc + ".", tiles, LEGEND)


def for_usage(usage, noun: str) -> TileGrid | None:
    """A role's regions: what blocks it in each, from its predicted RoleUsageList.
    None when no region was read (a service rolecall does not read, say)."""
    if not usage.regions:
        return None
    counts = {r.region: len(r.items) for r in usage.blocked}
    unread = {r.region for r in usage.unknown}
    tiles = []
    for region in sorted(set(usage.regions) | set(counts)):
        count = counts.get(region, 0)
        key = "blocked" if count else "unknown" if region in unread else "clear"
        text = plural(count, noun) if count or region not in unread else "could not be read"
        if count and region in unread:
            text += ", could not be read"  # the count is the last read's
        tiles.append(Tile(region, key, count, text, f"{region}: {text}"))
    return grid("role-regions", "as the last sync read them", tiles, noun)
