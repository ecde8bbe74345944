"""Feature collections read from PostGIS, with the GeoJSON built in SQL (ST_AsGeoJSON and
string_agg) so Python only frames the envelope. Every query is parameterised; identifiers
come from the fixed collection table below, never from the request."""

from __future__ import annotations

from dataclasses import dataclass

from layers.db import Connection, fetchone


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    source: str  # FROM clause
    properties: dict[str, str]  # property name -> SQL expression
    where: str = "TRUE"
    staff_only: bool = False
    key: str = "t.code"  # feature id
    order: str = "t.id"
    geometry: str = "t.geom"
    geometry_type: str = "Point"
    # SQL deciding whether a row lies in the caller's jurisdiction, given {} = the area code
    # of the caller's scope; the source joins the row's community (c) and street (s).
    # its community codes; staff collections only.
    jurisdiction: str | None = None
    estimated_extent_of: str | None = None  # a big table: its extent from statistics


# The area tree is district -> street/township -> community/village: a row is in a scope
# when the scope is its community, street or district. One small parameter, not the list
# of hundreds of community codes a district holds (which cost more to plan than to run).
AREAS_OF_GRID = (
    "LEFT JOIN areas c ON c.code = g.community_code LEFT JOIN areas s ON s.code = c.parent_code"
)
IN_SCOPE = "{} IN (c.code, s.code, s.parent_code)"

COLLECTIONS: dict[str, Collection] = {
    c.id: c
    for c in (
        Collection(
            id="communities",
            title="Communities and villages (社区/村)",
            description="Communities and villages with their street or township.",
            source="areas t",
            where="t.level IN ('community', 'village')",
            properties={
                "code": "t.code",
                "name": "t.name",
                "level": "t.level",
                "street_code": "t.parent_code",
            },
            geometry_type="MultiPolygon",
        ),
        Collection(
            id="streets",
            title="Streets and townships (街道/乡镇)",
            description="Streets and townships with their district.",
            source="areas t",
            where="t.level IN ('street', 'township')",
            properties={
                "code": "t.code",
                "name": "t.name",
                "level": "t.level",
                "district_code": "t.parent_code",
            },
            geometry_type="MultiPolygon",
        ),
        Collection(
            id="grids",
            title="Grids (网格)",
            description="Grids, each inside one community; together they cover it. With the "
            "last assignment's status (ok, understaffed, overstaffed) and counts.",
            source="grids t LEFT JOIN grid_status s ON s.grid_id = t.id",
            properties={
                "code": "t.code",
                "name": "t.name",
                "community_code": "t.community_code",
                "version": "t.version",
                "status": "s.status",
                "households": "s.households",
                "members": "s.members",
                "members_needed": "s.members_needed",
                "idle_capacity": "s.idle_capacity",
            },
            geometry_type="MultiPolygon",
        ),
        Collection(
            id="stations",
            title="Service stations (红色驿站 and others)",
            description="Red stations, rider stations and service centres open to the public.",
            source="stations t",
            properties={
                "code": "t.code",
                "name": "t.name",
                "kind": "t.kind",
                "services": "t.services",
                "opening_hours": "t.opening_hours",
                "address": "t.address",
                "service_phone": "t.service_phone",
            },
        ),
        Collection(
            id="households",
            title="Households (住户) — staff only",
            description="Households with their grid and member. Personal data.",
            source="households t LEFT JOIN grids g ON g.id = t.grid_id "
            f"{AREAS_OF_GRID} "
            "LEFT JOIN assignments a ON a.household_id = t.id "
            "LEFT JOIN members m ON m.id = a.member_id",
            properties={
                "code": "t.code",
                "address": "t.address",
                "building_key": "t.building_key",
                "residents": "t.residents",
                "care_tags": "t.care_tags",
                "grid_code": "g.code",
                "member_code": "m.code",
                "distance_m": "a.distance_m",
            },
            staff_only=True,
            jurisdiction=IN_SCOPE,
            estimated_extent_of="households",
        ),
        Collection(
            id="members",
            title="Grid members (网格员) — staff only",
            description="Members with duty, phones, home and load. Personal data.",
            source=f"members t JOIN grids g ON g.id = t.grid_id {AREAS_OF_GRID}",
            properties={
                "code": "t.code",
                "name": "t.name",
                "duty": "t.duty",
                "service_phone": "t.service_phone",
                "personal_phone": "t.personal_phone",
                "grid_code": "g.code",
                "kind": "t.kind",
                "active": "t.active",
                "min_load": "t.min_load",
                "max_load": "t.max_load",
                "load": "(SELECT count(*) FROM assignments x WHERE x.member_id = t.id)",
            },
            staff_only=True,
            jurisdiction=IN_SCOPE,
            estimated_extent_of="members",
        ),
        Collection(
            id="assignments",
            title="Household → member links — staff only",
            description="Each household's member, as a line from the member's home.",
            source="assignments a JOIN households t ON t.id = a.household_id "
            "JOIN members m ON m.id = a.member_id JOIN grids g ON g.id = t.grid_id "
            f"{AREAS_OF_GRID}",
            properties={
                "household_code": "t.code",
                "member_code": "m.code",
                "grid_code": "g.code",
                "distance_m": "a.distance_m",
                "run_id": "a.run_id",
            },
            key="t.code",
            geometry="ST_MakeLine(m.geom, t.geom)",
            geometry_type="LineString",
            order="a.household_id",
            staff_only=True,
            jurisdiction=IN_SCOPE,
            estimated_extent_of="households",
        ),
    )
}


