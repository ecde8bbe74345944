"""The words of the domain, shared by the schema, the loaders, the generator and the pages:
administrative levels, the six member duties (六员), member and station kinds, services and
care tags. The database's CHECK constraints hold the same lists (migrations freeze them)."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

# The administrative levels (GB/T 2260 codes down to the county, then street and
# community codes), each with its rank: a parent is exactly one rank above its child.
AREA_RANKS: Final = {
    "province": 0,
    "city": 1,
    "district": 2,
    "county": 2,
    "street": 3,
    "township": 3,
    "community": 4,
    "village": 4,
}
AREA_LEVELS: Final = tuple(AREA_RANKS)
DUTIES: Final = {
    "policy_promoter": "政策宣传员",
    "information_collector": "信息收集员",
    "dispute_mediator": "矛盾调解员",
    "safety_inspector": "安全巡查员",
    "liaison": "民情联络员",
    "volunteer": "志愿服务员",
}
MEMBER_KINDS: Final = ("resident", "cadre", "mobile")  # mobile: delivery riders (流动网格员)
STATION_KINDS: Final = (
    "red_station",
    "rider_station",
    "service_centre",
    "neighbourhood_centre",
    "micro_station",
)
SERVICES: Final = (
    "water",
    "charging",
    "rest",
    "toilet",
    "storage",
    "first_aid",
    "raincoat",
    "microwave",
    "books",
    "wifi",
)
CARE_TAGS: Final = ("elderly", "children", "disabled", "low_income", "veteran")
# OpenStreetMap's highway values of ways people travel on (the base map draws them by class;
# the walking network uses them): roads, their links, and paths.
HIGHWAYS: Final = (
    "motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential",
    "motorway_link", "trunk_link", "primary_link", "secondary_link", "tertiary_link",
    "living_street", "service", "pedestrian", "track", "road", "busway",
    "footway", "bridleway", "steps", "corridor", "path", "cycleway",
)  # fmt: skip
# Areas of the base map: water (lakes, rivers), green space (parks, wetland), buildings.
LAND_KINDS: Final = ("water", "green", "building")


class GridStatus(StrEnum):
    """A grid's assignment outcome: whether its members can serve its households within
    their load bounds (15–25 each by default)."""

    OK = "ok"
    UNDERSTAFFED = "understaffed"  # more households than the members' maxima: some wait
    OVERSTAFFED = "overstaffed"  # fewer households than the members' minima
    NO_MEMBERS = "no_members"  # households but no active member
    EMPTY = "empty"  # no household
