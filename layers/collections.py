"""The feature collections the API serves: for each, where its rows come from, its
properties (name -> SQL expression and JSON type), its time column, and who may read it.
Identifiers in SQL come only from this table, never from a request."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    source: str  # FROM clause
    properties: dict[str, str]  # property name -> SQL expression
    types: dict[str, str] = field(default_factory=dict)  # JSON Schema type; default "string"
    where: str = "TRUE"
    staff_only: bool = False
    key: str = "t.code"  # feature id
    order: str = "t.id"
    geometry: str = "t.geom"
    geometry_type: str = "Point"
    time: str | None = "t.updated_at"  # what `datetime` and temporal filters look at
    # SQL deciding whether a row lies in the caller's jurisdiction, given {} = the area code
    # of the caller's scope; the source joins the row's community (c) and street (s).
    jurisdiction: str | None = None
    estimated_extent_of: str | None = None  # a big table: its extent from statistics

    def type_of(self, name: str) -> str:
        return self.types.get(name, "string")

    @property
    def arrays(self) -> tuple[str, ...]:
        return tuple(name for name in self.properties if self.type_of(name) == "array")


# A row is in a scope when the scope's code is in its community's path (the codes of the
# community and all its ancestors, province to community). One small parameter, not the
# list of hundreds of community codes a district holds (which cost more to plan than to run).
AREAS_OF_GRID = (
    "LEFT JOIN areas c ON c.code = g.community_code LEFT JOIN areas s ON s.code = c.parent_code"
)
IN_SCOPE = "{} = ANY(c.path)"

_AREA_PROPERTIES = {"code": "t.code", "name": "t.name", "level": "t.level"}

COLLECTIONS: dict[str, Collection] = {
    c.id: c
    for c in (
        Collection(
            id="communities",
            title="Communities and villages (社区/村)",
            description="Communities and villages with their street or township.",
            source="areas t",
            where="t.level IN ('community', 'village')",
            properties={**_AREA_PROPERTIES, "street_code": "t.parent_code"},
            geometry_type="MultiPolygon",
        ),
        Collection(
            id="streets",
            title="Streets and townships (街道/乡镇)",
            description="Streets and townships with their district.",
            source="areas t",
            where="t.level IN ('street', 'township')",
            properties={**_AREA_PROPERTIES, "district_code": "t.parent_code"},
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
            types={
                "version": "integer",
                "households": "integer",
                "members": "integer",
                "members_needed": "integer",
                "idle_capacity": "integer",
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
            types={"services": "array"},
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
            types={"residents": "integer", "care_tags": "array", "distance_m": "number"},
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
            types={
                "active": "boolean",
                "min_load": "integer",
                "max_load": "integer",
                "load": "integer",
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
            types={"distance_m": "number", "run_id": "integer"},
            key="t.code",
            geometry="ST_MakeLine(m.geom, t.geom)",
            geometry_type="LineString",
            order="a.household_id",
            time=None,
            staff_only=True,
            jurisdiction=IN_SCOPE,
            estimated_extent_of="households",
        ),
    )
}


def visible_collections(*, staff: bool) -> list[Collection]:
    return [c for c in COLLECTIONS.values() if staff or not c.staff_only]
