"""Service points: red stations (红色驿站), rider stations, party-and-mass service centres
(党群服务中心, one per street), neighbourhood centres (邻里中心) and micro stations.

Counts follow Nanchang's ratios for its ~2.4 M households (243 red stations, 192
neighbourhood centres), with the High-tech Zone's eight named red stations always first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from data import names
from data._geometry import FloatArray, GeomArray, IntArray, sample_in
from data._tiling import TO_METRIC
from gis.vocabulary import SERVICES

# kind: (households per station, name pattern, services always offered, opening hours)
KINDS: dict[str, tuple[int, str, tuple[str, ...], tuple[str, ...]]] = {
    "red_station": (
        10_000,
        "{}红色驿站",
        ("water", "charging", "rest"),
        ("24/7", "Mo-Su 08:00-20:00", "Mo-Sa 08:00-20:00; Su off", "Mo-Fr 08:30-17:30"),
    ),
    "rider_station": (
        20_000,
        '{}"小哥驿站"',
        ("water", "charging", "rest", "microwave"),
        ("24/7", "Mo-Su 10:00-22:00", "Mo-Su 07:00-23:00"),
    ),
    "neighbourhood_centre": (
        12_500,
        "{}邻里中心",
        ("water", "rest", "toilet", "books", "wifi"),
        ("Mo-Su 08:00-21:00", "Mo-Fr 08:00-20:00; Sa,Su 09:00-18:00"),
    ),
    "micro_station": (
        4_000,
        "{}红色微站",
        ("water", "charging"),
        ("Mo-Su 07:00-22:00", "24/7", "Mo-Fr 09:00-18:00"),
    ),
}
CENTRE_HOURS = ("Mo-Fr 08:30-12:00,14:30-17:30", "Mo-Fr 08:30-17:30; Sa 09:00-12:00")
CENTRE_SERVICES = ("water", "rest", "toilet", "first_aid", "books", "wifi")
MIN_COUNT = {"red_station": 0, "rider_station": 3, "neighbourhood_centre": 3, "micro_station": 5}


@dataclass(frozen=True)
class Stations:
    name: list[str]
    kind: list[str]
    services: list[list[str]]
    opening_hours: list[str]
    address: list[str]
    service_phone: list[str]
    x: FloatArray
    y: FloatArray


def _services(rng: np.random.Generator, base: tuple[str, ...]) -> list[str]:
    """The base services plus each other service with probability 0.2, in SERVICES order."""
    extra = rng.random(len(SERVICES)) < 0.2
    return [s for s, e in zip(SERVICES, extra, strict=True) if s in base or e]


def _address(rng: np.random.Generator) -> str:
    road = names.ROADS[int(rng.integers(len(names.ROADS)))]
    return f"{road}{int(rng.integers(1, 3000))}号"


def _phone(rng: np.random.Generator) -> str:
    return f"0791-8{int(rng.integers(0, 10**7)):07d}"  # Nanchang landline


def _pick(rng: np.random.Generator, count: int, pool: int) -> IntArray:
    """count community indices: distinct while the pool lasts, then round again."""
    rounds = [rng.permutation(pool) for _ in range(-(-count // pool))]
    return np.concatenate(rounds)[:count] if rounds else np.zeros(0, np.int64)


def build(
    rng: np.random.Generator,
    households: int,
    district: Any,
    comm_names: list[str],
    comm_levels: list[str],
    comm_cells: GeomArray,
    street_names: list[str],
    street_cells: GeomArray,
) -> Stations:
    everywhere = np.arange(len(comm_names))
    urban = np.flatnonzero([level == "community" for level in comm_levels])
    urban = urban if len(urban) else everywhere
    rows: list[tuple[str, str, list[str], str, str, str]] = []
    owner: list[GeomArray] = []
    for s in names.NAMED_RED_STATIONS:
        rows.append((s.name, s.kind, list(s.services), s.opening_hours, s.address, _phone(rng)))
    for street, name in enumerate(street_names):
        hours = CENTRE_HOURS[int(rng.integers(len(CENTRE_HOURS)))]
        services = _services(rng, CENTRE_SERVICES)
        address = _address(rng)
        row = (f"{name}党群服务中心", "service_centre", services, hours, address, _phone(rng))
        rows.append(row)
        owner.append(street_cells[street : street + 1])
    for kind, (per, pattern, base, hours_choice) in KINDS.items():
        count = max(MIN_COUNT[kind], round(households / per))
        if kind == "red_station":
            count -= len(names.NAMED_RED_STATIONS)
        # Riders and neighbourhood centres belong to town; red and micro stations anywhere.
        pool = urban if kind in ("rider_station", "neighbourhood_centre") else everywhere
        picked = pool[_pick(rng, max(count, 0), len(pool))]
        seen: dict[int, int] = {}
        for c in picked.tolist():
            seen[c] = seen.get(c, 0) + 1
            label = comm_names[c] + ("" if seen[c] == 1 else f"{seen[c]}号")
            hours = hours_choice[int(rng.integers(len(hours_choice)))]
            address = _address(rng)
            services = _services(rng, base)
            rows.append((pattern.format(label), kind, services, hours, address, _phone(rng)))
            owner.append(comm_cells[c : c + 1])
    lon = np.array([s.lon for s in names.NAMED_RED_STATIONS])
    lat = np.array([s.lat for s in names.NAMED_RED_STATIONS])
    nx, ny = TO_METRIC.transform(lon, lat)
    if not shapely.contains_xy(district, nx, ny).all():
        raise ValueError("a named station lies outside the district")
    polys = np.concatenate(owner) if owner else np.empty(0, dtype=object)
    x, y = sample_in(rng, polys, np.arange(len(polys)))
    columns = list(zip(*rows, strict=True))
    return Stations(
        name=list(columns[0]),
        kind=list(columns[1]),
        services=list(columns[2]),
        opening_hours=list(columns[3]),
        address=list(columns[4]),
        service_phone=list(columns[5]),
        x=np.concatenate([nx, x]),
        y=np.concatenate([ny, y]),
    )
