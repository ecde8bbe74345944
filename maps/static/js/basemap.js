/* The base map from this server's vector tiles (GET /basemap/{z}/{x}/{y}.pbf: water, green
   space, buildings, roads by class, place names), drawn by the vendored Leaflet.VectorGrid;
   the names as text labels. With an online basemap configured, or without VectorGrid, it
   draws nothing and the page's own base (communities, streets) is the plain fallback. */

import { text } from "./dom.js";

const CASING = { primary: "#c99a3f", secondary: "#b9ae99", tertiary: "#b9ae99" };
const FILL = { primary: "#ffd88c", secondary: "#fffdf5", tertiary: "#fffdf5" };
const WIDTH = { primary: 5, secondary: 4, tertiary: 3.5 };

/* How a road of OpenStreetMap class `highway` is drawn at zoom z: a casing and a fill. */
export function roadStyle(highway, z) {
  const width = (WIDTH[highway] || 2.2) * Math.max(0.5, Math.min(1.6, (z - 11) / 4));
  if (["footway", "path", "steps", "track", "cycleway", "bridleway"].includes(highway)) {
    return [{ color: "#a08f76", weight: 1.2, dashArray: "3 3", fill: false }];
  }
  return [
    { color: CASING[highway] || "#c4bbaa", weight: width + 1.6, fill: false, lineCap: "round" },
    { color: FILL[highway] || "#ffffff", weight: width, fill: false, lineCap: "round" },
  ];
}

export const STYLES = {
  water: { fill: true, fillColor: "#a7cfe8", fillOpacity: 1, color: "#86b8da", weight: 1 },
  green: { fill: true, fillColor: "#cfe6bf", fillOpacity: 1, color: "#b3d49f", weight: 0.8 },
  buildings: { fill: true, fillColor: "#ddd3c4", fillOpacity: 1, color: "#bfb29e", weight: 0.6 },
  roads: (properties, z) => roadStyle(properties.highway, z),
  places: [], // drawn as text labels, not as dots
};

/* The labels of a tile: [{name, kind, x, y}] in the tile's pixels (its size `size`). */
export function tileLabels(tile, size) {
  const layer = tile.layers && tile.layers.places;
  if (!layer) return [];
  const scale = size / layer.extent;
  return layer.features
    .filter((f) => f.properties && f.properties.name && f.geometry && f.geometry[0])
    .filter((f) => !["community", "village"].includes(f.properties.kind)) // the page labels those
    .map((f) => {
      const point = f.geometry[0][0] || f.geometry[0];
      return { name: f.properties.name, kind: f.properties.kind, x: point.x * scale, y: point.y * scale };
    });
}

/* Adds the base map under the page's layers; null when there is none to add. */
export function vectorBasemap(map, config) {
  if (config.basemap || !(L.VectorGrid && L.VectorGrid.Protobuf)) return null;
  const labels = L.layerGroup().addTo(map);
  const byTile = new Map(); // tile key -> its label markers
  const Tiles = L.VectorGrid.Protobuf.extend({
    _getVectorTilePromise(coords) {
      return L.VectorGrid.Protobuf.prototype._getVectorTilePromise
        .call(this, coords)
        .then((tile) => {
          this.fire("gglabels", { coords, tile });
          return tile;
        });
    },
  });
  const layer = new Tiles((config.api || "") + "/basemap/{z}/{x}/{y}.pbf", {
    rendererFactory: L.canvas.tile,
    vectorTileLayerStyles: STYLES,
    interactive: false,
    maxNativeZoom: 18,
    maxZoom: 19,
  });
  layer.on("gglabels", ({ coords, tile }) => {
    const key = layer._tileCoordsToKey(coords);
    if (byTile.has(key) || coords.z !== map.getZoom()) return;
    const size = layer.getTileSize().x;
    const markers = tileLabels(tile, size).map((label) => {
      const at = map.unproject([coords.x * size + label.x, coords.y * size + label.y], coords.z);
      return L.marker(at, {
        interactive: false, keyboard: false,
        icon: L.divIcon({ className: "gg-area-label", html: "", iconSize: null }),
      }).bindTooltip(text(label.name), {
        permanent: true, direction: "center", className: "gg-base-label gg-base-" + label.kind,
      });
    });
    markers.forEach((marker) => marker.addTo(labels));
    byTile.set(key, markers);
  });
  layer.on("tileunload", ({ coords }) => {
    const key = layer._tileCoordsToKey(coords);
    (byTile.get(key) || []).forEach((marker) => labels.removeLayer(marker));
    byTile.delete(key);
  });
  layer.addTo(map);
  map.getContainer().classList.add("gg-has-basemap");
  return layer;
}
