"""Grid validation and repair: hand-built cases with known answers (metres), then the demo
through `gridgis validate`."""

from __future__ import annotations

import pytest
import shapely
from shapely import box
from typer.testing import CliRunner

from api.cli import app
from gis.geometry import check_metric_crs
from gis.validation import PARTITION_KINDS, Tolerances, repair, validate
from layers.db import connect

COMMUNITY = box(0, 0, 200, 100)  # 20,000 m², in a metric CRS


def _kinds(issues):  # type: ignore[no-untyped-def]
    return sorted(i.kind for i in issues)


def test_a_clean_partition_has_no_problem():
    grids = {"A": box(0, 0, 100, 100), "B": box(100, 0, 200, 100)}
    assert validate(COMMUNITY, grids, households={"A": 3, "B": 1}, members={"A": 1, "B": 1}) == []


def test_a_known_overlap_is_measured():
    # B reaches 10 m into A over 10 m of height: a 10 m × 10 m overlap.
    a, b = box(0, 0, 100, 100), shapely.union(box(100, 0, 200, 100), box(90, 40, 100, 50))
    (issue,) = validate(COMMUNITY, {"A": a, "B": b})
    assert issue.kind == "overlap"
    assert issue.grids == ("A", "B")
    assert issue.area_m2 == pytest.approx(100.0, abs=1.0)
    assert issue.location.bounds == pytest.approx((90, 40, 100, 50))


def test_gaps_outside_land_and_their_neighbours():
    grids = {"A": box(0, 0, 90, 100), "B": box(100, 0, 230, 100)}  # 10 m gap, 30 m outside
    issues = validate(COMMUNITY, grids)
    assert _kinds(issues) == ["gap", "outside"]
    gap = next(i for i in issues if i.kind == "gap")
    assert gap.area_m2 == pytest.approx(1_000.0)
    assert gap.grids == ("A", "B")  # the grids that border it
    outside = next(i for i in issues if i.kind == "outside")
    assert (outside.grids, outside.area_m2) == (("B",), pytest.approx(3_000.0))


def test_thin_or_tiny_pieces_are_slivers():
    grids = {"A": box(0, 0, 99.6, 100), "B": box(100, 0, 200, 100)}  # a 0.4 m wide gap
    (issue,) = validate(COMMUNITY, grids)
    assert issue.kind == "sliver"
    assert issue.area_m2 == pytest.approx(40.0)
    assert "gap sliver" in issue.detail
    # Floating-point noise is not a problem at all.
    noisy = {"A": box(0, 0, 100.000001, 100), "B": box(100, 0, 200, 100)}
    assert validate(COMMUNITY, noisy) == []
    # A stray tiny part of a grid is a sliver of that grid.
    parts = {"A": shapely.union(box(0, 0, 100, 100), box(150, 50, 150.5, 50.5)), "B": grids["B"]}
    kinds = {(i.kind, i.grids) for i in validate(COMMUNITY, parts)}
    assert ("sliver", ("A",)) in kinds


def test_invalid_and_empty_shapes_are_located():
    bowtie = shapely.Polygon([(0, 0), (100, 100), (100, 0), (0, 100)])
    issues = validate(COMMUNITY, {"A": bowtie, "B": box(100, 0, 200, 100), "C": shapely.Polygon()})
    invalid = next(i for i in issues if i.kind == "invalid")
    assert invalid.grids == ("A",)
    assert (invalid.location.x, invalid.location.y) == (50, 50)
    assert "Self-intersection" in invalid.detail
    assert any(i.kind == "empty" and i.grids == ("C",) for i in issues)


def test_grids_without_households_or_members():
    grids = {"A": box(0, 0, 100, 100), "B": box(100, 0, 200, 100)}
    issues = validate(COMMUNITY, grids, households={"A": 5}, members={"B": 2})
    assert {(i.kind, i.grids) for i in issues} == {
        ("no_households", ("B",)),
        ("no_members", ("A",)),
    }
    strays = validate(COMMUNITY, grids, stray_households=[shapely.Point(5, 5)])
    assert _kinds(strays) == ["household_outside"]


def test_only_metric_crs_is_accepted():
    assert check_metric_crs("EPSG:32650").is_projected
    with pytest.raises(ValueError, match="projected CRS in metres"):
        check_metric_crs("EPSG:4326")
    with pytest.raises(ValueError, match="metres"):
        check_metric_crs("EPSG:2264")  # US survey feet


def test_repair_closes_near_coincident_edges_within_the_tolerance():
    # A stops 0.4 m short of B (gap sliver); C pokes 0.3 m beyond the community.
    community = box(0, 0, 300, 100)
    grids = {
        "A": box(0, 0, 99.6, 100),
        "B": box(100, 0, 200, 100),
        "C": box(200, 0, 300, 100.3),
    }
    fixed = repair(community, grids)
    assert fixed.remaining == []
    assert validate(community, fixed.grids) == []
    assert shapely.union_all(list(fixed.grids.values())).equals(community)
    assert {c.grid for c in fixed.changes} <= {"A", "B", "C"}
    assert all(c.within_tolerance and c.shift_m <= 1.0 for c in fixed.changes)


def test_repair_of_a_real_overlap_says_it_goes_beyond_the_tolerance():
    grids = {"A": box(0, 0, 110, 100), "B": box(100, 0, 200, 100)}  # 1,000 m² overlap
    fixed = repair(COMMUNITY, grids)
    assert fixed.remaining == []
    (change,) = fixed.changes
    assert change.area_m2 == pytest.approx(1_000.0)
    assert change.shift_m == pytest.approx(10.0) and not change.within_tolerance


