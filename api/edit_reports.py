"""The JSON of a grid edit's preview or save: the touched grids as GeoJSON with households,
status and member loads, households that change grid, gaps, problems and warnings."""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from gis.geometry import Metric
from gis.redraw import moved_areas
from layers.edit_report import GridOutcome, Outcome


def _geojson(geom: BaseGeometry | None) -> Any:
    if geom is None:
        return None
    # RFC 7946: exterior rings counter-clockwise.
    return shapely.geometry.mapping(shapely.orient_polygons(geom, exterior_cw=False))


def edit_report(outcome: Outcome) -> dict[str, Any]:
    plan = outcome.plan
    return {
        "action": outcome.action,
        "grid": outcome.grid,
        "saved": outcome.saved,
        "version": outcome.version_before,
        "new_version": outcome.version_after,
        "can_save": not outcome.refusals and bool(plan.shapes),
        "no_change": not plan.shapes,
        "refusals": outcome.refusals,
        "grids": {
            "type": "FeatureCollection",
            "features": [_grid_feature(g) for g in outcome.grids],
        },
        "households_moved": [
            {
                "household": m.household,
                "from": m.from_grid,
                "to": m.to_grid,
                "lon": m.lon,
                "lat": m.lat,
            }
            for m in outcome.moves
        ],
        "areas_moved": _areas_moved(outcome),
        "gaps": [
            {"geometry": _geojson(g), "area_m2": round(a, 1)}
            for g, a in zip(plan.gaps, plan.gap_areas_m2, strict=True)
        ],
        "problems": [
            {
                "kind": i.kind,
                "grids": list(i.grids),
                "area_m2": i.area_m2,
                "detail": i.detail,
                "location": _geojson(i.location),
            }
            for i in outcome.issues
        ],
        "warnings": plan.warnings,
        "snapped_m": plan.snapped_m,
        "clipped_m2": round(plan.clipped_m2, 1),
        "assignment_run": outcome.run_id if outcome.saved else None,
        "history": outcome.history,
    }


def _areas_moved(outcome: Outcome) -> list[dict[str, Any]]:
    """The land that changes grid, by pair: the preview fills it on the map."""
    shapes = [g.geom or g.old_geom for g in outcome.grids]
    some = next((s for s in shapes if s is not None), None)
    if some is None:
        return []
    moved = moved_areas(
        {g.code: g.old_geom for g in outcome.grids},
        {g.code: g.geom for g in outcome.grids},
        Metric.around(some),
    )
    return [
        {"from": m.from_grid, "to": m.to_grid, "area_m2": m.area_m2, "geometry": _geojson(m.area)}
        for m in moved
    ]


def _grid_feature(grid: GridOutcome) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": grid.code,
        "geometry": _geojson(grid.geom),
        "properties": {
            "code": grid.code,
            "name": grid.name,
            "change": grid.change,
            "version": grid.version,
            "area_m2": grid.area_m2,
            "area_change_m2": grid.area_change_m2,
            "households": grid.households,
            "status": grid.status,
            "members_needed": grid.members_needed,
            "unassigned": grid.unassigned,
            "idle_capacity": grid.idle_capacity,
            "moved": grid.moved,
            "members": [
                {
                    "code": m.code,
                    "load": m.load,
                    "min_load": m.min_load,
                    "max_load": m.max_load,
                    "active": m.active,
                    "within_bounds": m.within_bounds,
                }
                for m in grid.members
            ],
        },
    }
