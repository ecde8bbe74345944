"""The processing record (PIPL, GB/T 35273): one append-only row for every staff read of
personal data and every write — who, when, what, in which scope, how many rows. The table
refuses UPDATE, DELETE and TRUNCATE itself (migration 0007)."""

from __future__ import annotations

from datetime import datetime

from layers.db import Connection, fetchone
from layers.tokens import Staff

ACTIONS = ("read", "write", "export", "sign_in", "sign_out", "admin")

_LIST = """
SELECT coalesce(json_agg(json_build_object(
    'id', id, 'at', at, 'actor', actor, 'role', role, 'scope_code', scope_code,
    'action', action, 'target', target, 'rows', rows, 'detail', detail) ORDER BY id DESC),
    '[]')::text, count(*)
FROM (SELECT * FROM audit_log
      WHERE (scope_code = ANY(%(areas)s) OR scope_code IS NULL AND %(all)s)
        AND (%(action)s::text IS NULL OR action = %(action)s)
        AND (%(since)s::timestamptz IS NULL OR at >= %(since)s)
        AND (%(before)s::bigint IS NULL OR id < %(before)s)
      ORDER BY id DESC LIMIT %(limit)s) page
"""


async def record(
    conn: Connection,
    staff: Staff,
    *,
    action: str,
    target: str,
    rows: int = 0,
    detail: str | None = None,
) -> None:
    """One row, written at once (not batched): a record that could be lost is no record."""
    await conn.execute(
        "INSERT INTO audit_log (actor, role, scope_code, action, target, rows, detail) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s)",
        (staff.actor, staff.role, staff.scope_code, action, target[:500], max(rows, 0), detail),
    )


async def records_json(
    conn: Connection,
    *,
    areas: tuple[str, ...],
    include_unscoped: bool,
    action: str | None,
    since: datetime | None,
    before: int | None,
    limit: int,
) -> tuple[str, int]:
    """Records of staff scoped to these areas, newest first, `before` an id for paging:
    a JSON array and how many it holds."""
    params = {
        "areas": list(areas),
        "all": include_unscoped,
        "action": action,
        "since": since,
        "before": before,
        "limit": limit,
    }
    row = await fetchone(conn, _LIST, params)
    assert row is not None
    return str(row[0]), int(row[1])
