"""Buildings and households, in metres, grid by grid.

Urban grids hold residential compounds (小区): rows of multi-storey buildings of 1–3 units,
6–18 floors and 2 flats a floor, about 85 % of flats occupied. Village grids hold houses of
one or two households strung along a few winding roads. Every building stands inside its
grid shrunk by GRID_INNER_MARGIN and every household lies within 10 m of its building, so
each household is at least 2 m inside exactly one grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from data import _text
from data._geometry import FloatArray, GeomArray, IntArray, sample_in
from data._text import ObjArray
from data._tiling import GRID_INNER_MARGIN

BoolArray = npt.NDArray[np.bool_]

OCCUPANCY = 0.85
UNITS = (np.array([1, 2, 3]), np.array([0.2, 0.65, 0.15]))
FLOORS = (np.array([6, 7, 9, 11, 12, 15, 17, 18]), np.array([6, 2, 1, 4, 1, 1, 1, 4]) / 20)
COMPOUND_ROWS, COMPOUND_COLS = 2, 3  # a compound (小区): up to 6 buildings in a lattice
SPACING = (45.0, 35.0)  # m between buildings along and across a row
SPREAD = 10.0  # m: no household lies farther than this from its building point
assert SPREAD + 2.0 <= GRID_INNER_MARGIN


@dataclass(frozen=True)
class _Part:
    """Households of the urban or of the rural grids, in grid order."""

    x: FloatArray
    y: FloatArray
    building: IntArray  # index into the part's buildings
    suffix: ObjArray  # "2单元 501", "" or "附1"
    bx: FloatArray
    by: FloatArray
    bgrid: IntArray
    broad: IntArray  # village road of each house (unused for urban buildings)
    bangle: FloatArray  # building orientation (radians; 0 for village houses)
    bunits: IntArray  # units side by side (0: a village house)
    roads: GeomArray  # the village roads (none in town)


@dataclass(frozen=True)
class Homes:
    x: FloatArray
    y: FloatArray
    grid: IntArray
    building_key: ObjArray
    address: ObjArray
    rural: BoolArray
    buildings: Buildings


@dataclass(frozen=True)
class Buildings:
    """One entry per building (or village house), for the base map's footprints."""

    x: FloatArray
    y: FloatArray
    angle: FloatArray
    units: IntArray  # 0: a village house
    key: ObjArray  # the households' building_key
    label: ObjArray  # "名都社区 3栋", "北沥村 2组 17号"
    roads: GeomArray  # village roads (metres)


def _fill(need: IntArray, sizes: IntArray) -> tuple[IntArray, IntArray, BoolArray]:
    """Items come in len(need) groups of equal length; keep an item of group g while the
    sizes kept before it fall short of need[g]. Returns (group, size before, keep)."""
    upper = len(sizes) // len(need)
    group = np.repeat(np.arange(len(need)), upper)
    before = np.cumsum(sizes) - sizes
    before -= np.repeat(before[::upper], upper)
    return group, before, before < need[group]


