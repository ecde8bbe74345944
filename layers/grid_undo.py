"""Undo of a saved edit: every grid it changed takes back its old shape, exactly, and (in
layers.grid_edits, after the shapes are written) every household gets back the member it
had, from the links the edit recorded (layers.grid_history.restore_links)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import shapely
from shapely.geometry.base import BaseGeometry

from gis.geometry import Metric
from gis.redraw import EditError, Plan
from layers import grid_history
from layers.db import Connection

if TYPE_CHECKING:
    from layers.grid_edits import Redraw


class GridNotFound(LookupError):
    """No grid (or history record) with that code or id."""


class EditConflict(ValueError):
    """The edit clashes with what is stored: a code already used, or a grid changed since
    the edit to undo."""


async def undo_plan(
    conn: Connection,
    community_geom: BaseGeometry,
    versions: dict[str, int],
    record: int,
    edit: Redraw,
) -> Plan:
    """Every grid the recorded edit changed goes back to its old shape. That is exact and
    keeps the partition only if none of them changed since, so that is required."""
    shapes = await grid_history.recorded_edit(conn, record=record, grid_code=edit.grid)
    if not shapes:
        raise GridNotFound(f"grid {edit.grid} has no history record {record}")
    if any(s.old is None or s.new is None for s in shapes):
        raise EditError(
            f"history record {record} belongs to a split or merge, which a saved shape cannot "
            "undo: merge the split grids, or split the merged one"
        )
    for s in shapes:
        now = versions.get(s.grid_code)
        if now is None or now != s.version:
            raise EditConflict(
                f"grid {s.grid_code} changed after history record {record} (now version "
                f"{now or 'gone'}, the edit left {s.version}): undo the "
                "later edits first, or redraw by hand"
            )
    old = {s.grid_code: s.old for s in shapes}
    mine = old.get(edit.grid)
    if edit.shape is not None and (
        mine is None
        or Metric.around(community_geom).area(shapely.symmetric_difference(mine, edit.shape)) > 1
    ):
        raise EditError(
            f"the shape is not the old shape of history record {record}; send that "
            "old shape, or no body"
        )
    return Plan(shapes=old)
