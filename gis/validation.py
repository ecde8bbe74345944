"""Do a community's grids partition it (横向到边)? Find what breaks it, and repair slivers.

Everything here works on shapely geometries in a projected CRS in metres (areas in m²,
tolerances in m); callers holding lon/lat project first with gis.geometry. Results are
small dataclasses: a kind, the grids involved, a location (a point or the offending piece,
in the input CRS) and a size in m².
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from gis.geometry import longest_shared_border, multipolygon, polygons, shared_border

KINDS = (
    "invalid",  # self-crossing, unclosed, or otherwise not a valid polygon
    "empty",
    "overlap",  # two grids claim the same land
    "gap",  # land of the community that no grid covers
    "outside",  # land of a grid outside its community
    "sliver",  # a thin or tiny piece: an overlap, gap, outside part or grid part
    "household_outside",  # a household of the community in no grid
    "no_households",
    "no_members",
)
PARTITION_KINDS = frozenset(KINDS[:6])  # the kinds that break "every place in one grid"
_TOUCH_M = 0.01  # borders this close (metres) count as shared


@dataclass(frozen=True)
class Tolerances:
    """What counts as noise and as a sliver, and how far a repair may move a boundary."""

    noise_m2: float = 0.1  # smaller pieces are floating-point noise, never reported
    sliver_m2: float = 1.0  # pieces smaller than this are slivers...
    tolerance_m: float = 1.0  # ...and so are pieces thinner than this; repair snaps this far


DEFAULT_TOLERANCES = Tolerances()


@dataclass(frozen=True)
class Issue:
    kind: str
    grids: tuple[str, ...]
    location: BaseGeometry  # a point, or the offending piece
    area_m2: float
    detail: str


@dataclass(frozen=True)
class Change:
    """How a repair changed one grid: area moved and the largest boundary shift."""

    grid: str
    area_m2: float
    shift_m: float
    within_tolerance: bool


@dataclass(frozen=True)
class Repair:
    grids: dict[str, BaseGeometry]  # every grid, repaired or not
    changes: list[Change]
    remaining: list[Issue] = field(default_factory=list)


# --- helpers ----------------------------------------------------------------------------


def is_sliver(piece: BaseGeometry, tolerances: Tolerances) -> bool:
    """Tiny, or so thin that no disc of the tolerance's diameter fits inside (metres)."""
    if piece.area < tolerances.sliver_m2:
        return True
    return bool(shapely.buffer(piece, -tolerances.tolerance_m / 2, quad_segs=2).is_empty)


def _touches(piece: BaseGeometry, other: BaseGeometry) -> bool:
    return bool(shared_border(piece, other, _TOUCH_M).length > 0)


# --- validation -------------------------------------------------------------------------


def validate(
    community: BaseGeometry,
    grids: Mapping[str, BaseGeometry | None],
    *,
    households: Mapping[str, int] | None = None,
    members: Mapping[str, int] | None = None,
    stray_households: Sequence[BaseGeometry] = (),
    tolerances: Tolerances = DEFAULT_TOLERANCES,
) -> list[Issue]:
    """Every problem of the community's grids, largest first within each kind.

    `households` / `members` map grid codes to counts (grids missing from a given map count
    0); `stray_households` are household points of the community that no grid holds.
    """
    issues: list[Issue] = []
    usable: dict[str, BaseGeometry] = {}
    for code in sorted(grids):
        geom, problem = _usable(grids[code], (code,))
        issues.extend(problem)
        if geom is not None:
            usable[code] = geom
    area, problem = _usable(community, ())
    issues.extend(problem)
    if area is not None:
        issues += _overlaps(usable, tolerances)
        issues += _outside(area, usable, tolerances)
        issues += _gaps(area, usable, tolerances)
    issues += _thin_parts(usable, tolerances)
    issues += _staffing(usable, households, members)
    issues += [
        Issue("household_outside", (), point, 0.0, "a household that no grid covers")
        for point in stray_households
    ]
    order = {kind: k for k, kind in enumerate(KINDS)}
    return sorted(issues, key=lambda i: (order[i.kind], -i.area_m2, i.grids))


