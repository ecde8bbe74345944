"""Redrawing grids over HTTP on the demo: after every accepted edit the community's grids
still partition it, households are re-joined by point-in-polygon, only the changed grids
are re-assigned; refused edits change nothing (checked in the database)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import shapely
import shapely.affinity
from fastapi.testclient import TestClient
from shapely import wkb
from shapely.geometry import mapping

from api.app import create_app
from api.settings import Settings
from gis.geometry import metric_crs_for, to_lonlat, to_metric
from layers.assignments import Scope, assign_blocking
from layers.db import connect
from layers.tokens import create_token

COMMUNITY = "360190001001"  # 名都社区, five grids


@pytest.fixture(scope="module")
def assigned_template(databases, demo_template) -> str:  # type: ignore[no-untyped-def]
    """The demo with every grid assigned, as the planner finds it."""
    name = databases.create(template=demo_template)
    assign_blocking(databases.url(name), scope=Scope(all=True), workers=1)
    return name


@pytest.fixture
def db(databases, assigned_template) -> str:  # type: ignore[no-untyped-def]
    return databases.url(databases.create(template=assigned_template))


@pytest.fixture
def client(db: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=db, workers=1))) as test_client:
        yield test_client


def _rows(url: str, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    with connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def _headers(url: str, role: str = "planner", scope: str = COMMUNITY) -> dict[str, str]:
    with connect(url) as conn:
        token = create_token(conn, role=role, scope_code=scope, label=None)
        conn.commit()
    return {"Authorization": f"Bearer {token}"}


def _shape(url: str, code: str) -> Any:
    return wkb.loads(
        _rows(url, "SELECT ST_AsBinary(geom) FROM grids WHERE code = %s", (code,))[0][0]
    )


def _version(url: str, code: str) -> int:
    return int(_rows(url, "SELECT version FROM grids WHERE code = %s", (code,))[0][0])


def _neighbours(url: str, code: str) -> list[str]:
    return [
        r[0]
        for r in _rows(
            url,
            "SELECT n.code FROM grids g JOIN grids n ON n.community_code = g.community_code "
            "AND n.id <> g.id AND ST_Length(ST_Intersection(ST_Boundary(g.geom), "
            "ST_Buffer(n.geom, 1e-7))::geography) > 50 WHERE g.code = %s ORDER BY n.code",
            (code,),
        )
    ]


def _bump(url: str, target: str, into: str, extra_m: float = 25.0) -> Any:
    """A disk (lon/lat) that reaches from `target` over the household of `into` nearest to
    it, so the redraw moves at least that household's building."""
    ((point, distance),) = _rows(
        url,
        "SELECT ST_AsBinary(h.geom), ST_Distance(h.geom::geography, t.geom::geography) "
        "FROM households h JOIN grids g ON g.id = h.grid_id, grids t "
        "WHERE g.code = %s AND t.code = %s ORDER BY 2 LIMIT 1",
        (into, target),
    )
    centre = wkb.loads(point)
    crs = metric_crs_for(centre.x, centre.y)
    return to_lonlat(shapely.buffer(to_metric(centre, crs), distance + extra_m), crs)


def _grown(url: str, target: str, disk: Any) -> dict[str, Any]:
    return dict(mapping(shapely.union(_shape(url, target), disk)))


def _state(url: str) -> tuple[Any, ...]:
    """A digest of everything an edit may change."""
    tables = {
        "grids": "id, code, version, encode(ST_AsBinary(geom), 'hex')",
        "households": "id, grid_id",
        "assignments": "household_id, member_id, run_id, distance_m",
        "grid_status": "grid_id, run_id, status",
        "members": "id, grid_id",
        "grid_history": "id",
    }
    return tuple(
        _rows(
            url,
            f"SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) "
            f"FROM (SELECT {columns} FROM {table}) t",
        )[0]
        for table, columns in tables.items()
    )


