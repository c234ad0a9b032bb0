"""A cleanup plan's regions as tiles: the clusters each held when the plan was made
(the role page's grid, roles/inventory/charts/regions.py, drawn for a plan)."""

from __future__ import annotations

from roles.cleanup.models import CleanupRegion
from roles.inventory.charts.regions import grid, plural
from roles.web.svg import Tile, TileGrid


def for_plan(regions: list) -> TileGrid:
    """A cleanup plan's regions (plan.summary() items): the clusters each holds."""
    tiles = []
    for r in sorted(regions, key=lambda r: r.row.region):
        unread = r.row.state == CleanupRegion.State.UNREAD
        key = "blocked" if r.clusters else "unknown" if unread else "clear"
        text = "could not be read" if unread else plural(r.clusters, "cluster")
        title = f"{r.row.region}: {text}, {plural(r.total, 'step')}"
        tiles.append(Tile(r.row.region, key, r.clusters, text, title))
    return grid("plan-regions", "when the plan was made", tiles, "cluster")
