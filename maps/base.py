"""What every map page shares: a Folium map whose assets all come from this server (never a
CDN: intranets have none), an optional basemap, the page shell (header, language switch,
staff sign-in box), the legend, and the hand-off to the page's script, which fetches the
data from the API in the browser. Pure builders: no database, no network."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass
from typing import Any

import folium
import folium.plugins
from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from maps.i18n import LANGUAGES, strings
from maps.icons import service_icons

# Paths under the static root (maps/static, served by the app at /static).
LEAFLET_JS = "vendor/leaflet/leaflet.js"
LEAFLET_CSS = "vendor/leaflet/leaflet.css"
CLUSTER_JS = "vendor/leaflet.markercluster/leaflet.markercluster.js"
VECTORGRID_JS = "vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js"
CLUSTER_CSS = (
    "vendor/leaflet.markercluster/MarkerCluster.css",
    "vendor/leaflet.markercluster/MarkerCluster.Default.css",
)
PAGE_CSS = "gridgis.css"
PAGE_JS = "js/{page}/main.js"  # the page's entry module (maps/static/js/)
FAVICON = "station.svg"
MAX_ZOOM = 18


@dataclass(frozen=True)
class Basemap:
    """A tile URL template ({z}/{x}/{y}, optional {s}), e.g. Tianditu's with its key."""

    url: str
    attribution: str = ""
    subdomains: str = "abc"
    labels_url: str | None = None  # an overlay of place names (Tianditu's cva_w)


@dataclass(frozen=True)
class PageOptions:
    language: str = "zh-CN"
    static_root: str = "/static"  # where maps/static is served
    api_root: str = ""  # the prefix of the API's paths (a reverse proxy's root path)
    basemap: Basemap | None = None
    # The zone of the stations' opening times (GRIDGIS_TIMEZONE): the page judges "today" and
    # "tomorrow" in it, not in the browser's zone. None: the browser's.
    timezone: str | None = None

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ValueError(f"language '{self.language}' is not one of {', '.join(LANGUAGES)}")

    def static(self, path: str) -> str:
        return f"{self.static_root}/{path}"

    @property
    def words(self) -> dict[str, str]:
        return strings(self.language)