def _usable(
    geom: BaseGeometry | None, codes: tuple[str, ...]
) -> tuple[BaseGeometry | None, list[Issue]]:
    """The geometry as a valid polygonal shape to measure with, and what was wrong with it."""
    what = f"grid {codes[0]}" if codes else "the community"
    if geom is None or geom.is_empty:
        return None, [Issue("empty", codes, shapely.Point(), 0.0, f"{what} has no shape")]
    if geom.is_valid:
        return multipolygon([geom]), []
    reason = shapely.is_valid_reason(geom)
    fixed = multipolygon([shapely.make_valid(geom)])
    detail = f"{what} is not a valid polygon: {reason}"
    issue = Issue("invalid", codes, _reason_point(reason, geom), float(fixed.area), detail)
    return (fixed if not fixed.is_empty else None), [issue]


def _reason_point(reason: str, geom: BaseGeometry) -> BaseGeometry:
    """GEOS says where a geometry breaks ("Self-intersection[x y]"); fall back to inside."""
    found = re.search(r"\[(-?[\d.eE+-]+) (-?[\d.eE+-]+)", reason)
    if found:
        return shapely.Point(float(found.group(1)), float(found.group(2)))
    return shapely.point_on_surface(shapely.make_valid(geom))


def _pieces(
    kind: str, geom: BaseGeometry, codes: tuple[str, ...], what: str, tolerances: Tolerances
) -> list[Issue]:
    found = []
    for piece in polygons(geom):
        if piece.area <= tolerances.noise_m2:
            continue
        sliver = is_sliver(piece, tolerances)
        label = f"{kind} sliver" if sliver else kind
        detail = f"{label} of {piece.area:,.1f} m² {what}"
        found.append(Issue("sliver" if sliver else kind, codes, piece, float(piece.area), detail))
    return found


def _overlaps(grids: dict[str, BaseGeometry], tolerances: Tolerances) -> list[Issue]:
    codes = list(grids)
    geoms = [grids[c] for c in codes]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    issues = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i < j:
            both = (codes[i], codes[j])
            common = shapely.intersection(geoms[i], geoms[j])
            what = f"claimed by both {both[0]} and {both[1]}"
            issues += _pieces("overlap", common, both, what, tolerances)
    return issues


def _outside(
    community: BaseGeometry, grids: dict[str, BaseGeometry], tolerances: Tolerances
) -> list[Issue]:
    issues = []
    for code, geom in grids.items():
        beyond = shapely.difference(geom, community)
        issues += _pieces("outside", beyond, (code,), f"of {code} beyond the community", tolerances)
    return issues


def _gaps(
    community: BaseGeometry, grids: dict[str, BaseGeometry], tolerances: Tolerances
) -> list[Issue]:
    covered = shapely.union_all(list(grids.values())) if grids else shapely.Polygon()
    holes = shapely.difference(community, covered)
    issues = []
    for piece in _pieces("gap", holes, (), "covered by no grid", tolerances):
        near = tuple(c for c, g in grids.items() if _touches(piece.location, g))
        issues.append(Issue(piece.kind, near, piece.location, piece.area_m2, piece.detail))
    return issues


def _thin_parts(grids: dict[str, BaseGeometry], tolerances: Tolerances) -> list[Issue]:
    """Parts of a grid too thin or small to be a place of their own."""
    issues = []
    for code, geom in grids.items():
        parts = polygons(geom)
        for part in parts:
            if part.area > tolerances.noise_m2 and is_sliver(part, tolerances):
                what = f"sliver part of {code} ({len(parts)} part(s)), {part.area:,.1f} m²"
                issues.append(Issue("sliver", (code,), part, float(part.area), what))
    return issues


def _staffing(
    grids: dict[str, BaseGeometry],
    households: Mapping[str, int] | None,
    members: Mapping[str, int] | None,
) -> list[Issue]:
    issues = []
    for code, geom in grids.items():
        point, area = shapely.point_on_surface(geom), float(geom.area)
        if households is not None and households.get(code, 0) == 0:
            issues.append(Issue("no_households", (code,), point, area, f"{code} has no household"))
        if members is not None and members.get(code, 0) == 0:
            issues.append(Issue("no_members", (code,), point, area, f"{code} has no active member"))
    return issues


# --- repair -----------------------------------------------------------------------------


