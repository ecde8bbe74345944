"""The writes of a grid edit, inside its transaction: new shapes in one statement (the
database's triggers re-join households), created grids, members following a split or a
merge, and households' links to members that moved with them."""

from __future__ import annotations

import psycopg
import shapely

from gis.redraw import EditError, Plan
from layers.db import Connection, fetchall, fetchval
from layers.edit_report import Before


async def write_shapes(
    conn: Connection, community: str, existing: dict[str, int], plan: Plan, names: dict[str, str]
) -> dict[str, int]:
    """Write every changed shape in one statement, so households are re-joined once against
    the final shapes; then insert created grids (`existing` maps the community's grid codes
    to ids). Returns the created grids' ids."""
    ids, blobs = [], []
    for code, shape in plan.shapes.items():
        if shape is not None and code in existing:
            ids.append(existing[code])
            blobs.append(shapely.to_wkb(shape))
    created = {}
    try:
        if ids:
            await conn.execute(
                "UPDATE grids g SET geom = ST_GeomFromWKB(v.wkb, 4326), version = g.version + 1 "
                "FROM unnest(%s::int[], %s::bytea[]) AS v(id, wkb) WHERE g.id = v.id",
                (ids, blobs),
            )
        for code in plan.created:
            shape = plan.shapes[code]
            assert shape is not None
            created[code] = int(
                await fetchval(
                    conn,
                    "INSERT INTO grids (code, name, community_code, geom) "
                    "VALUES (%s, %s, %s, ST_GeomFromWKB(%s, 4326)) RETURNING id",
                    (code, names[code], community, shapely.to_wkb(shape)),
                )
            )
    except psycopg.errors.CheckViolation as error:
        detail = error.diag.message_primary
        raise EditError(f"the database refused the new shapes: {detail}") from error
    return created


def new_name(community_name: str, code: str, chosen: str | None) -> str:
    """A created grid's name: the one chosen, else "<community>第<n>网格" from its code."""
    if chosen:
        return chosen
    number = code.rsplit("-G", 1)[-1]
    return f"{community_name}第{int(number)}网格" if number.isdigit() else community_name + code


async def members_to_new_grid(
    conn: Connection, grid: str, members: tuple[str, ...] | None, old_id: int, new_id: int
) -> None:
    """A split's new grid takes the members named, or else those whose home lies in it."""
    if members is None:
        await conn.execute(
            "UPDATE members m SET grid_id = g.id FROM grids g WHERE g.id = %s "
            "AND m.grid_id = %s AND ST_Covers(g.geom, m.geom)",
            (new_id, old_id),
        )
        return
    moved = await fetchall(
        conn,
        "UPDATE members SET grid_id = %s WHERE grid_id = %s AND code = ANY(%s) RETURNING code",
        (new_id, old_id, list(members)),
    )
    missing = sorted(set(members) - {str(r[0]) for r in moved})
    if missing:
        raise EditError(f"member(s) {', '.join(missing)} are not members of grid {grid}")


async def remove_merged(conn: Connection, other_id: int, into_id: int) -> None:
    """The merged grid's members join the grid that took its land; deleting it re-joins its
    households (the foreign key empties their grid and the trigger finds the new one)."""
    await conn.execute("UPDATE members SET grid_id = %s WHERE grid_id = %s", (into_id, other_id))
    await conn.execute("DELETE FROM grids WHERE id = %s", (other_id,))


async def restore_members(conn: Connection, before: Before) -> None:
    """A household that changed grid together with its member (merge, split) keeps it: the
    trigger dropped the link because the grid changed, not because the member did."""
    await conn.execute(
        "INSERT INTO assignments (household_id, member_id, run_id, distance_m) "
        "SELECT b.h, b.m, b.r, b.d "
        "FROM unnest(%s::int[], %s::int[], %s::int[], %s::float8[]) AS b(h, m, r, d) "
        "JOIN households h ON h.id = b.h JOIN members m ON m.id = b.m "
        "WHERE h.grid_id = m.grid_id "
        "AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.household_id = b.h)",
        (before.household, before.member, before.run, before.distance),
    )
