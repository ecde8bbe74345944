"""The base map of the demo, in metres: streets along the grid, community and street
borders (grids are drawn along roads; households keep 12 m off every grid edge, so no road
runs through a building), the village roads the houses line, Aixi Lake (艾溪湖) off the
district's west shore with its wetland park, a small park in each urban community, and a
footprint for every building.

Streets are split where they meet (a walking network needs its junctions); each carries the
name and OpenStreetMap highway class of the road it belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from data import names
from data._geometry import GeomArray, sample_in
from data._homes import Buildings
from data._tiling import Tiling

ON_BORDER = 0.5  # m: a street this close to a border runs along it
LAKE_WIDTH = 900.0  # m
SHORE = 60.0  # m of wetland park between the lake and the district
PARK_RADIUS = 45.0  # m
STEMS = ("艾溪", "瑶湖", "紫阳", "京东", "麻丘", "天祥", "创新", "学府", "枫林", "昌东")
DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Ways:
    geom: GeomArray  # LineStrings in metres
    highway: list[str]
    name: list[str | None]


@dataclass(frozen=True)
class Land:
    geom: GeomArray  # Polygons in metres
    kind: list[str]
    name: list[str | None]
    code: list[str]


def _numeral(n: int) -> str:
    """1..99 in Chinese numerals (一, 十二, 三十五)."""
    tens, ones = divmod(n, 10)
    head = ("" if tens == 1 else DIGITS[tens]) + "十" if tens else ""
    return head + (DIGITS[ones] if ones or not tens else "")


def road_name(k: int) -> str:
    """The k-th road name: the zone's real roads first, then 艾溪一路, 瑶湖一路 ..."""
    if k < len(names.ROADS):
        return names.ROADS[k]
    k -= len(names.ROADS)
    stem, number = STEMS[k % len(STEMS)], k // len(STEMS) + 1
    return f"{stem}{_numeral(number) if number < 100 else number}路"


def _classify(chains: GeomArray, t: Tiling) -> list[str]:
    middle = shapely.line_interpolate_point(chains, 0.5, normalized=True)
    levels = [
        (shapely.boundary(t.district), "primary"),
        (shapely.union_all(shapely.boundary(t.street_cells)), "primary"),
        (shapely.union_all(shapely.boundary(t.community_cells)), "secondary"),
    ]
    out = np.full(len(chains), "residential", dtype=object)
    for border, highway in reversed(levels):
        out[shapely.dwithin(middle, border, ON_BORDER)] = highway
    return list(out)


def _names(chains: GeomArray, highway: list[str]) -> list[str | None]:
    """Primary and secondary streets take the name of the road they are part of (merged
    through their junctions), the longest roads the first names."""
    out: list[str | None] = [None] * len(chains)
    major = np.flatnonzero([h != "residential" for h in highway])
    if not len(major):
        return out
    roads = shapely.get_parts(shapely.line_merge(shapely.union_all(chains[major])))
    roads = roads[np.argsort(-shapely.length(roads), kind="stable")]
    tree = shapely.STRtree(roads)
    middle = shapely.line_interpolate_point(chains[major], 0.5, normalized=True)
    chain_i, road_i = tree.query(middle, predicate="dwithin", distance=ON_BORDER)
    for c, r in zip(chain_i.tolist(), road_i.tolist(), strict=True):
        if out[major[c]] is None:
            out[major[c]] = road_name(r)
    return out


def _ways(t: Tiling, buildings: Buildings) -> Ways:
    linework = shapely.union_all(shapely.boundary(t.grid_cells))
    chains = shapely.get_parts(shapely.line_merge(linework))
    chains = chains[shapely.length(chains) > 1.0]
    highway = _classify(chains, t)
    village = shapely.get_parts(buildings.roads)
    village = village[(shapely.get_type_id(village) == 1) & (shapely.length(village) > 20.0)]
    return Ways(
        geom=np.concatenate([chains, village]),
        highway=highway + ["unclassified"] * len(village),
        name=_names(chains, highway) + [None] * len(village),
    )


def _lake(t: Tiling) -> tuple[Any, Any]:
    """The lake west of the district's west shore, and the wetland park between them."""
    xmin, ymin, xmax, ymax = shapely.bounds(t.district)
    west = shapely.box(xmin - 2 * LAKE_WIDTH, ymin, xmin + 0.2 * (xmax - xmin), ymax)
    shore = shapely.intersection(shapely.boundary(t.district), west)
    band = shapely.buffer(shore, LAKE_WIDTH + SHORE, cap_style="flat")
    outside = shapely.difference(band, shapely.buffer(t.district, SHORE))
    parts = shapely.get_parts(outside)
    lake = parts[np.argmax(shapely.area(parts))]
    park = shapely.difference(
        shapely.intersection(shapely.buffer(t.district, SHORE), shapely.buffer(shore, SHORE)),
        t.district,
    )
    return lake, park


def _footprints(b: Buildings) -> GeomArray:
    """Rectangles along each building (a 12 m deep slab, 7 m a unit) or a 10 x 10 m house."""
    half_long = np.where(b.units > 0, 3.5 * b.units + 1.5, 5.0)
    half_deep = np.where(b.units > 0, 6.0, 5.0)
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=float)
    along = corners[None, :, 0] * half_long[:, None]
    across = corners[None, :, 1] * half_deep[:, None]
    cos, sin = np.cos(b.angle)[:, None], np.sin(b.angle)[:, None]
    x = b.x[:, None] + cos * along - sin * across
    y = b.y[:, None] + sin * along + cos * across
    out: GeomArray = shapely.polygons(np.stack([x, y], axis=2))
    return out


def _parks(
    rng: np.random.Generator, t: Tiling, footprints: GeomArray
) -> tuple[GeomArray, list[str]]:
    """A round park in each urban community, where no building stands."""
    urban = np.flatnonzero([level == "community" for level in t.community_levels])
    if not len(urban):
        return np.empty(0, object), []
    tree = shapely.STRtree(footprints)
    x, y = sample_in(rng, t.community_cells, np.repeat(urban, 8).astype(np.int64))
    spots = shapely.points(x, y).reshape(len(urban), 8)
    parks, labels = [], []
    for row, c in zip(spots, urban.tolist(), strict=True):
        free = [p for p in row if not len(tree.query(p, "dwithin", PARK_RADIUS + 5.0))]
        inner = [p for p in free if shapely.contains(t.community_cells[c], shapely.buffer(p, 50))]
        if inner:
            parks.append(shapely.buffer(inner[0], PARK_RADIUS))
            labels.append(f"{t.community_names[c].removesuffix('社区')}公园")
    return np.array(parks, dtype=object), labels


def _land(rng: np.random.Generator, t: Tiling, b: Buildings) -> Land:
    lake, park = _lake(t)
    footprints = _footprints(b)
    parks, park_names = _parks(rng, t, footprints)
    n = len(parks)
    return Land(
        geom=np.concatenate([[lake, park], parks, footprints]),
        kind=["water", "green"] + ["green"] * n + ["building"] * len(footprints),
        name=["艾溪湖", "艾溪湖湿地公园", *park_names, *(str(v) for v in b.label)],
        code=["L-W0001", "L-G0001"]
        + [f"L-G{i + 2:04d}" for i in range(n)]
        + [str(k) for k in b.key],
    )


def build(rng: np.random.Generator, t: Tiling, buildings: Buildings) -> tuple[Ways, Land]:
    return _ways(t, buildings), _land(rng, t, buildings)


def numbered(prefix: str, count: int) -> list[str]:
    width = max(6, len(str(count)))
    return [f"{prefix}{i + 1:0{width}d}" for i in range(count)]
