"""What each loadable layer holds: its columns, the checks a file's rows must pass (each
names the first bad row), and the upsert that writes it. One place per layer, so a reader
finds where a column goes without back and forth."""

from __future__ import annotations

from dataclasses import dataclass, field

from gis.vocabulary import (
    AREA_LEVELS,
    CARE_TAGS,
    DUTIES,
    HIGHWAYS,
    LAND_KINDS,
    MEMBER_KINDS,
    SERVICES,
    STATION_KINDS,
)


@dataclass(frozen=True)
class StagingCheck:
    sql: str  # returns (rownum, *message arguments) of the first bad row, or nothing
    message: str


@dataclass(frozen=True)
class LayerSpec:
    table: str
    columns: tuple[str, ...]  # file columns besides the geometry, in COPY order
    types: dict[str, str]
    required: tuple[str, ...]
    geometry: str  # "polygon", "line" or "point"
    upsert_sql: str
    array_columns: tuple[str, ...] = ()
    extra_checks: tuple[StagingCheck, ...] = field(default_factory=tuple)

    @property
    def staging_ddl(self) -> str:
        typed = [f"{name} {self.types.get(name, 'text')}" for name in self.columns]
        return ", ".join(["rownum bigint", *typed, "geom geometry"])

    @property
    def staging_checks(self) -> tuple[StagingCheck, ...]:
        text = [c for c in self.columns if c not in self.types and c not in self.array_columns]
        return (
            *_required_checks(self.required),
            *_text_checks(text),
            _duplicate_code_check(),
            *_geometry_checks(self.geometry),
            *self.extra_checks,
        )


def _first(where: str, select: str = "") -> str:
    extra = f", {select}" if select else ""
    return f"SELECT rownum{extra} FROM staging WHERE {where} ORDER BY rownum LIMIT 1"


def _required_checks(columns: tuple[str, ...]) -> list[StagingCheck]:
    return [
        StagingCheck(
            _first(f"{column} IS NULL OR {column}::text = ''"),
            f"missing value for required field '{column}'",
        )
        for column in columns
    ]


def _text_checks(columns: list[str]) -> list[StagingCheck]:
    """Names and addresses are text to show on pages, cards and exports: no control
    characters (a tab, a bell, an escape), and no more than 500 characters."""
    return [
        StagingCheck(
            _first(f"{column} ~ '[[:cntrl:]]' OR length({column}) > 500", column),
            f"{column} '{{}}' holds a control character or is over 500 characters",
        )
        for column in columns
    ]


def _duplicate_code_check() -> StagingCheck:
    sql = (
        "SELECT max(rownum), code FROM staging GROUP BY code HAVING count(*) > 1 "
        "ORDER BY max(rownum) LIMIT 1"
    )
    return StagingCheck(sql, "code '{}' appears more than once in the file")


_TYPES = {
    "polygon": "('ST_Polygon', 'ST_MultiPolygon')",
    "line": "('ST_LineString')",
    "point": "('ST_Point')",
}


def _geometry_checks(kind: str) -> list[StagingCheck]:
    types = _TYPES[kind]
    return [
        StagingCheck(_first("geom IS NULL OR ST_IsEmpty(geom)"), "missing or empty geometry"),
        StagingCheck(
            _first(
                f"GeometryType(geom) IS NULL OR ST_GeometryType(geom) NOT IN {types}",
                "ST_GeometryType(geom)",
            ),
            f"geometry is {{}}, expected a {kind}",
        ),
        StagingCheck(
            _first("NOT ST_IsValid(geom)", "ST_IsValidReason(geom)"),
            "invalid geometry: {}",
        ),
    ]


def _value_check(column: str, allowed: tuple[str, ...]) -> StagingCheck:
    listed = ", ".join(f"'{value}'" for value in allowed)
    return StagingCheck(
        _first(f"NOT ({column} = ANY (ARRAY[{listed}]))", column),
        f"{column} '{{}}' is not one of: {', '.join(allowed)}",
    )


def _array_check(column: str, allowed: tuple[str, ...]) -> StagingCheck:
    listed = ", ".join(f"'{value}'" for value in allowed)
    return StagingCheck(
        _first(f"NOT ({column} <@ ARRAY[{listed}])", f"array_to_string({column}, ',')"),
        f"{column} '{{}}' may only contain: {', '.join(allowed)}",
    )


