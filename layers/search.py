"""Search by name or address, the way callers and residents give a place: partial, in
Chinese, ranked. Trigram word similarity (pg_trgm's `<%`, on GIN indexes) over communities,
streets, roads, landmarks and stations for everyone; grids, buildings and household
addresses for staff, within their jurisdiction. Each answer is a point to go to."""

from __future__ import annotations

from layers.db import Connection, fetchval

KINDS = ("community", "street", "grid", "road", "landmark", "station", "building", "household")
PUBLIC_KINDS = ("community", "street", "road", "landmark", "station")
THRESHOLD = "0.5"  # word similarity a candidate needs (pg_trgm's `<%`)

# A candidate's rank: how much of the query it holds as a word, more for an exact name
# or one that starts with the query.
_SCORE = (
    "word_similarity(%(q)s, {0}) + CASE WHEN {0} = %(q)s THEN 1 "
    "WHEN starts_with({0}, %(q)s) THEN 0.5 ELSE 0 END"
)
_MATCH = "(%(q)s <%% {0} OR {0} ILIKE %(like)s)"  # small tables: also any substring
_MINE = "(NOT %(staff)s OR {0} = ANY(%(communities)s))"  # staff: their communities only

# Matches taken of each kind before ranking them: a community's name matches every address
# in it (thousands in a city); ranking them all would cost more than it tells.
RECALL = 200
TOP_BUILDINGS = 5  # buildings whose households are searched by similarity


def _candidates(kind: str, sql: str) -> str:
    return (
        f"(SELECT '{kind}' AS kind, * FROM (SELECT * FROM ({sql}) m LIMIT {RECALL}) x "
        "ORDER BY score DESC, name LIMIT %(n)s)"
    )


_AREAS = f"""
    SELECT c.code, c.name, s.name AS context, ST_PointOnSurface(c.geom) AS geom,
           {_SCORE.format("c.name")} AS score
    FROM areas c LEFT JOIN areas s ON s.code = c.parent_code
    WHERE c.level IN {{levels}} AND {_MATCH.format("c.name")}
"""
_GRIDS = f"""
    SELECT g.code, g.name, c.name AS context, ST_PointOnSurface(g.geom) AS geom,
           greatest({_SCORE.format("g.name")}, {_SCORE.format("g.code")}) AS score
    FROM grids g JOIN areas c ON c.code = g.community_code
    WHERE %(staff)s AND ({_MATCH.format("g.name")} OR g.code ILIKE %(like)s)
      AND {_MINE.format("g.community_code")}
"""
_ROADS = f"""
    SELECT min(w.code) AS code, w.name, NULL AS context,
           ST_ClosestPoint(ST_Collect(w.geom), ST_Centroid(ST_Collect(w.geom))) AS geom,
           {_SCORE.format("w.name")} AS score
    FROM ways w WHERE {_MATCH.format("w.name")} GROUP BY w.name
"""
_LANDMARKS = f"""
    SELECT l.code, l.name, NULL AS context, ST_PointOnSurface(l.geom) AS geom,
           {_SCORE.format("l.name")} AS score
    FROM land l WHERE l.kind IN ('water', 'green') AND {_MATCH.format("l.name")}
"""
_STATIONS = f"""
    SELECT t.code, t.name, t.address AS context, t.geom, {_SCORE.format("t.name")} AS score
    FROM stations t WHERE {_MATCH.format("t.name")}
"""
# Buildings: their footprint's name ("名都社区 3栋"), in the community that holds them; the
# trigram index finds them (half a million in a city), capped before the community test.
_BUILDING_HITS = f"""
    SELECT code, name, geom FROM land
    WHERE %(staff)s AND kind = 'building' AND %(q)s <%% name LIMIT {RECALL} OFFSET 0
"""
_BUILDINGS = f"""
    SELECT b.code, b.name, c.name AS context, ST_PointOnSurface(b.geom) AS geom,
           {_SCORE.format("b.name")} AS score
    FROM ({_BUILDING_HITS}) b
    JOIN areas c ON c.level IN ('community', 'village')
        AND ST_Covers(c.geom, ST_PointOnSurface(b.geom))
    WHERE {_MINE.format("c.code")}
"""
# Households: 2.4 M addresses in a city, too many for trigrams. An address typed from its
# start is a prefix range of the address index (in order: the exact one first); one typed
# in part is looked for among the households of the buildings it names best.
_HOUSEHOLD_HITS = f"""
    (SELECT id FROM households WHERE %(staff)s AND address LIKE %(prefix)s
     ORDER BY address LIMIT {RECALL})
    UNION
    (SELECT h.id FROM households h WHERE h.building_key IN (
        SELECT code FROM ({_BUILDING_HITS.replace("%(q)s", "%(building)s")}) b
        ORDER BY word_similarity(%(building)s, name) DESC LIMIT {TOP_BUILDINGS})
     AND %(q)s <%% h.address)
"""
_HOUSEHOLDS = f"""
    SELECT h.code, h.address AS name, c.name AS context, h.geom,
           {_SCORE.format("h.address")} AS score
    FROM ({_HOUSEHOLD_HITS}) hit JOIN households h ON h.id = hit.id
    JOIN grids g ON g.id = h.grid_id JOIN areas c ON c.code = g.community_code
    WHERE {_MINE.format("g.community_code")}
"""

