"""What a planner reads about one grid's assignment: its status, each member's load and
distances, and each household with its member. JSON built in SQL."""

from __future__ import annotations

from layers.db import Connection, fetchall, fetchone

_GRID_ASSIGNMENT = """
WITH grid AS (
    SELECT g.id, g.code, g.name, g.community_code FROM grids g WHERE g.code = %s),
loads AS (
    SELECT m.id, m.code, m.name, m.duty, m.kind, m.active, m.min_load, m.max_load,
           count(a.household_id) AS load,
           round(coalesce(avg(a.distance_m), 0)::numeric, 1) AS mean_distance_m,
           round(coalesce(max(a.distance_m), 0)::numeric, 1) AS max_distance_m
    FROM members m JOIN grid ON m.grid_id = grid.id
    LEFT JOIN assignments a ON a.member_id = m.id
    GROUP BY m.id),
homes AS (
    SELECT h.code, h.address, h.building_key, m.code AS member_code, a.distance_m
    FROM households h JOIN grid ON h.grid_id = grid.id
    LEFT JOIN assignments a ON a.household_id = h.id
    LEFT JOIN members m ON m.id = a.member_id)
SELECT json_build_object(
    'grid', (SELECT json_build_object('code', grid.code, 'name', grid.name,
                 'community_code', grid.community_code,
                 'status', s.status, 'households', s.households, 'members', s.members,
                 'members_needed', s.members_needed, 'unassigned', s.unassigned,
                 'idle_capacity', s.idle_capacity, 'split_buildings', s.split_buildings,
                 'moved', s.moved, 'objective_m', s.objective_m, 'run_id', s.run_id)
             FROM grid LEFT JOIN grid_status s ON s.grid_id = grid.id),
    'members', (SELECT coalesce(json_agg(json_build_object(
                 'code', code, 'name', name, 'duty', duty, 'kind', kind, 'active', active,
                 'min_load', min_load, 'max_load', max_load, 'load', load,
                 'within_bounds', NOT active OR load BETWEEN min_load AND max_load,
                 'mean_distance_m', mean_distance_m, 'max_distance_m', max_distance_m)
                 ORDER BY code), '[]') FROM loads),
    'households', (SELECT coalesce(json_agg(json_build_object(
                 'code', code, 'address', address, 'building_key', building_key,
                 'member_code', member_code, 'distance_m', distance_m)
                 ORDER BY code), '[]') FROM homes)
)::text, (SELECT count(*) FROM homes)
FROM grid
"""


async def grid_assignment(conn: Connection, *, grid_code: str) -> tuple[str | None, int]:
    """The grid's assignment as JSON text, and how many households it lists."""
    row = await fetchone(conn, _GRID_ASSIGNMENT, (grid_code,))
    return (str(row[0]), int(row[1])) if row is not None else (None, 0)


async def grid_communities(conn: Connection, *, grid_codes: list[str]) -> dict[str, str]:
    """The community of each grid code that exists."""
    rows = await fetchall(
        conn, "SELECT code, community_code FROM grids WHERE code = ANY(%s)", (grid_codes,)
    )
    return {str(code): str(community) for code, community in rows}