# Points must fall inside the administrative area once areas are loaded; a point far away
# is nearly always a swapped or mistyped coordinate.
_INSIDE_AREAS = StagingCheck(
    _first(
        "EXISTS (SELECT 1 FROM areas) AND NOT EXISTS (SELECT 1 FROM areas a "
        "WHERE a.parent_code IS NULL AND ST_Covers(a.geom, staging.geom))",
        "ST_X(geom), ST_Y(geom)",
    ),
    "point ({}, {}) lies outside the administrative area",
)


# A parent as the file gives it, else as the database has it.
_PARENT = (
    "(SELECT level, geom FROM staging p WHERE p.code = staging.parent_code UNION ALL "
    "SELECT level, geom FROM areas a WHERE a.code = staging.parent_code LIMIT 1)"
)
_HIERARCHY_CHECKS = (
    StagingCheck(
        _first(
            f"parent_code IS NOT NULL AND EXISTS (SELECT 1 FROM {_PARENT} p "
            "WHERE area_rank(p.level) <> area_rank(staging.level) - 1)",
            f"level, (SELECT level FROM {_PARENT} p)",
        ),
        "a {} cannot lie in a {}: a parent is one level up (province, city, district or "
        "county, street or township, community or village)",
    ),
    StagingCheck(
        # more than 1 % of the child outside its parent: not one boundary drawn twice
        _first(
            f"parent_code IS NOT NULL AND EXISTS (SELECT 1 FROM {_PARENT} p WHERE "
            "ST_Area(ST_Difference(staging.geom, p.geom)::geography) > "
            "0.01 * ST_Area(staging.geom::geography))",
            "round((100 * ST_Area(ST_Difference(geom, (SELECT geom FROM "
            f"{_PARENT} p))::geography) / ST_Area(geom::geography))::numeric, 1)",
        ),
        "{} % of the area lies outside its parent (at most 1 %)",
    ),
)


def _upsert(table: str, columns: tuple[str, ...], select: str, source: str = "staging s") -> str:
    names = ", ".join(columns)
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in columns if name != "code")
    changed = " OR ".join(
        f"{table}.{name} IS DISTINCT FROM EXCLUDED.{name}" for name in columns if name != "code"
    )
    return f"""
        WITH written AS (
            INSERT INTO {table} ({names}) SELECT {select} FROM {source} ORDER BY s.rownum
            ON CONFLICT (code) DO UPDATE SET {updates} WHERE {changed}
            RETURNING (xmax = 0) AS inserted)
        SELECT count(*) FILTER (WHERE inserted), count(*) FROM written
    """


