"""Feature collections read from PostGIS, with the GeoJSON built in SQL (ST_AsGeoJSON and
string_agg) so Python only frames the envelope. Every query is parameterised; identifiers
come from the fixed table of collections (layers.collections), never from the request."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from layers.collections import COLLECTIONS, Collection, visible_collections
from layers.cql import Sql
from layers.db import Connection, fetchone

__all__ = ["COLLECTIONS", "Collection", "visible_collections"]


@dataclass(frozen=True)
class OutputCrs:
    """The CRS features are written in: its SRID and whether its axes are lat/lon."""

    srid: int = 4326
    swap_axes: bool = False


@dataclass
class Selection:
    """What a request asks of a collection, already checked (api.ogc_params)."""

    bbox: tuple[float, float, float, float] | None = None
    bbox_srid: int = 4326
    interval: tuple[datetime | None, datetime | None] | None = None  # None end: open
    filters: dict[str, str] = field(default_factory=dict)
    cql: Sql | None = None
    sortby: list[tuple[str, bool]] = field(default_factory=list)  # (property, descending)
    properties: list[str] | None = None
    crs: OutputCrs = OutputCrs()


@dataclass(frozen=True)
class Page:
    features_json: str  # a JSON array of GeoJSON features
    number_matched: int | None  # None: not counted (a page after a key)
    number_returned: int
    next_after: int | None = None  # the key to ask the next page after; None: no next


class _Query:
    """Accumulates WHERE clauses and their parameters, in order (%s placeholders)."""

    def __init__(self, collection: Collection, scope: str | None) -> None:
        self.collection = collection
        self.clauses = [collection.where]
        self.params: list[object] = []
        if collection.jurisdiction is not None:
            if scope is None:
                raise PermissionError(f"{collection.id} needs a staff jurisdiction")
            self.add(collection.jurisdiction, scope)

    def add(self, template: str, *values: object) -> None:
        self.clauses.append(template.format(*(["%s"] * len(values))))
        self.params.extend(values)

    def select(self, selection: Selection) -> None:
        c = self.collection
        if selection.bbox is not None:
            box = f"ST_MakeEnvelope({{}}, {{}}, {{}}, {{}}, {int(selection.bbox_srid)})"
            if selection.bbox_srid != 4326:
                box = f"ST_Transform({box}, 4326)"
            self.add(f"{c.geometry} && {box}", *selection.bbox)
        if selection.interval is not None and c.time is not None:
            start, end = selection.interval
            self.add(f"{c.time} >= coalesce({{}}::timestamptz, '-infinity')", start)
            self.add(f"{c.time} <= coalesce({{}}::timestamptz, 'infinity')", end)
        for name, value in selection.filters.items():
            if name in c.arrays:  # an array property holds the value
                self.add(f"{{}} = ANY({c.properties[name]})", value)
            else:
                self.add(f"{c.properties[name]}::text = {{}}", value)
        if selection.cql is not None:
            self.clauses.append(selection.cql.text)
            self.params.extend(selection.cql.params)

    @property
    def where(self) -> str:
        return " AND ".join(f"({clause})" for clause in self.clauses)


def _geometry_sql(collection: Collection, crs: OutputCrs) -> str:
    geometry = collection.geometry
    if crs.srid != 4326:
        geometry = f"ST_Transform({geometry}, {crs.srid})"
    if crs.swap_axes:
        geometry = f"ST_FlipCoordinates({geometry})"
    digits = 7 if crs.srid in (4326, 4490) else 3  # ~1 cm either way
    return f"coalesce(ST_AsGeoJSON({geometry}, {digits}), 'null')"


def _feature_sql(collection: Collection, properties: list[str], crs: OutputCrs) -> str:
    """A GeoJSON Feature as text. Concatenated, not json_build_object'ed: casting the
    geometry's JSON text back to json would parse it again for every row."""
    props = ", ".join(f"'{name}', {collection.properties[name]}" for name in properties)
    return (
        """'{"type":"Feature","id":' || to_json("""
        f"{collection.key})::text || ',\"geometry\":' || {_geometry_sql(collection, crs)} || "
        f"',\"properties\":' || json_build_object({props})::text || '}}'"
    )


def _order(collection: Collection, sortby: list[tuple[str, bool]]) -> str:
    keys = [f"{collection.properties[n]} {'DESC' if d else 'ASC'} NULLS LAST" for n, d in sortby]
    return ", ".join([*keys, collection.order])  # the key last: a stable order for paging


