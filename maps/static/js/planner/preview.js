/* The preview of an edit (POST /grids/{code}/preview, split or merge): on the map the touched
   grids' new shapes, the land that changes grid (filled), the households that change grid
   and where the problems are; in the panel every problem with its size, each touched grid's
   households, staffing and member loads, the households that move, and Save (confirmed
   first when something needs a second look) / Cancel. */

import { el, text } from "../dom.js";
import { t } from "../text.js";
import { DRAW_COLOUR } from "./draw.js";
import { loadCells, loadsTable, memberCell, row } from "./cards.js";
import { concerns, problemText, staffingText } from "./report.js";

const NEIGHBOUR_COLOUR = "#1d6fd8"; // the neighbours' new shapes
const MOVED_FILL = "#f08c00"; // land changing grid
const MOVES_SHOWN = 5;

export function drawPreview(shapes, report, code) {
  shapes.clearLayers();
  for (const moved of report.areas_moved || []) {
    L.geoJSON(moved.geometry, {
      interactive: false,
      style: { color: MOVED_FILL, weight: 1, fillColor: MOVED_FILL, fillOpacity: 0.45, className: "gg-moved-area" },
    }).addTo(shapes);
  }
  L.geoJSON(report.grids, {
    interactive: false,
    style: (f) => ({
      color: f.properties.code === code ? DRAW_COLOUR : NEIGHBOUR_COLOUR,
      weight: f.properties.code === code ? 3 : 2,
      dashArray: "8 6",
      fill: false,
    }),
  }).addTo(shapes);
  const problemStyle = { color: DRAW_COLOUR, weight: 2, fillColor: DRAW_COLOUR, fillOpacity: 0.5 };
  for (const gap of report.gaps) L.geoJSON(gap.geometry, { interactive: false, style: problemStyle }).addTo(shapes);
  for (const problem of report.problems || []) {
    if (!problem.location) continue;
    L.geoJSON(problem.location, {
      style: problemStyle,
      pointToLayer: (_, latlng) => L.circleMarker(latlng, { radius: 8, ...problemStyle, className: "gg-problem-at" }),
    }).bindTooltip(text(problemText(problem))).addTo(shapes);
  }
  for (const move of report.households_moved) {
    L.circleMarker([move.lat, move.lon], {
      radius: 5, color: "#111", weight: 2, fillColor: "#ffd400", fillOpacity: 1,
      className: "gg-moved-household", interactive: false,
    }).addTo(shapes);
  }
}

function title(grid, action) {
  return el("h3", {}, t("preview_" + (action || "redraw"), { name: grid.name + "（" + grid.code + "）" }));
}

/* The panel of a preview; `actions` are {save, cancel}, `before(code)` the grid's layer now. */
export function previewCard(page, grid, report, { save, cancel, before }) {
  const moved = report.households_moved;
  const card = el(
    "div",
    { class: "gg-card gg-preview" },
    title(grid, report.action),
    problems(report),
    el("p", { class: "gg-moved-count" }, moved.length ? t("households_moved", { n: moved.length }) : t("no_household_moves")),
    movedList(moved),
    report.grids.features.map((feature) => touchedGrid(page, feature, before)),
    warnings(report.warnings)
  );
  card.append(actions(report, save, cancel, card));
  return card;
}

/* A shape the server refused (422, 409): its reason, and Cancel. */
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
  return [el("h4", {}, t("warnings")), el("ul", { class: "gg-muted" }, notes.map((note) => el("li", {}, note)))];
}

/* Save and Cancel; with concerns, Save asks first ("Save anyway" / "Back"). */
function actions(report, save, cancel, card) {
  const worries = concerns(report);
  const box = el("div", { class: "gg-preview-actions" });
  const ask = () => {
    const confirm = el(
      "div",
      { class: "gg-confirm", role: "alertdialog", "aria-label": t("confirm_title") },
      el("p", {}, t("confirm_save", { n: worries.length })),
      el("button", { type: "button", class: "gg-primary gg-save-anyway", onclick: save }, t("save_anyway")),
      el("button", { type: "button", onclick: () => box.replaceChildren(...buttons()) }, t("back"))
    );
    box.replaceChildren(confirm);
    confirm.querySelector(".gg-save-anyway").focus();
  };
  const buttons = () => [
    el("button", { type: "button", class: "gg-primary gg-save", disabled: !report.can_save, onclick: worries.length ? ask : save }, t("save")),
    el("button", { type: "button", onclick: cancel }, t("cancel")),
  ];
  box.replaceChildren(...buttons());
  return box;
}

function movedList(moved) {
  const shown = moved.slice(0, MOVES_SHOWN).map((m) => el("li", {}, m.household + "：", gridName(m.from), " → ", gridName(m.to)));
  const more = moved.length - shown.length;
  if (more > 0) shown.push(el("li", { class: "gg-muted" }, t("moved_more", { n: more })));
  return shown.length ? el("ul", { class: "gg-moves" }, shown) : null;
}

/* A grid by its short code ("G02"), the full code in its title. */
function gridName(code) {
  if (!code) return t("unassigned_household_code");
  return el("abbr", { title: code }, code.split("-").pop());
}

/* Refusals, then every problem the edit leaves, each with its size. */
function problems(report) {
  const items = report.refusals.map((r) => el("li", {}, r));
  for (const problem of report.problems || []) items.push(el("li", { class: "gg-problem" }, problemText(problem)));
  if (!items.length) return el("p", { class: "gg-no-problems" }, t("no_problems"));
  const heading = el("h4", {}, report.refusals.length ? t("refusals") : t("problems"));
  return el("div", { class: "gg-problems" }, heading, el("ul", {}, items));
}

/* One touched grid: its households before → after, status, staffing and member loads. */
function touchedGrid(page, feature, before) {
  const p = feature.properties;
  const now = before(p.code);
  const was = now ? now.feature.properties.households : null;
  const staffing = staffingText(p);
  return el(
    "div",
    { class: "gg-touched", "data-code": p.code },
    el("div", {}, el("span", { class: "gg-touched-name" }, p.name + "（" + p.code + "）"), el("span", { class: "gg-change" }, t("change_" + p.change))),
    el(
      "dl",
      {},
      row(t("new_households"), (was ?? "—") + " → " + p.households, "gg-new-households"),
      row(t("grid_status"), staffing || t("status_" + (p.status || "none")), "gg-staffing gg-status-" + (p.status || "none"))
    ),
    memberLoads(page, p.members)
  );
}

function memberLoads(page, members) {
  if (!members.length) return null;
  const rows = members.map((m) => el("tr", {}, memberCell(page, m.code, page.nameOf.get(m.code) || m.code), loadCells(m)));
  return loadsTable([t("member"), t("load"), t("bounds")], rows);
}