_PARTS = {
    "community": _AREAS.replace("{levels}", "('community', 'village')")
    + f" AND {_MINE.format('c.code')}",
    "street": _AREAS.replace("{levels}", "('street', 'township')"),
    "grid": _GRIDS,
    "road": _ROADS,
    "landmark": _LANDMARKS,
    "station": _STATIONS,
    "building": _BUILDINGS,
    "household": _HOUSEHOLDS,
}
_ORDER = "CASE kind " + " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(KINDS)) + " END"


def _query(kinds: tuple[str, ...]) -> str:
    union = " UNION ALL ".join(_candidates(kind, _PARTS[kind]) for kind in kinds)
    return f"""
    SELECT json_build_object('type', 'FeatureCollection', 'query', %(q)s::text,
        'features', coalesce(json_agg(json_build_object(
            'type', 'Feature', 'id', kind || ':' || code,
            'geometry', ST_AsGeoJSON(geom, 7)::json,
            'properties', json_build_object('kind', kind, 'code', code, 'name', name,
                'context', context, 'score', round(score::numeric, 3)))
            ORDER BY score DESC, {_ORDER}, length(name), name), '[]'))::text
    FROM (SELECT * FROM ({union}) found ORDER BY score DESC, {_ORDER}, length(name), name
          LIMIT %(limit)s) best
    """


def _building_part(query: str) -> str:
    """The words of a query that name a building ("名都 3栋" of "名都 3栋 2单元 501"): an
    address goes from the place to the building to the flat, so its first two words."""
    return " ".join(query.split()[:2])


def _like(query: str) -> str:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search(
    conn: Connection, query: str, *, communities: tuple[str, ...] | None, limit: int
) -> str:
    """A FeatureCollection (JSON text) of the best `limit` places for `query`, best first:
    public places only when `communities` is None, else also the grids, buildings and
    households of those communities (the caller's jurisdiction)."""
    staff = communities is not None
    kinds = KINDS if staff else PUBLIC_KINDS
    params = {
        "q": query,
        "like": _like(query),
        "prefix": _like(query)[1:],
        "building": _building_part(query),
        "staff": staff,
        "communities": list(communities or ()),
        "n": limit,
        "limit": limit,
    }
    async with conn.transaction():
        # pg_trgm's default (0.6) misses "名都 3栋" for "名都社区 3栋" (0.56)
        await conn.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", (THRESHOLD,)
        )
        return str(await fetchval(conn, _query(kinds), params))