def _place(
    rng: np.random.Generator, inner: GeomArray, grid: IntArray, per_grid_index: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Building points in compounds: each compound a rotated lattice around a centre sampled
    in the grid; lattice points that fall outside the grid are sampled anew."""
    per_compound = COMPOUND_ROWS * COMPOUND_COLS
    compound = per_grid_index // per_compound
    first = np.r_[True, (grid[1:] != grid[:-1]) | (compound[1:] != compound[:-1])]
    cx, cy = sample_in(rng, inner, grid[first])
    angle = rng.uniform(-0.35, 0.35, first.sum())  # rows face roughly south
    owner = np.cumsum(first) - 1
    slot = per_grid_index % per_compound
    along = (slot % COMPOUND_COLS - (COMPOUND_COLS - 1) / 2) * SPACING[0]
    across = (slot // COMPOUND_COLS - (COMPOUND_ROWS - 1) / 2) * SPACING[1]
    along, across = along + rng.normal(0, 2, len(slot)), across + rng.normal(0, 2, len(slot))
    cos, sin = np.cos(angle[owner]), np.sin(angle[owner])
    x, y = cx[owner] + cos * along - sin * across, cy[owner] + sin * along + cos * across
    out = ~shapely.contains_xy(inner[grid], x, y)
    x[out], y[out] = sample_in(rng, inner, grid[out])
    return x, y, angle[owner]


def _empty() -> _Part:
    none, empty = np.zeros(0), np.zeros(0, np.int64)
    nothing = np.empty(0, object)
    return _Part(none, none, empty, nothing, none, none, empty, empty, none, empty, nothing)


def _urban(rng: np.random.Generator, inner: GeomArray, grids: IntArray, need: IntArray) -> _Part:
    if not len(grids):
        return _empty()
    flats_needed = np.ceil(need / OCCUPANCY).astype(np.int64)
    upper = max(1, int(np.ceil(flats_needed.max(initial=0) / 12)))  # 12: the smallest building
    units = rng.choice(UNITS[0], len(grids) * upper, p=UNITS[1])
    floors = rng.choice(FLOORS[0], len(grids) * upper, p=FLOORS[1])
    group, _, keep = _fill(flats_needed, units * floors * 2)
    units, floors, group = units[keep], floors[keep], group[keep]
    bx, by, angle = _place(rng, inner, grids[group], _text.group_rank(group))
    # Flats: building b has units*floors*2 of them, numbered unit by unit, floor by floor.
    cap = units * floors * 2
    flat_b = np.repeat(np.arange(len(cap)), cap)
    k, fl = _text.group_rank(flat_b), floors[flat_b]
    unit, floor, room = k // (fl * 2) + 1, (k // 2) % fl + 1, k % 2 + 1
    # Occupancy: exactly need[g] flats of grid g, drawn at random.
    fg = group[flat_b]
    order = np.lexsort((rng.random(len(flat_b)), fg))
    chosen = np.sort(order[_text.group_rank(fg[order]) < need[fg[order]]])
    flat_b, unit, floor, room = flat_b[chosen], unit[chosen], floor[chosen], room[chosen]
    # Units side by side along the building, two flats a landing, ±1 m jitter: ≤ 9.6 m.
    along = (unit - (units[flat_b] + 1) / 2) * 7.0 + (room - 1.5) * 3.0
    along += rng.uniform(-1, 1, len(flat_b))
    across = rng.uniform(-1, 1, len(flat_b))
    cos, sin = np.cos(angle[flat_b]), np.sin(angle[flat_b])
    table = [f"{u}单元 {f}{r:02d}" for u in range(1, 4) for f in range(1, 19) for r in (1, 2)]
    return _Part(
        x=bx[flat_b] + cos * along - sin * across,
        y=by[flat_b] + sin * along + cos * across,
        building=flat_b,
        suffix=_text.lookup(table, ((unit - 1) * 18 + floor - 1) * 2 + room - 1),
        bx=bx,
        by=by,
        bgrid=grids[group],
        broad=np.zeros(len(bx), np.int64),
        bangle=angle,
        bunits=units,
        roads=np.empty(0, object),
    )


def _roads(
    rng: np.random.Generator, inner: GeomArray, grid: IntArray
) -> tuple[GeomArray, FloatArray]:
    """One winding village road per entry of grid: 4 segments of 150–300 m through a point
    sampled inside the grid. Returns the lines and their lengths."""
    x, y = sample_in(rng, inner, grid)
    heading = rng.uniform(0, 2 * np.pi, len(grid))[:, None] + np.cumsum(
        rng.normal(0, 0.3, (len(grid), 4)), axis=1
    )
    step = rng.uniform(150, 300, (len(grid), 4))
    vx = np.cumsum(np.c_[np.zeros(len(grid)), step * np.cos(heading)], axis=1)
    vy = np.cumsum(np.c_[np.zeros(len(grid)), step * np.sin(heading)], axis=1)
    vx += (x - vx[:, 2])[:, None]  # the sampled point is the middle vertex
    vy += (y - vy[:, 2])[:, None]
    lines = shapely.linestrings(np.stack([vx, vy], axis=2))
    return lines, shapely.length(lines)


def _along_roads(
    rng: np.random.Generator, inner: GeomArray, grid: IntArray, lines: GeomArray, length: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Houses 10–25 m to either side of their road, inside the grid; a house that finds no
    spot after 30 tries stands anywhere in the grid (and is numbered last on its road)."""
    n = len(grid)
    x, y, t = np.empty(n), np.empty(n), np.empty(n)
    todo = np.arange(n)
    for _ in range(30):
        if todo.size == 0:
            break
        t[todo] = rng.uniform(0, length[todo] - 1.0)
        p = shapely.line_interpolate_point(lines[todo], t[todo])
        q = shapely.line_interpolate_point(lines[todo], t[todo] + 1.0)
        px, py = shapely.get_x(p), shapely.get_y(p)
        dx, dy = shapely.get_x(q) - px, shapely.get_y(q) - py
        off = rng.uniform(10, 25, todo.size) * rng.choice([-1.0, 1.0], todo.size)
        x[todo], y[todo] = px - dy * off, py + dx * off  # (dx, dy) is a unit tangent
        todo = todo[~shapely.contains_xy(inner[grid[todo]], x[todo], y[todo])]
    x[todo], y[todo] = sample_in(rng, inner, grid[todo])
    t[todo] = length[todo] + rng.random(todo.size)
    return x, y, t


def _rural(rng: np.random.Generator, inner: GeomArray, grids: IntArray, need: IntArray) -> _Part:
    if not len(grids):
        return _empty()
    upper = max(1, int(need.max(initial=0)))
    sizes = 1 + (rng.random(len(grids) * upper) < 0.3).astype(np.int64)
    group, before, keep = _fill(need, sizes)
    sizes = np.minimum(sizes, need[group] - before)[keep]  # the last house may be trimmed
    group = group[keep]
    roads = np.clip(np.ceil(np.bincount(group, minlength=len(grids)) / 40), 1, 6)
    road_grid = np.repeat(grids, roads.astype(np.int64))
    lines, length = _roads(rng, inner, road_grid)
    road_first = np.cumsum(roads).astype(np.int64) - roads.astype(np.int64)
    road = road_first[group] + (rng.random(len(group)) * roads[group]).astype(np.int64)
    x, y, t = _along_roads(rng, inner, road_grid[road], lines[road], length[road])
    order = np.lexsort((t, road))  # number the houses along each road
    x, y, sizes, road = x[order], y[order], sizes[order], road[order]
    house = np.repeat(np.arange(len(sizes)), sizes)
    angle = rng.uniform(0, 2 * np.pi, len(house))
    r = np.where(sizes[house] == 2, 2.0, 0.0) + rng.uniform(0, 1.5, len(house))  # ≤ 3.5 m
    second = _text.group_rank(house) == 1
    return _Part(
        x=x[house] + r * np.cos(angle),
        y=y[house] + r * np.sin(angle),
        building=house,
        suffix=np.where(second, "附1", "").astype(object),
        bx=x,
        by=y,
        bgrid=road_grid[road],
        broad=road,
        bangle=np.zeros(len(x)),
        bunits=np.zeros(len(x), np.int64),
        roads=shapely.intersection(lines, inner[road_grid]),
    )


def _labels(part: _Part, grid_comm: IntArray, comm_names: list[str], rural: bool) -> ObjArray:
    """Address prefix of each building: "名都社区 3栋 " or "北沥村 2组 17号" (houses are
    numbered along their road, roads are the village's groups 组)."""
    comm = grid_comm[part.bgrid]
    name = _text.lookup(comm_names, comm)
    if not rural:
        return _text.concat(name, " ", _text.digits(_text.group_rank(comm) + 1), "栋 ")
    # Houses are sorted by road, roads by grid, grids by community: number the roads that
    # have houses 1, 2, ... within each village.
    change = np.r_[True, part.broad[1:] != part.broad[:-1]]
    dense = np.cumsum(change) - 1
    group_no = dense - np.maximum.accumulate(np.where(_text.group_rank(comm) == 0, dense, 0)) + 1
    house_no = _text.group_rank(part.broad) + 1
    return _text.concat(name, " ", _text.digits(group_no), "组 ", _text.digits(house_no), "号")


def build(
    rng: np.random.Generator,
    grid_cells: GeomArray,
    grid_comm: IntArray,
    comm_names: list[str],
    comm_codes: list[str],
    rural_comm: BoolArray,
    need: IntArray,
) -> Homes:
    """Households of every grid (need[g] of them), sorted by grid, building and flat."""
    inner = shapely.buffer(grid_cells, -GRID_INNER_MARGIN)
    shapely.prepare(inner)
    rural_grid = rural_comm[grid_comm]
    ids = np.arange(len(grid_cells))
    parts = [
        _urban(rng, inner, ids[~rural_grid], need[~rural_grid]),
        _rural(rng, inner, ids[rural_grid], need[rural_grid]),
    ]
    labels = [_labels(parts[0], grid_comm, comm_names, False)]
    labels.append(_labels(parts[1], grid_comm, comm_names, True))
    # Building keys number the buildings (or houses) of a community 1, 2, ...
    bgrid = np.concatenate([p.bgrid for p in parts])
    bcomm = grid_comm[bgrid]
    border = np.argsort(bcomm, kind="stable")
    number = np.empty(len(bgrid), np.int64)
    number[border] = _text.group_rank(bcomm[border]) + 1
    keys = _text.concat(_text.lookup(comm_codes, bcomm), "-B", _text.digits(number, 4))
    offset = np.cumsum([0, len(parts[0].bx)])
    building = np.concatenate([p.building + o for p, o in zip(parts, offset, strict=True)])
    grid = bgrid[building]
    order = np.argsort(grid, kind="stable")
    building = building[order]
    x = np.concatenate([p.x for p in parts])[order]
    y = np.concatenate([p.y for p in parts])[order]
    suffix = np.concatenate([p.suffix for p in parts])[order]
    return Homes(
        x=x,
        y=y,
        grid=grid[order],
        building_key=keys[building],
        address=_text.concat(np.concatenate(labels)[building], suffix),
        rural=rural_grid[grid[order]],
        buildings=Buildings(
            x=np.concatenate([p.bx for p in parts]),
            y=np.concatenate([p.by for p in parts]),
            angle=np.concatenate([p.bangle for p in parts]),
            units=np.concatenate([p.bunits for p in parts]),
            key=keys,
            label=np.array([str(v).strip() for v in np.concatenate(labels)], dtype=object),
            roads=np.concatenate([p.roads for p in parts]),
        ),
    )
