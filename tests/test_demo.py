"""The demo as loaded into PostGIS: what a planner sees must hold there, not only in Python."""

from __future__ import annotations

from layers.db import connect


def _rows(url: str, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    with connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_grids_of_every_community_cover_it_without_gap_or_overlap(demo_url):
    gaps = _rows(
        demo_url,
        """
        SELECT a.code, ST_Area(ST_SymDifference(a.geom, ST_Union(g.geom))::geography)
        FROM areas a JOIN grids g ON g.community_code = a.code
        WHERE a.level IN ('community', 'village')
        GROUP BY a.code, a.geom
        """,
    )
    communities = _rows(
        demo_url, "SELECT count(*) FROM areas WHERE level IN ('community', 'village')"
    )
    assert len(gaps) == communities[0][0] >= 10  # every community has grids
    assert max(area for _, area in gaps) < 1.0, gaps
    overlaps = _rows(
        demo_url,
        """
        SELECT a.code, b.code, ST_Area(ST_Intersection(a.geom, b.geom)::geography)
        FROM grids a JOIN grids b ON a.id < b.id AND a.geom && b.geom
        WHERE ST_Area(ST_Intersection(a.geom, b.geom)::geography) >= 1.0
        """,
    )
    assert overlaps == []


def test_children_tile_their_parent_area(demo_url):
    rows = _rows(
        demo_url,
        """
        SELECT p.code, ST_Area(ST_SymDifference(p.geom, ST_Union(c.geom))::geography)
        FROM areas p JOIN areas c ON c.parent_code = p.code GROUP BY p.code, p.geom
        """,
    )
    assert len(rows) >= 4  # the district and its streets
    assert max(area for _, area in rows) < 1.0, rows


def test_demo_sizes_and_real_names(demo_url):
    (counts,) = _rows(
        demo_url,
        """
        SELECT (SELECT count(*) FROM areas WHERE level = 'district'),
               (SELECT count(*) FROM areas WHERE level IN ('street', 'township')),
               (SELECT count(*) FROM grids),
               (SELECT count(*) FROM households),
               (SELECT count(*) FROM households WHERE grid_id IS NULL),
               (SELECT count(*) FROM stations WHERE kind = 'red_station')
        """,
    )
    districts, streets, grids, households, outside, red_stations = counts
    assert districts == 1 and streets >= 3 and grids >= 60
    assert households >= 20_000 and outside == 0
    assert red_stations >= 8
    names = {
        name
        for (name,) in _rows(demo_url, "SELECT name FROM areas UNION SELECT name FROM stations")
    }
    for place in ("名都", "龙江", "上上城", "吾悦", "观澜", "溪湖北", "御水园", "麻丘村", "北沥村"):
        assert any(place in name for name in names), place
    assert any("艾溪湖湿地公园红色驿站" in name for name in names)


def test_demo_has_grids_short_of_members_and_with_too_many(demo_url):
    rows = _rows(
        demo_url,
        """
        SELECT g.code,
               (SELECT count(*) FROM households h WHERE h.grid_id = g.id),
               (SELECT coalesce(sum(max_load), 0) FROM members m WHERE m.grid_id = g.id AND m.active),
               (SELECT coalesce(sum(min_load), 0) FROM members m WHERE m.grid_id = g.id AND m.active)
        FROM grids g
        """,
    )
    short = [code for code, n, most, _ in rows if n > most]
    surplus = [code for code, n, _, least in rows if n < least]
    feasible = len(rows) - len(short) - len(surplus)
    assert 1 <= len(short) <= 8 and 1 <= len(surplus) <= 8
    assert feasible >= 0.8 * len(rows)