LAYERS: dict[str, LayerSpec] = {
    "areas": LayerSpec(
        table="areas",
        columns=("code", "name", "level", "parent_code"),
        types={},
        required=("code", "name", "level"),
        geometry="polygon",
        extra_checks=(
            _value_check("level", AREA_LEVELS),
            StagingCheck(
                _first(
                    "parent_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM areas a WHERE "
                    "a.code = staging.parent_code) AND NOT EXISTS (SELECT 1 FROM staging p "
                    "WHERE p.code = staging.parent_code)",
                    "parent_code",
                ),
                "parent_code '{}' is neither in the file nor in the database",
            ),
            *_HIERARCHY_CHECKS,
        ),
        upsert_sql=_upsert(
            "areas",
            ("code", "name", "level", "parent_code", "geom"),
            "s.code, s.name, s.level, s.parent_code, ST_ForcePolygonCCW(ST_Multi(s.geom))",
        ),
    ),
    "grids": LayerSpec(
        table="grids",
        columns=("code", "name", "community_code"),
        types={},
        required=("code", "name", "community_code"),
        geometry="polygon",
        extra_checks=(
            StagingCheck(
                _first(
                    "NOT EXISTS (SELECT 1 FROM areas a WHERE a.code = staging.community_code "
                    "AND a.level IN ('community', 'village'))",
                    "community_code",
                ),
                "community_code '{}' is not a loaded community or village",
            ),
        ),
        upsert_sql=_upsert(
            "grids",
            ("code", "name", "community_code", "geom"),
            "s.code, s.name, s.community_code, ST_ForcePolygonCCW(ST_Multi(s.geom))",
        ),
    ),
    "households": LayerSpec(
        table="households",
        columns=("code", "address", "building_key", "residents", "care_tags"),
        types={"residents": "integer", "care_tags": "text[]"},
        required=("code", "address"),
        geometry="point",
        array_columns=("care_tags",),
        extra_checks=(_array_check("care_tags", CARE_TAGS), _INSIDE_AREAS),
        upsert_sql=_upsert(
            "households",
            ("code", "address", "building_key", "residents", "care_tags", "geom"),
            "s.code, s.address, coalesce(nullif(s.building_key, ''), s.code), "
            "coalesce(s.residents, 1), coalesce(s.care_tags, '{}'), s.geom",
        ),
    ),
    "members": LayerSpec(
        table="members",
        columns=(
            "code",
            "name",
            "duty",
            "service_phone",
            "personal_phone",
            "grid_code",
            "min_load",
            "max_load",
            "active",
            "kind",
        ),
        types={"min_load": "integer", "max_load": "integer", "active": "boolean"},
        required=("code", "name", "duty", "service_phone", "grid_code"),
        geometry="point",
        extra_checks=(
            _value_check("duty", tuple(DUTIES)),
            _value_check("kind", MEMBER_KINDS),
            StagingCheck(
                _first(
                    "NOT EXISTS (SELECT 1 FROM grids g WHERE g.code = staging.grid_code)",
                    "grid_code",
                ),
                "grid_code '{}' is not a loaded grid",
            ),
            StagingCheck(
                _first(
                    "coalesce(min_load, 15) < 0 OR coalesce(min_load, 15) > coalesce(max_load, 25)",
                    "min_load, max_load",
                ),
                "load bounds {}..{} are not 0 <= min <= max",
            ),
            _INSIDE_AREAS,
        ),
        upsert_sql=_upsert(
            "members",
            (
                "code",
                "name",
                "duty",
                "service_phone",
                "personal_phone",
                "grid_id",
                "min_load",
                "max_load",
                "active",
                "kind",
                "geom",
            ),
            "s.code, s.name, s.duty, s.service_phone, s.personal_phone, g.id, "
            "coalesce(s.min_load, 15), coalesce(s.max_load, 25), coalesce(s.active, true), "
            "coalesce(s.kind, 'resident'), s.geom",
            source="staging s JOIN grids g ON g.code = s.grid_code",
        ),
    ),
    "stations": LayerSpec(
        table="stations",
        columns=("code", "name", "kind", "services", "opening_hours", "address", "service_phone"),
        types={"services": "text[]"},
        required=("code", "name", "kind"),
        geometry="point",
        array_columns=("services",),
        extra_checks=(
            _value_check("kind", STATION_KINDS),
            _array_check("services", SERVICES),
            _INSIDE_AREAS,
        ),
        upsert_sql=_upsert(
            "stations",
            (
                "code",
                "name",
                "kind",
                "services",
                "opening_hours",
                "address",
                "service_phone",
                "geom",
            ),
            "s.code, s.name, s.kind, coalesce(s.services, '{}'), "
            "coalesce(nullif(s.opening_hours, ''), '24/7'), s.address, s.service_phone, s.geom",
        ),
    ),
    "ways": LayerSpec(
        table="ways",
        columns=("code", "name", "highway", "oneway"),
        types={"oneway": "boolean"},
        required=("code", "highway"),
        geometry="line",
        extra_checks=(_value_check("highway", HIGHWAYS),),
        upsert_sql=_upsert(
            "ways",
            ("code", "name", "highway", "oneway", "geom"),
            "s.code, nullif(s.name, ''), s.highway, coalesce(s.oneway, false), s.geom",
        ),
    ),
    "land": LayerSpec(
        table="land",
        columns=("code", "kind", "name"),
        types={},
        required=("code", "kind"),
        geometry="polygon",
        extra_checks=(_value_check("kind", LAND_KINDS),),
        upsert_sql=_upsert(
            "land",
            ("code", "kind", "name", "geom"),
            "s.code, s.kind, nullif(s.name, ''), ST_ForcePolygonCCW(ST_Multi(s.geom))",
        ),
    ),
}