def _assert_partition(url: str, community: str = COMMUNITY) -> None:
    ((symdiff, overlap),) = _rows(
        url,
        """
        SELECT ST_Area(ST_SymDifference(a.geom, u.geom)::geography),
               (SELECT coalesce(max(ST_Area(ST_Intersection(x.geom, y.geom)::geography)), 0)
                FROM grids x JOIN grids y ON x.id < y.id AND ST_Intersects(x.geom, y.geom)
                WHERE x.community_code = %(c)s AND y.community_code = %(c)s)
        FROM areas a, (SELECT ST_Union(geom) AS geom FROM grids WHERE community_code = %(c)s) u
        WHERE a.code = %(c)s
        """,
        {"c": community},
    )
    assert symdiff < 1.0, f"grids and community differ by {symdiff:.2f} m²"
    assert overlap < 1.0, f"two grids overlap by {overlap:.2f} m²"
    ((wrong,),) = _rows(
        url,
        "SELECT count(*) FROM households h WHERE h.grid_id IS DISTINCT FROM "
        "(SELECT g.id FROM grids g WHERE ST_Covers(g.geom, h.geom) ORDER BY g.id LIMIT 1)",
    )
    assert wrong == 0, f"{wrong} households are not in the grid that covers them"


def _assignments(url: str) -> dict[int, tuple[int, int, int | None]]:
    rows = _rows(
        url,
        "SELECT h.id, a.member_id, a.run_id, h.grid_id FROM households h "
        "LEFT JOIN assignments a ON a.household_id = h.id",
    )
    return {int(h): (m, r, g) for h, m, r, g in rows}


def _put(client: TestClient, url: str, code: str, body: Any, headers: dict[str, str]) -> Any:
    return client.put(
        f"/grids/{code}", json=body, headers={**headers, "If-Match": f'"{_version(url, code)}"'}
    )


# --- redraw -----------------------------------------------------------------------------


def test_preview_changes_nothing_and_save_does_what_it_showed(client, db):
    target = f"{COMMUNITY}-G01"
    into = _neighbours(db, target)[0]
    body = _grown(db, target, _bump(db, target, into))
    headers = _headers(db)
    before = _state(db)
    preview = client.post(f"/grids/{target}/preview", json=body, headers=headers)
    assert preview.status_code == 200, preview.text
    assert preview.headers["etag"] == '"1"'
    assert _state(db) == before  # nothing saved, not even the assignment run
    shown = preview.json()
    assert shown["saved"] is False and shown["can_save"] is True
    assert shown["households_moved"], "the bump should take at least one building"
    assert {m["from"] for m in shown["households_moved"]} == {into}
    assert {m["to"] for m in shown["households_moved"]} == {target}
    # where the households are, and the land that changes grid, for the map
    moved = shown["households_moved"][0]
    assert 115 < moved["lon"] < 117 and 28 < moved["lat"] < 29
    areas = {(a["from"], a["to"]): a["area_m2"] for a in shown["areas_moved"]}
    assert areas[(into, target)] > 100 and all(a["geometry"] for a in shown["areas_moved"])

    saved = client.put(f"/grids/{target}", json=body, headers={**headers, "If-Match": '"1"'})
    assert saved.status_code == 200, saved.text
    assert saved.headers["etag"] == '"2"'
    done = saved.json()
    assert done["saved"] is True and done["assignment_run"]
    assert len(done["history"]) == len(done["grids"]["features"])  # one record per changed grid
    # Preview and save run the same code: the same moves, shapes, counts and loads.
    for key in ("households_moved", "grids", "problems", "gaps", "new_version"):
        assert done[key] == shown[key], key
    _assert_partition(db)
    moved = {m["household"] for m in done["households_moved"]}
    stored = dict(
        _rows(
            db,
            "SELECT h.code, g.code FROM households h JOIN grids g ON g.id = h.grid_id "
            "WHERE h.code = ANY(%s)",
            (list(moved),),
        )
    )
    assert stored == dict.fromkeys(moved, target)
    counts = dict(
        _rows(
            db,
            "SELECT g.code, count(h.id) FROM grids g LEFT JOIN households h "
            "ON h.grid_id = g.id WHERE g.community_code = %s GROUP BY g.code",
            (COMMUNITY,),
        )
    )
    for feature in done["grids"]["features"]:
        assert feature["properties"]["households"] == counts[feature["id"]]
    changed = {f["id"]: f["properties"]["version"] for f in done["grids"]["features"]}
    assert changed[target] == changed[into] == 2
    versions = dict(
        _rows(db, "SELECT code, version FROM grids WHERE community_code = %s", (COMMUNITY,))
    )
    assert versions == {code: 2 if code in changed else 1 for code in versions}


