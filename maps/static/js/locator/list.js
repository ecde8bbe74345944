/* The locator's list: the nearest stations, nearest first, each a button (it opens the
   station on the map) with its distance, opening state, services and a call link. */

import { el } from "../dom.js";
import { serviceIcon } from "../icons.js";
import { distance, openState, t } from "../text.js";

export function stationRow(feature, i, onChoose) {
  const p = feature.properties;
  const open = openState(p);
  return el(
    "li",
    { class: "gg-row", "data-code": p.code },
    el(
      "button",
      {
        type: "button",
        class: "gg-row-main",
        "aria-label": (i + 1) + ". " + p.name + "，" + distance(p.distance_m) + "，" + open.text,
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
          el("span", { class: "gg-dist" }, distance(p.distance_m)),
          el("span", { class: open.open ? "gg-open" : "gg-closed" }, open.text)
        ),
        el("span", { class: "gg-svcs" }, (p.services || []).map(serviceIcon))
      )
    ),
    p.service_phone ? callLink(p) : null
  );
}

function callLink(p) {
  return el(
    "a",
    {
      class: "gg-call",
      href: "tel:" + p.service_phone.replace(/[^0-9+]/g, ""),
      "aria-label": t("call") + " " + p.name + " " + p.service_phone,
    },
    p.service_phone
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
