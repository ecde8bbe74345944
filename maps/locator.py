"""The public station locator (/locator), phone-sized first: "use my location" or a tap on
the map lists the nearest stations with distance, services, open now and the service phone.
Only public layers: no household, no member."""

from __future__ import annotations

import html

import folium

from maps.base import (
    Legend,
    PageOptions,
    PageScript,
    base_layers,
    config,
    feature_group,
    header,
    marker_cluster,
    new_page,
    raw,
    render,
    skip_link,
)
from maps.icons import SERVICES, service_icon


def _search(options: PageOptions) -> str:
    """A place or address typed in (public places only), its matches as buttons below."""
    w = {key: html.escape(value) for key, value in options.words.items()}
    return (
        '<form class="gg-place-form" id="gg-place-form" role="search">'
        f'<label for="gg-place">{w["search_place"]}</label>'
        '<div class="gg-place-row"><input type="search" id="gg-place" autocomplete="off" '
        f'aria-describedby="gg-place-hint" aria-controls="gg-place-list">'
        f'<button type="submit" class="gg-primary">{w["find"]}</button></div>'
        f'<p class="gg-hint" id="gg-place-hint">{w["search_place_hint"]}</p>'
        f'<ul class="gg-place-list" id="gg-place-list" aria-label="{w["search_matches"]}">'
        "</ul></form>"
    )


def _controls(options: PageOptions) -> str:
    w = options.words
    choices = "".join(
        f'<option value="{s}">{html.escape(w["service_" + s])}</option>' for s in SERVICES
    )
    return (
        '<section class="gg-controls" id="gg-controls" tabindex="-1" aria-label="'
        + html.escape(w["find_station"])
        + '">'
        + _search(options)
        + '<div class="gg-locate">'
        '<button type="button" class="gg-primary" id="gg-locate">'
        f"{html.escape(w['use_my_location'])}</button>"
        f'<span class="gg-hint">{html.escape(w["or_tap_map"])}</span></div>'
        '<div class="gg-filters">'
        f'<label for="gg-service">{html.escape(w["filter_service"])}</label>'
        f'<select id="gg-service"><option value="">{html.escape(w["any_service"])}</option>'
        f"{choices}</select>"
        '<label class="gg-check"><input type="checkbox" id="gg-open-now"> '
        f"{html.escape(w['open_now'])}</label></div>"
        '<p class="gg-status" id="gg-status" role="status" aria-live="polite"></p>'
        "</section>"
    )


def _results(options: PageOptions) -> str:
    w = options.words
    return (
        '<section class="gg-results" aria-labelledby="gg-results-title" tabindex="0">'
        f'<h2 id="gg-results-title">{html.escape(w["nearest_heading"])}</h2>'
        f'<p class="gg-empty" id="gg-empty">{html.escape(w["choose_place"])}</p>'
        '<ol class="gg-list" id="gg-list"></ol></section>'
    )


def _legend(options: PageOptions) -> Legend:
    w = options.words
    rows = [
        ('<span class="gg-station gg-sym-station">1</span>', w["legend_station"]),
        ('<span class="gg-sym-cluster">5</span>', w["legend_cluster"]),
        ('<span class="gg-sym-you"></span>', w["legend_you"]),
    ]
    rows += [(service_icon(s), w["service_" + s]) for s in SERVICES]
    return Legend(w["legend"], rows)


def build_locator(options: PageOptions) -> str:
    w = options.words
    figure, fmap = new_page(options, title=w["locator_title"])
    figure.html.add_child(raw(skip_link(options, "gg-controls")), index=0)
    figure.html.add_child(
        raw(header(options, title=w["locator_title"], subtitle=w["locator_subtitle"]))
    )
    figure.html.add_child(raw(_controls(options)))
    figure.html.add_child(raw(_results(options)))
    layers = {
        **base_layers(fmap, options, grids=False),
        "stations": marker_cluster(fmap, w["kind_red_station"], options),
        "origin": feature_group(fmap, w["your_place"]),
    }
    folium.LayerControl(collapsed=True).add_to(fmap)
    _legend(options).add_to(fmap)
    PageScript("locator", dict(layers), config(options, services=list(SERVICES)), options).add_to(
        fmap
    )
    return render(figure, options, page_name="locator")
