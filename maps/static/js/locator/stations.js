/* The locator's station markers: every station (clustered), filtered by service; the
   nearest ones ranked 1, 2, 3 ... ; a popup with what a visitor needs. */

import { el, phoneLink } from "../dom.js";
import { distance, hoursToday, openState, t } from "../text.js";
import { services } from "./list.js";

function stationIcon(rank) {
  return L.divIcon({
    className: "gg-station" + (rank ? " gg-ranked" : ""),
    html: rank ? String(rank) : "", // markup: only our own numbers
    iconSize: rank ? [30, 30] : [22, 22],
  });
}

/* A station's popup: distance and opening state once a search has given them. */
function popup(feature) {
  const p = feature.properties;
  const open = p.open_now === undefined ? null : openState(p);
  return el(
    "div",
    { class: "gg-popup" },
    el("h3", {}, p.name),
    el("p", { class: "gg-muted" }, t("kind_" + p.kind)),
    p.distance_m !== undefined
      ? el("p", {}, t("straight_line", { d: distance(p.distance_m) }))
      : null,
    open ? el("p", { class: open.open ? "gg-open" : "gg-closed" }, open.text) : null,
    el("p", {}, hoursToday(p.week) || t("opening_hours") + "：" + (p.opening_hours || "—")),
    el("p", {}, services(p.services)),
    p.address ? el("p", {}, t("address") + "：" + p.address) : null,
    p.service_phone ? el("p", {}, t("service_phone") + "：", phoneLink(p.service_phone)) : null
  );
}

/* The markers, in `cluster` (a MarkerClusterGroup); onChosen(code) when one is clicked. */
export class StationMarkers {
  constructor(map, cluster, onChosen) {
    this.map = map;
    this.cluster = cluster;
    this.onChosen = onChosen;
    this.markers = new Map(); // station code -> marker
    this.ranked = []; // codes of the stations numbered on the map
  }

  add(feature) {
    const [lon, lat] = feature.geometry.coordinates;
    const marker = L.marker([lat, lon], {
      icon: stationIcon(0),
      title: feature.properties.name,
      alt: feature.properties.name,
    });
    marker.feature = feature;
    marker.bindPopup(() => popup(marker.feature), { maxWidth: 280 });
    marker.on("click", () => this.onChosen(feature.properties.code));
    this.markers.set(feature.properties.code, marker);
    return marker;
  }

  /* Only the stations with `service` (all when empty). */
  filter(service) {
    this.cluster.clearLayers();
    const shown = [...this.markers.values()].filter(
      (m) => !service || (m.feature.properties.services || []).includes(service)
    );
    this.cluster.addLayers(shown);
  }

  /* The search's stations, numbered; returns where the first three are. */
  rank(features) {
    for (const code of this.ranked) {
      const marker = this.markers.get(code);
      if (marker) marker.setIcon(stationIcon(0));
    }
    this.ranked = features.map((f) => f.properties.code);
    const places = [];
    features.forEach((feature, i) => {
      let marker = this.markers.get(feature.properties.code);
      if (!marker) {
        marker = this.add(feature);
        this.cluster.addLayer(marker);
      }
      marker.feature = feature; // now with distance and opening state
      marker.setIcon(stationIcon(i + 1));
      marker.setZIndexOffset(1000 - i);
      if (i < 3) places.push(marker.getLatLng());
    });
    return places;
  }

  /* Opens a station's popup, out of its cluster if need be. */
  open(code) {
    const { map } = this;
    const marker = this.markers.get(code);
    if (!marker) return;
    if (map.hasLayer(marker)) {
      marker.openPopup(); // the popup pans the map to itself
      return;
    }
    let opened = false;
    const show = () => {
      if (opened) return;
      opened = true;
      marker.openPopup();
    };
    this.cluster.zoomToShowLayer(marker, show);
    // zoomToShowLayer stays silent when the map need not move: then zoom in ourselves.
    setTimeout(() => {
      if (!opened) {
        map.setView(marker.getLatLng(), Math.max(map.getZoom(), 17));
        map.once("moveend", show);
      }
    }, 600);
  }
}