def test_repair_reports_a_change_beyond_the_tolerance():
    # A thin stray part of A, 30 m long, inside B: giving it to B closes a hole in B whose
    # edge lies 10 m from B's outline, far more than the 1 m tolerance.
    strip = box(110, 10, 140, 10.5)
    a = shapely.union(box(0, 0, 100, 100), strip)
    b = shapely.difference(box(100, 0, 200, 100), strip)
    fixed = repair(COMMUNITY, {"A": a, "B": b}, tolerances=Tolerances(tolerance_m=1.0))
    assert fixed.remaining == []
    beyond = [c for c in fixed.changes if not c.within_tolerance]
    assert beyond and all(c.shift_m > 1.0 for c in beyond)


def test_repair_of_a_sound_partition_changes_nothing():
    grids = {"A": box(0, 0, 100, 100), "B": box(100, 0, 200, 100)}
    fixed = repair(COMMUNITY, grids)
    assert fixed.changes == [] and fixed.remaining == []
    assert all(fixed.grids[c].equals(grids[c]) for c in grids)


# --- the demo, through the command line -------------------------------------------------


def test_validate_finds_the_demo_sound(demo_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DATABASE_URL", demo_url)
    result = CliRunner().invoke(app, ["validate"])
    assert result.exit_code == 0, result.output
    assert "no gap, no overlap" in result.output


def test_validate_reports_a_broken_community(demo_db: str, monkeypatch: pytest.MonkeyPatch):
    with connect(demo_db) as conn:
        code, community = conn.execute(
            "SELECT code, community_code FROM grids ORDER BY code LIMIT 1"
        ).fetchone()  # type: ignore[misc]
        # Shrink one grid by 5 m on every side: a gap ring along its inner edges.
        conn.execute(
            "UPDATE grids SET geom = ST_Multi(ST_Transform(ST_Buffer(ST_Transform(geom, 32650), "
            "-5), 4326)) WHERE code = %s",
            (code,),
        )
        conn.commit()
    monkeypatch.setenv("DATABASE_URL", demo_db)
    result = CliRunner().invoke(app, ["validate", "--community", community])
    assert result.exit_code == 1
    assert "gap" in result.output
    unknown = CliRunner().invoke(app, ["validate", "--community", "NOPE"])
    assert unknown.exit_code == 1 and "NOPE" in unknown.output


def test_validate_repair_mends_slivers_and_records_it(demo_db: str, monkeypatch):
    with connect(demo_db) as conn:
        code, community = conn.execute(
            "SELECT code, community_code FROM grids ORDER BY code LIMIT 1"
        ).fetchone()  # type: ignore[misc]
        # Pull one grid 0.3 m back from its neighbours: sliver gaps along its inner edges.
        conn.execute(
            "UPDATE grids SET geom = ST_Multi(ST_Transform(ST_Buffer(ST_Transform(geom, 32650), "
            "-0.3, 'join=mitre'), 4326)) WHERE code = %s",
            (code,),
        )
        conn.commit()
    monkeypatch.setenv("DATABASE_URL", demo_db)
    broken = CliRunner().invoke(app, ["validate", "--community", community])
    assert broken.exit_code == 1 and "sliver" in broken.output
    repaired = CliRunner().invoke(app, ["validate", "--community", community, "--repair"])
    assert repaired.exit_code == 0, repaired.output
    assert "repaired" in repaired.output
    with connect(demo_db) as conn:
        ((gap, versions, records),) = conn.execute(
            "SELECT ST_Area(ST_SymDifference(a.geom, (SELECT ST_Union(geom) FROM grids "
            "WHERE community_code = a.code))::geography), "
            "(SELECT max(version) FROM grids WHERE community_code = a.code), "
            "(SELECT count(*) FROM grid_history WHERE action = 'repair' AND role = 'cli') "
            "FROM areas a WHERE a.code = %s",
            (community,),
        ).fetchall()
    assert gap < 1.0 and versions == 2 and records >= 1


def test_validate_repair_beyond_the_tolerance_needs_force(demo_db: str, monkeypatch):
    with connect(demo_db) as conn:
        code, community = conn.execute(
            "SELECT code, community_code FROM grids ORDER BY code LIMIT 1"
        ).fetchone()  # type: ignore[misc]
        # Grow one grid 5 m over its neighbours and its community: real overlaps.
        conn.execute(
            "UPDATE grids SET geom = ST_Multi(ST_Transform(ST_Buffer(ST_Transform(geom, 32650), "
            "5, 'join=mitre'), 4326)) WHERE code = %s",
            (code,),
        )
        conn.commit()
    monkeypatch.setenv("DATABASE_URL", demo_db)
    refused = CliRunner().invoke(app, ["validate", "--community", community, "--repair"])
    assert refused.exit_code == 1 and "beyond the tolerance" in refused.output
    assert _rows_of(demo_db, "SELECT max(version) FROM grids") == [(1,)]
    forced = CliRunner().invoke(app, ["validate", "--community", community, "--repair", "--force"])
    assert forced.exit_code == 0, forced.output


def _rows_of(url: str, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    with connect(url) as conn:
        return conn.execute(sql).fetchall()  # type: ignore[arg-type]


def test_partition_kinds_are_the_breaking_ones():
    assert {"overlap", "gap", "outside", "sliver", "invalid", "empty"} == PARTITION_KINDS
