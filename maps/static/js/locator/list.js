/* The locator's list: the nearest stations, nearest first, each a button (it opens the
   station on the map) with its straight-line distance, opening state and today's hours in
   words, services as icon and word; below it the week's hours on demand, directions in the
   phone's map apps and a call link. */

import { el } from "../dom.js";
import { serviceIcon } from "../icons.js";
import { distance, hoursToday, openState, t, weekRows } from "../text.js";
import { directionLinks } from "./links.js";

export function services(list) {
  return el(
    "span",
    { class: "gg-svcs" },
    (list || []).map((s) => el("span", { class: "gg-svc-item" }, serviceIcon(s, true), t("service_" + s)))
  );
}

export function stationRow(feature, i, onChoose) {
  const p = feature.properties;
  const open = openState(p);
  const far = t("straight_line", { d: distance(p.distance_m) });
  const today = hoursToday(p.week);
  return el(
    "li",
    { class: "gg-row", "data-code": p.code },
    el(
      "button",
      {
        type: "button",
        class: "gg-row-main",
        "aria-label": [i + 1 + ". " + p.name, far, open.text, today].filter(Boolean).join("，"),
        onclick: () => onChoose(p.code),
      },
      el("span", { class: "gg-rank", "aria-hidden": "true" }, String(i + 1)),
      el(
        "span",
        { class: "gg-row-text" },
        el("span", { class: "gg-row-name" }, p.name),
        el(
          "span",
          { class: "gg-row-meta" },
          el("span", { class: "gg-dist" }, far),
          el("span", { class: open.open ? "gg-open" : "gg-closed" }, open.text)
        ),
        today ? el("span", { class: "gg-today" }, today) : null,
        services(p.services)
      )
    ),
    el("div", { class: "gg-row-extra" }, week(p.week), directions(feature), p.service_phone ? callLink(p) : null)
  );
}

function week(days) {
  if (!days || !days.length) return null;
  const rows = weekRows(days).map((row) => el("tr", {}, el("th", { scope: "row" }, row.day), el("td", {}, row.hours)));
  return el(
    "details",
    { class: "gg-week" },
    el("summary", {}, t("week_hours")),
    el("table", {}, el("tbody", {}, rows))
  );
}

function directions(feature) {
  const links = directionLinks(feature).map((link) =>
    el("a", { class: "gg-app", href: link.href, rel: "noopener", target: "_blank" }, t("app_" + link.app))
  );
  return el("p", { class: "gg-directions" }, el("span", { class: "gg-muted" }, t("directions") + "："), links);
}

function callLink(p) {
  return el(
    "a",
    {
      class: "gg-call",
      href: "tel:" + p.service_phone.replace(/[^0-9+]/g, ""),
      "aria-label": t("call") + " " + p.name + " " + p.service_phone,
    },
    t("call") + " " + p.service_phone
  );
}

/* Marks the row of `code` (and scrolls to it when asked). */
export function selectRow(list, code, scroll) {
  for (const li of list.children) {
    const chosen = li.dataset.code === code;
    const button = li.querySelector(".gg-row-main");
    li.classList.toggle("gg-selected", chosen);
    if (chosen) {
      button.setAttribute("aria-current", "true");
      if (scroll) li.scrollIntoView({ block: "nearest", behavior: "smooth" });
    } else {
      button.removeAttribute("aria-current");
    }
  }
}
