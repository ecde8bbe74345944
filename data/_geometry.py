"""Geometry primitives in metres, vectorised with shapely 2: exact tilings, densifying,
rejection sampling.

Exact means siblings share every vertex of their common edges bit for bit, so they tile
their parent with no gap and no overlap in any CRS the coordinates are transformed to
(a vertex transforms the same way in both polygons).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from data._text import group_rank

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
GeomArray = npt.NDArray[np.object_]

# A straight edge in metres bends in lon/lat: 10 cm off at 3 km, 1 m at 10 km. Edges cut to
# at most 100 m stay within 0.1 mm of either reading, so stored lon/lat polygons keep the
# shapes (and the 2 m household margins) that were built in metres.
MAX_SEGMENT = 100.0
_POLYGON = 3


def as_multipolygons(geoms: GeomArray) -> GeomArray:
    """One valid MultiPolygon per input, keeping every polygonal part (stray zero-area
    lines or points are the only things dropped)."""
    geoms = np.asarray(geoms, dtype=object)
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        geoms = geoms.copy()
        geoms[bad] = shapely.make_valid(geoms[bad])
    parts, index = shapely.get_parts(geoms, return_index=True)
    while True:  # collections may nest multi-geometries; flatten to simple parts
        multi = shapely.get_type_id(parts) >= 4
        if not multi.any():
            break
        sub, sub_index = shapely.get_parts(parts, return_index=True)
        parts, index = sub, index[sub_index]
    keep = (shapely.get_type_id(parts) == _POLYGON) & ~shapely.is_empty(parts)
    if np.unique(index[keep]).size != len(geoms):
        raise ValueError("a cell has no polygonal part")
    return np.asarray(shapely.multipolygons(parts[keep], indices=index[keep]), dtype=object)


def densify(geoms: GeomArray, max_length: float = MAX_SEGMENT) -> GeomArray:
    """Split every edge into pieces of at most max_length. Unlike shapely.segmentize, the
    new points are computed from the segment's endpoints in a fixed (lexicographic) order,
    so two polygons that share an edge in opposite directions get identical points."""
    polys, poly_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_poly = shapely.get_rings(polys, return_index=True)
    xy, ring_of = shapely.get_coordinates(rings, return_index=True)
    same = ring_of[:-1] == ring_of[1:]  # consecutive vertices of one (closed) ring
    a, b, seg_ring = xy[:-1][same], xy[1:][same], ring_of[:-1][same]
    flip = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    lo, hi = np.where(flip[:, None], b, a), np.where(flip[:, None], a, b)
    pieces = np.maximum(1, np.ceil(np.hypot(*(hi - lo).T) / max_length)).astype(np.int64)
    seg = np.repeat(np.arange(len(a)), pieces)
    k = group_rank(seg)  # k-th point from a; k = 0 is a itself
    j = np.where(flip[seg], pieces[seg] - k, k)  # the same point counted from lo
    out = lo[seg] + (hi[seg] - lo[seg]) * (j / pieces[seg])[:, None]
    out[k == 0] = a  # keep the original vertices bit for bit
    new_rings = shapely.linearrings(out, indices=seg_ring[seg])  # closes each ring
    new_polys = shapely.polygons(new_rings, indices=ring_poly)  # first ring: the shell
    return np.asarray(shapely.multipolygons(new_polys, indices=poly_of), dtype=object)


def tile(seeds: FloatArray, parent: Any) -> GeomArray:
    """Voronoi cells of seeds (n × 2) cut to parent, in seed order, densified.

    The Voronoi edges and the parent's boundary are noded together once and polygonized,
    so each crossing point is computed once and shared by both cells beside it (clipping
    each cell separately can place it a few ulps apart in the two)."""
    if len(seeds) == 1:
        return densify(as_multipolygons(np.array([parent], dtype=object)))
    frame = shapely.buffer(shapely.envelope(parent), 100.0)
    edges = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame, only_edges=True)
    noded = shapely.union_all([edges, shapely.boundary(parent)])
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    # Faces lie wholly inside or outside parent; decide by area, robust for slivers.
    inside = shapely.area(shapely.intersection(faces, parent)) > 0.5 * shapely.area(faces)
    faces = faces[inside]
    spot = shapely.point_on_surface(faces)
    gap = (shapely.get_x(spot)[:, None] - seeds[:, 0]) ** 2
    gap += (shapely.get_y(spot)[:, None] - seeds[:, 1]) ** 2
    owner = gap.argmin(axis=1)  # a face lies in one Voronoi cell: its nearest seed's
    order = np.argsort(owner, kind="stable")
    if np.unique(owner).size != len(seeds):
        raise ValueError("a seed got no face")
    if not np.isclose(shapely.area(faces).sum(), shapely.area(parent), rtol=1e-9):
        raise ValueError("cells do not cover their parent")
    cells = shapely.multipolygons(faces[order], indices=owner[order])
    return densify(as_multipolygons(cells))


def voronoi_cells(seeds: FloatArray, parent: Any) -> GeomArray:
    """Voronoi cells of seeds, in seed order, clipped to parent (cheap; for relaxing)."""
    if len(seeds) == 1:
        return np.array([parent], dtype=object)
    diagram = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=parent, ordered=True)
    cells: GeomArray = shapely.intersection(shapely.get_parts(diagram), parent)
    return cells


def relax(seeds: FloatArray, parent: Any, *, fixed: int, rounds: int) -> FloatArray:
    """Lloyd relaxation: move the free seeds (index ≥ fixed) to their cells' centroids so
    cells come out of similar size; the named places' seeds stay where they are."""
    seeds = seeds.copy()
    for _ in range(rounds):
        cells = voronoi_cells(seeds, parent)[fixed:]
        centre = shapely.centroid(cells)
        outside = ~shapely.within(centre, parent)
        centre[outside] = shapely.point_on_surface(cells[outside])
        seeds[fixed:, 0], seeds[fixed:, 1] = shapely.get_x(centre), shapely.get_y(centre)
    return seeds


def sample_in(
    rng: np.random.Generator, polys: GeomArray, owner: IntArray
) -> tuple[FloatArray, FloatArray]:
    """Uniform points, the i-th inside polys[owner[i]], by rejection from bounding boxes.
    After many misses (a sliver-shaped polygon) fall back to a point on its surface."""
    shapely.prepare(polys)
    bounds = shapely.bounds(polys)[owner]
    x = np.empty(len(owner))
    y = np.empty(len(owner))
    todo = np.arange(len(owner))
    for _ in range(200):
        if todo.size == 0:
            return x, y
        u = rng.random((todo.size, 2))
        b = bounds[todo]
        x[todo] = b[:, 0] + u[:, 0] * (b[:, 2] - b[:, 0])
        y[todo] = b[:, 1] + u[:, 1] * (b[:, 3] - b[:, 1])
        todo = todo[~shapely.contains_xy(polys[owner[todo]], x[todo], y[todo])]
    surface = shapely.point_on_surface(polys[owner[todo]])
    x[todo], y[todo] = shapely.get_x(surface), shapely.get_y(surface)
    return x, y