def test_only_the_changed_grids_are_reassigned(client, db):
    target = f"{COMMUNITY}-G02"
    into = _neighbours(db, target)[0]
    body = _grown(db, target, _bump(db, target, into, extra_m=60))
    before = _assignments(db)
    response = _put(client, db, target, body, _headers(db))
    assert response.status_code == 200, response.text
    after = _assignments(db)
    report = response.json()
    changed_codes = {f["id"] for f in report["grids"]["features"]}
    changed = {
        r[0] for r in _rows(db, "SELECT id FROM grids WHERE code = ANY(%s)", (list(changed_codes),))
    }
    run = report["assignment_run"]
    for household, (member, run_id, grid) in after.items():
        was = before[household]
        if grid not in changed and was[2] not in changed:
            assert (member, run_id) == was[:2], "an untouched grid's household was re-assigned"
        elif member is not None:
            assert run_id == run  # the changed grids were re-assigned by this edit's run
    # Households that stayed in a changed grid keep their member where the bounds allow:
    # only what the moves force changes (each household in or out frees or fills one place).
    stayed = [h for h, (_, _, g) in after.items() if g in changed and before[h][2] == g]
    switched = sum(after[h][0] != before[h][0] for h in stayed)
    assert switched <= len(report["households_moved"])
    statuses = {f["id"]: f["properties"]["status"] for f in report["grids"]["features"]}
    stored = dict(
        _rows(
            db,
            "SELECT g.code, s.status FROM grid_status s JOIN grids g ON g.id = s.grid_id "
            "WHERE g.code = ANY(%s)",
            (list(changed_codes),),
        )
    )
    assert stored == statuses
    for feature in report["grids"]["features"]:
        loads = dict(
            _rows(
                db,
                "SELECT m.code, count(a.household_id) FROM members m JOIN grids g ON g.id = m.grid_id "
                "LEFT JOIN assignments a ON a.member_id = m.id WHERE g.code = %s GROUP BY m.code",
                (feature["id"],),
            )
        )
        assert {m["code"]: m["load"] for m in feature["properties"]["members"]} == loads


def test_a_stale_version_gets_412_and_changes_nothing(client, db):
    target = f"{COMMUNITY}-G01"
    body = _grown(db, target, _bump(db, target, _neighbours(db, target)[0]))
    headers = _headers(db)
    before = _state(db)
    stale = client.put(f"/grids/{target}", json=body, headers={**headers, "If-Match": '"7"'})
    assert stale.status_code == 412
    assert "version 1, not 7" in stale.json()["detail"]
    missing = client.put(f"/grids/{target}", json=body, headers=headers)
    assert missing.status_code == 428 and "If-Match" in missing.json()["detail"]
    assert _state(db) == before


