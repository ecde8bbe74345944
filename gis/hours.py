"""Opening hours in OpenStreetMap syntax ("Mo-Fr 08:30-12:00,14:30-17:30"), evaluated in
local wall-clock time (the strings carry no time zone)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import opening_hours


@lru_cache(maxsize=4096)
def parsed(expression: str) -> opening_hours.OpeningHours | None:
    """The parsed expression, or None when it is not valid OpenStreetMap syntax (rows
    written around `gridgis load`); parsed once per distinct string."""
    if not opening_hours.validate(expression):
        return None
    return opening_hours.OpeningHours(expression)


def is_valid(expression: str) -> bool:
    return parsed(expression) is not None


@dataclass(frozen=True)
class OpenState:
    open_now: bool | None  # None: the hours cannot be read
    next_change: str | None  # local ISO time to the minute, e.g. "2026-03-14T08:00"


def open_state(expression: str, now: datetime) -> OpenState:
    """Whether a place is open at `now` (local, naive) and when that next changes."""
    hours = parsed(expression)
    if hours is None:
        return OpenState(None, None)
    change = hours.next_change(now)
    return OpenState(
        bool(hours.is_open(now)), change.isoformat(timespec="minutes") if change else None
    )


def is_open(expression: str, now: datetime) -> bool | None:
    hours = parsed(expression)
    return bool(hours.is_open(now)) if hours is not None else None


def week(expression: str, today: date, days: int = 7) -> list[dict[str, Any]] | None:
    """The open intervals of `days` days from `today` (local dates), each day as
    {"date": "2026-03-14", "open": ["08:30-12:00", "14:30-17:30"]} ("00:00-24:00" all
    day, [] closed); None when the hours cannot be read."""
    hours = parsed(expression)
    if hours is None:
        return None
    out = []
    for offset in range(days):
        start = datetime.combine(today + timedelta(days=offset), time())
        end = start + timedelta(days=1)
        spans = [
            f"{a:%H:%M}-{'24:00' if b >= end else f'{b:%H:%M}'}"
            for a, b, state, _ in hours.intervals(start, end)
            if state == opening_hours.State.OPEN
        ]
        out.append({"date": start.date().isoformat(), "open": spans})
    return out
