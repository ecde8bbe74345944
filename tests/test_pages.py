"""The map pages in a real headless Chromium (Debian's, driven by Playwright) against a real
`gridgis serve`: every request stays on 127.0.0.1, no console error, the layers are drawn,
and what the pages show agrees with the API. Screenshots go to test-output/."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import shapely
from shapely import wkb
from shapely.geometry import mapping, shape

from api.routes.pages import VENDORED, _csp
from gis.geometry import metric_crs_for, to_lonlat, to_metric
from layers.assignments import Scope, assign_blocking
from layers.db import connect
from layers.tokens import create_token
from maps.base import Basemap, PageOptions, inline_scripts, new_page, raw, render, script_hashes
from maps.dispatch import build_dispatch
from maps.i18n import STRINGS
from maps.locator import build_locator
from maps.planner import MEMBER_PALETTE, build_planner
from tests.live import served

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "test-output"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
BUILDERS = {"locator": build_locator, "dispatch": build_dispatch, "planner": build_planner}
HERE = (116.0105, 28.6841)  # a place in the demo, near Aixi Lake
COMMUNITY = "360190001001"  # 名都社区, five grids: the redraw test grows one of them


# ---- the builders, without a browser ----


def _assets(page: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']?([^"' >]+)""", page)


@pytest.mark.parametrize("name", sorted(BUILDERS))
@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_pages_reference_only_this_server(name, language):
    page = BUILDERS[name](PageOptions(language=language))
    assert f'<html lang="{language}">' in page
    assets = _assets(page)
    assert any(a.endswith("/leaflet.js") for a in assets)
    assert all(a.startswith(("/static/", "?lang=", "#")) for a in assets), assets
    assert "cdn" not in page.lower() and "https://" not in page


def test_a_configured_basemap_is_drawn_and_allowed_by_the_csp():
    tianditu = "http://t{s}.tianditu.gov.cn/vec_w/wmts?tk=KEY&x={x}&y={y}&l={z}"
    basemap = Basemap(url=tianditu, attribution="天地图", subdomains="01234567")
    page = build_locator(PageOptions(basemap=basemap))
    assert "L.tileLayer" in page and "tianditu.gov.cn" in page and "01234567" in page
    assert "img-src 'self' data: http://*.tianditu.gov.cn;" in _csp(basemap)
    assert "img-src 'self' data:;" in _csp(None)


def test_a_page_with_an_inline_event_handler_is_not_built():
    options = PageOptions()
    figure, _ = new_page(options, title="t")
    figure.html.add_child(raw('<button type="button" onclick="go()">Go</button>'))
    with pytest.raises(ValueError, match="inline event handler"):
        render(figure, options, page_name="t")


def test_both_languages_have_every_word():
    assert set(STRINGS["zh-CN"]) == set(STRINGS["en"])


# ---- the served pages ----


@dataclass
class Site:
    base: str
    dispatcher: str
    planner: str
    url: str = ""

    def get(self, path: str, token: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = httpx.get(self.base + path, headers=headers, timeout=10)
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="module")
def site(databases, demo_template) -> Iterator[Site]:
    if not VENDORED.exists():
        pytest.fail("the map assets are missing: run `make test` (scripts/vendor-assets.sh)")
    url = databases.url(databases.create(template=demo_template))
    assign_blocking(url, scope=Scope(all=True), workers=1)
    with connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT code FROM areas WHERE level = 'district'").fetchone()
        assert row is not None
        dispatcher = create_token(conn, role="dispatcher", scope_code=row[0], label="pages")
        planner = create_token(conn, role="planner", scope_code=row[0], label="pages")
    with served(url) as base:
        yield Site(base, dispatcher, planner, url)


def test_pages_are_served_with_their_assets(site):
    for path in ("/locator", "/maps/dispatch", "/maps/planner?lang=en"):
        response = httpx.get(site.base + path, timeout=10)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        assert "default-src 'self'" in response.headers["content-security-policy"]
        for asset in _assets(response.text):
            if asset.startswith("/"):
                assert httpx.get(site.base + asset, timeout=10).status_code == 200, asset
    assert 'lang="en"' in httpx.get(site.base + "/locator?lang=en", timeout=10).text
    assert httpx.get(site.base + "/locator?lang=fr", timeout=10).status_code == 400


def _directives(csp: str) -> dict[str, list[str]]:
    parts = (d.split() for d in csp.split(";") if d.strip())
    return {words[0]: words[1:] for words in parts}


