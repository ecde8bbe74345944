"""The planner map (/maps/planner, staff): grids coloured by assignment status, with their
household count and member loads; member homes; at community zoom the households coloured
by their member; a community picker; and the boundary editor: a planner selects a grid,
redraws it vertex by vertex, previews what the new boundary does and saves it."""

from __future__ import annotations

import html

import folium

from gis.vocabulary import GridStatus
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

# Assignment status of a grid -> fill colour ("none": no assignment run yet).
STATUS_COLOURS: dict[str, str] = {
    GridStatus.OK: "#2e9d5b",
    GridStatus.UNDERSTAFFED: "#d9412b",
    GridStatus.OVERSTAFFED: "#3b78c4",
    GridStatus.NO_MEMBERS: "#8e0e3c",
    GridStatus.EMPTY: "#d6d0c4",
    "none": "#8f8f8f",
}
# Households take their member's colour; neighbours in a grid get different ones.
MEMBER_PALETTE = (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324",
    "#469990", "#800000", "#808000", "#000075", "#bfef45", "#ffe119", "#fabed4", "#aaffc3",
)  # fmt: skip
HOUSEHOLD_ZOOM = 15  # "community zoom": households are drawn from here on
MEMBER_ZOOM = 14


def _controls(options: PageOptions) -> str:
    w = {key: html.escape(value) for key, value in options.words.items()}
    return (
        '<section class="gg-controls" id="gg-controls" tabindex="-1" aria-label="'
        + w["planner_tools"]
        + '">'
        + sign_in_box(options)
        + '<div class="gg-picker">'
        f'<label for="gg-community">{w["community_picker"]}</label>'
        f'<select id="gg-community"><option value="">{w["all_communities"]}</option></select>'
        "</div>"
        f'<div class="gg-picker"><label for="gg-grid">{w["grid_picker"]}</label>'
        f'<select id="gg-grid"><option value="">{w["choose_grid"]}</option></select></div>'
        # The boundary editor (js/planner/editor.js): shown for a grid the planner may edit.
        '<div class="gg-tools" id="gg-tools" hidden>'
        f'<button type="button" id="gg-edit">{w["edit_vertices"]}</button>'
        f'<button type="button" id="gg-redraw">{w["redraw"]}</button>'
        f'<button type="button" id="gg-split">{w["split"]}</button>'
        f'<span class="gg-merge"><label for="gg-merge-with">{w["merge_with"]}</label>'
        '<select id="gg-merge-with"></select>'
        f'<button type="button" id="gg-merge">{w["merge"]}</button></span>'
        f'<button type="button" id="gg-history">{w["history"]}</button></div>'
        '<div class="gg-tools" id="gg-editing" hidden>'
        f'<button type="button" id="gg-reshape">{w["reshape"]}</button>'
        f'<button type="button" id="gg-undo-step">{w["undo_step"]}</button>'
        f'<button type="button" id="gg-finish" class="gg-primary">{w["finish_shape"]}</button>'
        f'<button type="button" id="gg-cancel">{w["cancel"]}</button></div>'
        f'<p class="gg-hint" id="gg-redraw-hint">{w["redraw_pick"]}</p>'
        '<p class="gg-status" id="gg-status" role="status" aria-live="polite"></p>'
        "</section>"
    )


def _legend(options: PageOptions) -> Legend:
    w = options.words
    rows = [
        (f'<span class="gg-swatch" style="background:{colour}"></span>', w[f"status_{status}"])
        for status, colour in STATUS_COLOURS.items()
    ]
    member_dots = "".join(
        f'<span class="gg-dot" style="background:{c};width:6px;height:12px;border-radius:0"></span>'
        for c in MEMBER_PALETTE[:3]
    )
    ring = '<span class="gg-dot" style="background:#fff;border:{}px solid #{}"></span>'
    rows += [
        (ring.format(3, "333"), w["member_homes"]),
        (member_dots, w["households_by_member"]),
        (ring.format(2, "555"), w["unassigned_household"]),
    ]
    return Legend(w["grid_status"], rows)


def build_planner(options: PageOptions) -> str:
    w = options.words
    figure, fmap = new_page(options, title=w["planner_title"])
    figure.html.add_child(raw(skip_link(options, "gg-controls")), index=0)
    figure.html.add_child(
        raw(header(options, title=w["planner_title"], subtitle=w["planner_subtitle"]))
    )
    figure.html.add_child(raw(_controls(options)))
    figure.html.add_child(
        raw(
            '<section class="gg-side" id="gg-detail" aria-live="polite" tabindex="0" '
            f'aria-label="{html.escape(w["grid_details"])}">'
            f'<p class="gg-muted">{html.escape(w["pick_grid"])}</p></section>'
        )
    )
    layers = {
        **base_layers(fmap, options),
        "households": feature_group(fmap, w["households_by_member"]),
        "members": feature_group(fmap, w["member_homes"]),
        "labels": feature_group(fmap, w["layer_names"]),
    }
    folium.LayerControl(collapsed=True).add_to(fmap)
    _legend(options).add_to(fmap)
    page_config = config(
        options,
        status_colours=STATUS_COLOURS,
        palette=list(MEMBER_PALETTE),
        household_zoom=HOUSEHOLD_ZOOM,
        member_zoom=MEMBER_ZOOM,
    )
    PageScript("planner", dict(layers), page_config, options).add_to(fmap)
    return render(figure, options, page_name="planner")
