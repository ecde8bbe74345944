/* The preview of a redrawn boundary (POST /grids/{code}/preview): the touched grids' new
   shapes and the gaps on the map; in the panel the refusals, the households that change
   grid, each touched grid's households, status and member loads, and Save / Cancel. */

import { el } from "../dom.js";
import { lonlat, t } from "../text.js";
import { DRAW_COLOUR } from "./draw.js";
import { loadCells, loadsTable, memberCell, row } from "./cards.js";

const NEIGHBOUR_COLOUR = "#1d6fd8"; // the neighbours' new shapes
const MOVES_SHOWN = 5;

/* The previewed grids (dashed; the redrawn one in red) and the gaps, into `shapes`. */
export function drawPreview(shapes, report, code) {
  shapes.clearLayers();
  L.geoJSON(report.grids, {
    interactive: false,
    style: (f) => ({
      color: f.properties.code === code ? DRAW_COLOUR : NEIGHBOUR_COLOUR,
      weight: f.properties.code === code ? 3 : 2,
      dashArray: "8 6",
      fill: false,
    }),
  }).addTo(shapes);
  const gapStyle = { color: DRAW_COLOUR, weight: 2, fillColor: DRAW_COLOUR, fillOpacity: 0.5 };
  for (const gap of report.gaps) {
    L.geoJSON(gap.geometry, { interactive: false, style: gapStyle }).addTo(shapes);
  }
}

function title(grid) {
  return el("h3", {}, t("preview_title", { name: grid.name + "（" + grid.code + "）" }));
}

/* The panel of a preview; `actions` are {save, cancel}, `before(code)` the grid's layer now. */
export function previewCard(page, grid, report, { save, cancel, before }) {
  const moved = report.households_moved;
  return el(
    "div",
    { class: "gg-card gg-preview" },
    title(grid),
    problems(report),
    el("p", { class: "gg-moved-count" }, moved.length
      ? t("households_moved", { n: moved.length })
      : t("no_household_moves")),
    movedList(moved),
    report.grids.features.map((feature) => touchedGrid(page, feature, before)),
    warnings(report.warnings),
    actions(report.can_save, save, cancel)
  );
}

/* A shape the server refused (422): its reason, and Cancel. */
export function refusalCard(grid, message, cancel) {
  return el(
    "div",
    { class: "gg-card gg-preview" },
    title(grid),
    el("p", { class: "gg-problems" }, message),
    el("button", { type: "button", onclick: cancel }, t("cancel"))
  );
}

function warnings(notes) {
  if (!notes.length) return null;
  const items = notes.map((note) => el("li", {}, note));
  return [el("h4", {}, t("warnings")), el("ul", { class: "gg-muted" }, items)];
}

function actions(canSave, save, cancel) {
  return el(
    "div",
    { class: "gg-preview-actions" },
    el(
      "button",
      { type: "button", class: "gg-primary gg-save", disabled: !canSave, onclick: save },
      t("save")
    ),
    el("button", { type: "button", onclick: cancel }, t("cancel"))
  );
}

function movedList(moved) {
  const shown = moved.slice(0, MOVES_SHOWN).map((m) =>
    el("li", {}, m.household + "：", gridName(m.from), " → ", gridName(m.to))
  );
  const more = moved.length - shown.length;
  if (more > 0) shown.push(el("li", { class: "gg-muted" }, t("moved_more", { n: more })));
  return shown.length ? el("ul", { class: "gg-moves" }, shown) : null;
}

/* A grid by its short code ("G02"), the full code in its title. */
function gridName(code) {
  if (!code) return t("unassigned_household_code");
  return el("abbr", { title: code }, code.split("-").pop());
}

/* Refusals and gaps, in red. */
function problems(report) {
  const items = report.refusals.map((r) => el("li", {}, r));
  for (const gap of report.gaps) {
    const c = L.geoJSON(gap.geometry).getBounds().getCenter();
    const words = { area: Math.round(gap.area_m2), lonlat: lonlat(c.lng, c.lat) };
    items.push(el("li", {}, t("gap_at", words)));
  }
  if (!items.length) return null;
  const heading = el("h4", {}, t("refusals"));
  return el("div", { class: "gg-problems" }, heading, el("ul", {}, items));
}

/* One touched grid: its households before → after, status and member loads. */
function touchedGrid(page, feature, before) {
  const p = feature.properties;
  const now = before(p.code);
  const was = now ? now.feature.properties.households : null;
  const statusKey = "status_" + (p.status || "none");
  return el(
    "div",
    { class: "gg-touched", "data-code": p.code },
    el(
      "div",
      {},
      el("span", { class: "gg-touched-name" }, p.name + "（" + p.code + "）"),
      el("span", { class: "gg-change" }, t("change_" + p.change))
    ),
    el(
      "dl",
      {},
      row(t("new_households"), (was ?? "—") + " → " + p.households, "gg-new-households"),
      row(t("grid_status"), t(statusKey), "gg-status-" + (p.status || "none"))
    ),
    memberLoads(page, p.members)
  );
}

function memberLoads(page, members) {
  if (!members.length) return null;
  const rows = members.map((m) =>
    el("tr", {}, memberCell(page, m.code, page.nameOf.get(m.code) || m.code), loadCells(m))
  );
  return loadsTable([t("member"), t("load"), t("bounds")], rows);
}
