"""The HTML encoding of the OGC API (f=html, or a browser's Accept): the landing page,
the collection list, a collection, its items as a table with a small map, one item — in
Chinese or English, like pygeoapi and tipg give. Every text is escaped; the map's data is a
JSON block (data, not script) that maps/static/js/ogc/map.js draws with the vendored
Leaflet. Pure builders: no database, no network."""

from __future__ import annotations

import html
import json
from typing import Any

from maps.base import FAVICON, LEAFLET_CSS, LEAFLET_JS, PAGE_CSS, PageOptions

WORDS = {
    "zh-CN": {
        "title": "gridgis 开放接口", "collections": "图层", "conformance": "符合的标准",
        "api": "接口文档 (OpenAPI)", "items": "要素", "queryables": "可查询属性",
        "json": "JSON", "previous": "上一页", "next": "下一页", "matched": "共 {n} 个，本页 {m} 个",
        "id": "编号", "extent": "范围", "other": "English", "home": "首页",
    },
    "en": {
        "title": "gridgis open API", "collections": "Collections", "conformance": "Conformance",
        "api": "API definition (OpenAPI)", "items": "Items", "queryables": "Queryables",
        "json": "JSON", "previous": "Previous", "next": "Next", "matched": "{n} in all, {m} here",
        "id": "id", "extent": "Extent", "other": "中文", "home": "Home",
    },
}  # fmt: skip


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _page(options: PageOptions, title: str, body: str, data: Any = None) -> str:
    words = WORDS[options.language]
    other = "en" if options.language == "zh-CN" else "zh-CN"
    head = (
        f'<!DOCTYPE html><html lang="{options.language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title>"
        f'<link rel="icon" href="{_e(options.static(FAVICON))}" type="image/svg+xml">'
        f'<link rel="stylesheet" href="{_e(options.static(PAGE_CSS))}">'
    )
    if data is not None:
        block = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
        head += (
            f'<link rel="stylesheet" href="{_e(options.static(LEAFLET_CSS))}">'
            f'<script src="{_e(options.static(LEAFLET_JS))}"></script>'
            f'<script type="application/json" id="gg-data">{block}</script>'
            f'<script type="module" src="{_e(options.static("js/ogc/map.js"))}"></script>'
        )
    nav = (
        f'<nav class="gg-ogc-nav"><a href="{options.api_root}/?f=html">{words["home"]}</a> · '
        f'<a href="{options.api_root}/collections?f=html">{words["collections"]}</a> · '
        f'<a href="?f=html&amp;lang={other}" hreflang="{other}">{words["other"]}</a></nav>'
    )
    return (
        head
        + '</head><body class="gg-ogc">'
        + nav
        + f"<h1>{_e(title)}</h1>"
        + body
        + "</body></html>"
    )


def _links(links: list[dict[str, str]]) -> str:
    items = "".join(
        f'<li><a href="{_e(k["href"])}">{_e(k.get("title") or k["rel"])}</a> '
        f"<small>{_e(k['type'])}</small></li>"
        for k in links
    )
    return f"<ul>{items}</ul>"


def landing(options: PageOptions, document: dict[str, Any]) -> str:
    body = f"<p>{_e(document['description'])}</p>" + _links(document["links"])
    return _page(options, WORDS[options.language]["title"], body)


def conformance(options: PageOptions, classes: list[str]) -> str:
    body = "<ul>" + "".join(f'<li><a href="{_e(c)}">{_e(c)}</a></li>' for c in classes) + "</ul>"
    return _page(options, WORDS[options.language]["conformance"], body)


def collections(options: PageOptions, document: dict[str, Any]) -> str:
    words = WORDS[options.language]
    rows = "".join(
        f'<tr><td><a href="{options.api_root}/collections/{_e(c["id"])}?f=html">{_e(c["id"])}'
        f"</a></td><td>{_e(c['title'])}</td><td>{_e(c['description'])}</td></tr>"
        for c in document["collections"]
    )
    table = f'<table class="gg-table"><tbody>{rows}</tbody></table>'
    return _page(options, words["collections"], table)


def collection(options: PageOptions, document: dict[str, Any]) -> str:
    words = WORDS[options.language]
    home = f"{options.api_root}/collections/{_e(document['id'])}"
    bbox = document.get("extent", {}).get("spatial", {}).get("bbox", [None])[0]
    body = (
        f"<p>{_e(document['description'])}</p>"
        f'<p><a href="{home}/items?f=html">{words["items"]}</a> · '
        f'<a href="{home}/queryables">{words["queryables"]}</a> · '
        f'<a href="{home}?f=json">{words["json"]}</a></p>'
        f'<div id="gg-ogc-map" class="gg-ogc-map" aria-label="{words["extent"]}"></div>'
    )
    return _page(options, document["title"], body, data={"bbox": bbox})


def items(options: PageOptions, title: str, page: dict[str, Any]) -> str:
    words = WORDS[options.language]
    features = page["features"]
    names = list(dict.fromkeys(n for f in features for n in f["properties"]))
    head = f"<th>{words['id']}</th>" + "".join(f"<th>{_e(n)}</th>" for n in names)
    rows = "".join(
        "<tr>"
        f'<td><a href="items/{_e(f["id"])}?f=html">{_e(f["id"])}</a></td>'
        + "".join(f"<td>{_e(_cell(f['properties'].get(n)))}</td>" for n in names)
        + "</tr>"
        for f in features
    )
    label = {"prev": words["previous"], "next": words["next"]}
    paging = " · ".join(
        f'<a href="{_e(k["href"])}" rel="{k["rel"]}">{label[k["rel"]]}</a>'
        for k in page["links"]
        if k["rel"] in label
    )
    counts = words["matched"].format(n=page.get("numberMatched", "?"), m=len(features))
    body = (
        f'<div id="gg-ogc-map" class="gg-ogc-map"></div><p>{_e(counts)} {paging}</p>'
        f'<table class="gg-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    )
    return _page(options, title, body, data={"features": features})


def item(options: PageOptions, title: str, feature: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><th>{_e(name)}</th><td>{_e(_cell(value))}</td></tr>"
        for name, value in feature["properties"].items()
    )
    body = (
        '<div id="gg-ogc-map" class="gg-ogc-map"></div>'
        f'<table class="gg-table"><tbody>{rows}</tbody></table>'
    )
    return _page(options, f"{title}: {feature['id']}", body, data={"features": [feature]})


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)
