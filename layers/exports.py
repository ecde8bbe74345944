"""What staff take away: every feature of a selection (not a page), and each member's list
of households. Personal phones are masked (138****5678) unless the role may see them; the
caller records every export (layers.audit)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from gis.privacy import mask_phone
from layers.collections import Collection
from layers.db import Connection, fetchall
from layers.features import Page, Selection, read_page

MAX_EXPORT = 200_000  # features in one file: beyond that, narrow the selection
CHUNK = 10_000
PHONE_FIELDS = ("personal_phone",)
ROLES_SEEING_PHONES = ("admin",)


class TooMany(ValueError):
    """The selection holds more features than one export carries."""


async def all_features(
    conn: Connection,
    *,
    collection: Collection,
    selection: Selection,
    scope: str | None,
    role: str | None,
) -> list[dict[str, Any]]:
    """Every feature of the selection, read page by page after the last key."""
    features: list[dict[str, Any]] = []
    after: int | None = None
    while True:
        page: Page = await read_page(
            conn,
            collection=collection,
            selection=selection,
            limit=CHUNK,
            after=after,
            scope=scope,
        )
        if page.number_matched is not None and page.number_matched > MAX_EXPORT:
            raise TooMany(
                f"{page.number_matched:,} features; one export carries at most "
                f"{MAX_EXPORT:,}: narrow it with bbox, a property or a filter"
            )
        features += orjson.loads(page.features_json)
        if page.next_after is None:
            break
        after = page.next_after
    if role not in ROLES_SEEING_PHONES:
        for feature in features:
            for name in PHONE_FIELDS:
                if name in feature["properties"]:
                    feature["properties"][name] = mask_phone(feature["properties"][name])
    return features


@dataclass(frozen=True)
class MemberList:
    member: str  # code
    name: str
    duty: str
    rows: list[tuple[str, str, int, str]]  # household code, address, residents, care tags


async def member_lists(conn: Connection, *, grid_code: str) -> list[MemberList]:
    """Each member of the grid with the households they serve; households without a
    member come last, under an empty member code."""
    rows = await fetchall(
        conn,
        """
        SELECT coalesce(m.code, ''), coalesce(m.name, ''), coalesce(m.duty, ''), h.code,
               h.address, h.residents, array_to_string(h.care_tags, ', ')
        FROM households h JOIN grids g ON g.id = h.grid_id
        LEFT JOIN assignments a ON a.household_id = h.id
        LEFT JOIN members m ON m.id = a.member_id
        WHERE g.code = %s
        ORDER BY m.code IS NULL, m.code, h.address, h.code
        """,
        (grid_code,),
    )
    lists: dict[str, MemberList] = {}
    for member, name, duty, code, address, residents, tags in rows:
        found = lists.setdefault(member, MemberList(member, name, duty, []))
        found.rows.append((code, address, int(residents), tags))
    return list(lists.values())
