/* The dispatch panel: the place, the grid that owns it (community, street, published
   members), the nearest members and the nearest open station. */

import { el, phoneLink } from "../dom.js";
import { distance, lonlat, openState, t } from "../text.js";

export function placeCard(lon, lat, place) {
  const address = place && (place.address || place.name);
  return el(
    "div",
    { class: "gg-card" },
    el("h3", {}, t("place")),
    address ? el("p", { class: "gg-address" }, address) : null,
    el("p", { class: "gg-coords" }, t("lonlat") + "：" + lonlat(lon, lat))
  );
}

/* Why a member is listed, in words. */
export function reason(m) {
  if (m.reason === "building") return t("reason_building", { n: m.households });
  if (m.reason === "duty") return t("reason_duty", { duty: t("duty_" + m.duty) });
  if (m.reason === "other_grid") return t("reason_other_grid", { grid: m.grid_code.split("-").pop() });
  return t("reason_" + m.reason);
}

/* Who should go, first to last (GET /dispatch/at): the answer of the first screen. */
export function responsibleCard(settled) {
  const node = card(t("who_goes"), settled, "gg-who");
  if (settled.status !== "fulfilled") return node;
  const members = settled.value.members;
  if (!members.length) node.append(el("p", { class: "gg-muted" }, t("none_found")));
  const items = members.map((m, i) =>
    el(
      "li",
      { class: "gg-two-lines gg-reason-" + m.reason },
      el(
        "div",
        {},
        el("span", { class: "gg-num" }, String(i + 1)),
        el("span", { class: "gg-name" }, m.name),
        el("span", { class: "gg-why" }, reason(m)),
        phoneLink(m.service_phone)
      ),
      el(
        "div",
        { class: "gg-muted" },
        t("duty_" + m.duty) + " · " + t("straight_line", { d: distance(m.distance_m) })
      )
    )
  );
  node.append(el("ol", { class: "gg-people gg-responsible" }, items));
  return node;
}

/* Details that fold away: the grid, the place, the nearest open station. */
export function details(...cards) {
  return el("details", { class: "gg-more" }, el("summary", {}, t("more_details")), cards);
}

/* A card with its heading and, when the call failed, why (404: outside every grid). */
function card(heading, settled, cls) {
  const node = el("div", { class: "gg-card" + (cls ? " " + cls : "") }, el("h3", {}, heading));
  if (settled.status === "fulfilled") return node;
  const error = settled.reason;
  node.append(
    error && error.status === 404
      ? el("p", { class: "gg-muted" }, t("outside_grids"))
      : el("p", { class: "gg-closed" }, t("load_failed", { detail: error ? error.message : "?" }))
  );
  return node;
}

export function gridCard(settled) {
  const node = card(t("owning_grid"), settled, "gg-grid-card");
  if (settled.status !== "fulfilled") return node;
  const p = settled.value.properties;
  node.append(
    el(
      "dl",
      {},
      el("dt", {}, t("grid")),
      el("dd", { class: "gg-grid-name" }, p.name + "（" + p.code + "）"),
      el("dt", {}, t("community")),
      el("dd", { class: "gg-community-name" }, p.community ? p.community.name : "—"),
      el("dt", {}, t("street")),
      el("dd", {}, p.street ? p.street.name : "—")
    ),
    el("h3", {}, t("grid_members")),
    el(
      "ul",
      { class: "gg-people gg-grid-members" },
      (p.members || []).map((m) =>
        el(
          "li",
          {},
          el("span", { class: "gg-name" }, m.name),
          el("span", { class: "gg-muted" }, t("duty_" + m.duty)),
          phoneLink(m.service_phone)
        )
      )
    )
  );
  return node;
}

export function stationCard(settled) {
  const node = card(t("nearest_station"), settled);
  if (settled.status !== "fulfilled") return node;
  const feature = settled.value.features[0];
  if (!feature) {
    node.append(el("p", { class: "gg-muted" }, t("none_found")));
    return node;
  }
  const p = feature.properties;
  node.append(
    el(
      "dl",
      {},
      el("dt", {}, t("kind_" + p.kind)),
      el("dd", { class: "gg-station-name" }, p.name),
      el("dt", {}, t("distance")),
      el("dd", {}, distance(p.distance_m)),
      el("dt", {}, t("opening_hours")),
      el("dd", {}, openState(p).text),
      el("dt", {}, t("address")),
      el("dd", {}, p.address || "—"),
      el("dt", {}, t("service_phone")),
      el("dd", {}, phoneLink(p.service_phone) || "—")
    )
  );
  return node;
}
