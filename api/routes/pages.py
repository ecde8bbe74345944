"""The map pages (built by `maps`, data fetched by the browser from this API) and their
static assets. Staff pages hold no data: they ask for a token and send it on each call."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from http import HTTPStatus
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

import maps
from api.deps import SettingsDep
from api.errors import Problem
from api.settings import Settings
from maps.admin import build_admin
from maps.base import Basemap, PageOptions, script_hashes
from maps.dispatch import build_dispatch
from maps.locator import build_locator
from maps.planner import build_planner

router = APIRouter(tags=["Pages"])
STATIC_DIR = Path(maps.__file__).resolve().parent / "static"
VENDORED = STATIC_DIR / "vendor" / ".versions"

Language = Annotated[
    Literal["zh-CN", "en"] | None, Query(description="page language (default: GRIDGIS_LANGUAGE)")
]


class AssetsMissing(Problem):
    status = HTTPStatus.SERVICE_UNAVAILABLE


def static_files() -> StaticFiles:
    """maps/static at /static: the pages' scripts and styles and the vendored Leaflet."""
    return StaticFiles(directory=STATIC_DIR, check_dir=False)


def _basemap(settings: Settings) -> Basemap | None:
    if not settings.basemap_url:
        return None
    return Basemap(
        url=settings.basemap_url,
        attribution=settings.basemap_attribution,
        subdomains=settings.basemap_subdomains,
        labels_url=settings.basemap_labels_url,
    )


def _tile_source(template: str) -> str:
    """The CSP source of a tile URL template: http://t{s}.tianditu.gov.cn/... ->
    http://*.tianditu.gov.cn; a template whose host is not plain text -> its scheme."""
    match = re.match(r"^(https?:)//([^/?#]+)", template)
    if not match:
        return ""
    scheme, host = match.groups()
    first, _, rest = host.partition(".")
    if "{" in first and rest and "{" not in rest:
        return f"{scheme}//*.{rest}"
    return scheme if "{" in host else f"{scheme}//{host}"


def _csp(basemap: Basemap | None, scripts: Iterable[str] = ()) -> str:
    """The browser itself refuses anything but this server (and the basemap's tiles). Of
    inline scripts it runs only `scripts`, the page's own by their hash: no injected script
    and no inline event handler runs, even where a name would slip through as HTML."""
    tiles = ""
    if basemap is not None:
        sources = {_tile_source(basemap.url)}
        if basemap.labels_url:
            sources.add(_tile_source(basemap.labels_url))
        tiles = " " + " ".join(sorted(s for s in sources if s))
    return (
        f"default-src 'self'; script-src 'self'{''.join(' ' + s for s in scripts)}; "
        "style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data:{tiles}; connect-src 'self'; font-src 'self'; "
        "object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
    )


@lru_cache(maxsize=64)
def _built(builder: Callable[[PageOptions], str], options: PageOptions) -> tuple[str, str]:
    """The page and its CSP, built together: Folium names its elements at random, so the
    hashes of its inline scripts hold for this build only (one per process and options)."""
    page = builder(options)
    return page, _csp(options.basemap, script_hashes(page))


def _page(
    builder: Callable[[PageOptions], str],
    request: Request,
    settings: Settings,
    lang: str | None,
) -> HTMLResponse:
    if not VENDORED.exists():
        raise AssetsMissing(
            "the map assets (Leaflet) are not installed: run scripts/vendor-assets.sh "
            "(make setup does)"
        )
    root = str(request.scope.get("root_path", "")).rstrip("/")
    options = PageOptions(
        language=lang or settings.language,
        static_root=f"{root}/static",
        api_root=root,
        basemap=_basemap(settings),
    )
    page, csp = _built(builder, options)
    return HTMLResponse(
        page,
        headers={
            "Content-Language": options.language,
            "Content-Security-Policy": csp,
            "Cache-Control": "no-cache",
        },
    )


@router.get("/locator", response_class=HTMLResponse, summary="Public station locator (page)")
def locator(request: Request, settings: SettingsDep, lang: Language = None) -> HTMLResponse:
    return _page(build_locator, request, settings, lang)


@router.get("/maps/dispatch", response_class=HTMLResponse, summary="Dispatch map (staff page)")
def dispatch(request: Request, settings: SettingsDep, lang: Language = None) -> HTMLResponse:
    return _page(build_dispatch, request, settings, lang)


@router.get("/maps/planner", response_class=HTMLResponse, summary="Planner map (staff page)")
def planner(request: Request, settings: SettingsDep, lang: Language = None) -> HTMLResponse:
    return _page(build_planner, request, settings, lang)


@router.get("/maps/admin", response_class=HTMLResponse, summary="Accounts and record (admin page)")
def admin(request: Request, settings: SettingsDep, lang: Language = None) -> HTMLResponse:
    return _page(build_admin, request, settings, lang)