class PageScript(JSCSSMixin):
    """Hands the map and its (empty) layers, once Folium has built them, to the page's entry
    module. A module is deferred: it runs after Folium's inline script, so that script only
    queues `[page, map, {name: layer, ...}, config]` on `window.gridgisPages`, and the module
    (js/start.js) takes it from there."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <script type="module" src="{{ this.module|e }}"></script>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            (window.gridgisPages = window.gridgisPages || []).push([
                {{ this.page|tojson }},
                {{ this._parent.get_name() }},
                {
                {%- for key, layer in this.layers.items() %}
                {{ key|tojson }}: {{ layer.get_name() }},
                {%- endfor %}
                },
                {{ this.config|tojson }}
            ]);
        {% endmacro %}
        """
    )

    def __init__(
        self,
        page: str,
        layers: dict[str, MacroElement],
        config: dict[str, Any],
        options: PageOptions,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "PageScript"
        self.page = page
        self.layers = layers
        self.config = config
        self.module = options.static(PAGE_JS.format(page=page))
        self.default_css = [("gridgis_css", options.static(PAGE_CSS))]


class Legend(MacroElement):
    """A legend in the map's corner: rows of (symbol HTML, label). Folded on phones."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control({position: "bottomright"});
            {{ this.get_name() }}.onAdd = function () {
                var div = L.DomUtil.create("div", "gg-legend");
                div.innerHTML = {{ this.html|tojson }};
                div.firstChild.open = !window.matchMedia("(max-width: 759px)").matches;
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, title: str, rows: list[tuple[str, str]]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Legend"
        items = "".join(
            f'<li><span class="gg-sym">{symbol}</span>{html.escape(label)}</li>'
            for symbol, label in rows
        )
        self.html = (
            f'<details><summary class="gg-legend-title">{html.escape(title)}</summary>'
            f"<ul>{items}</ul></details>"
        )


class MetricScale(MacroElement):
    """A scale bar in metres and kilometres only."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.control.scale({imperial: false, maxWidth: 150}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "MetricScale"


def raw(markup: str) -> Element:
    """An HTML fragment added verbatim (branca treats element text as a Jinja template)."""
    return Element("{% raw %}" + markup + "{% endraw %}")


def new_page(options: PageOptions, *, title: str) -> tuple[Figure, folium.Map]:
    """The figure and map of one page, with Leaflet from this server and no basemap unless
    one is configured (the page script then draws streets, communities and grids)."""
    figure = Figure(title=title)
    figure.header.add_child(
        raw(
            f'<link rel="icon" href="{html.escape(options.static(FAVICON))}" type="image/svg+xml">'
        ),
        name="favicon",
    )
    fmap = folium.Map(
        tiles=None,
        zoom_control="topleft",
        font_size="14px",
        max_zoom=MAX_ZOOM,  # for the tile layer
        maxZoom=MAX_ZOOM,  # for the map itself: marker clusters need it when there is none
    )
    # VectorGrid draws this server's base map (js/basemap.js, unless an online one is set)
    # and the data layers' vector tiles (js/tiles.js).
    fmap.default_js = [
        ("leaflet", options.static(LEAFLET_JS)),
        ("vectorgrid", options.static(VECTORGRID_JS)),
    ]
    fmap.default_css = [("leaflet_css", options.static(LEAFLET_CSS))]
    MetricScale().add_to(fmap)
    if options.basemap is not None:
        basemap = options.basemap
        folium.TileLayer(
            tiles=basemap.url,
            attr=basemap.attribution or " ",
            name=options.words["layer_basemap"],
            subdomains=basemap.subdomains,
            max_zoom=MAX_ZOOM,
        ).add_to(fmap)
        if basemap.labels_url:
            folium.TileLayer(
                tiles=basemap.labels_url,
                attr=basemap.attribution or " ",
                name=options.words["layer_labels"],
                subdomains=basemap.subdomains,
                overlay=True,
                max_zoom=MAX_ZOOM,
            ).add_to(fmap)
    fmap.add_to(figure)
    return figure, fmap


def feature_group(fmap: folium.Map, name: str, *, show: bool = True) -> folium.FeatureGroup:
    """An empty, named layer: the page script fills it with what it fetches."""
    group = folium.FeatureGroup(name=name, show=show)
    group.add_to(fmap)
    return group


def base_layers(
    fmap: folium.Map, options: PageOptions, *, grids: bool = True
) -> dict[str, folium.FeatureGroup]:
    """The page's own base, drawn from the data over the base map: streets, communities,
    grids (staff pages only: residents see no internal grid lines) — the first layers of
    every page, in this order."""
    w = options.words
    layers = {
        "streets": feature_group(fmap, w["layer_streets"]),
        "communities": feature_group(fmap, w["layer_communities"]),
    }
    if grids:
        layers["grids"] = feature_group(fmap, w["layer_grids"])
    return layers


def marker_cluster(fmap: folium.Map, name: str, options: PageOptions) -> Any:
    cluster = folium.plugins.MarkerCluster(  # type: ignore[no-untyped-call]
        name=name, options={"showCoverageOnHover": False, "maxClusterRadius": 50}
    )
    cluster.default_js = [("markerclusterjs", options.static(CLUSTER_JS))]
    cluster.default_css = [
        (f"markercluster_css_{i}", options.static(path)) for i, path in enumerate(CLUSTER_CSS)
    ]
    return cluster.add_to(fmap)


def header(options: PageOptions, *, title: str, subtitle: str) -> str:
    words = options.words
    other = words["other_language_code"]
    return (
        '<header class="gg-header">'
        f'<div><h1>{html.escape(title)}</h1><p class="gg-subtitle">{html.escape(subtitle)}</p>'
        "</div>"
        f'<a class="gg-lang" href="?lang={other}" lang="{other}" hreflang="{other}">'
        f"{html.escape(words['other_language'])}</a>"
        "</header>"
    )


def sign_in_box(options: PageOptions) -> str:
    """The staff sign-in box: an account (name and password: a session cookie every tab
    shares) or, for API people, a token (kept in this tab's sessionStorage)."""
    w = {key: html.escape(value) for key, value in options.words.items()}
    return (
        '<section class="gg-signin" id="gg-signin" aria-label="' + w["sign_in"] + '">'
        f'<p class="gg-needed" role="alert" hidden>{w["staff_token_needed"]}</p>'
        '<form class="gg-account-form" hidden>'
        f'<label for="gg-name">{w["account_name"]}</label>'
        '<input id="gg-name" name="username" autocomplete="username" required maxlength="64">'
        f'<label for="gg-password">{w["password"]}</label>'
        '<input id="gg-password" name="password" type="password" '
        'autocomplete="current-password" required maxlength="200">'
        f'<button type="submit" class="gg-primary">{w["sign_in"]}</button></form>'
        '<form class="gg-signin-form" hidden>'
        f'<label for="gg-token">{w["token_label"]}</label>'
        '<input id="gg-token" name="token" type="password" autocomplete="off" required>'
        f'<button type="submit">{w["use_token"]}</button></form>'
        f'<p class="gg-signed-in" hidden><span class="gg-who">{w["signed_in"]}</span> '
        f'<button type="button" class="gg-link gg-signout">{w["sign_out"]}</button></p>'
        "</section>"
    )


def skip_link(options: PageOptions, target: str) -> str:
    """The first thing a keyboard reaches: a link past the map."""
    return f'<a class="gg-skip" href="#{target}">{html.escape(options.words["skip_map"])}</a>'


def config(options: PageOptions, **extra: Any) -> dict[str, Any]:
    """What the page script reads: the words, where the API is, the service icons."""
    return {
        "lang": options.language,
        "api": options.api_root,
        "t": options.words,
        "icons": service_icons(),
        "basemap": options.basemap is not None,
        "timezone": options.timezone,
        **extra,
    }


_ASSET = re.compile(r"""(?:src|href)\s*=\s*["']?([^"' >]+)""", re.IGNORECASE)
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_SRC = re.compile(r"\bsrc\s*=", re.IGNORECASE)
_HANDLER = re.compile(r"<[a-z][^>]*?\son[a-z]+\s*=", re.IGNORECASE)


def inline_scripts(page: str) -> list[str]:
    """The text of the page's inline <script> blocks (Folium's map and layers), as the
    browser hashes it (line breaks normalised to LF)."""
    return [
        body.replace("\r\n", "\n").replace("\r", "\n")
        for attributes, body in _SCRIPT.findall(page)
        if not _SRC.search(attributes)
    ]


def script_hashes(page: str) -> tuple[str, ...]:
    """The CSP sources ('sha256-...') that allow exactly the page's inline scripts: with
    them a Content-Security-Policy can refuse every other inline script, injected or not."""
    digests = (hashlib.sha256(body.encode("utf-8")).digest() for body in inline_scripts(page))
    return tuple(dict.fromkeys(f"'sha256-{base64.b64encode(d).decode()}'" for d in digests))


def render(figure: Figure, options: PageOptions, *, page_name: str) -> str:
    """The page's HTML, checked to reference nothing but this server (and the basemap) and
    to carry no inline event handler (the pages' CSP refuses them)."""
    page = figure.render()
    page = page.replace("<html>", f'<html lang="{options.language}">', 1)
    page = page.replace("<body>", f'<body class="gg-page gg-{page_name}">', 1)
    # Folium forbids zooming the page; people with poor sight need it.
    page = re.sub(
        r'<meta name="viewport"[^>]*>',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        page,
        count=1,
    )
    for url in _ASSET.findall(page):
        if not url.startswith(("/", "?", "#", "tel:")) or url.startswith("//"):
            raise ValueError(f"the page would load {url}: pages serve every asset themselves")
    handler = _HANDLER.search(_SCRIPT.sub("", page))
    if handler:
        raise ValueError(f"inline event handler in {handler.group(0)!r}: use addEventListener")
    return page
