/* The planner's side panel and popups: a grid's status and counts, its members' loads. */

import { api, signedIn } from "../api.js";
import { el } from "../dom.js";
import { distance, t } from "../text.js";

export function row(label, value, cls) {
  return [el("dt", {}, label), el("dd", { class: cls || null }, value)];
}

/* One grid: status and counts at once, member loads when they come (staff). `loaded` runs
   when they have come (a popup resizes itself). */
export function gridCard(page, feature, compact, loaded) {
  const p = feature.properties;
  const statusKey = "status_" + (p.status || "none");
  const card = el(
    "div",
    { class: compact ? "gg-popup" : "gg-card" },
    el("h3", {}, p.name + "（" + p.code + "）"),
    el(
      "dl",
      {},
      row(t("grid_status"), t(statusKey), "gg-status-" + (p.status || "none")),
      row(t("households"), p.households ?? "—"),
      row(t("members"), p.members ?? "—"),
      p.members_needed ? row(t("members_needed"), p.members_needed, "gg-closed") : null,
      p.idle_capacity ? row(t("idle_capacity"), p.idle_capacity) : null
    )
  );
  const loads = el("div", { class: "gg-loads-box" });
  card.append(loads);
  if (!signedIn()) {
    loads.append(el("p", { class: "gg-muted" }, t("sign_in_for_loads")));
    return card;
  }
  if (page.me && !page.me.communities.includes(p.community_code)) {
    loads.append(el("p", { class: "gg-muted" }, t("outside_jurisdiction")));
    return card;
  }
  loads.append(el("p", { class: "gg-muted" }, t("loading")));
  api("/grids/" + encodeURIComponent(p.code) + "/assignment", { staff: true })
    .then((body) => {
      loads.replaceChildren(loadTable(page, body, compact));
      if (loaded) loaded();
    })
    .catch((error) => loads.replaceChildren(el("p", { class: "gg-closed" }, error.message)));
  return card;
}

function loadTable(page, body, compact) {
  const head = [t("member"), t("load"), t("bounds")];
  if (!compact) head.push(t("mean_distance"));
  const unassigned = body.grid && body.grid.unassigned ? body.grid.unassigned : 0;
  const inactive = el("span", { class: "gg-muted" }, "（" + t("inactive") + "）");
  const rows = body.members.map((m) =>
    el(
      "tr",
      {},
      memberCell(page, m.code, m.name, m.active ? null : inactive.cloneNode(true)),
      loadCells(m),
      compact ? null : el("td", {}, distance(m.mean_distance_m))
    )
  );
  return el(
    "div",
    {},
    unassigned ? el("p", { class: "gg-closed" }, t("unassigned") + "：" + unassigned) : null,
    loadsTable(head, rows)
  );
}

export function loadsTable(head, rows) {
  return el(
    "table",
    { class: "gg-loads" },
    el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows)
  );
}

/* A member's dot (in the colour of their households) and name. */
export function memberCell(page, code, name, note) {
  const dot = el("span", { class: "gg-dot", style: "background:" + (page.colourOf.get(code) || "#999") });
  return el("td", {}, dot, " ", name, note);
}

/* A member's load (in red when outside their bounds) and bounds. */
export function loadCells(m) {
  const outside = !m.within_bounds;
  const flag = outside ? { class: "gg-bad", title: t("outside_bounds") } : {};
  return [el("td", flag, String(m.load)), el("td", {}, m.min_load + "–" + m.max_load)];
}
