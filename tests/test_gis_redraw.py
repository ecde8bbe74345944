"""gis.redraw on hand-made grids, no database: a community of three grids in a row (A | B | C,
each 0.001° wide, near Nanchang), with answers worked out by hand — which grid takes which
strip, what becomes a gap, what is refused."""

from __future__ import annotations

import pytest
import shapely
from pyproj import Geod
from shapely import box

from gis.geometry import multipolygon
from gis.redraw import EditError, merge, redraw, split

X, Y, D = 116.0, 28.7, 0.001  # lon/lat of the south-west corner; grid width in degrees
COMMUNITY = box(X, Y, X + 3 * D, Y + D)
GRIDS = {
    "A": multipolygon([box(X, Y, X + D, Y + D)]),
    "B": multipolygon([box(X + D, Y, X + 2 * D, Y + D)]),
    "C": multipolygon([box(X + 2 * D, Y, X + 3 * D, Y + D)]),
}
GEOD = Geod(ellps="WGS84")


def same(a, b) -> bool:  # type: ignore[no-untyped-def]
    """Equal as land: their symmetric difference is below a square centimetre's worth."""
    return shapely.symmetric_difference(a, b).area < 1e-14


def geodesic_m2(geom) -> float:  # type: ignore[no-untyped-def]
    return abs(GEOD.geometry_area_perimeter(geom)[0])


def test_growing_a_grid_takes_the_strip_from_its_neighbour():
    drawn = box(X, Y, X + 1.5 * D, Y + D)  # A reaches halfway into B
    plan = redraw(COMMUNITY, GRIDS, "A", drawn)
    assert set(plan.shapes) == {"A", "B"}  # C is untouched
    assert same(plan.shapes["A"], drawn)
    assert same(plan.shapes["B"], box(X + 1.5 * D, Y, X + 2 * D, Y + D))
    assert plan.gaps == [] and plan.created == ()
    assert plan.clipped_m2 == pytest.approx(0.0, abs=1e-6)


def test_land_a_grid_gives_up_goes_to_the_neighbour_bordering_it():
    # B shrinks from the west: the strip it releases borders only A.
    plan = redraw(COMMUNITY, GRIDS, "B", box(X + 1.25 * D, Y, X + 2 * D, Y + D))
    assert same(plan.shapes["A"], box(X, Y, X + 1.25 * D, Y + D))
    assert same(plan.shapes["B"], box(X + 1.25 * D, Y, X + 2 * D, Y + D))
    assert "C" not in plan.shapes and plan.gaps == []


def test_land_no_neighbour_borders_becomes_a_gap_with_its_area():
    alone = {"A": multipolygon([COMMUNITY])}
    kept = box(X, Y, X + 2 * D, Y + D)
    plan = redraw(COMMUNITY, alone, "A", kept)
    gap = box(X + 2 * D, Y, X + 3 * D, Y + D)
    assert len(plan.gaps) == 1 and same(plan.gaps[0], gap)
    # the metric area agrees with the geodesic area of the same strip within 0.5 %
    assert plan.gap_areas_m2[0] == pytest.approx(geodesic_m2(gap), rel=0.005)
    assert 9_000 < plan.gap_areas_m2[0] < 12_000  # ~98 m x 111 m


def test_drawing_outside_the_community_is_clipped_and_measured():
    drawn = box(X, Y - D, X + D, Y + D)  # A, plus a strip south of the community
    plan = redraw(COMMUNITY, GRIDS, "A", drawn)
    assert plan.shapes == {}  # inside the community the shape is A's own: no change
    outside = box(X, Y - D, X + D, Y)
    assert plan.clipped_m2 == pytest.approx(geodesic_m2(outside), rel=0.005)


def test_an_edge_drawn_a_few_decimetres_off_snaps_onto_the_neighbours_edge():
    off = 0.3 / 97_600  # 0.3 m of longitude at this latitude
    drawn = box(X, Y, X + D + off, Y + D)  # A's east edge, 30 cm into B
    plan = redraw(COMMUNITY, GRIDS, "A", drawn)
    assert plan.shapes == {}  # snapped back onto the shared edge: nothing changes
    assert 0.25 < plan.snapped_m < 0.35


def test_taking_all_of_a_neighbour_is_refused():
    with pytest.raises(EditError, match="take all of grid B; merge the two grids instead"):
        redraw(COMMUNITY, GRIDS, "A", box(X, Y, X + 2 * D, Y + D))


def test_a_shape_outside_the_community_is_refused():
    with pytest.raises(EditError, match="outside the grid's community"):
        redraw(COMMUNITY, GRIDS, "A", box(X + 5 * D, Y, X + 6 * D, Y + D))


def test_a_self_crossing_shape_is_refused_with_where_it_crosses():
    bowtie = shapely.Polygon([(X, Y), (X + D, Y + D), (X + D, Y), (X, Y + D)])
    with pytest.raises(EditError, match=r"self-intersection at lon 116\.0005, lat 28\.7005"):
        redraw(COMMUNITY, GRIDS, "A", bowtie)


def test_a_split_keeps_the_code_on_the_larger_side():
    line = shapely.LineString([(X + 0.3 * D, Y - D), (X + 0.3 * D, Y + 2 * D)])
    plan = split(COMMUNITY, GRIDS, "A", line, "A2")
    assert plan.created == ("A2",)
    assert same(plan.shapes["A"], box(X + 0.3 * D, Y, X + D, Y + D))  # 70 % of A
    assert same(plan.shapes["A2"], box(X, Y, X + 0.3 * D, Y + D))


@pytest.mark.parametrize(
    ("coords", "message"),
    [
        ([(X + 0.5 * D, Y + 0.2 * D), (X + 0.5 * D, Y + 0.8 * D)], "does not cut grid A in two"),
        (
            [(X + 0.3 * D, Y - D), (X + 0.3 * D, Y + 2 * D), (X + 0.6 * D, Y + 2 * D),
             (X + 0.6 * D, Y - D)],
            "cuts grid A into 3 pieces",
        ),
        ([(X + 1e-9, Y - D), (X + 1e-9, Y + 2 * D)], "too close to the edge"),
    ],
)  # fmt: skip
def test_a_split_line_must_cross_the_grid_once(coords, message):
    with pytest.raises(EditError, match=message):
        split(COMMUNITY, GRIDS, "A", shapely.LineString(coords), "A2")


def test_a_merge_joins_neighbours_and_removes_the_other():
    plan = merge(COMMUNITY, GRIDS, "A", "B")
    assert plan.shapes["B"] is None
    assert same(plan.shapes["A"], box(X, Y, X + 2 * D, Y + D))


def test_only_neighbours_merge():
    with pytest.raises(EditError, match="share no edge"):
        merge(COMMUNITY, GRIDS, "A", "C")
    with pytest.raises(EditError, match="with itself"):
        merge(COMMUNITY, GRIDS, "A", "A")