@pytest.mark.parametrize(
    ("shape", "words"),
    [
        (  # a bowtie crosses itself
            {
                "type": "Polygon",
                "coordinates": [
                    [
                        [115.95, 28.69],
                        [115.96, 28.70],
                        [115.96, 28.69],
                        [115.95, 28.70],
                        [115.95, 28.69],
                    ]
                ],
            },
            "self-intersection at lon",
        ),
        (  # valid, but far from the community
            {
                "type": "Polygon",
                "coordinates": [[[116.5, 29.5], [116.51, 29.5], [116.51, 29.51], [116.5, 29.5]]],
            },
            "outside the grid's community",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [[28.69, 115.95], [28.70, 115.96], [28.69, 115.96], [28.69, 115.95]]
                ],
            },
            "swapped",
        ),
        ({"type": "Polygon", "coordinates": []}, "the shape is empty"),
        ({"type": "Point", "coordinates": [115.95, 28.69]}, "Polygon or MultiPolygon"),
        (
            {
                "type": "Polygon",
                "coordinates": [[[115.95, 28.69], [115.96, 28.69], [115.96, 28.7], [115.95, 28.7]]],
            },
            "same start and end",
        ),
    ],
)
def test_a_bad_shape_gets_422_and_changes_nothing(client, db, shape, words):
    target = f"{COMMUNITY}-G01"
    before = _state(db)
    for body in (shape, {"type": "Feature", "geometry": shape, "properties": None}):
        response = _put(client, db, target, body, _headers(db))
        assert response.status_code == 422, response.text
        assert words in response.json()["detail"]
        assert response.headers["content-type"] == "application/problem+json"
    assert _state(db) == before


def test_a_shape_leaving_a_gap_is_previewed_but_not_saved(client, db):
    target = f"{COMMUNITY}-G03"
    grid = _shape(db, target)
    centre = shapely.point_on_surface(grid)
    crs = metric_crs_for(centre.x, centre.y)
    hole = to_lonlat(shapely.buffer(to_metric(centre, crs), 40), crs)  # no neighbour borders it
    body = dict(mapping(shapely.difference(grid, hole)))
    headers = _headers(db)
    preview = client.post(f"/grids/{target}/preview", json=body, headers=headers).json()
    assert preview["can_save"] is False
    assert preview["gaps"] and preview["gaps"][0]["area_m2"] == pytest.approx(5_000, rel=0.02)
    assert any(p["kind"] == "gap" for p in preview["problems"])
    before = _state(db)
    saved = _put(client, db, target, body, headers)
    assert saved.status_code == 422 and "no grid covers" in saved.json()["detail"]
    assert _state(db) == before


def test_a_shape_swallowing_a_neighbour_is_refused(client, db):
    target = f"{COMMUNITY}-G01"
    (community,) = _rows(db, "SELECT ST_AsBinary(geom) FROM areas WHERE code = %s", (COMMUNITY,))[0]
    body = dict(mapping(wkb.loads(community)))
    response = _put(client, db, target, body, _headers(db))
    assert response.status_code == 422 and "merge" in response.json()["detail"]


def test_roles_jurisdiction_and_size(client, db):
    target = f"{COMMUNITY}-G01"
    body = _grown(db, target, _bump(db, target, _neighbours(db, target)[0]))
    assert client.post(f"/grids/{target}/preview", json=body).status_code == 401
    dispatcher = client.post(
        f"/grids/{target}/preview", json=body, headers=_headers(db, "dispatcher")
    )
    assert dispatcher.status_code == 403
    (other,) = _rows(
        db, "SELECT code FROM areas WHERE level = 'community' AND code <> %s LIMIT 1", (COMMUNITY,)
    )[0]
    elsewhere = client.post(
        f"/grids/{target}/preview", json=body, headers=_headers(db, "planner", other)
    )
    assert elsewhere.status_code == 404 and "jurisdiction" in elsewhere.json()["detail"]
    assert client.post("/grids/NOPE/preview", json=body, headers=_headers(db)).status_code == 404
    huge = client.post(f"/grids/{target}/preview", content=b" " * 2_000_000, headers=_headers(db))
    assert huge.status_code == 413
    assert (
        client.post(f"/grids/{target}/preview", content=b"{", headers=_headers(db)).status_code
        == 400
    )