def visible_collections(*, staff: bool) -> list[Collection]:
    return [c for c in COLLECTIONS.values() if staff or not c.staff_only]


@dataclass(frozen=True)
class Page:
    features_json: str  # a JSON array of GeoJSON features
    number_matched: int
    number_returned: int


class _Query:
    """Accumulates WHERE clauses and their parameters, in order (%s placeholders)."""

    def __init__(self, collection: Collection, scope: str | None) -> None:
        self.clauses = [collection.where]
        self.params: list[object] = []
        if collection.jurisdiction is not None:
            if scope is None:
                raise PermissionError(f"{collection.id} needs a staff jurisdiction")
            self.add(collection.jurisdiction, scope)

    def add(self, template: str, *values: object) -> None:
        self.clauses.append(template.format(*(["%s"] * len(values))))
        self.params.extend(values)

    @property
    def where(self) -> str:
        return " AND ".join(f"({clause})" for clause in self.clauses)


def _feature_sql(collection: Collection, properties: list[str]) -> str:
    """A GeoJSON Feature as text. Concatenated, not json_build_object'ed: casting the
    geometry's JSON text back to json would parse it again for every row."""
    props = ", ".join(f"'{name}', {collection.properties[name]}" for name in properties)
    return (
        """'{"type":"Feature","id":' || to_json("""
        f"{collection.key})::text || ',\"geometry\":' || "
        f"coalesce(ST_AsGeoJSON({collection.geometry}, 7), 'null') || "
        f"',\"properties\":' || json_build_object({props})::text || '}}'"
    )


async def read_page(
    conn: Connection,
    *,
    collection: Collection,
    bbox: tuple[float, float, float, float] | None,
    filters: dict[str, str],
    properties: list[str] | None,
    limit: int,
    offset: int,
    scope: str | None = None,
) -> Page:
    query = _Query(collection, scope)
    if bbox is not None:
        query.add(f"{collection.geometry} && ST_MakeEnvelope({{}}, {{}}, {{}}, {{}}, 4326)", *bbox)
    for name, value in filters.items():
        query.add(f"{collection.properties[name]}::text = {{}}", value)
    chosen = properties if properties is not None else list(collection.properties)
    sql = f"""
        WITH matched AS (
            SELECT count(*) AS n FROM {collection.source} WHERE {query.where}),
        page AS (
            SELECT {_feature_sql(collection, chosen)} AS feature, {collection.order} AS _order
            FROM {collection.source} WHERE {query.where}
            ORDER BY {collection.order} LIMIT %s OFFSET %s)
        SELECT (SELECT n FROM matched),
               (SELECT count(*) FROM page),
               '[' || coalesce(
                   (SELECT string_agg(feature, ',' ORDER BY _order) FROM page), '') || ']'
    """
    # The WHERE clause appears twice (count and page): its parameters too.
    row = await fetchone(conn, sql, [*query.params, *query.params, limit, offset])
    assert row is not None
    return Page(features_json=row[2], number_matched=int(row[0]), number_returned=int(row[1]))


async def read_feature(
    conn: Connection,
    *,
    collection: Collection,
    feature_id: str,
    scope: str | None = None,
) -> tuple[str | None, bool]:
    """The feature's JSON and whether it lies in the jurisdiction (True for public ones)."""
    inside = "TRUE"
    params: list[object] = []
    if collection.jurisdiction is not None:
        inside = collection.jurisdiction.format("%s")
        params.append(scope or "")
    params.append(feature_id)
    sql = (
        f"SELECT {_feature_sql(collection, list(collection.properties))}, {inside} "
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
