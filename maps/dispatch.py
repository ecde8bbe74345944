"""The dispatch map (/maps/dispatch, staff): a dispatcher clicks a place or types lon/lat; the
page shows the grid that owns it, its community, the grid's published members, the nearest
active members and the nearest open station, each with a line and the distance."""

from __future__ import annotations

import html

import folium

from gis.vocabulary import DUTIES
from maps.base import (
    Legend,
    PageOptions,
    PageScript,
    base_layers,
    config,
    feature_group,
    header,
    new_page,
    raw,
    render,
    sign_in_box,
    skip_link,
)

NEAREST_MEMBERS = 5


def _search(options: PageOptions) -> str:
    w = {key: html.escape(value) for key, value in options.words.items()}
    duties = "".join(f'<option value="{d}">{w["duty_" + d]}</option>' for d in DUTIES)
    return (
        '<form class="gg-place-form" id="gg-place-form" role="search">'
        f'<label for="gg-place">{w["search_address"]}</label>'
        '<div class="gg-place-row"><input type="search" id="gg-place" autocomplete="off" '
        'aria-describedby="gg-place-hint" aria-controls="gg-place-list">'
        f'<button type="submit" class="gg-primary">{w["find"]}</button></div>'
        f'<p class="gg-hint" id="gg-place-hint">{w["search_address_hint"]}</p>'
        f'<ul class="gg-place-list" id="gg-place-list" aria-label="{w["search_matches"]}">'
        "</ul></form>"
        f'<div class="gg-duty"><label for="gg-duty">{w["matter_duty"]}</label>'
        f'<select id="gg-duty"><option value="">{w["any_duty"]}</option>{duties}</select></div>'
    )


def _controls(options: PageOptions) -> str:
    w = {key: html.escape(value) for key, value in options.words.items()}
    return (
        '<section class="gg-controls" id="gg-controls" tabindex="-1" aria-label="'
        + w["find_place"]
        + '">'
        + sign_in_box(options)
        + _search(options)
        + f'<details class="gg-coords-box"><summary>{w["enter_coords"]}</summary>'
        '<form class="gg-coord-form" id="gg-coord-form" novalidate>'
        f'<label>{w["lon"]}<input type="text" id="gg-lon" inputmode="decimal" '
        'autocomplete="off" placeholder="116.012345"></label>'
        f'<label>{w["lat"]}<input type="text" id="gg-lat" inputmode="decimal" '
        'autocomplete="off" placeholder="28.681234"></label>'
        f'<button type="submit">{w["find"]}</button></form></details>'
        f'<p class="gg-hint">{w["click_map_hint"]}</p>'
        '<p class="gg-status" id="gg-status" role="status" aria-live="polite"></p>'
        "</section>"
    )


def _legend(options: PageOptions) -> Legend:
    w = options.words
    return Legend(
        w["legend"],
        [
            ('<span class="gg-point-pin"></span>', w["legend_point"]),
            (
                '<span class="gg-swatch" style="background:#f5b40055;border-color:#d08e00"></span>',
                w["legend_owning_grid"],
            ),
            ('<span class="gg-num">1</span>', w["legend_member"]),
            ('<span class="gg-num gg-stacked">1,3</span>', w["legend_stacked"]),
            ('<span class="gg-station gg-sym-station">驿</span>', w["legend_open_station"]),
            ('<span class="gg-dash"></span>', w["legend_line"]),
        ],
    )


def build_dispatch(options: PageOptions) -> str:
    w = options.words
    figure, fmap = new_page(options, title=w["dispatch_title"])
    figure.html.add_child(raw(skip_link(options, "gg-controls")), index=0)
    figure.html.add_child(
        raw(header(options, title=w["dispatch_title"], subtitle=w["dispatch_subtitle"]))
    )
    figure.html.add_child(raw(_controls(options)))
    figure.html.add_child(
        raw(
            '<section class="gg-side" id="gg-result" aria-live="polite" tabindex="0" '
            f'aria-label="{html.escape(w["who_goes"])}"></section>'
        )
    )
    layers = {
        **base_layers(fmap, options),
        "owner": feature_group(fmap, w["owning_grid"]),
        "lines": feature_group(fmap, w["legend_line"]),
        "members": feature_group(fmap, w["who_goes"]),
        "station": feature_group(fmap, w["nearest_station"]),
        "point": feature_group(fmap, w["place"]),
    }
    folium.LayerControl(collapsed=True).add_to(fmap)
    _legend(options).add_to(fmap)
    page_config = config(options, nearest_members=NEAREST_MEMBERS)
    PageScript("dispatch", dict(layers), page_config, options).add_to(fmap)
    return render(figure, options, page_name="dispatch")