async def read_page(
    conn: Connection,
    *,
    collection: Collection,
    selection: Selection,
    limit: int,
    offset: int = 0,
    after: int | None = None,
    scope: str | None = None,
) -> Page:
    """A page of features: by offset (and counted: numberMatched), or, given `after` (the
    key of the last feature of the previous page), the next ones by key — a page that does
    not scan what came before, and that no insert elsewhere shifts."""
    query = _Query(collection, scope)
    query.select(selection)
    chosen = selection.properties
    if chosen is None:
        chosen = list(collection.properties)
    feature = _feature_sql(collection, chosen, selection.crs)
    if after is not None and not selection.sortby:
        return await _page_after(conn, collection, query, feature, after, limit)
    # Without sortby the key orders the page (its index answers); with it, the sort keys.
    key = collection.order if not selection.sortby else "NULL::bigint"
    rank = "_key" if not selection.sortby else "_rank"
    order = _order(collection, selection.sortby)
    sql = f"""
        WITH matched AS (
            SELECT count(*) AS n FROM {collection.source} WHERE {query.where}),
        page AS (
            SELECT {feature} AS feature, {key} AS _key,
                   row_number() OVER (ORDER BY {order}) AS _rank
            FROM {collection.source} WHERE {query.where}
            ORDER BY {order} LIMIT %s OFFSET %s)
        SELECT (SELECT n FROM matched), (SELECT count(*) FROM page),
               '[' || coalesce((SELECT string_agg(feature, ',' ORDER BY {rank}) FROM page), '')
               || ']', (SELECT max(_key) FROM page)
    """
    # The WHERE clause appears twice (count and page): its parameters too.
    row = await fetchone(conn, sql, [*query.params, *query.params, limit, offset])
    assert row is not None
    matched, returned = int(row[0]), int(row[1])
    last = int(row[3]) if row[3] is not None and offset + returned < matched else None
    return Page(row[2], matched, returned, next_after=last)


async def _page_after(
    conn: Connection, collection: Collection, query: _Query, feature: str, after: int, limit: int
) -> Page:
    key = collection.order
    sql = f"""
        WITH page AS (
            SELECT {feature} AS feature, {key} AS _key FROM {collection.source}
            WHERE {query.where} AND {key} > %s ORDER BY {key} LIMIT %s),
        kept AS (SELECT * FROM page ORDER BY _key LIMIT %s)
        SELECT (SELECT count(*) FROM page), (SELECT count(*) FROM kept),
               '[' || coalesce((SELECT string_agg(feature, ',' ORDER BY _key) FROM kept), '')
               || ']', (SELECT max(_key) FROM kept)
    """
    # One more than asked: whether there is a next page, without counting them all.
    row = await fetchone(conn, sql, [*query.params, after, limit + 1, limit])
    assert row is not None
    more, returned = int(row[0]) > limit, int(row[1])
    last = int(row[3]) if more and row[3] is not None else None
    return Page(row[2], None, returned, next_after=last)


async def read_feature(
    conn: Connection,
    *,
    collection: Collection,
    feature_id: str,
    scope: str | None = None,
    crs: OutputCrs = OutputCrs(),
) -> tuple[str | None, bool]:
    """The feature's JSON and whether it lies in the jurisdiction (True for public ones)."""
    inside = "TRUE"
    params: list[object] = []
    if collection.jurisdiction is not None:
        inside = collection.jurisdiction.format("%s")
        params.append(scope or "")
    params.append(feature_id)
    sql = (
        f"SELECT {_feature_sql(collection, list(collection.properties), crs)}, {inside} "
        f"FROM {collection.source} WHERE ({collection.where}) AND {collection.key} = %s"
    )
    row = await fetchone(conn, sql, params)
    if row is None:
        return None, True
    return (str(row[0]), bool(row[1])) if row[1] else (None, False)


async def extent(conn: Connection, *, collection: Collection) -> list[float] | None:
    if collection.estimated_extent_of:
        # The large tables: planner statistics answer at once, a scan would take seconds.
        box = f"ST_EstimatedExtent('{collection.estimated_extent_of}', 'geom')"
    else:
        box = (
            f"(SELECT ST_Extent({collection.geometry}) FROM {collection.source} "
            f"WHERE {collection.where})"
        )
    row = await fetchone(
        conn, f"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT {box} AS e) x"
    )
    if row is None or row[0] is None:
        return None
    return [float(v) for v in row]


async def time_extent(conn: Connection, *, collection: Collection) -> list[str | None] | None:
    """The first and last change of the collection's features (ISO 8601)."""
    if collection.time is None:
        return None
    if collection.estimated_extent_of:  # the big tables: their index answers at once
        source = f"{collection.estimated_extent_of} t"
        sql = f"SELECT min({collection.time}), max({collection.time}) FROM {source}"
    else:
        sql = (
            f"SELECT min({collection.time}), max({collection.time}) FROM {collection.source} "
            f"WHERE {collection.where}"
        )
    row = await fetchone(conn, sql)
    if row is None or row[0] is None:
        return None
    return [value.isoformat() if value else None for value in row]
