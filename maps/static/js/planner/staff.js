/* The planner's staff layers: member homes (with their load) and the households, as vector
   tiles: counts per grid, and at community zoom each in the colour of its member. */

import { collection } from "../api.js";
import { say, text } from "../dom.js";
import { t } from "../text.js";
import { collectionTiles, householdStyle } from "../tiles.js";

const MEMBER_PROPERTIES = "code,name,grid_code,duty,load,min_load,max_load,active";

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
    this.tiles = null; // the households' tile layer, while signed in
    map.on("zoomend", () => this.describe());
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

  /* The households as vector tiles: counts per grid when zoomed out, each household in
     its member's colour from the community zoom on. Called again after a save: the tiles
     the edit touched come anew. */
  loadHouseholds() {
    const { layers, status } = this.page;
    if (!this.page.signedIn) return;
    if (this.tiles) {
      this.tiles.redraw();
    } else {
      const styles = { households: householdStyle(this.page.colourOf) };
      this.tiles = collectionTiles("households", { styles, pane: "gg-households", staff: true });
      if (!this.tiles) return say(status, t("no_vector_tiles"), "error");
      this.tiles.addTo(layers.households);
    }
    this.describe();
  }

  describe() {
    const { map, config, status } = this.page;
    if (!this.tiles) return;
    const far = map.getZoom() < config.household_zoom;
    say(status, t(far ? "households_per_grid" : "households_each"));
  }

  clear() {
    this.page.layers.members.clearLayers();
    this.page.layers.households.clearLayers();
    this.tiles = null;
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
