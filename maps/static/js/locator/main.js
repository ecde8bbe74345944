/* The public station locator: the nearest stations to the place the user gives (browser
   geolocation or a tap on the map), nearest first, synced with the map. The entry module of
   /locator. */

import { api, collection } from "../api.js";
import { drawBase } from "../base.js";
import { failed, say, text } from "../dom.js";
import { onPage } from "../start.js";
import { placeSearch } from "../search.js";
import { t } from "../text.js";
import { selectRow, stationRow } from "./list.js";
import { StationMarkers } from "./stations.js";

const K = 8;

class Locator {
  constructor(map, layers, config) {
    this.map = map;
    this.layers = layers;
    this.status = document.getElementById("gg-status");
    this.list = document.getElementById("gg-list");
    this.empty = document.getElementById("gg-empty");
    this.service = document.getElementById("gg-service");
    this.openNow = document.getElementById("gg-open-now");
    this.origin = null;
    this.asked = 0; // the latest search: an older answer is dropped
    this.stations = new StationMarkers(map, layers.stations, (code) => selectRow(this.list, code, true));
    drawBase(map, layers, config).catch((error) => failed(this.status, error));
    this.loaded = collection("stations")
      .then((fc) => {
        fc.features.forEach((feature) => this.stations.add(feature));
        this.stations.filter(this.service.value);
      })
      .catch((error) => failed(this.status, error));
    this.listen();
  }

  listen() {
    document.getElementById("gg-locate").addEventListener("click", () => this.locate());
    this.map.on("click", (event) =>
      this.setOrigin(event.latlng.lng, event.latlng.lat, t("place_on_map"))
    );
    placeSearch({
      form: document.getElementById("gg-place-form"),
      path: "/places/search",
      status: this.status,
      onChoose: (feature) => {
        const [lon, lat] = feature.geometry.coordinates;
        this.setOrigin(lon, lat, feature.properties.name);
      },
    });
    this.service.addEventListener("change", () => {
      this.stations.filter(this.service.value);
      this.search();
    });
    this.openNow.addEventListener("change", () => this.search());
  }

  locate() {
    if (!navigator.geolocation) {
      say(this.status, t("locate_failed", { detail: t("no_geolocation") }), "error");
      return;
    }
    say(this.status, t("locating"));
    navigator.geolocation.getCurrentPosition(
      (position) =>
        this.setOrigin(position.coords.longitude, position.coords.latitude, t("your_place")),
      (error) => say(this.status, t("locate_failed", { detail: error.message }), "error"),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  }

  /* The place the stations are looked for from, and what to call it (no coordinates:
     residents know places by name). */
  setOrigin(lon, lat, name) {
    this.origin = { lon, lat, name };
    this.layers.origin.clearLayers();
    L.circleMarker([lat, lon], {
      radius: 9, color: "#fff", weight: 3, fillColor: "#1d6fd8", fillOpacity: 1,
    })
      .bindTooltip(text(name))
      .addTo(this.layers.origin);
    this.search();
  }

  async search() {
    if (!this.origin) return;
    const { lon, lat } = this.origin;
    const query = new URLSearchParams({ lon: lon.toFixed(6), lat: lat.toFixed(6), k: String(K) });
    if (this.service.value) query.set("service", this.service.value);
    if (this.openNow.checked) query.set("open_now", "true");
    const asked = ++this.asked;
    say(this.status, t("loading"));
    try {
      const fc = await api("/stations/nearest?" + query);
      await this.loaded;
      if (asked !== this.asked) return; // a newer search is under way
      say(this.status, t("chosen_place", { name: this.origin.name }));
      this.show(fc.features);
    } catch (error) {
      failed(this.status, error);
    }
  }

  show(features) {
    const choose = (code) => this.choose(code);
    this.list.replaceChildren(...features.map((feature, i) => stationRow(feature, i, choose)));
    this.empty.hidden = features.length > 0;
    this.empty.textContent = features.length ? "" : t("no_results");
    const points = [[this.origin.lat, this.origin.lon], ...this.stations.rank(features)];
    // Not animated: Leaflet drops a new view asked for during a zoom animation.
    this.map.fitBounds(L.latLngBounds(points), { padding: [40, 40], maxZoom: 16, animate: false });
  }

  /* A list row was chosen: mark it, open its station on the map. */
  choose(code) {
    selectRow(this.list, code, false);
    this.stations.open(code);
  }
}

onPage("locator", (map, layers, config) => new Locator(map, layers, config));
