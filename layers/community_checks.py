"""`gridgis validate`: check that every community under an area is partitioned by its grids
and, when asked, repair what breaks that and save it like any edit (versions, re-assignment
of the changed grids, history) — unless a boundary would move beyond the tolerance and force
is not given: then that community is left alone and the note says why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from gis.redraw import EditError
from gis.validation import DEFAULT_TOLERANCES, PARTITION_KINDS, Issue, Tolerances
from layers.areas import communities_below
from layers.db import Connection
from layers.edit_report import GridOutcome
from layers.grid_edits import RepairEdit, run_edit
from layers.grid_history import Actor
from layers.partition import CommunityNotFound, check_community

CLI = Actor(role="cli")


@dataclass(frozen=True)
class CommunityCheck:
    community: str
    issues: list[Issue]  # after the repair, when one ran
    repaired: list[GridOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # repairs beyond the tolerance


async def validate_area(
    conn: Connection,
    area: str | None,
    *,
    repair: bool = False,
    force: bool = False,
    tolerances: Tolerances = DEFAULT_TOLERANCES,
    actor: Actor = CLI,
    progress: Callable[[int, int], None] | None = None,
) -> list[CommunityCheck]:
    """Check every community under `area` (all when None), repairing when asked."""
    codes = await communities_below(conn, area_code=area)
    if codes is None:
        raise CommunityNotFound(f"no community, street or district with code '{area}'")
    checks = []
    for done, code in enumerate(codes, start=1):
        checks.append(await _check(conn, code, repair, force, tolerances, actor))
        if progress:
            progress(done, len(codes))
    return checks


async def _check(
    conn: Connection, code: str, repair: bool, force: bool, tolerances: Tolerances, actor: Actor
) -> CommunityCheck:
    issues = await check_community(conn, code, tolerances=tolerances)
    if not repair or not any(i.kind in PARTITION_KINDS for i in issues):
        return CommunityCheck(code, issues)
    try:
        outcome = await run_edit(conn, RepairEdit(code, tolerances, force), actor=actor, save=True)
    except EditError as error:
        return CommunityCheck(code, issues, notes=[str(error)])
    issues = await check_community(conn, code, tolerances=tolerances)
    return CommunityCheck(code, issues, outcome.grids, outcome.plan.warnings)