def repair(
    community: BaseGeometry,
    grids: Mapping[str, BaseGeometry],
    *,
    tolerances: Tolerances = DEFAULT_TOLERANCES,
) -> Repair:
    """Clean the grids as a coverage (GEOS CoverageCleaner): nearby vertices snap together,
    gaps narrower than `tolerance_m` and overlaps go to the neighbour with the longest
    shared border, shared edges come out identical; then sliver parts beyond the community
    are cut and sliver gaps along its outline filled. Each change reports the largest
    boundary shift it caused and whether that stayed within the tolerance, so a caller
    never moves a boundary further without saying so. A sound partition is left as it is."""
    area = multipolygon([shapely.make_valid(community)])
    fixed = {c: multipolygon([shapely.make_valid(g)]) for c, g in sorted(grids.items())}
    broken = [i for i in validate(area, fixed, tolerances=tolerances) if i.kind in PARTITION_KINDS]
    if broken:
        fixed = _clean_coverage(area, fixed, tolerances)
        fixed = _trim_slivers(area, fixed, tolerances)
        fixed = _fill_slivers(area, fixed, tolerances)
    changes = []
    for code, old in sorted(grids.items()):
        change = _change(code, old, fixed[code], tolerances)
        if change.area_m2 > 1e-6 or change.shift_m > 1e-6:
            changes.append(change)
        else:  # rewritten without moving: keep the very same coordinates
            fixed[code] = old
    remaining = [
        i for i in validate(area, fixed, tolerances=tolerances) if i.kind in PARTITION_KINDS
    ]
    return Repair(fixed, changes, remaining)


def _change(code: str, old: BaseGeometry, new: BaseGeometry, tolerances: Tolerances) -> Change:
    valid_old = shapely.make_valid(old)
    moved = float(shapely.symmetric_difference(valid_old, new).area)
    shift = float(shapely.hausdorff_distance(valid_old.boundary, new.boundary))
    return Change(code, moved, shift, shift <= tolerances.tolerance_m + 1e-9)


def _clean_coverage(
    community: BaseGeometry, grids: dict[str, BaseGeometry], tolerances: Tolerances
) -> dict[str, BaseGeometry]:
    # The land around the community joins the coverage as one more polygon, so edges along
    # the community's outline are cleaned against it too.
    frame = shapely.difference(
        shapely.buffer(shapely.envelope(community), 10 * tolerances.tolerance_m + 1), community
    )
    cleaned = shapely.coverage_clean(
        np.array([frame, *grids.values()], dtype=object),
        gap_width=tolerances.tolerance_m,
        merge_strategy="longest_border",
    )
    return {code: multipolygon([g]) for code, g in zip(grids, cleaned[1:], strict=True)}


def _trim_slivers(
    community: BaseGeometry, grids: dict[str, BaseGeometry], tolerances: Tolerances
) -> dict[str, BaseGeometry]:
    """Cut away sliver overlaps (kept by the first grid in code order) and sliver parts
    beyond the community."""
    trimmed = dict(grids)
    codes = list(trimmed)
    for k, code in enumerate(codes):
        cut = _real_slivers(shapely.difference(trimmed[code], community), tolerances)
        for earlier in codes[:k]:
            common = shapely.intersection(trimmed[code], trimmed[earlier])
            cut += _real_slivers(common, tolerances)
        if cut:
            trimmed[code] = multipolygon(
                [shapely.difference(trimmed[code], shapely.union_all(cut))]
            )
    return trimmed


def _real_slivers(geom: BaseGeometry, tolerances: Tolerances) -> list[BaseGeometry]:
    """Sliver pieces above the noise level (below it, moving land only adds noise)."""
    return [p for p in polygons(geom) if p.area > tolerances.noise_m2 and is_sliver(p, tolerances)]


def _fill_slivers(
    community: BaseGeometry, grids: dict[str, BaseGeometry], tolerances: Tolerances
) -> dict[str, BaseGeometry]:
    """Give each sliver gap and each sliver part of a grid to the neighbour that shares
    the longest edge with it."""
    filled = dict(grids)
    covered = shapely.union_all(list(filled.values()))
    loose: list[tuple[BaseGeometry, str | None]] = [
        (piece, None) for piece in _real_slivers(shapely.difference(community, covered), tolerances)
    ]
    for code, geom in grids.items():
        if len(polygons(geom)) > 1:
            loose += [(p, code) for p in _real_slivers(geom, tolerances)]
    for piece, owner in loose:
        others = {c: g for c, g in filled.items() if c != owner}
        best = longest_shared_border(piece, others, eps=_TOUCH_M)
        if best is None:
            continue
        filled[best] = multipolygon([shapely.union(filled[best], piece)])
        if owner is not None:
            filled[owner] = multipolygon([shapely.difference(filled[owner], piece)])
    return filled
