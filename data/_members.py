"""Grid members (网格员): how many per grid, who they are, where they live.

A grid gets about one member per 20 households so that the 15–25 bound (每人联系服务15至25户)
can be met, except a few grids deliberately short of members (households > 25 × members) and
a few with too many (households < 15 × members): the assignment must report both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from data import _text, names
from data._geometry import FloatArray, GeomArray, IntArray
from data._text import ObjArray
from gis.vocabulary import MEMBER_KINDS

MIN_LOAD, MAX_LOAD = 15, 25
KINDS = MEMBER_KINDS
KIND_P = (0.80, 0.15, 0.05)
SPECIAL_GRIDS = 4  # short grids, and as many surplus grids
INACTIVE_SHARE = 0.02


@dataclass(frozen=True)
class Members:
    grid: IntArray
    x: FloatArray
    y: FloatArray
    kind: ObjArray
    duty: IntArray  # index into the six duties
    name: ObjArray
    service_phone: ObjArray
    personal_phone: ObjArray
    active: npt.NDArray[np.bool_]


def counts(rng: np.random.Generator, need: IntArray) -> IntArray:
    """Members per grid: about households / 20, with SPECIAL_GRIDS short and as many surplus
    grids picked among grids big enough for the shortfall to be clear."""
    count = np.maximum(1, np.rint(need / 20)).astype(np.int64)
    big = np.flatnonzero(need >= 40)
    special = rng.choice(big, size=min(2 * SPECIAL_GRIDS, len(big)), replace=False)
    short, surplus = special[:SPECIAL_GRIDS], special[SPECIAL_GRIDS:]
    # ceil(h / 25) - 1 members serve at most 25 × that < h households.
    lack = np.ceil(need[short] / MAX_LOAD).astype(np.int64) - 1
    count[short] = np.maximum(1, lack - rng.integers(0, 2, len(short)))
    # floor(h / 15) + 1 members need at least 15 × that > h households.
    count[surplus] = need[surplus] // MIN_LOAD + 1 + rng.integers(0, 3, len(surplus))
    return count


def _inactive(rng: np.random.Generator, need: IntArray, count: IntArray) -> IntArray:
    """Grids that lose one member to inactivity: only grids that stay within the bounds
    with one member fewer, so the short and surplus grids stay exactly the planned ones."""
    ok = (need <= MAX_LOAD * (count - 1)) & (need >= MIN_LOAD * (count - 1)) & (count > 1)
    ok &= (need >= MIN_LOAD * count) & (need <= MAX_LOAD * count)
    pool = np.flatnonzero(ok)
    size = min(len(pool), round(INACTIVE_SHARE * int(count.sum())))
    return np.sort(rng.choice(pool, size=size, replace=False))


def _homes(
    rng: np.random.Generator,
    grid: IntArray,
    kind: IntArray,
    home_xy: tuple[FloatArray, FloatArray],
    need: IntArray,
    grid_comm: IntArray,
    grid_cells: GeomArray,
) -> tuple[FloatArray, FloatArray]:
    """Residents live in a household of their grid; cadres and riders in one of their
    community (a rider who lived across the city could not be the grid's member: every
    distance to a home would be kilometres). Households are sorted by grid, grids by
    community."""
    hx, hy = home_xy
    start = np.cumsum(need) - need
    comm_need = np.bincount(grid_comm, weights=need).astype(np.int64)
    comm_start = np.cumsum(comm_need) - comm_need
    first, size = start[grid], need[grid]
    cadre = kind >= 1
    cadre_comm = grid_comm[grid[cadre]]
    first[cadre], size[cadre] = comm_start[cadre_comm], comm_need[cadre_comm]
    pick = first + (rng.random(len(grid)) * size).astype(np.int64)
    pick = np.minimum(pick, max(len(hx) - 1, 0))
    x, y = np.where(size > 0, hx[pick], 0.0), np.where(size > 0, hy[pick], 0.0)
    empty = size == 0  # a grid without households (tiny data sets): its inner point
    spot = shapely.point_on_surface(grid_cells[grid[empty]])
    x[empty], y[empty] = shapely.get_x(spot), shapely.get_y(spot)
    return x, y


def _people(rng: np.random.Generator, n: int) -> tuple[ObjArray, ObjArray, ObjArray]:
    """Fake names (surname + one or two given characters) and two distinct mobile numbers."""
    rank = np.arange(1, len(names.SURNAMES) + 1)
    surname = rng.choice(len(names.SURNAMES), n, p=(w := rank**-0.8) / w.sum())
    given = rng.integers(0, len(names.GIVEN_CHARS), (n, 2))
    second = _text.lookup(("", *names.GIVEN_CHARS), (given[:, 1] + 1) * (rng.random(n) < 0.65))
    name = _text.concat(
        _text.lookup(names.SURNAMES, surname), _text.lookup(names.GIVEN_CHARS, given[:, 0]), second
    )
    phones = []
    for _ in range(2):
        prefix = _text.lookup(names.MOBILE_PREFIXES, rng.integers(0, len(names.MOBILE_PREFIXES), n))
        phones.append((prefix, rng.integers(0, 10**8, n)))
    (p1, d1), (p2, d2) = phones
    d2 = np.where((p1 == p2) & (d1 == d2), (d2 + 1) % 10**8, d2)  # never the same number
    service = _text.concat(p1, _text.digits(d1, 8))
    personal = _text.concat(p2, _text.digits(d2, 8))
    return name, service, personal


def build(
    rng: np.random.Generator,
    need: IntArray,
    home_xy: tuple[FloatArray, FloatArray],
    grid_comm: IntArray,
    grid_cells: GeomArray,
) -> Members:
    count = counts(rng, need)
    grid = np.repeat(np.arange(len(need)), count)
    kind = rng.choice(len(KINDS), len(grid), p=KIND_P)
    x, y = _homes(rng, grid, kind, home_xy, need, grid_comm, grid_cells)
    active = np.ones(len(grid), dtype=bool)
    lazy = _inactive(rng, need, count)
    first = np.cumsum(count) - count
    active[first[lazy] + rng.integers(0, count[lazy])] = False
    name, service, personal = _people(rng, len(grid))
    return Members(
        grid=grid,
        x=x,
        y=y,
        kind=_text.lookup(KINDS, kind),
        duty=rng.integers(0, 6, len(grid)),
        name=name,
        service_phone=service,
        personal_phone=personal,
        active=active,
    )
