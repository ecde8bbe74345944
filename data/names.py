"""Place names, coordinates and name lists for the demo data set.

The places are around Aixi Lake (艾溪湖) in the Nanchang High-tech Zone (南昌高新区). The
community and village names marked "reported" come from the source reports (DESIGN.md,
section 2); the others are plausible inventions that fill the map. Coordinates are
approximate (lon, lat) and only need to be plausible, not surveyed.
"""

from __future__ import annotations

from typing import Final, NamedTuple

DISTRICT_CODE: Final = "360190"  # stable, in Nanchang's 3601 prefix; not an official code
DISTRICT_NAME: Final = "南昌高新区"

# The zone's outline, clockwise from the south-west. Its west edge follows the east shore
# of Aixi Lake, so no household ends up in the water.
DISTRICT_OUTLINE: Final = (
    (115.956, 28.664),
    (115.957, 28.684),
    (115.960, 28.703),
    (115.968, 28.722),
    (115.990, 28.728),
    (116.015, 28.726),
    (116.040, 28.719),
    (116.061, 28.706),
    (116.068, 28.681),
    (116.063, 28.656),
    (116.046, 28.643),
    (116.020, 28.642),
    (115.995, 28.646),
    (115.972, 28.652),
)


class Street(NamedTuple):
    name: str
    level: str  # "street" (街道 / 管理处) or "township" (镇)


class Place(NamedTuple):
    name: str
    level: str  # "community" or "village"
    street: int  # index into STREETS
    lon: float
    lat: float


STREETS: Final = (
    Street("艾溪湖管理处", "street"),
    Street("京东镇", "township"),
    Street("麻丘镇", "township"),
)

# Each place's point seeds its Voronoi cell, so keep them about 2 km apart.
PLACES: Final = (
    Place("名都社区", "community", 0, 115.968, 28.686),  # reported
    Place("龙江社区", "community", 0, 115.984, 28.692),  # reported
    Place("溪湖北社区", "community", 0, 115.970, 28.707),  # reported
    Place("御水园社区", "community", 0, 115.970, 28.667),  # reported
    Place("高新社区", "community", 0, 115.988, 28.656),
    Place("吾悦社区", "community", 1, 116.001, 28.699),  # reported
    Place("观澜社区", "community", 1, 115.990, 28.716),  # reported
    Place("上上城社区", "community", 1, 116.012, 28.714),  # reported
    Place("京东社区", "community", 1, 116.004, 28.681),
    Place("联圩村", "village", 1, 116.032, 28.712),
    Place("麻丘村", "village", 2, 116.047, 28.674),  # reported
    Place("北沥村", "village", 2, 116.024, 28.656),  # reported
    Place("瑶湖社区", "community", 2, 116.024, 28.691),
    Place("桥东村", "village", 2, 116.056, 28.696),
)


class NamedStation(NamedTuple):
    name: str
    kind: str
    lon: float
    lat: float
    services: tuple[str, ...]
    opening_hours: str
    address: str


# The zone built eight red stations "by the nearest-and-most-convenient principle"; the
# first three names are reported, the rest are plausible.
NAMED_RED_STATIONS: Final = (
    NamedStation(
        "云中城红色驿站",
        "red_station",
        116.008,
        28.706,
        ("water", "charging", "rest", "toilet", "microwave", "first_aid", "raincoat"),
        "24/7",
        "天祥大道1088号",
    ),
    NamedStation(
        "艾溪湖湿地公园红色驿站",
        "red_station",
        115.9615,
        28.681,
        ("water", "charging", "rest", "toilet", "first_aid", "books"),
        "Mo-Su 07:00-19:00",
        "艾溪湖北路湿地公园东门",
    ),
    NamedStation(
        '吾悦社区"悦小哥"驿站',
        "red_station",
        116.0025,
        28.6985,
        ("water", "charging", "rest", "microwave", "storage", "wifi"),
        "Mo-Su 09:00-21:00",
        "紫阳大道3333号新城吾悦广场",
    ),
    NamedStation(
        "紫阳大道红色驿站",
        "red_station",
        115.985,
        28.690,
        ("water", "charging", "rest", "raincoat"),
        "Mo-Sa 08:00-20:00; Su off",
        "紫阳大道1688号",
    ),
    NamedStation(
        "火炬大街红色驿站",
        "red_station",
        115.993,
        28.666,
        ("water", "charging", "rest", "toilet", "wifi"),
        "Mo-Fr 08:30-17:30; Sa,Su 09:00-12:00",
        "火炬大街699号",
    ),
    NamedStation(
        "瑶湖红色驿站",
        "red_station",
        116.026,
        28.689,
        ("water", "charging", "rest", "books", "first_aid"),
        "Mo-Su 08:00-22:00",
        "瑶湖西大道888号",
    ),
    NamedStation(
        "京东大道红色驿站",
        "red_station",
        116.003,
        28.680,
        ("water", "charging", "rest", "storage", "microwave"),
        "24/7",
        "京东大道1299号",
    ),
    NamedStation(
        "麻丘镇红色驿站",
        "red_station",
        116.045,
        28.672,
        ("water", "rest", "toilet", "first_aid"),
        "Mo-Fr 08:30-12:00,14:30-17:30",
        "麻丘镇麻丘大道66号",
    ),
)

ROADS: Final = (
    "高新大道",
    "紫阳大道",
    "火炬大街",
    "天祥大道",
    "京东大道",
    "艾溪湖北路",
    "艾溪湖一路",
    "高新二路",
    "高新七路",
    "瑶湖西大道",
    "创新一路",
    "产业三路",
    "民强路",
    "青山湖大道",
)

# Common surnames, most frequent first (frequency falls off roughly as 1/rank).
SURNAMES: Final = tuple(
    "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文涂"
)
GIVEN_CHARS: Final = tuple(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国文辉红萍斌宇浩凯鑫婷雪琳"
    "晨欣怡子梓涵轩博宁峰波海燕莉丹慧佳晶俊龙飞鹏春梅林志永德成思雨家诗嘉安新荣庆福"
)

# Mainland mobile prefixes (China Mobile, Unicom, Telecom); the 8 digits after are random.
MOBILE_PREFIXES: Final = tuple(
    str(p) for p in (*range(130, 140), *range(150, 160), *range(180, 190), 177, 199) if p != 154
)
