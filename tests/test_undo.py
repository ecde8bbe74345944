"""Undo puts back the state before the edit exactly: the shapes, and which member serves
which household (the links the edit found are restored, not solved again), every member's
load and every grid's status."""

from __future__ import annotations

from typing import Any

from layers.db import connect

from tests.test_redraw import (  # noqa: F401  (fixtures)
    COMMUNITY,
    _assert_partition,
    _bump,
    _grown,
    _headers,
    _neighbours,
    _put,
    _rows,
    _shape,
    _version,
    assigned_template,
    client,
    db,
)


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
