"""The charts' geometry (roles/web/svg.py) and the dormancy map's rules
(roles/inventory/charts/dormancy.py), without a page."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from roles.inventory.charts import dormancy
from roles.web.svg import (
    PLOT,
    TEXTURES,
    TOP,
    BarInput,
    Tile,
    bar_chart,
    nice_ceiling,
    short,
    split,
    tile_grid,
)


def test_it_lays_counts_end_to_end_in_proportion():
    assert split([("a", 1), ("b", 0), ("c", 3)], 32) == [("a", 0.0, 8.0, 1), ("c", 8.0, 24.0, 3)]
    assert split([("a", 1), ("b", 1), ("c", 1)], 30) == [
        ("a", 0.0, 10.0, 1),
        ("b", 10.0, 10.0, 1),
        ("c", 20.0, 10.0, 1),
    ]


def test_the_axis_tops_at_a_round_number():
    assert [nice_ceiling(v) for v in (0, 0.4, 1, 3, 7, 12, 48.5, 140, 2001)] == [
        1,
        0.5,
        1,
        5,
        10,
        20,
        50,
        200,
        2500,
    ]


def test_it_stacks_bars_from_the_baseline_on_a_shared_scale():
    chart = bar_chart(
        "c",
        "title",
        "desc",
        [BarInput("w1", "one", [("succeeded", 3), ("failed", 1)]), BarInput("w2", "two", [])],
        [("succeeded", "ok")],
    )
    baseline = TOP + PLOT
    assert chart.baseline == baseline
    assert chart.ticks == [(baseline, "0"), (baseline - PLOT / 2, "2.5"), (TOP, "5")]
    first, empty = chart.bars
    assert [(s.key, s.height) for s in first.segments] == [("succeeded", 66.0), ("failed", 22.0)]
    assert first.segments[0].y == baseline - 66 and first.segments[1].y == baseline - 88
    assert empty.segments == [] and empty.total == 0
    assert empty.x - first.x == 26  # a bar and a gap


def test_a_tiny_value_still_shows():
    chart = bar_chart(
        "c", "t", "d", [BarInput("a", "", [("calls", 1000)]), BarInput("b", "", [("calls", 1)])], []
    )
    assert chart.bars[1].segments[0].height == 1.5


def test_tiles_wrap_six_to_a_row():
    grid = tile_grid("g", "t", "d", [Tile(f"r{n}", "clear", 0, "", "") for n in range(8)], [])
    assert [(t.x, t.y) for t in grid.tiles][5:] == [(690, 0), (0, 50), (138, 50)]
    assert (grid.width, grid.height) == (822, 94)


def test_every_key_has_one_texture():
    keys = [key for group in TEXTURES.values() for key in group]
    assert len(keys) == len(set(keys))
    for key in (*dormancy.BANDS, "succeeded", "failed", "rejected", "partial", "calls"):
        assert key in keys, key


def test_a_long_name_is_shortened_with_an_ellipsis():
    assert short("payments-production-eu", 10) == "payments-…"
    assert short("short", 10) == "short"


def test_the_bands_follow_iams_tracking_window():
    now = timezone.now()
    assert dormancy.band(now - timedelta(days=89), now) == "recent"
    assert dormancy.band(now - timedelta(days=91), now) == "dormant"
    assert dormancy.band(now - timedelta(days=399), now) == "dormant"
    assert dormancy.band(now - timedelta(days=401), now) == "stale"
    assert dormancy.band(None, now) == "stale"


def test_every_account_is_offered_only_up_to_the_threshold():
    assert dormancy.modes_for(dormancy.THRESHOLD) == ["accounts", "top", "ou"]
    assert dormancy.modes_for(dormancy.THRESHOLD + 1) == ["top", "ou"]
    assert dormancy.resolve("", 3) == "accounts"
    assert dormancy.resolve("", 2000) == "top"
    assert dormancy.resolve("accounts", 2000) == "top"
    assert dormancy.resolve("ou", 2000) == "ou"