def test_served_pages_run_no_inline_script_but_their_own(site):
    for path in ("/locator", "/maps/dispatch", "/maps/planner?lang=en"):
        response = httpx.get(site.base + path, timeout=10)
        csp = _directives(response.headers["content-security-policy"])
        scripts = csp["script-src"]
        assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, path
        # Folium's own blocks (the map, its layers, the hand-over), each by its hash
        inline = inline_scripts(response.text)
        assert len(inline) >= 2 and any("gridgisPages" in body for body in inline), path
        assert scripts == ["'self'", *script_hashes(response.text)], path
        assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'self'"], path
        assert csp["frame-ancestors"] == ["'none'"], path
        assert "default-src" in csp and csp["default-src"] == ["'self'"], path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run `make test` (scripts/setup.sh --browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Probe:
    page: Any
    foreign: list[str] = field(default_factory=list)  # requests to any other host
    local: list[str] = field(default_factory=list)  # paths asked of this server
    errors: list[str] = field(default_factory=list)  # console errors, uncaught exceptions

    def clean(self) -> None:
        assert self.foreign == [], f"requests left 127.0.0.1: {self.foreign}"
        assert self.errors == [], f"console errors: {self.errors}"


AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"


@contextmanager
def opened(browser, site: Site, path: str, *, axe: bool = False, **context: Any) -> Iterator[Probe]:
    ctx = browser.new_context(timezone_id="Asia/Shanghai", **context)
    if axe:  # injected by the browser itself (not a page script: the CSP stays as it is)
        ctx.add_init_script(path=str(AXE))
    page = ctx.new_page()
    probe = Probe(page)

    def guard(route: Any) -> None:
        url = urlsplit(route.request.url)
        if url.hostname == "127.0.0.1":
            probe.local.append(url.path)
            route.continue_()
        else:
            probe.foreign.append(route.request.url)
            route.abort()

    ctx.route("**/*", guard)
    page.on("console", lambda m: probe.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: probe.errors.append(str(error)))
    page.set_default_timeout(15_000)
    try:
        page.goto(site.base + path)
        yield probe
    finally:
        ctx.close()


def shoot(probe: Probe, name: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    probe.page.wait_for_timeout(400)  # let the map's zoom animation end
    probe.page.screenshot(path=str(OUTPUT / f"{name}.png"))


def until(page: Any, predicate: str, arg: Any = None, timeout: float = 15) -> None:
    """Polls a JS function until it returns true. (Playwright's wait_for_function evaluates
    strings in the page, which the pages' Content-Security-Policy rightly refuses.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(predicate, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {predicate}")
        page.wait_for_timeout(100)


def wait_for_paths(page: Any, at_least: int) -> None:
    until(
        page,
        "n => document.querySelectorAll('.leaflet-overlay-pane path').length >= n",
        arg=at_least,
    )


def test_locator_lists_the_nearest_station_the_api_gives(browser, site):
    communities = site.get("/collections/communities/items?limit=1")["numberMatched"]
    stations = site.get("/collections/stations/items?limit=1")["numberMatched"]
    geo = {"longitude": HERE[0], "latitude": HERE[1]}
    with opened(
        browser, site, "/locator", viewport={"width": 1280, "height": 800},
        geolocation=geo, permissions=["geolocation"],
    ) as probe:  # fmt: skip
        page = probe.page
        wait_for_paths(page, communities)
        # no internal grid lines for residents: only the communities' outlines
        assert page.locator(".leaflet-overlay-pane path").count() < communities + 10
        # every station is on the map, alone or in a cluster (once the zoom has settled)
        until(
            page,
            """n => {
                const pane = document.querySelector('.leaflet-marker-pane');
                const clustered = [...pane.querySelectorAll('.marker-cluster span')]
                    .reduce((sum, span) => sum + Number(span.textContent), 0);
                return clustered + pane.querySelectorAll('.gg-station').length === n;
            }""",
            arg=stations,
        )

        page.click("#gg-locate")
        page.wait_for_selector(".gg-row")
        expected = site.get(f"/stations/nearest?lon={HERE[0]}&lat={HERE[1]}&k=8")["features"]
        names = page.locator(".gg-row-name").all_inner_texts()
        assert names == [f["properties"]["name"] for f in expected]
        # the map shows the nearest station with its rank
        until(
            page,
            "() => [...document.querySelectorAll('.leaflet-marker-pane .gg-ranked')]"
            ".some(m => m.textContent === '1')",
        )

        # a list row opens its marker on the map; a marker marks its row
        page.locator(".gg-row-main").nth(1).click()
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert expected[1]["properties"]["name"] in popup.inner_text()
        assert "gg-selected" in (page.locator(".gg-row").nth(1).get_attribute("class") or "")

        # a click on the map is a place too: the list follows (and no coordinates are shown)
        page.keyboard.press("Escape")
        box = page.locator(".folium-map").bounding_box()
        x, y = 150, box["height"] - 150
        lon, lat = page.evaluate(
            """([x, y]) => {
                const map = Object.values(window).find(v => v instanceof L.Map);
                const at = map.containerPointToLatLng([x, y]);
                return [at.lng.toFixed(6), at.lat.toFixed(6)];
            }""",
            [x, y],
        )
        page.mouse.click(box["x"] + x, box["y"] + y)
        first = site.get(f"/stations/nearest?lon={lon}&lat={lat}&k=1")["features"][0]
        until(
            page,
            "n => document.querySelector('.gg-row-name').textContent === n",
            arg=first["properties"]["name"],
        )
        assert not re.search(r"\d+\.\d{5}", page.inner_text("body"))
        # filters: a service and open now
        page.select_option("#gg-service", "toilet")
        page.check("#gg-open-now")
        query = f"lon={lon}&lat={lat}&k=8&service=toilet&open_now=true"
        wanted = [
            f["properties"]["name"] for f in site.get(f"/stations/nearest?{query}")["features"]
        ]
        until(
            page,
            "n => [...document.querySelectorAll('.gg-row-name')].map(e => e.textContent).join('|') === n"
            " || (n === '' && !document.querySelector('#gg-empty').hidden)",
            arg="|".join(wanted),
        )
        assert page.locator(".gg-row .gg-closed").count() == 0
        for services in page.locator(".gg-row .gg-svcs").all():  # icon and word
            assert "厕所" in services.locator(".gg-svc-item").all_inner_texts()
        assert page.locator(".gg-legend").is_visible()
        # a public page: nothing personal is even asked for
        staff_only = ("/households", "/members", "/assignments", "/assignment")
        assert not [p for p in probe.local if any(s in p for s in staff_only)]
        shoot(probe, "locator")
        probe.clean()


def test_locator_fits_a_phone_and_works_by_keyboard(browser, site):
    geo = {"longitude": HERE[0], "latitude": HERE[1]}
    with opened(
        browser, site, "/locator?lang=en", viewport={"width": 375, "height": 700},
        geolocation=geo, permissions=["geolocation"], has_touch=True, is_mobile=True,
    ) as probe:  # fmt: skip
        page = probe.page
        page.click("#gg-locate")
        page.wait_for_selector(".gg-row")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        assert page.locator("h1").inner_text() == "Find a red station"
        # Tab from the top of the page reaches the first row of the list
        page.evaluate("document.activeElement.blur()")
        for _ in range(30):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.classList.contains('gg-row-main')"):
                break
        else:
            pytest.fail("the list rows cannot be reached by Tab")
        page.keyboard.press("Enter")
        page.locator(".leaflet-popup-content").wait_for()
        page.evaluate("window.scrollTo(0, 0)")
        shoot(probe, "locator-phone")
        probe.clean()


def test_dispatch_says_a_staff_token_is_needed(browser, site):
    with opened(
        browser, site, "/maps/dispatch?lang=en", viewport={"width": 1280, "height": 800}
    ) as probe:
        page = probe.page
        needed = page.locator(".gg-needed")
        needed.wait_for()
        assert "Staff sign-in needed" in needed.inner_text()
        page.click(".gg-coords-box summary")
        page.fill("#gg-lon", str(HERE[0]))
        page.fill("#gg-lat", str(HERE[1]))
        page.click("#gg-coord-form button")
        assert "Staff sign-in needed" in page.inner_text("#gg-status")
        probe.clean()


def _sign_in(page: Any, token: str) -> None:
    page.fill("#gg-token", token)
    page.click(".gg-signin-form button")
    page.locator(".gg-signed-in").wait_for()


def test_dispatch_finds_an_address_typed_in_part_and_the_responsible_member_first(browser, site):
    with connect(site.url) as conn:
        row = conn.execute(
            "SELECT h.code, h.address, m.name, g.code FROM households h "
            "JOIN assignments a ON a.household_id = h.id JOIN members m ON m.id = a.member_id "
            "JOIN grids g ON g.id = h.grid_id WHERE h.address LIKE '%%单元%%' "
            "ORDER BY h.code LIMIT 1 OFFSET 500"
        ).fetchone()
    assert row is not None
    code, address, member, grid = row
    community, building, unit, flat = address.split(" ")  # 名都社区 3栋 2单元 501
    typed = f"{community[:2]} {building} {unit} {flat}"  # part of the address, as said
    with opened(browser, site, "/maps/dispatch", viewport={"width": 1280, "height": 900}) as probe:
        page = probe.page
        _sign_in(page, site.dispatcher)
        assert page.evaluate("sessionStorage.getItem('gridgis.token')") == site.dispatcher
        page.locator("#gg-place").press_sequentially(typed, delay=20)
        option = page.locator(".gg-place-option").first
        option.wait_for()
        assert address in option.inner_text()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        first = page.locator(".gg-responsible li").first
        first.wait_for()
        assert member in first.locator(".gg-name").inner_text()
        # the grids under the answer come as vector tiles, not as every grid's GeoJSON
        fetched = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
        assert any("/collections/grids/tiles/WebMercatorQuad/" in u for u in fetched)
        assert not any("/collections/grids/items" in u for u in fetched)
        assert "联系该住户的网格员" in first.inner_text()
        expected = site.get(f"/dispatch/at?lon=116&lat=28.6&household={code}", site.dispatcher)[
            "members"
        ]
        shown = page.locator(".gg-responsible .gg-name").all_inner_texts()
        assert shown == [m["name"] for m in expected]
        # the details fold away: grid, place, station
        assert not page.locator(".gg-grid-name").is_visible()
        page.click(".gg-more summary")
        assert grid in page.inner_text(".gg-grid-name")
        assert address in page.inner_text(".gg-address")
        # one pin per building: every member is on the map, pins never stacked
        pins = page.locator(".leaflet-marker-pane .gg-member-pin").all_inner_texts()
        ranks = sorted(int(r) for pin in pins for r in pin.split(","))
        assert ranks == list(range(1, len(expected) + 1))
        shoot(probe, "dispatch")

        # a swapped entry: the API's explanation, and the old answer gone
        page.click(".gg-coords-box summary")
        page.fill("#gg-lon", "28.684100")
        page.fill("#gg-lat", "116.010500")
        page.click("#gg-coord-form button")
        until(page, "() => document.querySelector('#gg-status').dataset.kind === 'error'")
        assert "swapped" in page.inner_text("#gg-status")
        assert page.locator(".gg-responsible").count() == 0
        assert page.locator(".leaflet-marker-pane .gg-member-pin").count() == 0
        refused = [e for e in probe.errors if "400 (Bad Request)" in e]
        assert len(refused) == 1  # the one call, answered with the explanation
        probe.errors = [e for e in probe.errors if e not in refused]
        probe.clean()


def test_dispatch_answer_fits_the_first_screen_of_a_phone(browser, site):
    household = site.get("/collections/households/items?limit=1&offset=3000", site.dispatcher)
    lon, lat = household["features"][0]["geometry"]["coordinates"]
    with opened(
        browser, site, "/maps/dispatch?lang=en", viewport={"width": 375, "height": 700},
        has_touch=True, is_mobile=True,
    ) as probe:  # fmt: skip
        page = probe.page
        _sign_in(page, site.dispatcher)
        page.click(".gg-coords-box summary")
        page.fill("#gg-lon", f"{lon:.6f}")
        page.fill("#gg-lat", f"{lat:.6f}")
        page.click("#gg-coord-form button")
        first = page.locator(".gg-responsible li").first
        first.wait_for()
        page.evaluate("window.scrollTo(0, 0)")
        box = first.bounding_box()
        assert box["y"] + box["height"] <= 700, "the first member is below the first screen"
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        shoot(probe, "dispatch-phone")
        probe.clean()


def test_planner_colours_grids_by_status_and_shows_loads(browser, site):
    grids = site.get("/collections/grids/items?limit=1000")["features"]
    members = site.get("/collections/members/items?limit=1", site.planner)["numberMatched"]
    with opened(browser, site, "/maps/planner", viewport={"width": 1280, "height": 800}) as probe:
        page = probe.page
        wait_for_paths(page, len(grids))
        fills = page.eval_on_selector_all(
            ".leaflet-overlay-pane path.leaflet-interactive",
            "ps => ps.map(p => p.getAttribute('fill'))",
        )
        assert len(fills) >= len(grids)
        assert len(set(fills)) >= 2  # ok, understaffed, overstaffed ...
        legend = page.locator(".gg-legend")
        assert legend.is_visible() and "人手不足" in legend.inner_text()
        assert not page.locator("#gg-redraw").is_visible()  # no editing before sign-in
        assert page.locator(".gg-needed").is_visible()

        page.fill("#gg-token", site.planner)
        page.click(".gg-signin-form button")
        until(
            page, "n => document.querySelectorAll('path.gg-member-home').length === n", arg=members
        )
        community = grids[0]["properties"]["community_code"]
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url))
        page.select_option("#gg-community", community)
        until(
            page, "() => document.querySelector('#gg-status').textContent.includes('每个点是一户')"
        )
        # the households come as vector tiles, each drawn in its member's colour
        household = _household_in_view(page, site)
        x, y = _screen(page, *household["geometry"]["coordinates"])
        until(page, f"() => ({_PIXEL})([{x}, {y}]) !== null")
        drawn = page.evaluate(_PIXEL, [x, y])
        assert any(all(abs(a - b) <= 3 for a, b in zip(drawn[:3], _rgb(c), strict=True))
                   for c in MEMBER_PALETTE), drawn  # fmt: skip
        assert any("/collections/households/tiles/WebMercatorQuad/" in u for u in asked)
        assert not any("/collections/households/items" in u for u in asked)

        # a click on a grid: its households and each member's load
        code = grids[0]["properties"]["code"]
        expected = site.get(f"/grids/{code}/assignment", site.planner)
        page.evaluate(
            """code => {
                const map = Object.values(window).find(v => v instanceof L.Map);
                map.eachLayer(l => { if (l.feature && l.feature.properties.code === code
                    && l.feature.properties.community_code) l.fire('click'); });
            }""",
            code,
        )
        card = page.locator("#gg-detail .gg-card")
        card.locator("table.gg-loads").wait_for()
        assert code in card.inner_text()
        assert card.locator("tbody tr").count() == len(expected["members"])
        shoot(probe, "planner")
        probe.clean()


# The colour drawn at a screen point in the households' canvas tiles (null: nothing there).
_PIXEL = """([x, y]) => {
    const pane = document.querySelector('.leaflet-gg-households-pane');
    for (const canvas of pane ? pane.querySelectorAll('canvas') : []) {
        const r = canvas.getBoundingClientRect();
        if (x < r.left || x >= r.right || y < r.top || y >= r.bottom) continue;
        const sx = canvas.width / r.width, sy = canvas.height / r.height;
        const d = canvas.getContext('2d').getImageData(
            Math.floor((x - r.left) * sx), Math.floor((y - r.top) * sy), 1, 1).data;
        if (d[3] > 0) return [d[0], d[1], d[2], d[3]];
    }
    return null;
}"""


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _household_in_view(page: Any, site: Site) -> Any:
    """A household with a member, in the middle of the map's view."""
    west, south, east, north = page.evaluate(
        """() => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            return map.getBounds().pad(-0.3).toBBoxString().split(',').map(Number);
        }"""
    )
    found = site.get(
        f"/collections/households/items?limit=200&properties=member_code"
        f"&bbox={west},{south},{east},{north}",
        site.planner,
    )["features"]
    return next(f for f in found if f["properties"].get("member_code"))


def _grown(grid: Any, community: Any, metres: float) -> dict[str, Any]:
    """The grid buffered by `metres` (mitred corners), clipped to its community: a Polygon
    that reaches a little into each neighbour."""
    centre = grid.centroid
    crs = metric_crs_for(centre.x, centre.y)
    grown = shapely.intersection(
        shapely.buffer(to_metric(grid, crs), metres, join_style="mitre"), to_metric(community, crs)
    )
    outline = to_lonlat(shapely.Polygon(grown.exterior), crs)  # no holes: a drawn ring
    assert outline.geom_type == "Polygon"
    return dict(mapping(outline))


def _partition_gap_m2(url: str, community: str) -> float:
    with connect(url) as conn:
        row = conn.execute(
            "SELECT ST_Area(ST_SymDifference(a.geom, u.geom)::geography) FROM areas a, "
            "(SELECT ST_Union(geom) AS geom FROM grids WHERE community_code = %(c)s) u "
            "WHERE a.code = %(c)s",
            {"c": community},
        ).fetchone()
    assert row is not None
    return float(row[0])


def _nearest_outside_m(url: str, code: str) -> float:
    """How far the household nearest to a grid, of another grid in its community, lies."""
    with connect(url) as conn:
        row = conn.execute(
            "SELECT min(ST_Distance(h.geom::geography, t.geom::geography)) FROM grids t "
            "JOIN grids g ON g.community_code = t.community_code AND g.id <> t.id "
            "JOIN households h ON h.grid_id = g.id WHERE t.code = %s",
            (code,),
        ).fetchone()
    assert row is not None
    return float(row[0])


def _grid_version(url: str, code: str) -> int:
    with connect(url) as conn:
        row = conn.execute("SELECT version FROM grids WHERE code = %s", (code,)).fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
def writable_site(databases, demo_template) -> Iterator[tuple[Site, str]]:
    """A site of its own on a fresh demo copy, for a test that saves edits."""
    url = databases.url(databases.create(template=demo_template))
    assign_blocking(url, scope=Scope(all=True), workers=1)
    with connect(url, autocommit=True) as conn:
        planner = create_token(conn, role="planner", scope_code=COMMUNITY, label="pages")
    with served(url) as base:
        yield Site(base, "", planner), url


def _fit(page: Any, geometry: Any) -> None:
    page.evaluate(
        """geometry => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            map.fitBounds(L.geoJSON(geometry).getBounds().pad(0.15), { animate: false });
        }""",
        geometry,
    )


def _screen(page: Any, lon: float, lat: float) -> tuple[float, float]:
    """Where (lon, lat) is on the screen now."""
    x, y = page.evaluate(
        """([lon, lat]) => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            const p = map.latLngToContainerPoint([lat, lon]);
            const box = map.getContainer().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        [lon, lat],
    )
    return float(x), float(y)


def _grid_at_screen(page: Any, x: float, y: float) -> str | None:
    """The grid whose shape holds the screen point (to show a click lands inside a grid)."""
    return page.evaluate(
        """([x, y]) => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            const box = map.getContainer().getBoundingClientRect();
            const at = map.containerPointToLatLng([x - box.left, y - box.top]);
            let found = null;
            map.eachLayer(l => {
                if (!l.feature || !l.feature.properties.community_code || !l.getBounds) return;
                if (l.getBounds().contains(at)) found = found || l.feature.properties.code;
            });
            return found;
        }""",
        [x, y],
    )


def _links(url: str) -> list[tuple[Any, ...]]:
    with connect(url) as conn:
        return conn.execute(
            "SELECT household_id, member_id, run_id, distance_m FROM assignments ORDER BY 1"
        ).fetchall()


def _save(page: Any) -> Any:
    """Save (confirming when the preview leaves problems); the response of the save."""
    card = page.locator("#gg-detail .gg-preview")
    with page.expect_response(lambda r: r.request.method in ("PUT", "POST")
                              and "preview" not in r.url) as saved:  # fmt: skip
        card.locator(".gg-save").click()
        if card.locator(".gg-save-anyway").count():
            card.locator(".gg-save-anyway").click()
    return saved.value


def _bumped_ring(url: str, code: str) -> tuple[list[list[float]], int]:
    """The grid's ring (open) with one vertex added out into a neighbour, past the
    neighbour's household nearest to the grid: (ring, index of the new vertex)."""
    with connect(url) as conn:
        row = conn.execute(
            "SELECT ST_AsBinary(t.geom), ST_AsBinary(h.geom) FROM grids t "
            "JOIN grids g ON g.community_code = t.community_code AND g.id <> t.id "
            "JOIN households h ON h.grid_id = g.id WHERE t.code = %s "
            "ORDER BY ST_Distance(h.geom, t.geom) LIMIT 1",
            (code,),
        ).fetchone()
    assert row is not None
    grid, home = wkb.loads(row[0]), wkb.loads(row[1])
    ring = [list(p) for p in grid.geoms[0].exterior.coords[:-1]]
    crs = metric_crs_for(home.x, home.y)
    metres = [to_metric(shapely.Point(p), crs) for p in ring]
    h = to_metric(home, crs)
    edges = [shapely.LineString([metres[i], metres[(i + 1) % len(ring)]]) for i in range(len(ring))]
    i = min(range(len(ring)), key=lambda k: edges[k].distance(h))
    near = edges[i].interpolate(edges[i].project(h))
    d = near.distance(h)
    out = shapely.Point(
        near.x + (h.x - near.x) * (d + 70) / d, near.y + (h.y - near.y) * (d + 70) / d
    )
    bump = to_lonlat(out, crs)
    return [*ring[: i + 1], [bump.x, bump.y], *ring[i + 1 :]], i + 1


def test_planner_draws_inside_grids_previews_saves_and_undoes_exactly(browser, writable_site):
    site, url = writable_site
    code = f"{COMMUNITY}-G01"
    grid = site.get(f"/grids/{code}")
    ring, bump = _bumped_ring(url, code)
    polygon = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    version = _grid_version(url, code)
    links_before = _links(url)
    with opened(
        browser, site, "/maps/planner?lang=en", viewport={"width": 1280, "height": 800}
    ) as probe:
        page = probe.page
        _sign_in(page, site.planner)
        until(page, "() => document.querySelectorAll('path.gg-member-home').length > 0")
        # the grid chosen from the list, by keyboard
        page.focus("#gg-grid")
        page.select_option("#gg-grid", code)
        until(page, "c => document.querySelector('#gg-detail').textContent.includes(c)", code)
        assert page.locator("#gg-tools").is_visible()
        _fit(page, polygon)

        # Esc drops a shape being drawn
        page.click("#gg-redraw")
        page.locator("#gg-finish").wait_for()
        for lon, lat in ring[:2]:
            page.mouse.click(*_screen(page, lon, lat))
        assert page.locator(".gg-vertex").count() == 2
        page.keyboard.press("Escape")
        page.locator("#gg-finish").wait_for(state="hidden")
        assert page.locator(".gg-vertex").count() == 0

        # the grid and a bump into a neighbour, vertex by vertex, each a real click inside a
        # grid; each click near a neighbour's vertex lands exactly on it (snapping)
        page.click("#gg-redraw")
        page.locator("#gg-finish").wait_for()
        inside = 0
        for k, (lon, lat) in enumerate(ring):
            x, y = _screen(page, lon, lat)
            inside += _grid_at_screen(page, x, y) is not None
            page.mouse.click(x, y, delay=10)
            page.wait_for_timeout(350 if k % 2 else 0)  # no double-click between vertices
        assert inside >= len(ring) - 2  # the clicks land in grids, and still add vertices
        assert page.locator(".gg-vertex").count() == len(ring)
        with page.expect_response(lambda r: r.url.endswith("/preview")) as answered:
            page.click("#gg-finish")
        assert answered.value.status == 200
        sent = answered.value.request.post_data_json["coordinates"][0]
        assert len(sent) == len(ring) + 1
        snapped = [p for k, p in enumerate(sent[:-1]) if k != bump]
        # exactly on the grid's own vertices (to the 7 decimals of the API), by snapping
        own = [c for k, p in enumerate(ring) if k != bump for c in p]
        assert [c for p in snapped for c in p] == pytest.approx(own, abs=1e-7)
        card = page.locator("#gg-detail .gg-preview")
        card.locator(".gg-moved-count").wait_for()
        expected = answered.value.json()
        moved = len(expected["households_moved"])
        assert moved > 0 and f"{moved} households change grid" in card.inner_text()
        # on the map: the households that change grid, and the land that changes grid
        assert page.locator("path.gg-moved-household").count() == moved
        assert page.locator("path.gg-moved-area").count() >= 1
        for feature in expected["grids"]["features"]:
            row = card.locator(f'.gg-touched[data-code="{feature["id"]}"]')
            assert (
                row.locator(".gg-new-households")
                .inner_text()
                .endswith(f"→ {feature['properties']['households']}")
            )
        assert card.locator(".gg-problem").count() == len(expected["problems"])
        for problem in expected["problems"]:
            if problem["kind"] in ("gap", "overlap", "sliver", "outside"):
                assert f"{round(problem['area_m2']):,}" in card.inner_text()
        page.mouse.move(5, 400)
        shoot(probe, "planner-redraw")
        saved = _save(page)
        assert saved.status == 200 and saved.request.headers["if-match"] == f'"{version}"'
        until(page, "() => document.querySelector('#gg-status').dataset.kind === 'ok'")
        assert _links(url) != links_before

        # the history, and undo: shapes and every household's member as before
        page.click("#gg-history")
        page.locator(".gg-history .gg-undo").wait_for()
        page.click(".gg-history .gg-undo")
        until(page, "() => document.querySelector('#gg-status').textContent.includes('Undone')")
        probe.clean()
    assert _links(url) == links_before
    assert _partition_gap_m2(url, COMMUNITY) < 1.0
    assert site.get(f"/grids/{code}")["geometry"] == grid["geometry"]


def test_planner_drags_a_vertex_splits_and_merges(browser, writable_site):
    site, url = writable_site
    code = f"{COMMUNITY}-G02"
    grid = site.get(f"/grids/{code}")
    with opened(
        browser, site, "/maps/planner?lang=en", viewport={"width": 1280, "height": 800}
    ) as probe:
        page = probe.page
        _sign_in(page, site.planner)
        page.select_option("#gg-grid", code)
        until(page, "c => document.querySelector('#gg-detail').textContent.includes(c)", code)
        _fit(page, grid["geometry"])
        # drag the third vertex 40 px right: the preview gets the moved vertex
        page.click("#gg-edit")
        handle = page.locator(".gg-handle").nth(2)
        handle.wait_for()
        box = handle.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 20, y, steps=4)
        page.mouse.move(x + 40, y, steps=4)
        page.mouse.up()
        with page.expect_response(lambda r: r.url.endswith("/preview")) as answered:
            page.click("#gg-finish")
        ring = grid["geometry"]["coordinates"][0][0]
        sent = answered.value.request.post_data_json["coordinates"][0]
        assert sent[2] != ring[2] and sent[2][0] > ring[2][0]  # moved east
        assert sent[3] == ring[3]  # the others stay
        page.locator("#gg-detail .gg-preview").wait_for()
        page.click("#gg-detail .gg-preview button:has-text('Cancel')")

        # split with a line drawn across the grid (from a neighbour to a neighbour)
        (west, south, east, north) = shape(grid["geometry"]).bounds
        middle = (south + north) / 2
        page.click("#gg-split")
        page.locator("#gg-finish").wait_for()
        for lon in (west - 0.0015, east + 0.0015):
            page.mouse.click(*_screen(page, lon, middle))
            page.wait_for_timeout(350)
        with page.expect_response(lambda r: r.url.endswith("/split/preview")) as answered:
            page.click("#gg-finish")
        assert answered.value.status == 200, answered.value.text()
        created = next(
            f["id"]
            for f in answered.value.json()["grids"]["features"]
            if f["properties"]["change"] == "created"
        )
        assert _save(page).status == 200
        until(
            page,
            "c => [...document.querySelectorAll('#gg-grid option')].some(o => o.value === c)",
            created,
        )

        # merge the new grid back into its parent
        page.select_option("#gg-grid", code)
        page.locator("#gg-tools").wait_for()
        page.select_option("#gg-merge-with", created)
        with page.expect_response(lambda r: r.url.endswith("/merge/preview")) as answered:
            page.click("#gg-merge")
        assert answered.value.status == 200
        assert _save(page).status == 200
        until(
            page,
            "c => ![...document.querySelectorAll('#gg-grid option')].some(o => o.value === c)",
            created,
        )
        probe.clean()
    assert _partition_gap_m2(url, COMMUNITY) < 1.0
    with connect(url) as conn:
        assert conn.execute("SELECT 1 FROM grids WHERE code = %s", (created,)).fetchone() is None


def test_planner_controls_follow_role_and_jurisdiction(browser, writable_site):
    site, url = writable_site
    with connect(url, autocommit=True) as conn:
        dispatcher = create_token(conn, role="dispatcher", scope_code=COMMUNITY, label="pages")
    outside = site.get("/collections/grids/items?community_code=360190001002&limit=1")
    other = outside["features"][0]["properties"]["code"]
    with opened(
        browser, site, "/maps/planner?lang=en", viewport={"width": 1280, "height": 800}
    ) as probe:
        page = probe.page
        _sign_in(page, site.planner)  # a planner of 名都社区
        page.select_option("#gg-grid", f"{COMMUNITY}-G01")
        page.locator("#gg-tools").wait_for()
        page.select_option("#gg-grid", other)  # another community's grid: view only
        until(page, "() => document.querySelector('#gg-tools').hidden")
        assert "outside the grids you may edit" in page.inner_text("#gg-redraw-hint")
        page.click(".gg-signout")
        _sign_in(page, dispatcher)
        page.select_option("#gg-grid", f"{COMMUNITY}-G01")
        until(
            page,
            "c => document.querySelector('#gg-detail').textContent.includes(c)",
            f"{COMMUNITY}-G01",
        )
        assert not page.locator("#gg-tools").is_visible()
        assert not page.locator("#gg-redraw, #gg-split, #gg-merge").first.is_visible()
        probe.clean()


def test_every_grid_status_has_a_colour_and_a_label_in_both_languages():
    from gis.vocabulary import GridStatus
    from maps.planner import STATUS_COLOURS

    for status in [*GridStatus, "none"]:
        assert status in STATUS_COLOURS
        for language in ("zh-CN", "en"):
            assert STRINGS[language][f"status_{status}"]


# ---- data is text, never script ----

# Names as a planner or a loaded file could write them (the server stores them raw): each
# would run script if a page parsed it as HTML, and each sets its own flag.
HOSTILE_GRID = '<img src=x onerror="window.__pwned=1">'
HOSTILE_COMMUNITY = '<img src=x onerror="window.__pwned=2">社区'
HOSTILE_STATION = '<img src=x onerror="window.__pwned=3">驿站'
HOSTILE_CODE = f"{COMMUNITY}-G01"


@pytest.fixture(scope="module")
def hostile_site(databases, demo_template) -> Iterator[tuple[Site, str]]:
    """A site on a demo copy where a grid, its community and the station nearest to HERE
    carry HTML in their names (written with SQL: the API's own checks are not the point).
    Yields the site and the renamed station's code."""
    url = databases.url(databases.create(template=demo_template))
    with connect(url, autocommit=True) as conn:
        conn.execute("UPDATE grids SET name = %s WHERE code = %s", (HOSTILE_GRID, HOSTILE_CODE))
        conn.execute("UPDATE areas SET name = %s WHERE code = %s", (HOSTILE_COMMUNITY, COMMUNITY))
        row = conn.execute(
            "UPDATE stations SET name = %s WHERE code = (SELECT code FROM stations "
            "ORDER BY geom::geography <-> ST_MakePoint(%s, %s)::geography LIMIT 1) "
            "RETURNING code",
            (HOSTILE_STATION, *HERE),
        ).fetchone()
        assert row is not None
        dispatcher = create_token(conn, role="dispatcher", scope_code=COMMUNITY, label="pages")
    assign_blocking(url, scope=Scope(all=True), workers=1)
    with served(url) as base:
        yield Site(base, dispatcher, ""), str(row[0])


def _screen_point(page: Any, geometry: Any, lon: float, lat: float) -> tuple[float, float]:
    """Fits the map to `geometry` and answers where (lon, lat) is on the screen."""
    x, y = page.evaluate(
        """([geometry, lon, lat]) => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            map.fitBounds(L.geoJSON(geometry).getBounds().pad(0.1), { animate: false });
            const p = map.latLngToContainerPoint([lat, lon]);
            const box = map.getContainer().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        [geometry, lon, lat],
    )
    return float(x), float(y)


def _nothing_ran(probe: Probe) -> None:
    """No name ran as script, and none was even parsed as HTML (its <img src=x> would have
    been fetched, whatever the CSP says of its handler)."""
    assert probe.page.evaluate("() => window.__pwned") is None
    assert not [p for p in probe.local if p.endswith("/x")], probe.local
    probe.clean()


def test_planner_shows_a_grid_name_as_text_in_its_tooltip_and_popup(browser, hostile_site):
    site, _ = hostile_site
    grid = site.get(f"/grids/{HOSTILE_CODE}")
    assert grid["properties"]["name"] == HOSTILE_GRID  # served raw: the page must cope
    with opened(browser, site, "/maps/planner", viewport={"width": 1280, "height": 800}) as probe:
        page = probe.page
        wait_for_paths(page, 5)
        inside = shapely.point_on_surface(shape(grid["geometry"]))
        x, y = _screen_point(page, grid["geometry"], inside.x, inside.y)
        page.mouse.move(x - 5, y - 5)
        page.mouse.move(x, y)  # over the grid: its name follows the pointer
        tooltip = page.locator(".leaflet-tooltip-pane .leaflet-tooltip", has_text=HOSTILE_GRID)
        tooltip.wait_for()
        assert tooltip.inner_text() == HOSTILE_GRID

        page.mouse.click(x, y)  # its card, in a popup and in the side panel
        popup = page.locator(".leaflet-popup-content h3")
        popup.wait_for()
        assert popup.inner_text() == f"{HOSTILE_GRID}（{HOSTILE_CODE}）"
        until(page, "c => document.querySelector('#gg-detail h3')?.textContent === c",
              f"{HOSTILE_GRID}（{HOSTILE_CODE}）")  # fmt: skip
        # the community's name, drawn on the map at this zoom, is text too
        label = page.locator(".gg-area-name", has_text=HOSTILE_COMMUNITY)
        assert label.count() == 1 and label.is_visible()
        assert page.locator(".leaflet-map-pane img, #gg-detail img").count() == 0
        _nothing_ran(probe)


def test_dispatch_shows_grid_and_community_names_as_text(browser, hostile_site):
    site, _ = hostile_site
    grid = site.get(f"/grids/{HOSTILE_CODE}")
    inside = shapely.point_on_surface(shape(grid["geometry"]))
    with opened(browser, site, "/maps/dispatch", viewport={"width": 1280, "height": 900}) as probe:
        page = probe.page
        page.fill("#gg-token", site.dispatcher)
        page.click(".gg-signin-form button")
        page.locator(".gg-signed-in").wait_for()
        page.click(".gg-coords-box summary")
        page.fill("#gg-lon", f"{inside.x:.6f}")
        page.fill("#gg-lat", f"{inside.y:.6f}")
        page.click("#gg-coord-form button")
        page.locator(".gg-responsible").wait_for()
        page.click(".gg-more summary")
        assert page.inner_text(".gg-grid-name") == f"{HOSTILE_GRID}（{HOSTILE_CODE}）"
        assert page.inner_text(".gg-community-name") == HOSTILE_COMMUNITY
        label = page.locator(".gg-area-name", has_text=HOSTILE_COMMUNITY)
        assert label.count() == 1 and label.is_visible()
        assert page.locator(".leaflet-map-pane img, #gg-result img").count() == 0
        _nothing_ran(probe)


def test_locator_shows_a_station_name_as_text_in_its_row_and_popup(browser, hostile_site):
    site, station = hostile_site
    geo = {"longitude": HERE[0], "latitude": HERE[1]}
    with opened(
        browser, site, "/locator", viewport={"width": 1280, "height": 800},
        geolocation=geo, permissions=["geolocation"],
    ) as probe:  # fmt: skip
        page = probe.page
        page.click("#gg-locate")
        first = page.locator(".gg-row").first
        first.wait_for()
        assert first.get_attribute("data-code") == station
        assert first.locator(".gg-row-name").inner_text() == HOSTILE_STATION
        assert HOSTILE_STATION in (first.locator(".gg-row-main").get_attribute("aria-label") or "")
        first.locator(".gg-row-main").click()
        popup = page.locator(".leaflet-popup-content h3")
        popup.wait_for()
        assert popup.inner_text() == HOSTILE_STATION
        titled = page.evaluate(
            "n => [...document.querySelectorAll('.leaflet-marker-icon')]"
            ".filter(m => m.title === n).length",
            HOSTILE_STATION,
        )
        assert titled == 1  # the marker's hover title
        assert page.locator(".leaflet-map-pane img, .gg-list img").count() == 0
        _nothing_ran(probe)


def test_the_csp_refuses_an_injected_inline_script_and_handler(browser, site):
    from playwright.sync_api import Error as PlaywrightError

    with opened(browser, site, "/locator", viewport={"width": 1280, "height": 800}) as probe:
        page = probe.page
        wait_for_paths(page, 1)  # the page's own inline scripts ran: the map is drawn
        with pytest.raises(PlaywrightError):
            page.add_script_tag(content="window.__injected = 1;")
        page.evaluate(
            """() => {
                const b = document.createElement('button');
                b.id = 'gg-injected';
                b.setAttribute('onclick', 'window.__injected = 2');
                document.body.append(b);
            }"""
        )
        page.click("#gg-injected")
        assert page.evaluate("() => window.__injected") is None
        # the browser says why, once for the script and once for the handler ...
        refused = [e for e in probe.errors if "Content Security Policy" in e]
        assert len(refused) >= 2, probe.errors
        assert any("inline script" in e for e in refused), refused
        assert any("event handler" in e for e in refused), refused
        # ... and nothing else went wrong
        probe.errors = [e for e in probe.errors if e not in refused]
        probe.clean()


# ---- accessibility (axe-core) and the resident's keyboard ----


def _axe(page: Any) -> list[str]:
    """axe-core's serious and critical violations of the page as it is now."""
    result = page.evaluate(
        "async () => (await axe.run(document, { resultTypes: ['violations'] })).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"
    )
    return list(result)


def test_every_page_has_no_serious_or_critical_axe_violation(browser, site):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make test` (scripts/vendor-assets.sh)")
    household = site.get("/collections/households/items?limit=1&offset=700", site.dispatcher)
    lon, lat = household["features"][0]["geometry"]["coordinates"]
    found: dict[str, list[str]] = {}
    for path in ("/locator", "/locator?lang=en", "/maps/dispatch", "/maps/planner"):
        with opened(
            browser, site, path, axe=True, viewport={"width": 1280, "height": 800}
        ) as probe:
            page = probe.page
            wait_for_paths(page, 5)
            if path.startswith("/locator"):
                page.fill("#gg-place", "紫阳大道")
                page.keyboard.press("Enter")
                page.locator(".gg-row").first.wait_for()
            elif path == "/maps/dispatch":
                _sign_in(page, site.dispatcher)
                page.click(".gg-coords-box summary")
                page.fill("#gg-lon", f"{lon:.6f}")
                page.fill("#gg-lat", f"{lat:.6f}")
                page.click("#gg-coord-form button")
                page.locator(".gg-responsible").wait_for()
                page.click(".gg-more summary")
            else:
                _sign_in(page, site.planner)
                page.select_option("#gg-grid", f"{COMMUNITY}-G01")
                page.locator("#gg-detail table.gg-loads").wait_for()
            found[path] = _axe(page)
            probe.clean()
    assert found == {key: [] for key in found}, found


def test_a_resident_finds_the_nearest_open_station_by_typing_a_place_keyboard_only(browser, site):
    with opened(
        browser, site, "/locator?lang=en", viewport={"width": 375, "height": 700},
        has_touch=True, is_mobile=True,
    ) as probe:  # fmt: skip
        page = probe.page
        wait_for_paths(page, 5)
        page.keyboard.press("Tab")  # the first stop is the skip link past the map
        assert page.evaluate("document.activeElement.className") == "gg-skip"
        page.keyboard.press("Enter")
        for _ in range(4):  # the place box is the first field after the skip
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "gg-place":
                break
        assert page.evaluate("document.activeElement.id") == "gg-place"
        page.keyboard.type("艾溪湖湿地", delay=30)
        page.locator(".gg-place-option").first.wait_for()
        page.keyboard.press("ArrowDown")
        assert "艾溪湖湿地公园" in page.evaluate("document.activeElement.textContent")
        page.keyboard.press("Enter")
        row = page.locator(".gg-row").first
        row.wait_for()
        # only open stations: Tab to the check box and Space
        for _ in range(10):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "gg-open-now":
                break
        page.keyboard.press("Space")
        (park,) = [f for f in site.get("/places/search?q=艾溪湖湿地公园")["features"][:1]]
        plon, plat = park["geometry"]["coordinates"]
        wanted = site.get(f"/stations/nearest?lon={plon}&lat={plat}&k=8&open_now=true")["features"]
        until(
            page,
            "n => document.querySelector('.gg-row-name') && "
            "document.querySelector('.gg-row-name').textContent === n",
            arg=wanted[0]["properties"]["name"],
        )
        first = page.locator(".gg-row").first
        text = first.inner_text()
        assert "in a straight line" in text and "today " in text
        assert not re.search(r"\d+\.\d{5}", page.inner_text("body"))  # no coordinates
        # the week on demand, and directions in the phone's map apps
        hrefs = first.locator(".gg-app").evaluate_all("as => as.map(a => a.href)")
        assert hrefs[0].startswith("geo:") and "uri.amap.com" in hrefs[1]
        assert "api.map.baidu.com" in hrefs[2]
        gcj = wanted[0]["properties"]["gcj02"]
        assert f"position={gcj[0]:.6f},{gcj[1]:.6f}" in hrefs[1]
        page.evaluate("window.scrollTo(0, 0)")
        shoot(probe, "locator-keyboard")
        probe.clean()


def test_the_base_map_draws_offline(browser, site):
    with opened(
        browser, site, "/locator?lang=en", viewport={"width": 1024, "height": 700}
    ) as probe:
        page = probe.page
        wait_for_paths(page, 5)
        page.evaluate(
            """() => {
                const map = Object.values(window).find(v => v instanceof L.Map);
                map.setView([28.686, 115.955], 14, { animate: false });
            }"""
        )
        until(page, "() => document.querySelectorAll('.leaflet-tile-container canvas').length > 0")
        until(page, "() => [...document.querySelectorAll('.gg-base-label')].length > 0")
        # the tiles came from this server (no request left 127.0.0.1: probe.clean) and drew
        assert any(p.startswith("/basemap/14/") for p in probe.local)
        painted = page.evaluate(
            """() => [...document.querySelectorAll('.leaflet-tile-container canvas')].some(c => {
                const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                for (let i = 3; i < data.length; i += 4) if (data[i] > 0) return true;
                return false;
            })"""
        )
        assert painted
        labels = page.locator(".gg-base-label").all_inner_texts()
        assert "艾溪湖" in labels, labels  # the lake's name, from the tiles
        shoot(probe, "basemap")
        probe.clean()


def _modules(entry: Path) -> set[Path]:
    """An ES module and every module it imports, transitively."""
    seen: set[Path] = set()
    todo = [entry]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        for name in re.findall(
            r"""from\s+["'](\.[^"']+)["']""", module.read_text(encoding="utf-8")
        ):
            todo.append((module.parent / name).resolve())
    return seen


def test_each_page_serves_under_400_kb_of_script_and_style():
    static = ROOT / "maps" / "static"
    for name, builder in BUILDERS.items():
        page = builder(PageOptions())
        files = {static / a.removeprefix("/static/") for a in _assets(page)
                 if a.endswith((".js", ".css"))}  # fmt: skip
        files |= _modules((static / "js" / name / "main.js").resolve())
        total = sum(f.stat().st_size for f in files)
        assert total < 400_000, f"{name}: {total:,} bytes of script and style"
