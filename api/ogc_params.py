"""The query parameters of OGC API - Features items, read and checked: `bbox` (4 or 6
numbers, in `bbox-crs`), `datetime` (an instant or an interval, ends open with `..`),
`crs`, `filter` (CQL2, `filter-lang`, `filter-crs`), `sortby`, `properties`, property
filters. Anything else is a 400 that names what to change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from starlette.datastructures import QueryParams

from api.errors import BadRequest
from gis.crs_uri import Crs, CrsError, crs
from layers.collections import Collection
from layers.cql import FilterError, filter_sql
from layers.features import OutputCrs, Selection

MAX_FILTER = 200  # characters of a property filter's value
MAX_CQL = 10_000  # characters of a CQL2 filter
STANDARD = {
    "bbox", "bbox-crs", "limit", "offset", "properties", "f", "crs", "datetime", "filter",
    "filter-lang", "filter-crs", "sortby", "lang", "after",
}  # fmt: skip


def parse_crs(uri: str | None, what: str = "crs") -> Crs:
    try:
        return crs(uri)
    except CrsError as error:
        raise BadRequest(f"{what}: {error}") from error


def parse_bbox(text: str | None, bbox_crs: Crs) -> tuple[float, float, float, float] | None:
    """minx,miny,maxx,maxy (or with heights: minx,miny,minz,maxx,maxy,maxz) in the axis
    order of `bbox_crs`, as x/y (lon/lat) for PostGIS."""
    if text is None:
        return None
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError as error:
        raise BadRequest(f"bbox '{text}' is not four (or six) numbers") from error
    if len(values) not in (4, 6):
        raise BadRequest(f"bbox needs 4 or 6 numbers, got {len(values)}")
    low, high = (values[:2], values[2:]) if len(values) == 4 else (values[:2], values[3:5])
    if bbox_crs.swap_axes:
        low, high = low[::-1], high[::-1]
    min_x, min_y, max_x, max_y = *low, *high
    if bbox_crs.srid in (4326, 4490) and not (
        -180 <= min_x <= 180 and -180 <= max_x <= 180 and -90 <= min_y <= 90 and -90 <= max_y <= 90
    ):
        order = "lat first" if bbox_crs.swap_axes else "lon first"
        raise BadRequest(f"bbox {text} is outside lon [-180, 180] / lat [-90, 90] ({order})")
    if min_x > max_x or min_y > max_y:
        raise BadRequest(f"bbox {text} has a minimum above its maximum")
    return min_x, min_y, max_x, max_y


def _moment(text: str, *, end: bool) -> datetime | None:
    if text in ("", ".."):
        return None
    try:
        if "T" in text or "t" in text:
            return datetime.fromisoformat(text.replace("z", "Z"))
        day = date.fromisoformat(text)  # a whole day: from its first to its last moment
        return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
    except ValueError as error:
        raise BadRequest(
            f"datetime '{text}' is not RFC 3339, e.g. 2026-03-14T08:00:00Z or 2026-03-14"
        ) from error


def parse_datetime(text: str | None) -> tuple[datetime | None, datetime | None] | None:
    if text is None:
        return None
    start, slash, end = text.partition("/")
    if not slash:
        return _moment(start, end=False), _moment(start, end=True)
    interval = _moment(start, end=False), _moment(end, end=True)
    if interval[0] and interval[1] and interval[0] > interval[1]:
        raise BadRequest(f"datetime {text} ends before it starts")
    return interval


def parse_sortby(text: str | None, collection: Collection) -> list[tuple[str, bool]]:
    keys = []
    for part in (p.strip() for p in (text or "").split(",") if p.strip()):
        descending = part.startswith("-")
        name = part.lstrip("+-")
        if name not in collection.properties:
            known = ", ".join(collection.properties)
            raise BadRequest(f"sortby: '{name}' is not a property of {collection.id}: {known}")
        keys.append((name, descending))
    return keys


def parse_properties(text: str | None, collection: Collection) -> list[str] | None:
    if text is None:
        return None
    # each name once, in the order asked: a list of any length asks for at most them all
    chosen = list(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    unknown = [name for name in chosen if name not in collection.properties]
    if unknown:
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        shown = ", ".join(unknown[:5]) + more
        raise BadRequest(f"unknown properties {shown}; known: " + ", ".join(collection.properties))
    return chosen


def property_filters(query: QueryParams, collection: Collection) -> dict[str, str]:
    filters = {}
    for name, value in query.items():
        if name in STANDARD:
            continue
        if name not in collection.properties:
            raise BadRequest(
                f"unknown parameter '{name}'; filterable properties of {collection.id}: "
                + ", ".join(collection.properties)
            )
        if len(value) > MAX_FILTER:
            raise BadRequest(f"the value of '{name}' is over {MAX_FILTER} characters")
        filters[name] = value
    return filters


def selection(query: QueryParams, collection: Collection) -> Selection:
    """Everything an items request asks, checked."""
    bbox_crs = parse_crs(query.get("bbox-crs"), "bbox-crs")
    out = parse_crs(query.get("crs"))
    return Selection(
        bbox=parse_bbox(query.get("bbox"), bbox_crs),
        bbox_srid=bbox_crs.srid,
        interval=parse_datetime(query.get("datetime")),
        filters=property_filters(query, collection),
        cql=cql(query, collection),
        sortby=parse_sortby(query.get("sortby"), collection),
        properties=parse_properties(query.get("properties"), collection),
        crs=OutputCrs(out.srid, out.swap_axes),
    )


def cql(query: QueryParams, collection: Collection) -> Any:
    text = query.get("filter")
    if text is None:
        return None
    if len(text) > MAX_CQL:
        raise BadRequest(f"the filter is over {MAX_CQL:,} characters")
    filter_crs = parse_crs(query.get("filter-crs"), "filter-crs")
    try:
        return filter_sql(
            text,
            lang=query.get("filter-lang", "cql2-text"),
            collection=collection,
            srid=filter_crs.srid,
            swap_axes=filter_crs.swap_axes,
        )
    except FilterError as error:
        raise BadRequest(f"filter: {error}") from error
