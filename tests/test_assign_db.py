"""Assignment runs against the demo in PostGIS: what is written must hold when read back with
independent SQL (loads, grids, distances, statuses), and re-runs must be stable."""

from __future__ import annotations

import psycopg
import pytest
from typer.testing import CliRunner

from api.cli import app
from layers.assignments import Scope, ScopeError, assign_blocking
from layers.db import connect


def _run(url: str, scope: Scope):  # type: ignore[no-untyped-def]
    return assign_blocking(url, scope=scope, workers=2)


def _rows(url: str, sql: str, params: object = None) -> list[tuple]:  # type: ignore[type-arg]
    with connect(url) as conn:
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


def _assignment(url: str) -> dict[str, str]:
    return dict(
        _rows(  # type: ignore[arg-type]
            url,
            "SELECT h.code, m.code FROM assignments a JOIN households h ON h.id = a.household_id "
            "JOIN members m ON m.id = a.member_id",
        )
    )


@pytest.fixture(scope="module")
def assigned_demo(databases, demo_template) -> str:  # type: ignore[no-untyped-def]
    url = databases.url(databases.create(template=demo_template))
    _run(url, Scope(all=True))
    return url


def test_every_member_of_a_feasible_grid_serves_15_to_25(assigned_demo):
    bad = _rows(
        assigned_demo,
        """
        SELECT m.code, count(a.household_id) FROM members m
        JOIN grid_status s ON s.grid_id = m.grid_id AND s.status = 'ok'
        LEFT JOIN assignments a ON a.member_id = m.id
        WHERE m.active GROUP BY m.id HAVING count(a.household_id) NOT BETWEEN m.min_load AND m.max_load
        """,
    )
    assert bad == []
    (unassigned,) = _rows(
        assigned_demo,
        "SELECT count(*) FROM households h JOIN grid_status s ON s.grid_id = h.grid_id "
        "AND s.status IN ('ok', 'overstaffed') LEFT JOIN assignments a ON a.household_id = h.id "
        "WHERE a.household_id IS NULL",
    )
    assert unassigned == (0,)


def test_households_are_served_by_active_members_of_their_own_grid(assigned_demo):
    (wrong,) = _rows(
        assigned_demo,
        "SELECT count(*) FROM assignments a JOIN households h ON h.id = a.household_id "
        "JOIN members m ON m.id = a.member_id WHERE m.grid_id <> h.grid_id OR NOT m.active",
    )
    assert wrong == (0,)


def test_stored_distances_match_geodesic_distances(assigned_demo):
    (worst,) = _rows(
        assigned_demo,
        """
        SELECT max(abs(a.distance_m - d) / d) FILTER (WHERE d >= 10),
               max(abs(a.distance_m - d)) FILTER (WHERE d < 10) FROM (
            SELECT a.distance_m, ST_Distance(h.geom::geography, m.geom::geography) AS d
            FROM assignments a JOIN households h ON h.id = a.household_id
            JOIN members m ON m.id = a.member_id) a
        """,
    )
    relative, absolute = worst
    assert relative < 0.005  # DESIGN.md: metric work accurate to 0.5 %
    assert absolute < 0.05  # near homes too: centimetres


