"""What an assignment run reads: each grid's households (with their current member) and
active members from PostGIS, projected to metres in the grid's UTM zone, as solver inputs.
COPY with one row per grid carrying arrays: at city scale the rows, not the solver, cost
time."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gis.assignment import GridProblem
from gis.geometry import check_lonlat, crs_from_epsg, lonlat_to_xy, utm_epsg
from layers.db import Connection
from layers.pgcopy import copy_out, copy_out_text, parse_array

HOUSEHOLD_COLUMNS = ("grid", "id", "lon", "lat", "building", "current")


@dataclass(frozen=True)
class GridInput:
    grid_id: int
    household_ids: np.ndarray
    member_ids: np.ndarray
    problem: GridProblem


async def _copy_out(conn: Connection, sql: str, names: list[str]) -> pd.DataFrame:
    buffer = io.BytesIO(await copy_out(conn, sql, csv=True))
    return pd.read_csv(
        buffer,
        names=names,
        header=None,
        keep_default_na=False,
        na_values={"current": [""]},
        dtype={"building": str},
    )


async def _read_households(conn: Connection, where: str) -> pd.DataFrame:
    """Households as one row per grid carrying arrays: a few thousand COPY messages instead
    of millions (building keys hashed to 64 bits: only equality within a grid matters)."""
    rows = await copy_out_text(
        conn,
        "SELECT grid_id, array_agg(id), array_agg(x), array_agg(y), array_agg(b), array_agg(m) "
        "FROM (SELECT h.grid_id, h.id, ST_X(h.geom) AS x, ST_Y(h.geom) AS y, "
        "hashtextextended(h.building_key, 0) AS b, coalesce(a.member_id, -1) AS m "
        "FROM households h LEFT JOIN assignments a ON a.household_id = h.id "
        f"WHERE {where} ORDER BY h.grid_id, h.id) ordered GROUP BY grid_id ORDER BY grid_id",
    )
    columns: dict[str, list[np.ndarray]] = {name: [] for name in HOUSEHOLD_COLUMNS}
    for grid, *arrays in rows:
        ids = parse_array(arrays[0], np.int64)
        columns["grid"].append(np.full(len(ids), int(grid), dtype=np.int64))
        columns["id"].append(ids)
        for name, text, dtype in zip(
            HOUSEHOLD_COLUMNS[2:], arrays[1:], (float, float, np.int64, np.int64), strict=True
        ):
            columns[name].append(parse_array(text, dtype))
    return pd.DataFrame(
        {name: np.concatenate(parts) if parts else np.empty(0) for name, parts in columns.items()}
    )


def _filter(grid_ids: list[int] | None, column: str) -> str:
    # Integers only, so inlining them in the COPY text is safe (COPY takes no parameters).
    if grid_ids is None:
        return f"{column} IS NOT NULL"
    return f"{column} = ANY('{{{','.join(str(int(i)) for i in grid_ids)}}}'::int[])"


async def read_problems(
    conn: Connection, grids: list[tuple[int, str]], *, every_grid: bool = False
) -> list[GridInput]:
    """Each grid's households (with their current member) and active members, in metres.
    `every_grid` says these are all the grids, so the queries need no filter."""
    grid_ids = [grid_id for grid_id, _ in grids]
    where = None if every_grid else grid_ids
    households = await _read_households(conn, _filter(where, "h.grid_id"))
    members = await _copy_out(
        conn,
        "SELECT grid_id, id, ST_X(geom), ST_Y(geom), min_load, max_load FROM members "
        f"WHERE active AND {_filter(where, 'grid_id')} ORDER BY grid_id, id",
        ["grid", "id", "lon", "lat", "min_load", "max_load"],
    )
    for frame in (households, members):
        check_lonlat(frame["lon"].to_numpy(), frame["lat"].to_numpy())
    return _group(grids, households, members)


def _grid_epsg(ids: list[int], households: pd.DataFrame, members: pd.DataFrame) -> np.ndarray:
    """One UTM zone per grid, from its mean position, so no grid straddles two CRSs."""
    points = pd.concat([households[["grid", "lon", "lat"]], members[["grid", "lon", "lat"]]])
    centre = points.groupby("grid")[["lon", "lat"]].mean().reindex(ids)
    # A grid with neither households nor members has nothing to measure; any zone will do.
    lon, lat = centre["lon"].fillna(0.0).to_numpy(), centre["lat"].fillna(0.0).to_numpy()
    return utm_epsg(lon, lat)


def _to_xy(frame: pd.DataFrame, ids: np.ndarray, grid_epsg: np.ndarray) -> np.ndarray:
    """Rows' lon/lat in metres, each in the UTM zone of its grid (ids sorted)."""
    row_epsg = grid_epsg[np.searchsorted(ids, frame["grid"].to_numpy())]
    lon, lat = frame["lon"].to_numpy(), frame["lat"].to_numpy()
    xy = np.empty((len(frame), 2))
    for code in np.unique(row_epsg):
        rows = row_epsg == code
        xy[rows] = lonlat_to_xy(lon[rows], lat[rows], crs=crs_from_epsg(int(code)))
    return xy


def _local_index(sorted_ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Position of each wanted id in sorted_ids, -1 where absent (a member who left)."""
    if len(sorted_ids) == 0:
        return np.full(len(wanted), -1, dtype=np.int64)
    index = np.minimum(np.searchsorted(sorted_ids, wanted), len(sorted_ids) - 1)
    return np.where(sorted_ids[index] == wanted, index, -1).astype(np.int64)


def _group(
    grids: list[tuple[int, str]], households: pd.DataFrame, members: pd.DataFrame
) -> list[GridInput]:
    ids = [grid_id for grid_id, _ in grids]
    sorted_ids = np.asarray(ids, dtype=np.int64)
    grid_epsg = _grid_epsg(ids, households, members)
    h_xy = _to_xy(households, sorted_ids, grid_epsg)
    m_xy = _to_xy(members, sorted_ids, grid_epsg)
    h_grid, m_grid = households["grid"].to_numpy(), members["grid"].to_numpy()
    h_id, m_id = households["id"].to_numpy(), members["id"].to_numpy()
    current = households["current"].fillna(-1).to_numpy(dtype=np.int64)
    building = households["building"].to_numpy()
    lo, hi = members["min_load"].to_numpy(), members["max_load"].to_numpy()
    inputs = []
    for grid, code in grids:
        hs = slice(*np.searchsorted(h_grid, [grid, grid + 1]))
        ms = slice(*np.searchsorted(m_grid, [grid, grid + 1]))
        grid_members = m_id[ms]
        current_local = _local_index(grid_members, current[hs])
        problem = GridProblem(
            grid=code,
            household_xy=h_xy[hs],
            building=building[hs],
            current_member=current_local,
            member_xy=m_xy[ms],
            min_load=lo[ms],
            max_load=hi[ms],
        )
        inputs.append(GridInput(int(grid), h_id[hs], grid_members, problem))
    return inputs
