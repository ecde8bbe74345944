/* The planner's grids, coloured by assignment status, with a tooltip, a popup card and a
   selection (the grid the editor redraws); their short codes as labels; the community
   picker. */

import { collection } from "../api.js";
import { drawBase } from "../base.js";
import { el, failed, text } from "../dom.js";
import { gridCard } from "./cards.js";

const SELECTED = { color: "#f5b400", weight: 4 };

export class PlannerGrids {
  constructor(page) {
    this.page = page;
    this.layer = null; // the grids' GeoJSON layer
    this.selected = null; // the selected grid's layer
    this.style = (feature) => this.gridStyle(feature);
    this.onGrid = (feature, layer) => this.bind(feature, layer);
    const { map, config } = page;
    map.on("zoomend", () => {
      if (this.layer) this.layer.setStyle(this.style);
      map.getContainer().classList.toggle("gg-zoomed-out", map.getZoom() < config.member_zoom);
    });
    map.getContainer().classList.toggle("gg-zoomed-out", true);
  }

  /* The base with these grids, the picker and the grid labels. */
  draw() {
    const { map, layers, config } = this.page;
    return drawBase(map, layers, config, { gridStyle: this.style, onGrid: this.onGrid })
      .then((base) => {
        this.layer = base.gridLayer;
        this.communities = base.communities;
        communityPicker(this.page, base.communities, () => this.fillList());
        this.fillList();
        this.list().addEventListener("change", () => this.chooseFromList());
        labelGrids(base.grids, layers.labels);
      })
      .catch((error) => failed(this.page.status, error));
  }

  gridStyle(feature) {
    const { map, config } = this.page;
    const colours = config.status_colours;
    return {
      color: "#3d3a33",
      weight: 1,
      fillColor: colours[feature.properties.status] || colours.none,
      fillOpacity: map.getZoom() >= config.household_zoom ? 0.12 : 0.5,
    };
  }

  /* A grid's name on hover, its card in a popup on click, and the selection. */
  bind(feature, layer) {
    const p = feature.properties;
    layer.bindTooltip(text(p.name), { sticky: true });
    layer.bindPopup("", { maxWidth: 340, minWidth: 240, maxHeight: 320 });
    layer.on("popupopen", (event) => {
      event.popup.setContent(gridCard(this.page, feature, true, () => event.popup.update()));
    });
    layer.on("click", () => this.select(layer));
  }

  select(layer) {
    if (this.selected && this.layer.hasLayer(this.selected)) this.layer.resetStyle(this.selected);
    this.selected = layer;
    layer.setStyle(SELECTED);
    layer.bringToFront();
    this.page.editor.clear();
    this.page.detail.replaceChildren(gridCard(this.page, layer.feature, false));
    this.list().value = layer.feature.properties.code;
    this.page.editor.update();
  }

  layerOf(code) {
    return this.layer.getLayers().find((l) => l.feature.properties.code === code);
  }

  list() {
    return document.getElementById("gg-grid");
  }

  /* The grid list (keyboard: choose a grid without the map): the chosen community's grids,
     or all. */
  fillList() {
    const list = this.list();
    const community = document.getElementById("gg-community").value;
    const first = list.options[0];
    const grids = this.layer.getLayers().map((l) => l.feature)
      .filter((f) => !community || f.properties.community_code === community)
      .sort((a, b) => a.properties.code.localeCompare(b.properties.code));
    list.replaceChildren(first, ...grids.map((f) => el("option", { value: f.properties.code }, f.properties.name + "（" + f.properties.code.split("-").pop() + "）")));
    if (this.selected) list.value = this.selected.feature.properties.code;
  }

  chooseFromList() {
    const layer = this.layerOf(this.list().value);
    if (!layer) return;
    this.select(layer);
    this.page.map.fitBounds(layer.getBounds(), { padding: [20, 20], animate: false });
  }

  /* Grids of the same community whose outline touches this one's. */
  neighbours(code) {
    const layer = this.layerOf(code);
    if (!layer) return [];
    const bounds = layer.getBounds().pad(0.01);
    const community = layer.feature.properties.community_code;
    return this.layer.getLayers()
      .filter((l) => l !== layer && l.feature.properties.community_code === community)
      .filter((l) => bounds.intersects(l.getBounds()))
      .map((l) => l.feature);
  }

  /* Rings ([lon, lat]) of the other grids of a grid's community and of the community:
     what the editor snaps to. */
  communityRings(code) {
    const layer = code && this.layerOf(code);
    if (!layer) return [];
    const community = layer.feature.properties.community_code;
    const features = this.layer.getLayers().map((l) => l.feature)
      .filter((f) => f.properties.community_code === community && f.properties.code !== code);
    const own = (this.communities ? this.communities.features : []).filter((f) => f.properties.code === community);
    return [...features, ...own].flatMap((f) => rings(f.geometry));
  }

  /* The grids again (after an edit), the selected one still selected. */
  async reload() {
    const fresh = await collection("grids");
    const code = this.selected ? this.selected.feature.properties.code : null;
    const layer = L.geoJSON(fresh, { style: this.style, onEachFeature: this.onGrid });
    this.page.layers.grids.clearLayers();
    layer.addTo(this.page.layers.grids);
    this.layer = layer;
    this.selected = null;
    this.fillList();
    const again = code && this.layerOf(code);
    if (again) this.select(again);
    else this.page.editor.update();
  }
}

const rings = (geometry) =>
  geometry.type === "Polygon" ? geometry.coordinates : geometry.coordinates.flat();

/* Each grid's short code ("G02") at its centre. */
function labelGrids(grids, group) {
  for (const feature of grids.features) {
    const center = L.geoJSON(feature).getBounds().getCenter();
    const short = feature.properties.code.split("-").pop();
    L.marker(center, {
      interactive: false,
      keyboard: false,
      icon: L.divIcon({ className: "gg-area-label", html: "", iconSize: null }),
    })
      .bindTooltip(text(short), { permanent: true, direction: "center", className: "gg-grid-label" })
      .addTo(group);
  }
}

/* The communities, by code; choosing one zooms to it (at least to household zoom). */
function communityPicker(page, communities, changed) {
  const { map, config } = page;
  const picker = document.getElementById("gg-community");
  const sorted = [...communities.features].sort((a, b) =>
    a.properties.code.localeCompare(b.properties.code)
  );
  for (const feature of sorted) {
    picker.append(el("option", { value: feature.properties.code }, feature.properties.name));
  }
  picker.addEventListener("change", () => {
    changed();
    const chosen = communities.features.find((f) => f.properties.code === picker.value);
    const bounds = L.geoJSON(chosen || communities).getBounds();
    map.fitBounds(bounds, { padding: [10, 10] });
    if (chosen && map.getZoom() < config.household_zoom) {
      map.setView(bounds.getCenter(), config.household_zoom);
    }
  });
}
