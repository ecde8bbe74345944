"""A station's week of opening hours, as the pages say them ("today 08:30–12:00, 14:30–17:30")."""

from __future__ import annotations

from datetime import date

from gis.hours import week


def test_week_of_a_service_centre():
    days = week("Mo-Fr 08:30-12:00,14:30-17:30; Sa 09:00-12:00", date(2026, 12, 2))  # a Wednesday
    assert days is not None and len(days) == 7
    assert days[0] == {"date": "2026-12-02", "open": ["08:30-12:00", "14:30-17:30"]}
    assert days[3] == {"date": "2026-12-05", "open": ["09:00-12:00"]}  # Saturday
    assert days[4] == {"date": "2026-12-06", "open": []}  # Sunday: closed


def test_all_day_and_unreadable():
    assert week("24/7", date(2026, 12, 2), days=1) == [
        {"date": "2026-12-02", "open": ["00:00-24:00"]}
    ]
    assert week("Mo-Su 22:00-02:00", date(2026, 12, 2), days=1) == [
        {"date": "2026-12-02", "open": ["00:00-02:00", "22:00-24:00"]}
    ]
    assert week("whenever", date(2026, 12, 2)) is None
