/* The dispatch panel: the place, the grid that owns it (community, street, published
   members), the nearest members and the nearest open station. */

import { el, phoneLink } from "../dom.js";
import { distance, lonlat, openState, t } from "../text.js";

export function placeCard(lon, lat) {
  return el(
    "div",
    { class: "gg-card" },
    el("h3", {}, t("place")),
    el("p", { class: "gg-coords" }, t("lonlat") + "：" + lonlat(lon, lat))
  );
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

export function membersCard(settled) {
  const node = card(t("nearest_members"), settled);
  if (settled.status !== "fulfilled") return node;
  const features = settled.value.features;
  if (!features.length) node.append(el("p", { class: "gg-muted" }, t("none_found")));
  const items = features.map((feature, i) => {
    const p = feature.properties;
    return el(
      "li",
      { class: "gg-two-lines" },
      el(
        "div",
        {},
        el("span", { class: "gg-num" }, String(i + 1)),
        el("span", { class: "gg-name" }, p.name),
        el("span", { class: "gg-dist" }, distance(p.distance_m))
      ),
      el(
        "div",
        {},
        el("span", { class: "gg-muted" }, t("duty_" + p.duty) + " · " + p.grid_code),
        phoneLink(p.service_phone)
      )
    );
  });
  node.append(el("ol", { class: "gg-people gg-nearest-members" }, items));
  return node;
}

/* A member's popup on the map. */
export function memberPopup(feature) {
  const p = feature.properties;
  const [lon, lat] = feature.geometry.coordinates;
  return el(
    "div",
    { class: "gg-popup" },
    el("h3", {}, p.name),
    el("p", {}, t("duty_" + p.duty)),
    el("p", {}, t("owning_grid") + "：" + p.grid_code),
    el("p", {}, t("service_phone") + "：", phoneLink(p.service_phone)),
    el("p", { class: "gg-coords" }, t("lonlat") + "：" + lonlat(lon, lat))
  );
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
