"""New grid shapes for a planner's edit: redraw one grid, split one in two, merge two.

Shapes stay in lon/lat and overlays keep input vertices bit for bit, so grids that do not
change keep sharing their edges exactly with those that do (projecting to metres and back
would move every vertex by nanometres). Only measures — areas, edge lengths, sliver tests,
the snapping distance — go through the community's UTM zone (`Metric`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import shapely
import shapely.ops
from shapely.geometry.base import BaseGeometry

from gis.geometry import Metric, longest_shared_border, multipolygon, polygons
from gis.validation import DEFAULT_TOLERANCES, Tolerances, is_sliver

# A degree spans at most 111.7 km in either axis (latitude at the poles; longitude at the
# equator), so a distance in degrees times this is never less than the metres it covers.
_METRES_PER_DEGREE_MAX = 111_700.0
_TOUCH_DEG = 1e-7  # about 1 cm: edges this close count as shared
_SHARED_M = 0.01  # a border shorter than this (metres) is a touch at a corner, not shared


class EditError(ValueError):
    """The edit cannot be made; the message says why and what to do instead."""


@dataclass(frozen=True)
class Plan:
    """The new shape of every grid the edit changes (None: merged away), in lon/lat."""

    shapes: dict[str, BaseGeometry | None]
    created: tuple[str, ...] = ()
    gaps: list[BaseGeometry] = field(default_factory=list)  # land no grid would cover
    gap_areas_m2: list[float] = field(default_factory=list)
    snapped_m: float = 0.0  # how far snapping moved the drawn outline
    clipped_m2: float = 0.0  # drawn area outside the community, cut away
    warnings: list[str] = field(default_factory=list)


def _sliver(geom: BaseGeometry, metric: Metric, tolerances: Tolerances) -> bool:
    return is_sliver(metric.project(geom), tolerances)


def _neighbour(
    piece: BaseGeometry, neighbours: Mapping[str, BaseGeometry], metric: Metric
) -> str | None:
    """The neighbour sharing the longest border with the piece, measured in metres."""
    return longest_shared_border(
        piece, neighbours, eps=_TOUCH_DEG, length=metric.length, at_least=_SHARED_M
    )


def check_shape(shape: BaseGeometry) -> None:
    """A drawn shape must be a non-empty, valid polygon or multipolygon."""
    if shape.is_empty:
        raise EditError("the shape is empty")
    if shape.geom_type not in ("Polygon", "MultiPolygon"):
        raise EditError(f"the shape must be a Polygon or MultiPolygon, not a {shape.geom_type}")
    if not shape.is_valid:
        raise EditError(
            f"the shape is not a valid polygon: {_where(shapely.is_valid_reason(shape))}"
        )


def _where(reason: str) -> str:
    # GEOS says "Self-intersection[115.9 28.7]"; planners read lon/lat.
    name, _, rest = reason.partition("[")
    if not rest:
        return reason
    lon, _, lat = rest.rstrip("]").partition(" ")
    return f"{name.lower()} at lon {lon}, lat {lat}"


def redraw(
    community: BaseGeometry,
    grids: Mapping[str, BaseGeometry],
    target: str,
    drawn: BaseGeometry,
    *,
    tolerances: Tolerances = DEFAULT_TOLERANCES,
) -> Plan:
    """`target` takes the drawn shape (snapped to nearby edges, clipped to the community);
    neighbours give up what it takes; each piece it gives up goes to the neighbour sharing
    the longest edge with it, or stays uncovered (a gap) when none borders it."""
    check_shape(drawn)
    metric = Metric.around(community)
    snapped = _snap(drawn, community, grids, tolerances)
    new = multipolygon([shapely.intersection(snapped, community)])
    if metric.area(new) < tolerances.sliver_m2:
        raise EditError("the shape lies outside the grid's community: nothing of it is inside")
    shapes = {target: new}
    for code, old in grids.items():
        if code != target and old.intersects(new):
            shapes[code] = _give_up(code, old, new, metric, tolerances)
    gaps = _hand_out(target, new, grids, shapes, metric, tolerances)
    shapes = _changed(grids, _clean(grids, shapes, metric, tolerances), metric, tolerances)
    outline_shift = shapely.hausdorff_distance(
        metric.project(shapely.intersection(drawn, community).boundary),
        metric.project(new.boundary),
    )
    return Plan(
        shapes=dict(shapes),
        gaps=gaps,
        gap_areas_m2=[metric.area(g) for g in gaps],
        snapped_m=round(float(outline_shift), 3),
        clipped_m2=metric.area(shapely.difference(drawn, community)),
        warnings=_warnings(shapes),
    )


def _snap(
    drawn: BaseGeometry,
    community: BaseGeometry,
    grids: Mapping[str, BaseGeometry],
    tolerances: Tolerances,
) -> BaseGeometry:
    """Pull the drawn outline onto existing edges within the tolerance, so a hand-drawn
    edge that almost follows a neighbour does not leave a sliver; keep it if that fails."""
    reference = shapely.union_all([community.boundary, *(g.boundary for g in grids.values())])
    snapped = shapely.snap(drawn, reference, tolerances.tolerance_m / _METRES_PER_DEGREE_MAX)
    return snapped if snapped.is_valid and not snapped.is_empty else drawn


def _give_up(
    code: str, old: BaseGeometry, taken: BaseGeometry, metric: Metric, tolerances: Tolerances
) -> BaseGeometry:
    rest = multipolygon([shapely.difference(old, taken)])
    if metric.area(rest) < tolerances.sliver_m2 or _sliver(rest, metric, tolerances):
        raise EditError(f"the shape would take all of grid {code}; merge the two grids instead")
    return rest


def _hand_out(
    target: str,
    new: BaseGeometry,
    grids: Mapping[str, BaseGeometry],
    shapes: dict[str, BaseGeometry],
    metric: Metric,
    tolerances: Tolerances,
) -> list[BaseGeometry]:
    """Give each piece of land the target gives up to the neighbour with the longest
    shared edge (as the neighbours are now); return the pieces no neighbour borders."""
    gaps = []
    for piece in polygons(shapely.difference(grids[target], new)):
        current = {c: shapes.get(c, g) for c, g in grids.items() if c != target}
        best = _neighbour(piece, current, metric)
        if best is not None:
            shapes[best] = multipolygon([shapely.union(current[best], piece)])
        elif metric.area(piece) > tolerances.noise_m2:
            gaps.append(piece)
    return gaps


def _clean(
    grids: Mapping[str, BaseGeometry],
    shapes: dict[str, BaseGeometry],
    metric: Metric,
    tolerances: Tolerances,
) -> dict[str, BaseGeometry]:
    """Move sliver parts of changed grids (left where an outline ran close to another
    edge) to the grid sharing the longest edge with them."""
    now = {**grids, **shapes}
    for code in list(shapes):
        parts = polygons(now[code])
        if len(parts) < 2:
            continue
        for part in parts:
            if not _sliver(part, metric, tolerances):
                continue
            best = _neighbour(part, {c: g for c, g in now.items() if c != code}, metric)
            if best is None:
                continue
            now[best] = multipolygon([shapely.union(now[best], part)])
            now[code] = multipolygon([shapely.difference(now[code], part)])
            shapes[best], shapes[code] = now[best], now[code]
    return shapes


def _changed(
    grids: Mapping[str, BaseGeometry],
    shapes: dict[str, BaseGeometry],
    metric: Metric,
    tolerances: Tolerances,
) -> dict[str, BaseGeometry]:
    """Only the grids whose land changes by more than noise (an overlay may rewrite a
    ring without moving it)."""
    return {
        code: shape
        for code, shape in shapes.items()
        if code not in grids
        or metric.area(shapely.symmetric_difference(grids[code], shape)) > tolerances.noise_m2
    }


def _warnings(shapes: Mapping[str, BaseGeometry | None]) -> list[str]:
    notes = []
    for code, shape in sorted(shapes.items()):
        count = len(polygons(shape))
        if count > 1:
            notes.append(f"grid {code} would be in {count} separate parts")
    return notes


def split(
    community: BaseGeometry,
    grids: Mapping[str, BaseGeometry],
    target: str,
    line: BaseGeometry,
    new_code: str,
    *,
    tolerances: Tolerances = DEFAULT_TOLERANCES,
) -> Plan:
    """Cut `target` along a line into two grids: the larger part keeps the code, the
    other becomes `new_code`."""
    if line.geom_type != "LineString" or line.is_empty:
        raise EditError("the split line must be a LineString")
    if not line.is_simple:
        raise EditError("the split line crosses itself; draw it once across the grid")
    metric = Metric.around(community)
    pieces = polygons(shapely.ops.split(grids[target], line))
    if len(pieces) < 2:
        raise EditError(
            f"the line does not cut grid {target} in two: draw it across the grid, "
            "starting and ending outside it"
        )
    if len(pieces) > 2:
        raise EditError(
            f"the line cuts grid {target} into {len(pieces)} pieces; draw a line that "
            "crosses it once"
        )
    pieces.sort(key=metric.area, reverse=True)
    for piece in pieces:
        if _sliver(piece, metric, tolerances):
            raise EditError(
                f"the line runs too close to the edge of {target}: one side would be only "
                f"{metric.area(piece):,.1f} m²"
            )
    shapes: dict[str, BaseGeometry | None] = {
        target: multipolygon([pieces[0]]),
        new_code: multipolygon([pieces[1]]),
    }
    return Plan(shapes=shapes, created=(new_code,), warnings=_warnings(shapes))


def merge(
    community: BaseGeometry,
    grids: Mapping[str, BaseGeometry],
    target: str,
    other: str,
) -> Plan:
    """`target` takes all of `other`, which is removed; the two must share an edge."""
    if other == target:
        raise EditError("a grid cannot be merged with itself")
    metric = Metric.around(community)
    if _neighbour(grids[target], {other: grids[other]}, metric) is None:
        raise EditError(f"grids {target} and {other} share no edge; only neighbours can merge")
    union = multipolygon([shapely.union(grids[target], grids[other])])
    shapes: dict[str, BaseGeometry | None] = {target: union, other: None}
    return Plan(shapes=shapes, warnings=_warnings(shapes))


@dataclass(frozen=True)
class MovedArea:
    from_grid: str | None  # None: land no grid held (a gap filled)
    to_grid: str
    area: BaseGeometry  # lon/lat
    area_m2: float


def moved_areas(
    old: Mapping[str, BaseGeometry | None],
    new: Mapping[str, BaseGeometry | None],
    metric: Metric,
    *,
    min_m2: float = 1.0,
) -> list[MovedArea]:
    """The land that changes grid in an edit, by pair of grids: what grid `to` holds now
    that grid `from` held before (the shapes of the grids the edit touched, lon/lat)."""
    out = []
    for to, shape in new.items():
        if shape is None:
            continue
        for source, before in old.items():
            if source == to or before is None:
                continue
            part = shapely.intersection(before, shape)
            area = metric.area(part) if not part.is_empty else 0.0
            if area >= min_m2:
                out.append(MovedArea(source, to, multipolygon(polygons(part)), round(area, 1)))
    return out
