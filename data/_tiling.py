"""Tilings in metres (EPSG:32650): the district cut into communities, communities grouped
into streets, and every community cut into grids.

Cells are Voronoi cells cut to their parent (see _geometry.tile), so siblings share their
edges vertex for vertex and tile the parent with no gap and no overlap ("横向到边、纵向到底").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer

from data import names
from data._geometry import (
    FloatArray,
    GeomArray,
    IntArray,
    as_multipolygons,
    densify,
    relax,
    sample_in,
    tile,
)

Progress = Callable[[str, int, int], None]

METRIC_CRS = "EPSG:32650"  # UTM 50N: the zone sits near its central meridian (117°E)
TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
TO_LONLAT = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)

GRID_INNER_MARGIN = 12.0  # m kept free along grid edges: building spread (10 m) + 2 m slack


@dataclass(frozen=True)
class Sizes:
    streets: int
    communities: int
    grids: int
    scale: float  # linear growth of the district outline beyond the real zone


@dataclass(frozen=True)
class Tiling:
    district: Any  # shapely MultiPolygon
    street_names: list[str]
    street_levels: list[str]
    street_cells: GeomArray
    community_names: list[str]
    community_levels: list[str]
    community_street: IntArray
    community_cells: GeomArray
    grid_community: IntArray
    grid_cells: GeomArray


def plan_sizes(households: int) -> Sizes:
    """About 400 households a grid, 7 grids a community and 15 communities a street, with
    the demo's named places as the floor. The outline grows with the square root of the
    households beyond 240,000 so that city-scale density stays urban, not absurd."""
    grids = max(70, round(households / 400))
    communities = max(len(names.PLACES), round(grids / 7))
    streets = max(len(names.STREETS), round(communities / 15))
    return Sizes(streets, communities, grids, max(1.0, float(np.sqrt(households / 240_000))))


def apportion(total: int, weights: FloatArray) -> IntArray:
    """Split total into integers proportional to weights (largest remainder method)."""
    share: FloatArray = total * weights / weights.sum()
    out: IntArray = np.floor(share).astype(np.int64)
    rest = total - int(out.sum())
    order = np.lexsort((np.arange(len(share)), -(share - out)))  # ties by index: stable
    out[order[:rest]] += 1
    return out


def district_outline(scale: float) -> Any:
    """The zone's outline in metres, grown about its centroid by scale, densified."""
    lon, lat = np.array(names.DISTRICT_OUTLINE).T
    x, y = TO_METRIC.transform(lon, lat)
    outline = shapely.Polygon(np.column_stack([x, y]))
    if scale > 1.0:
        outline = shapely.affinity.scale(outline, scale, scale, origin="centroid")
    return densify(as_multipolygons(np.array([outline], dtype=object)))[0]


def _assign_streets(
    rng: np.random.Generator, seeds: FloatArray, streets: int
) -> tuple[IntArray, FloatArray]:
    """Street of every community, and the centres of the numbered streets. Named places keep
    their street; numbered communities join the nearest anchor (a named place's seed or a
    numbered street's centre, placed by k-means), so streets come out compact."""
    named = len(names.PLACES)
    label = np.array([p.street for p in names.PLACES], dtype=np.int64)
    free = seeds[named:]
    extra = streets - len(names.STREETS)
    centres = free[rng.choice(len(free), size=extra, replace=False)] if extra else free[:0]
    anchors_label = np.concatenate([label, len(names.STREETS) + np.arange(extra)])
    nearest = np.zeros(len(free), dtype=np.int64)
    for _ in range(10):
        anchors = np.vstack([seeds[:named], centres])
        d = ((free[:, None, :] - anchors[None, :, :]) ** 2).sum(axis=2)
        nearest = anchors_label[d.argmin(axis=1)]
        for k in range(extra):
            members = free[nearest == len(names.STREETS) + k]
            if len(members):
                centres[k] = members.mean(axis=0)
    return np.concatenate([label, nearest]), centres


def _street_meta(centres: FloatArray, district: Any) -> tuple[list[str], list[str]]:
    """Names and levels of the streets: numbered streets near the centre are urban (街道),
    the outer ones rural towns (镇)."""
    middle = shapely.centroid(district)
    radius = np.sqrt(shapely.area(district) / np.pi)
    street_names = [s.name for s in names.STREETS]
    levels = [s.level for s in names.STREETS]
    for k, (x, y) in enumerate(centres, start=len(names.STREETS) + 1):
        urban = np.hypot(x - shapely.get_x(middle), y - shapely.get_y(middle)) < 0.55 * radius
        levels.append("street" if urban else "township")
        street_names.append(f"第{k}街道" if urban else f"第{k}镇")
    return street_names, levels


