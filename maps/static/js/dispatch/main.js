/* The dispatch map (staff): a place — searched by name or address, clicked, or typed as
   lon/lat — and who should go there first (GET /dispatch/at: the member linked to the
   household or building, then the grid's members, then others'), each with the reason;
   the grid, the place and the nearest open station fold away below. The entry module of
   /maps/dispatch. */

import { api, signedIn } from "../api.js";
import { drawBase } from "../base.js";
import { failed, say } from "../dom.js";
import { staffGate } from "../gate.js";
import { placeSearch } from "../search.js";
import { onPage } from "../start.js";
import { readPlace, t } from "../text.js";
import { details, gridCard, placeCard, responsibleCard, stationCard } from "./cards.js";
import { drawOwner, drawResponsible, drawStation } from "./layers.js";

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
    this.duty = document.getElementById("gg-duty");
    this.asked = 0; // the latest query: an older answer is dropped
    this.last = null;
    drawBase(map, layers, config).catch((error) => failed(this.status, error));
    this.gate = staffGate((signedIn) => {
      if (!signedIn) this.clear();
    });
    document.getElementById("gg-coord-form").addEventListener("submit", (event) => this.typed(event));
    this.duty.addEventListener("change", () => this.last && this.query(...this.last));
    placeSearch({
      form: document.getElementById("gg-place-form"),
      path: "/search",
      staff: true,
      status: this.status,
      onChoose: (feature) => this.chosen(feature),
    });
    map.on("click", (event) => {
      const { lng, lat } = event.latlng.wrap();
      this.lonInput.value = lng.toFixed(6);
      this.latInput.value = lat.toFixed(6);
      this.query(lng, lat, {}, false);
    });
  }

  clear() {
    for (const name of ANSWER_LAYERS) this.layers[name].clearLayers();
    this.result.replaceChildren();
  }

  chosen(feature) {
    const [lon, lat] = feature.geometry.coordinates;
    const p = feature.properties;
    const what = { name: p.name };
    if (p.kind === "household") what.household = p.code;
    if (p.kind === "building") what.building = p.code;
    this.query(lon, lat, what, true);
  }

  /* Typed coordinates go to the API as they are: a swapped pair gets its explanation. */
  typed(event) {
    event.preventDefault();
    const place = readPlace(this.lonInput.value, this.latInput.value);
    this.lonInput.value = place.lonText;
    this.latInput.value = place.latText;
    if (!Number.isFinite(place.lon) || !Number.isFinite(place.lat)) {
      this.clear();
      say(this.status, t("bad_coords"), "error");
      return;
    }
    this.query(place.lon, place.lat, {}, true);
  }

  /* what: {household, building, name} of a search; fly: move the map to the place. */
  async query(lon, lat, what, fly) {
    this.clear();
    this.last = [lon, lat, what, fly];
    if (!signedIn()) {
      this.gate.need();
      say(this.status, t("staff_token_needed"), "error");
      return;
    }
    const asked = ++this.asked;
    say(this.status, t("loading"));
    const where = "lon=" + lon + "&lat=" + lat;
    const extra = new URLSearchParams();
    if (what.household) extra.set("household", what.household);
    if (what.building) extra.set("building", what.building);
    if (this.duty.value) extra.set("duty", this.duty.value);
    const [who] = await Promise.allSettled([
      api("/dispatch/at?" + where + "&" + extra, { staff: true }),
    ]);
    if (asked !== this.asked) return;
    if (who.status === "rejected" && who.reason.status === 400) {
      say(this.status, who.reason.message, "error"); // the API says what is wrong
      return;
    }
    const [grid, stations] = await Promise.allSettled([
      api("/grids/at?" + where, { staff: true }),
      api("/stations/nearest?" + where + "&k=1&open_now=true"),
    ]);
    if (asked !== this.asked) return;
    say(this.status, "");
    this.show(lon, lat, who, grid, stations, fly);
    const place = who.status === "fulfilled" ? { ...who.value.place, ...what } : what;
    this.result.replaceChildren(
      responsibleCard(who),
      details(placeCard(lon, lat, place), gridCard(grid), stationCard(stations))
    );
  }

  /* The answer on the map, in view. */
  show(lon, lat, who, grid, stations, fly) {
    const here = [lat, lon];
    L.marker(here, {
      icon: L.divIcon({ className: "gg-point-pin", iconSize: [18, 18] }),
      title: t("place"),
      keyboard: false,
      zIndexOffset: 2000,
    }).addTo(this.layers.point);
    drawOwner(this.layers, grid);
    drawResponsible(this.layers, who, here);
    drawStation(this.layers, stations, here);
    const bounds = L.latLngBounds([here]);
    for (const name of ["owner", "members", "station"]) {
      const b = this.layers[name].getBounds();
      if (b.isValid()) bounds.extend(b);
    }
    if (fly || who.status === "fulfilled") {
      this.map.fitBounds(bounds, { padding: [30, 30], maxZoom: 17, animate: false });
    }
  }
}

onPage("dispatch", (map, layers, config) => new Dispatch(map, layers, config));