def test_short_and_surplus_grids_are_reported_with_what_they_need(assigned_demo):
    rows = _rows(
        assigned_demo,
        """
        SELECT s.status, s.households, s.unassigned, s.members_needed, s.idle_capacity,
               sum(m.max_load), sum(m.min_load), avg(m.max_load)
        FROM grid_status s JOIN members m ON m.grid_id = s.grid_id AND m.active
        GROUP BY s.grid_id, s.status, s.households, s.unassigned, s.members_needed, s.idle_capacity
        """,
    )
    statuses = {row[0] for row in rows}
    assert {"ok", "understaffed", "overstaffed"} <= statuses
    for status, n, unassigned, needed, idle, most, least, mean_max in rows:
        if status == "understaffed":
            assert unassigned == n - most
            assert needed == -(-(n - most) // round(mean_max))
        elif status == "overstaffed":
            assert idle == least - n and unassigned == 0
        else:
            assert least <= n <= most and unassigned == 0


def test_the_run_is_recorded(assigned_demo):
    ((scope, summary, objective),) = _rows(
        assigned_demo, "SELECT scope, summary, objective_m FROM assignment_runs"
    )
    assert scope == {"all": True}
    assert summary["members_outside_bounds"] == 0 and summary["assigned"] > 19_000
    (total,) = _rows(assigned_demo, "SELECT sum(distance_m) FROM assignments")
    assert objective == pytest.approx(total[0], rel=1e-6)


def test_same_input_gives_the_same_assignment(demo_db):
    _run(demo_db, Scope(all=True))
    first = _assignment(demo_db)
    _run(demo_db, Scope(all=True))
    assert _assignment(demo_db) == first


def test_a_new_household_moves_nobody_else(demo_db):
    _run(demo_db, Scope(all=True))
    before = _assignment(demo_db)
    # a grid with room: a feasible grid whose members are not all at their maximum
    ((grid_code, x, y),) = _rows(
        demo_db,
        """
        SELECT g.code, ST_X(ST_PointOnSurface(g.geom)), ST_Y(ST_PointOnSurface(g.geom))
        FROM grids g JOIN grid_status s ON s.grid_id = g.id AND s.status = 'ok'
        WHERE s.households < (SELECT sum(max_load) FROM members m WHERE m.grid_id = g.id AND m.active)
        ORDER BY g.id LIMIT 1
        """,
    )
    with connect(demo_db) as conn:
        conn.execute(
            "INSERT INTO households (code, address, building_key, geom) "
            "VALUES ('NEW1', '新住户', 'NEWB', ST_SetSRID(ST_MakePoint(%s, %s), 4326))",
            (x, y),
        )
        conn.commit()
    summary = _run(demo_db, Scope(grids=(grid_code,)))
    after = _assignment(demo_db)
    assert "NEW1" in after
    moved = [code for code, member in before.items() if after.get(code) != member]
    assert moved == []
    assert summary.grids == 1 and summary.members_outside_bounds == 0


def test_a_community_scope_touches_only_its_grids(demo_db):
    _run(demo_db, Scope(all=True))
    ((community,),) = _rows(demo_db, "SELECT code FROM areas WHERE level = 'community' LIMIT 1")
    summary = _run(demo_db, Scope(area=community))
    touched = _rows(
        demo_db,
        "SELECT DISTINCT g.community_code FROM grid_status s JOIN grids g ON g.id = s.grid_id "
        "WHERE s.run_id = %s",
        (summary.run_id,),
    )
    assert touched == [(community,)]


def test_bad_scopes_are_refused(demo_url):
    with pytest.raises(ScopeError, match="no grid with code NOPE"):
        _run(demo_url, Scope(grids=("NOPE",)))
    with pytest.raises(ScopeError, match="no area with code 'X9'"):
        _run(demo_url, Scope(area="X9"))
    with pytest.raises(ScopeError, match="exactly one scope"):
        Scope(grids=("A",), all=True)


def test_cli_assign_prints_a_summary_and_fails_clearly(demo_db, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_db)
    result = CliRunner().invoke(app, ["assign", "--all"])
    assert result.exit_code == 0, result.output
    assert "grids understaffed" in result.output and "members outside bounds" in result.output
    result = CliRunner().invoke(app, ["assign", "--grid", "NOPE"])
    assert result.exit_code == 1 and "no grid with code NOPE" in result.output


def test_a_failed_run_leaves_the_previous_result(demo_db, monkeypatch):
    _run(demo_db, Scope(all=True))
    before = _assignment(demo_db)

    def broken_write(*args, **kwargs):
        raise psycopg.errors.DiskFull("simulated: disk full while writing")

    monkeypatch.setattr("layers.assignments._write_statuses", broken_write)
    with pytest.raises(psycopg.errors.DiskFull):
        _run(demo_db, Scope(all=True))
    assert _assignment(demo_db) == before
    assert _rows(demo_db, "SELECT count(*) FROM assignment_runs") == [(1,)]


def test_every_large_table_carries_its_district_code(assigned_demo):
    """Ready to be distributed by district (docs/scale.md): kept by the database."""
    for table in ("grids", "households", "members", "assignments"):
        rows = _rows(assigned_demo, f"SELECT district_code, count(*) FROM {table} GROUP BY 1")
        assert rows == [("360190", rows[0][1])], (table, rows)  # the demo's one district
    households = _rows(
        assigned_demo, "SELECT count(*) FROM assignments WHERE district_code IS NULL"
    )
    assert households == [(0,)]