@dataclass(frozen=True)
class _Communities:
    seeds: FloatArray  # sorted by street, named places first
    street: IntArray
    names: list[str]
    levels: list[str]
    street_names: list[str]
    street_levels: list[str]


def _communities(rng: np.random.Generator, sizes: Sizes, district: Any) -> _Communities:
    lon = np.array([p.lon for p in names.PLACES])
    lat = np.array([p.lat for p in names.PLACES])
    named = np.column_stack(TO_METRIC.transform(lon, lat))
    free = sizes.communities - len(names.PLACES)
    x, y = sample_in(rng, np.array([district], dtype=object), np.zeros(free, dtype=np.int64))
    seeds = relax(np.vstack([named, np.column_stack([x, y])]), district, fixed=len(named), rounds=3)
    street, centres = _assign_streets(rng, seeds, sizes.streets)
    street_names, street_levels = _street_meta(centres, district)
    order = np.lexsort((np.arange(len(seeds)), street))
    seeds, street = seeds[order], street[order]
    rural = rng.random(len(seeds)) < 0.6
    comm_names: list[str] = []
    levels: list[str] = []
    for i, j in enumerate(order.tolist()):
        if j < len(names.PLACES):
            comm_names.append(names.PLACES[j].name)
            levels.append(names.PLACES[j].level)
        elif street_levels[street[i]] == "township" and rural[i]:
            comm_names.append(f"第{i + 1}村")
            levels.append("village")
        else:
            comm_names.append(f"第{i + 1}社区")
            levels.append("community")
    return _Communities(seeds, street, comm_names, levels, street_names, street_levels)


def _grids_of(rng: np.random.Generator, community: Any, count: int) -> GeomArray:
    """Cut one community into count grids of similar size, numbered north to south. Redraw
    the seeds if a grid is too thin to hold a building away from its edges."""
    for _ in range(50):
        x, y = sample_in(rng, np.array([community], dtype=object), np.zeros(count, np.int64))
        seeds = relax(np.column_stack([x, y]), community, fixed=0, rounds=3)
        cells = tile(seeds, community)
        inner = shapely.buffer(cells, -GRID_INNER_MARGIN)
        if count == 1 or shapely.area(inner).min() > 2_000.0:
            return cells[np.lexsort((seeds[:, 0], -seeds[:, 1]))]
    raise RuntimeError("could not cut a community into grids")


def build(rng: np.random.Generator, households: int, progress: Progress) -> Tiling:
    """District → communities (Voronoi of named and relaxed random seeds) → streets (unions
    of communities) and grids (Voronoi inside each community, villages get fewer)."""
    sizes = plan_sizes(households)
    district = district_outline(sizes.scale)
    comm = _communities(rng, sizes, district)
    cells = tile(comm.seeds, district)
    # Communities share exact edges, so a coverage union keeps their vertices unchanged.
    unions = [shapely.coverage_union_all(cells[comm.street == s]) for s in range(sizes.streets)]
    streets = as_multipolygons(np.array(unions, dtype=object))
    progress("areas", 1, 1)
    village = np.array([level == "village" for level in comm.levels])
    weight = np.sqrt(shapely.area(cells)) * np.where(village, 0.6, 1.0)
    floor = 2 if sizes.grids >= 2 * len(cells) else 1
    count = floor + apportion(sizes.grids - floor * len(cells), weight)
    grid_cells: list[GeomArray] = []
    for c, (cell, n) in enumerate(zip(cells, count.tolist(), strict=True)):
        grid_cells.append(_grids_of(rng, cell, n))
        progress("grids", c + 1, len(cells))
    return Tiling(
        district=district,
        street_names=comm.street_names,
        street_levels=comm.street_levels,
        street_cells=streets,
        community_names=comm.names,
        community_levels=comm.levels,
        community_street=comm.street,
        community_cells=cells,
        grid_community=np.repeat(np.arange(len(cells)), count),
        grid_cells=np.concatenate(grid_cells),
    )
