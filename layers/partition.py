"""Does a community's set of grids still partition it? The gap / overlap / outside / sliver
checks (gis.validation) run on lon/lat shapes with the households and members the database
holds now — inside an edit's transaction, so a save sees its own new shapes."""

from __future__ import annotations

import asyncio

from shapely import wkb
from shapely.geometry.base import BaseGeometry

from gis.geometry import Metric, to_lonlat
from gis.validation import DEFAULT_TOLERANCES, Issue, Tolerances, validate
from layers.db import Connection, fetchall, fetchone


class CommunityNotFound(LookupError):
    """No community or village with that code."""


async def count_per_grid(
    conn: Connection, table: str, grid_ids: list[int], *, where: str = "TRUE"
) -> dict[int, int]:
    """Rows of `table` (households, or members with `where="active"`) per grid id."""
    rows = await fetchall(
        conn,
        f"SELECT grid_id, count(*) FROM {table} WHERE ({where}) AND grid_id = ANY(%s) "
        "GROUP BY grid_id",
        (grid_ids,),
    )
    return {int(grid): int(n) for grid, n in rows}


async def check_shapes(
    conn: Connection,
    community_code: str,
    community_geom: BaseGeometry,
    shapes: dict[str, BaseGeometry],
    ids: dict[str, int],
    *,
    tolerances: Tolerances = DEFAULT_TOLERANCES,
) -> list[Issue]:
    """Validate lon/lat shapes of a community's grids (by code; `ids` maps codes to grid
    ids) with today's households and members; issue locations come back in lon/lat."""
    wanted = [ids[c] for c in shapes]
    households = await count_per_grid(conn, "households", wanted)
    members = await count_per_grid(conn, "members", wanted, where="active")
    strays = [
        wkb.loads(row[0])
        for row in await fetchall(
            conn,
            "SELECT ST_AsBinary(h.geom) FROM households h JOIN areas a ON a.code = %s "
            "WHERE h.grid_id IS NULL AND ST_Intersects(h.geom, a.geom) ORDER BY h.id",
            (community_code,),
        )
    ]
    metric = Metric.around(community_geom)

    def check() -> list[Issue]:
        issues = validate(
            metric.project(community_geom),
            {c: metric.project(s) for c, s in shapes.items()},
            households={c: households.get(ids[c], 0) for c in shapes},
            members={c: members.get(ids[c], 0) for c in shapes},
            stray_households=[metric.project(p) for p in strays],
            tolerances=tolerances,
        )
        return [
            Issue(i.kind, i.grids, to_lonlat(i.location, metric.crs), round(i.area_m2, 2), i.detail)
            for i in issues
        ]

    return await asyncio.to_thread(check)  # geometry work: off the event loop


async def check_community(
    conn: Connection, code: str, *, tolerances: Tolerances = DEFAULT_TOLERANCES
) -> list[Issue]:
    """What breaks one community's partition, and its idle grids (`gridgis validate`)."""
    area = await fetchone(conn, "SELECT ST_AsBinary(geom) FROM areas WHERE code = %s", (code,))
    if area is None:
        raise CommunityNotFound(f"no community with code '{code}'")
    rows = await fetchall(
        conn, "SELECT id, code, ST_AsBinary(geom) FROM grids WHERE community_code = %s", (code,)
    )
    shapes = {str(r[1]): wkb.loads(r[2]) for r in rows}
    ids = {str(r[1]): int(r[0]) for r in rows}
    return await check_shapes(conn, code, wkb.loads(area[0]), shapes, ids, tolerances=tolerances)
