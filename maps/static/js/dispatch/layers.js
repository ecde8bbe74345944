/* The dispatch map's answer: the owning grid, the nearest members (numbered, with a popup)
   and the nearest open station, each joined to the place by a dashed line labelled with the
   distance. */

import { text } from "../dom.js";
import { distance } from "../text.js";
import { memberPopup } from "./cards.js";

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

export function drawMembers(layers, settled, here) {
  if (settled.status !== "fulfilled") return;
  settled.value.features.forEach((feature, i) => {
    const p = feature.properties;
    const [lon, lat] = feature.geometry.coordinates;
    const marker = L.marker([lat, lon], {
      // divIcon's html is markup: only our own numbers and words go there
      icon: L.divIcon({ className: "gg-member-pin", html: String(i + 1), iconSize: [22, 22] }),
      title: p.name,
    })
      .bindPopup(memberPopup(feature))
      .addTo(layers.members);
    line(layers, here, marker, p.distance_m, "#6a3fb5");
  });
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
