/* The dispatch map's answer: the owning grid, the nearest members (numbered, with a popup)
   and the nearest open station, each joined to the place by a dashed line labelled with the
   distance. */

import { el, phoneLink, text } from "../dom.js";
import { distance, t } from "../text.js";
import { reason } from "./cards.js";
import { groupByPlace } from "./groups.js";

const LINES = 3; // lines (with their distance) to the first pins only: the rest would hide the map
const OWNER_STYLE = {
  color: "#d08e00", weight: 3, fillColor: "#f5b400", fillOpacity: 0.2, interactive: false,
};

export function drawOwner(layers, settled) {
  if (settled.status !== "fulfilled") return;
  L.geoJSON(settled.value, { style: OWNER_STYLE }).addTo(layers.owner);
}

/* A dashed line from the place to `marker`, which is labelled with the distance. */
function line(layers, from, marker, metres, color) {
  L.polyline([from, marker.getLatLng()], {
    color, weight: 2.5, dashArray: "6 5", interactive: false, className: "gg-line",
  }).addTo(layers.lines);
  marker.bindTooltip(text(distance(metres)), {
    permanent: true, direction: "right", offset: [12, 0], className: "gg-distance-label",
  });
}

/* The members who should go, numbered in their order; members of one building share one
   pin (its numbers joined) whose popup lists them. */
export function drawResponsible(layers, settled, here) {
  if (settled.status !== "fulfilled") return;
  groupByPlace(settled.value.members, 20).forEach((group, i) => {
    const ranks = group.items.map((m) => m.rank).join(",");
    const marker = L.marker([group.lat, group.lon], {
      // divIcon's html is markup: only our own numbers go there
      icon: L.divIcon({
        className: "gg-member-pin" + (group.items.length > 1 ? " gg-stacked" : ""),
        html: ranks,
        iconSize: [group.items.length > 1 ? 34 : 22, 22],
      }),
      title: group.items.map((m) => m.name).join("、"),
    })
      .bindPopup(groupPopup(group))
      .addTo(layers.members);
    if (i < LINES) line(layers, here, marker, group.items[0].distance_m, "#6a3fb5");
  });
}

function groupPopup(group) {
  return el(
    "div",
    { class: "gg-popup" },
    el(
      "ul",
      { class: "gg-people" },
      group.items.map((m) =>
        el("li", {}, el("span", { class: "gg-num" }, String(m.rank)), el("span", { class: "gg-name" }, m.name),
          el("span", { class: "gg-muted" }, reason(m)), phoneLink(m.service_phone))
      )
    ),
    group.items.length > 1 ? el("p", { class: "gg-muted" }, t("same_building", { n: group.items.length })) : null
  );
}

export function drawStation(layers, settled, here) {
  if (settled.status !== "fulfilled") return;
  const feature = settled.value.features[0];
  if (!feature) return;
  const [lon, lat] = feature.geometry.coordinates;
  const marker = L.marker([lat, lon], {
    icon: L.divIcon({ className: "gg-station", html: "驿", iconSize: [26, 26] }),
    title: feature.properties.name,
  }).addTo(layers.station);
  line(layers, here, marker, feature.properties.distance_m, "#c8161d");
}