def test_get_grid_carries_its_version(client, db):
    response = client.get(f"/grids/{COMMUNITY}-G01")
    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    feature = response.json()
    assert feature["properties"]["version"] == 1 and feature["geometry"]["type"] == "MultiPolygon"
    assert client.get("/grids/NOPE").status_code == 404
    unchanged = client.get(f"/grids/{COMMUNITY}-G01", headers={"If-None-Match": '"1"'})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged.headers["etag"] == '"1"'
    stale = client.get(f"/grids/{COMMUNITY}-G01", headers={"If-None-Match": '"0", W/"7"'})
    assert stale.status_code == 200
    head = client.head(f"/grids/{COMMUNITY}-G01")
    assert head.status_code == 200 and head.headers["etag"] == '"1"' and head.content == b""


# --- concurrency ------------------------------------------------------------------------


def _two_edits(url: str) -> tuple[tuple[str, Any], tuple[str, Any]]:
    """Two neighbouring grids G and H, each growing into a third grid (the same one when the
    community allows), with bumps far enough apart that neither touches the other's land."""
    codes = [
        r[0]
        for r in _rows(
            url, "SELECT code FROM grids WHERE community_code = %s ORDER BY code", (COMMUNITY,)
        )
    ]
    options = []
    for g in codes:
        for h in _neighbours(url, g):
            for k in _neighbours(url, g):
                for j in _neighbours(url, h):
                    if len({g, h, k}) == 3 and j not in (g, h):
                        options.append((k != j, g, h, k, j))
    for _, g, h, k, j in sorted(options):
        disk_g, disk_h = _bump(url, g, k), _bump(url, h, j)
        if not (
            disk_g.intersects(disk_h)
            or disk_g.intersects(_shape(url, h))
            or disk_h.intersects(_shape(url, g))
        ):
            return (g, disk_g), (h, disk_h)
    raise AssertionError("no two neighbouring grids to edit apart")


def test_two_planners_editing_neighbours_at_once_keep_both_edits(client, db):
    (g, disk_g), (h, disk_h) = _two_edits(db)
    bodies = {g: _grown(db, g, disk_g), h: _grown(db, h, disk_h)}
    versions = {code: _version(db, code) for code in bodies}
    headers = _headers(db)
    results: dict[str, Any] = {}

    def save(code: str) -> None:
        results[code] = client.put(
            f"/grids/{code}",
            json=bodies[code],
            headers={**headers, "If-Match": f'"{versions[code]}"'},
        )

    # A third session holds the community's grids, so both saves are surely in flight at
    # the same moment; they queue on the lock and must then run one after the other.
    with connect(db) as holder, connect(db, autocommit=True) as watcher:
        holder.execute("SELECT id FROM grids WHERE community_code = %s FOR UPDATE", (COMMUNITY,))
        threads = [threading.Thread(target=save, args=(code,)) for code in bodies]
        for thread in threads:
            thread.start()
        waiting, deadline = 0, time.monotonic() + 20
        while waiting < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
            ((waiting,),) = watcher.execute(  # autocommit: a fresh look each time
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            ).fetchall()
        holder.rollback()
    assert waiting >= 2, "both saves should have been waiting for the lock"
    for thread in threads:
        thread.join(timeout=60)
    assert {code: r.status_code for code, r in results.items()} == {g: 200, h: 200}
    for code, disk in ((g, disk_g), (h, disk_h)):
        grid = _shape(db, code)
        (community,) = _rows(
            db, "SELECT ST_AsBinary(geom) FROM areas WHERE code = %s", (COMMUNITY,)
        )[0]
        wanted = shapely.intersection(disk, wkb.loads(community))
        centre = shapely.centroid(wanted)
        crs = metric_crs_for(centre.x, centre.y)
        missing = to_metric(shapely.difference(wanted, grid), crs).area
        assert missing < 1.0, f"{code} lost {missing:.1f} m² of its edit"
    _assert_partition(db)


# --- split, merge, history, undo --------------------------------------------------------


def _line_across(url: str, code: str) -> dict[str, Any]:
    """A north-south line through the middle of the grid's households."""
    ((x, y),) = _rows(
        url,
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ST_X(h.geom)), avg(ST_Y(h.geom)) "
        "FROM households h JOIN grids g ON g.id = h.grid_id WHERE g.code = %s",
        (code,),
    )
    return {"type": "LineString", "coordinates": [[x, y - 0.05], [x, y + 0.05]]}


