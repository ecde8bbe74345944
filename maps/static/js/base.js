/* The base drawn from the data (streets, communities, grids), for pages without a basemap:
   the first layers of every page. */

import { collection } from "./api.js";
import { vectorBasemap } from "./basemap.js";
import { text } from "./dom.js";
import { collectionTiles } from "./tiles.js";

export const style = {
  street: { color: "#5b5346", weight: 2.5, dashArray: "6 4", fill: false, interactive: false },
  community: {
    color: "#8c8577", weight: 1.2, fillColor: "#f7f3ea", fillOpacity: 1, interactive: false,
  },
  grid: { color: "#b4ab9a", weight: 0.8, fill: false, interactive: false },
};

const NONE = { type: "FeatureCollection", features: [] };

/* Streets, communities (with their names) and grids (on pages that have a grid layer) into
   the page's Folium layers, over the base map; the view fitted to the communities. Over a
   base map the communities are outlines only. Grids only looked at (not clicked) come as
   vector tiles: a city's thousands of outlines cost a few tiles. */
export async function drawBase(map, layers, config, { gridStyle, onGrid } = {}) {
  const basemap = vectorBasemap(map, config) || config.basemap;
  const tiled = layers.grids && !onGrid ? gridTiles(gridStyle) : null;
  if (tiled) tiled.addTo(layers.grids);
  const [streets, communities, grids] = await Promise.all([
    collection("streets"),
    collection("communities"),
    layers.grids && !tiled ? collection("grids") : NONE,
  ]);
  const communityStyle = basemap
    ? { ...style.community, fillOpacity: 0, fill: false }
    : style.community;
  const communityLayer = L.geoJSON(communities, { style: communityStyle, interactive: false });
  communityLayer.addTo(layers.communities);
  L.geoJSON(streets, { style: style.street, interactive: false }).addTo(layers.streets);
  const gridLayer = L.geoJSON(grids, {
    style: gridStyle || style.grid,
    interactive: Boolean(onGrid),
    onEachFeature: onGrid,
  });
  if (layers.grids) gridLayer.addTo(layers.grids);
  labelCommunities(map, communities, layers.labels || layers.communities);
  const bounds = communityLayer.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
  return { communities, grids, gridLayer, communityLayer };
}

function gridTiles(gridStyle) {
  const { interactive, ...outline } = gridStyle || style.grid;
  return collectionTiles("grids", { styles: { grids: outline } });
}

/* Community names at their centre, shown from zoom 13 on. */
export function labelCommunities(map, communities, group) {
  for (const feature of communities.features) {
    const center = L.geoJSON(feature).getBounds().getCenter();
    L.marker(center, {
      interactive: false,
      keyboard: false,
      icon: L.divIcon({ className: "gg-area-label", html: "", iconSize: null }),
    })
      .bindTooltip(text(feature.properties.name), {
        permanent: true, direction: "center", className: "gg-area-name",
      })
      .addTo(group);
  }
  const toggle = () => map.getContainer().classList.toggle("gg-far", map.getZoom() < 13);
  map.on("zoomend", toggle);
  toggle();
}
