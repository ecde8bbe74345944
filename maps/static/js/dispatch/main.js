/* The dispatch map (staff): a place, clicked or typed -> its grid, community, published
   members, the nearest active members and the nearest open station. The entry module of
   /maps/dispatch. */

import { api, signedIn } from "../api.js";
import { drawBase } from "../base.js";
import { failed, say } from "../dom.js";
import { staffGate } from "../gate.js";
import { onPage } from "../start.js";
import { readPlace, t } from "../text.js";
import { gridCard, membersCard, placeCard, stationCard } from "./cards.js";
import { drawMembers, drawOwner, drawStation } from "./layers.js";

const ANSWER_LAYERS = ["owner", "lines", "members", "station", "point"];

class Dispatch {
  constructor(map, layers, config) {
    this.map = map;
    this.layers = layers;
    this.config = config;
    this.status = document.getElementById("gg-status");
    this.result = document.getElementById("gg-result");
    this.lonInput = document.getElementById("gg-lon");
    this.latInput = document.getElementById("gg-lat");
    this.asked = 0; // the latest query: an older answer is dropped
    drawBase(map, layers, config).catch((error) => failed(this.status, error));
    this.gate = staffGate((signedIn) => {
      if (!signedIn) this.clear();
    });
    document.getElementById("gg-coord-form").addEventListener("submit", (event) => this.typed(event));
    map.on("click", (event) => {
      const { lng, lat } = event.latlng.wrap();
      this.lonInput.value = lng.toFixed(6);
      this.latInput.value = lat.toFixed(6);
      this.query(lng, lat, false);
    });
  }

  clear() {
    for (const name of ANSWER_LAYERS) this.layers[name].clearLayers();
    this.result.replaceChildren();
  }

  typed(event) {
    event.preventDefault();
    const place = readPlace(this.lonInput.value, this.latInput.value);
    this.lonInput.value = place.lonText;
    this.latInput.value = place.latText;
    if (!place.valid) {
      say(this.status, t("bad_coords"), "error");
      return;
    }
    this.query(place.lon, place.lat, true);
  }

  /* fly: move the map to the place when no answer will (typed coordinates, no token). */
  async query(lon, lat, fly) {
    this.clear();
    const here = [lat, lon];
    L.marker(here, {
      icon: L.divIcon({ className: "gg-point-pin", iconSize: [18, 18] }),
      title: t("place"),
      keyboard: false,
      zIndexOffset: 2000,
    }).addTo(this.layers.point);
    if (!signedIn()) {
      if (fly) this.map.setView(here, Math.max(this.map.getZoom(), 15));
      this.gate.need();
      say(this.status, t("staff_token_needed"), "error");
      return;
    }
    const asked = ++this.asked;
    say(this.status, t("loading"));
    const where = "lon=" + lon.toFixed(6) + "&lat=" + lat.toFixed(6);
    const [grid, members, stations] = await Promise.allSettled([
      api("/grids/at?" + where, { staff: true }),
      api("/members/nearest?" + where + "&k=" + this.config.nearest_members, { staff: true }),
      api("/stations/nearest?" + where + "&k=1&open_now=true"),
    ]);
    if (asked !== this.asked) return;
    say(this.status, "");
    this.show(here, grid, members, stations);
    this.result.replaceChildren(
      placeCard(lon, lat), gridCard(grid), membersCard(members), stationCard(stations)
    );
  }

  /* The answer on the map, in view. */
  show(here, grid, members, stations) {
    drawOwner(this.layers, grid);
    drawMembers(this.layers, members, here);
    drawStation(this.layers, stations, here);
    const bounds = L.latLngBounds([here]);
    for (const name of ["owner", "members", "station"]) {
      const b = this.layers[name].getBounds();
      if (b.isValid()) bounds.extend(b);
    }
    this.map.fitBounds(bounds, { padding: [30, 30], maxZoom: 17, animate: false });
  }
}

onPage("dispatch", (map, layers, config) => new Dispatch(map, layers, config));