def test_split_then_merge_back(client, db):
    target = f"{COMMUNITY}-G01"
    headers = _headers(db)
    request = {"line": _line_across(db, target)}
    preview = client.post(f"/grids/{target}/split/preview", json=request, headers=headers)
    assert preview.status_code == 200, preview.text
    created = [
        f for f in preview.json()["grids"]["features"] if f["properties"]["change"] == "created"
    ]
    assert [f["id"] for f in created] == [f"{COMMUNITY}-G06"]
    missing = client.post(f"/grids/{target}/split", json=request, headers=headers)
    assert missing.status_code == 428
    saved = client.post(
        f"/grids/{target}/split", json=request, headers={**headers, "If-Match": '"1"'}
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["grids"] == preview.json()["grids"]
    new = f"{COMMUNITY}-G06"
    _assert_partition(db)
    ((households,),) = _rows(
        db,
        "SELECT count(*) FROM households h JOIN grids g ON g.id = h.grid_id WHERE g.code = %s",
        (new,),
    )
    assert households == created[0]["properties"]["households"] > 0
    # The members living in the new part went with it.
    ((outside,),) = _rows(
        db,
        "SELECT count(*) FROM members m JOIN grids g ON g.id = m.grid_id "
        "WHERE g.code = %s AND NOT ST_Covers(g.geom, m.geom)",
        (new,),
    )
    assert outside == 0

    assert _rows(db, "SELECT name FROM grids WHERE code = %s", (new,)) == [("名都社区第6网格",)]
    taken = client.post(
        f"/grids/{target}/split",
        json={**request, "code": new},
        headers={**headers, "If-Match": '"2"'},
    )
    assert taken.status_code in (409, 422)

    merged = client.post(
        f"/grids/{target}/merge",
        json={"with": new, "with_version": 1},
        headers={**headers, "If-Match": '"2"'},
    )
    assert merged.status_code == 200, merged.text
    assert {f["id"]: f["properties"]["change"] for f in merged.json()["grids"]["features"]} == {
        target: "edited",
        new: "removed",
    }
    assert _rows(db, "SELECT count(*) FROM grids WHERE code = %s", (new,)) == [(0,)]
    _assert_partition(db)
    # Households that came back with their member keep that member.
    ((unassigned,),) = _rows(
        db,
        "SELECT count(*) FROM households h JOIN grids g ON g.id = h.grid_id "
        "LEFT JOIN assignments a ON a.household_id = h.id WHERE g.code = %s AND a.member_id IS NULL",
        (target,),
    )
    assert unassigned == merged.json()["grids"]["features"][0]["properties"]["unassigned"]
    history = client.get(f"/grids/{new}/history", headers=headers).json()
    assert [i["action"] for i in history["items"]] == ["merge", "split"]
    assert (
        history["items"][0]["new_geometry"] is None and history["items"][1]["old_geometry"] is None
    )


def test_merge_needs_a_neighbour_in_the_same_community(client, db):
    target = f"{COMMUNITY}-G01"
    headers = _headers(db, "planner", "360190001")
    far = [
        c for c in (f"{COMMUNITY}-G0{k}" for k in range(2, 6)) if c not in _neighbours(db, target)
    ]
    if far:
        response = client.post(
            f"/grids/{target}/merge/preview", json={"with": far[0]}, headers=headers
        )
        assert response.status_code == 422 and "share no edge" in response.json()["detail"]
    (other,) = _rows(
        db,
        "SELECT code FROM grids WHERE community_code <> %s AND community_code LIKE '360190001%%' LIMIT 1",
        (COMMUNITY,),
    )[0]
    response = client.post(f"/grids/{target}/merge/preview", json={"with": other}, headers=headers)
    assert response.status_code == 422 and "another community" in response.json()["detail"]


def test_history_lists_edits_and_an_edit_can_be_undone(client, db):
    target = f"{COMMUNITY}-G01"
    into = _neighbours(db, target)[0]
    original = {code: _shape(db, code) for code in (target, into)}
    headers = _headers(db)
    body = _grown(db, target, _bump(db, target, into))
    assert _put(client, db, target, body, headers).status_code == 200
    items = client.get(f"/grids/{target}/history", headers=headers).json()["items"]
    assert len(items) == 1
    (item,) = items
    assert item["action"] == "redraw" and item["version"] == 2 and item["by"]["role"] == "planner"
    assert item["at"] and item["old_geometry"]["type"] == "MultiPolygon"
    neighbour = client.get(f"/grids/{into}/history", headers=headers).json()["items"]
    assert neighbour[0]["edited_grid"] == target

    # Undo by saving the old shape (here sent back as the history gave it).
    undo = client.put(
        f"/grids/{target}?undo={item['id']}",
        json=item["old_geometry"],
        headers={**headers, "If-Match": '"2"'},
    )
    assert undo.status_code == 200, undo.text
    assert undo.json()["action"] == "undo"
    _assert_partition(db)
    for code, shape in original.items():
        now = _shape(db, code)
        crs = metric_crs_for(shape.centroid.x, shape.centroid.y)
        assert to_metric(shapely.symmetric_difference(now, shape), crs).area < 1.0, code
    items = client.get(f"/grids/{target}/history", headers=headers).json()["items"]
    assert [(i["action"], i["undo_of"]) for i in items] == [("undo", item["id"]), ("redraw", None)]
    assert client.get(f"/grids/{target}/history").status_code == 401


def test_split_with_a_chosen_code_name_and_members(client, db):
    target = f"{COMMUNITY}-G02"
    headers = {**_headers(db), "If-Match": '"1"'}
    (member,) = _rows(
        db,
        "SELECT m.code FROM members m JOIN grids g ON g.id = m.grid_id "
        "WHERE g.code = %s ORDER BY m.code LIMIT 1",
        (target,),
    )[0]
    line = _line_across(db, target)
    before = _state(db)
    wrong = client.post(
        f"/grids/{target}/split",
        headers=headers,
        json={"line": line, "code": f"{COMMUNITY}-NEW", "members": ["NOPE"]},
    )
    assert wrong.status_code == 422 and "NOPE" in wrong.json()["detail"]
    assert _state(db) == before
    body = {
        "line": {"type": "Feature", "geometry": line, "properties": {}},
        "code": f"{COMMUNITY}-NEW",
        "name": "名都社区新网格",
        "members": [member],
    }
    saved = client.post(f"/grids/{target}/split", headers=headers, json=body)
    assert saved.status_code == 200, saved.text
    assert _rows(
        db,
        "SELECT g.name, array_agg(m.code) FROM grids g JOIN members m ON m.grid_id = g.id "
        "WHERE g.code = %s GROUP BY g.name",
        (f"{COMMUNITY}-NEW",),
    ) == [("名都社区新网格", [member])]
    squatting = client.post(
        f"/grids/{target}/split/preview",
        headers=headers,
        json={"line": line, "code": "360190001002-G99"},  # another community's numbering
    )
    assert squatting.status_code == 422 and "starts with its community's code" in squatting.text
    hostile = client.post(
        f"/grids/{target}/split/preview",
        headers=headers,
        json={"line": line, "name": "新网格\u0007\n"},  # control characters in a name
    )
    assert hostile.status_code == 422
    _assert_partition(db)
    short = client.post(
        f"/grids/{target}/split/preview",
        headers=headers,
        json={"line": {"type": "LineString", "coordinates": [[115.0, 28.0], [115.001, 28.0]]}},
    )
    assert short.status_code == 422 and "does not cut" in short.json()["detail"]


def test_an_edit_within_the_tolerance_says_no_change(client, db):
    target = f"{COMMUNITY}-G01"
    headers = _headers(db)
    # the grid's own outline, moved by 20 cm: snapping puts it back where it was
    nudged = mapping(shapely.affinity.translate(_shape(db, target), xoff=0.2 / 97_600))
    before = _state(db)
    preview = client.post(f"/grids/{target}/preview", json=nudged, headers=headers).json()
    assert preview["no_change"] is True and preview["can_save"] is False
    version = _version(db, target)
    saved = client.put(
        f"/grids/{target}", json=nudged, headers={**headers, "If-Match": f'"{version}"'}
    )
    assert saved.status_code == 422 and saved.json()["detail"].startswith("no change")
    assert _state(db) == before and _version(db, target) == version


# --- undo restores the links ------------------------------------------------------------


def _links(url: str) -> list[tuple[Any, ...]]:
    return _rows(
        url,
        "SELECT household_id, member_id, run_id, distance_m FROM assignments ORDER BY 1",
    )


def _loads(url: str) -> list[tuple[Any, ...]]:
    return _rows(
        url,
        "SELECT m.code, count(a.household_id) FROM members m "
        "LEFT JOIN assignments a ON a.member_id = m.id GROUP BY m.code ORDER BY 1",
    )


def _statuses(url: str) -> list[tuple[Any, ...]]:
    return _rows(url, "SELECT * FROM grid_status ORDER BY grid_id")


def test_undo_restores_every_link_load_and_status_exactly(client, db):
    target = f"{COMMUNITY}-G01"
    into = _neighbours(db, target)[0]
    headers = _headers(db)
    links, loads, statuses = _links(db), _loads(db), _statuses(db)
    shapes = {code: _shape(db, code) for code in (target, into)}
    # A bump big enough that the re-run moves households between members.
    body = _grown(db, target, _bump(db, target, into, extra_m=120))
    saved = _put(client, db, target, body, headers)
    assert saved.status_code == 200, saved.text
    changed = {row[0] for row in set(_links(db)) ^ set(links)}
    assert len(changed) > 20, "the edit should change many links"
    assert _loads(db) != loads

    record = saved.json()["history"][0]
    undo = client.put(
        f"/grids/{target}?undo={record}",
        headers={**headers, "If-Match": f'"{_version(db, target)}"'},
    )
    assert undo.status_code == 200, undo.text
    assert undo.json()["assignment_run"] is None  # nothing solved again
    assert _links(db) == links
    assert _loads(db) == loads
    assert _statuses(db) == statuses
    for code, shape in shapes.items():
        assert shape.equals_exact(_shape(db, code), 0), code
    _assert_partition(db)
    # the undo reports the statuses it put back
    reported = {f["id"]: f["properties"]["status"] for f in undo.json()["grids"]["features"]}
    stored = dict(
        _rows(
            db,
            "SELECT g.code, s.status FROM grids g JOIN grid_status s ON s.grid_id = g.id "
            "WHERE g.code = ANY(%s)",
            (list(reported),),
        )
    )
    assert reported == stored


def test_undo_after_the_households_changed_assigns_again(client, db):
    target = f"{COMMUNITY}-G02"
    into = _neighbours(db, target)[0]
    headers = _headers(db)
    saved = _put(client, db, target, _grown(db, target, _bump(db, target, into)), headers)
    assert saved.status_code == 200, saved.text
    # a household of the grid is deleted after the edit: its link cannot come back
    with connect(db) as conn:
        conn.execute(
            "DELETE FROM households WHERE id = (SELECT h.id FROM households h JOIN grids g "
            "ON g.id = h.grid_id WHERE g.code = %s ORDER BY h.id LIMIT 1)",
            (target,),
        )
        conn.commit()
    undo = client.put(
        f"/grids/{target}?undo={saved.json()['history'][0]}",
        headers={**headers, "If-Match": f'"{_version(db, target)}"'},
    )
    assert undo.status_code == 200, undo.text
    assert undo.json()["assignment_run"] is not None  # solved again, within the bounds
    _assert_partition(db)
