"""Opening hours in OpenStreetMap syntax ("Mo-Fr 08:30-12:00,14:30-17:30"), evaluated in
local wall-clock time (the strings carry no time zone)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

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
