/* The planner's staff layers: member homes (with their load) and, at community zoom, the
   households in the colour of their member. */

import { api, collection } from "../api.js";
import { failed, say, text } from "../dom.js";
import { t } from "../text.js";

const MEMBER_PROPERTIES = "code,name,grid_code,duty,load,min_load,max_load,active";
const HOUSEHOLD_PROPERTIES = "code,grid_code,member_code";

export class StaffLayers {
  constructor(page) {
    const { map } = page;
    this.page = page;
    // Households: thousands, drawn on a canvas in their own pane above the grids' fill.
    // They take no clicks (the grid under them does); member homes are drawn above them.
    const householdPane = map.createPane("gg-households");
    householdPane.style.zIndex = 450;
    householdPane.style.pointerEvents = "none";
    map.createPane("gg-members").style.zIndex = 460;
    this.dots = L.canvas({ padding: 0.2, pane: "gg-households" });
    this.pending = null; // the households request under way
    map.on("moveend", () => this.loadHouseholds());
  }

  async loadMembers() {
    const fc = await collection("members", { properties: MEMBER_PROPERTIES }, { staff: true });
    colourMembers(this.page, fc.features);
    const group = this.page.layers.members;
    group.clearLayers();
    for (const f of fc.features) this.memberHome(f).addTo(group);
  }

  memberHome(f) {
    const p = f.properties;
    const [lon, lat] = f.geometry.coordinates;
    return L.circleMarker([lat, lon], {
      radius: 5,
      color: this.page.colourOf.get(p.code),
      weight: 3,
      fillColor: "#fff",
      fillOpacity: 1,
      pane: "gg-members",
      className: "gg-member-home",
    }).bindTooltip(text(`${p.name} · ${t("load")} ${p.load}（${p.min_load}–${p.max_load}）`));
  }

  /* The households in view, at community zoom; a newer view drops an older request. */
  async loadHouseholds() {
    const { map, config, layers, status } = this.page;
    if (this.pending) this.pending.abort();
    if (!this.page.signedIn) return;
    if (map.getZoom() < config.household_zoom) {
      layers.households.clearLayers();
      say(status, t("zoom_for_households"));
      return;
    }
    const controller = new AbortController();
    this.pending = controller;
    const b = map.getBounds();
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6)).join(",");
    try {
      const body = await api(
        "/collections/households/items?limit=10000&properties=" + HOUSEHOLD_PROPERTIES + "&bbox=" + bbox,
        { staff: true, signal: controller.signal }
      );
      this.drawHouseholds(body.features);
      const n = body.features.length;
      say(
        status,
        n < body.numberMatched
          ? t("households_capped", { n, total: body.numberMatched })
          : t("households_shown", { n })
      );
    } catch (error) {
      if (error.name !== "AbortError") failed(status, error);
    }
  }

  drawHouseholds(features) {
    const group = this.page.layers.households;
    group.clearLayers();
    for (const f of features) {
      const [lon, lat] = f.geometry.coordinates;
      const colour = this.page.colourOf.get(f.properties.member_code);
      L.circleMarker([lat, lon], {
        renderer: this.dots,
        radius: 3.5,
        weight: colour ? 0.5 : 2,
        color: colour ? "#222" : "#555",
        fillColor: colour || "#fff",
        fillOpacity: 0.95,
        interactive: false,
      }).addTo(group);
    }
  }

  clear() {
    this.page.layers.members.clearLayers();
    this.page.layers.households.clearLayers();
  }
}

/* Members' names, and colours from the palette: neighbours in a grid get different ones. */
function colourMembers(page, features) {
  const palette = page.config.palette;
  const byGrid = new Map();
  for (const f of features) {
    page.nameOf.set(f.properties.code, f.properties.name);
    const list = byGrid.get(f.properties.grid_code) || [];
    list.push(f.properties.code);
    byGrid.set(f.properties.grid_code, list);
  }
  for (const codes of byGrid.values()) {
    codes.sort().forEach((code, i) => page.colourOf.set(code, palette[i % palette.length]));
  }
}
