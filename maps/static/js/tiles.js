/* The data layers as vector tiles (OGC API - Tiles: /collections/{id}/tiles/WebMercatorQuad/
   {z}/{row}/{col}), drawn on canvas by the vendored Leaflet.VectorGrid: a city's households
   cost the page a few tiles, not megabytes of GeoJSON. Staff tiles carry the caller's token,
   or the session cookie the browser sends by itself. Nothing runs at import. */

import { apiRoot, token } from "./api.js";

/* A tile layer of collection `id`, or null where VectorGrid is missing. */
export function collectionTiles(id, { styles, pane, staff = false }) {
  if (!(globalThis.L && L.VectorGrid && L.VectorGrid.Protobuf)) return null;
  const headers = staff && token() ? { Authorization: "Bearer " + token() } : {};
  const path = "/collections/" + id + "/tiles/WebMercatorQuad/{z}/{y}/{x}";
  const options = {
    rendererFactory: L.canvas.tile,
    vectorTileLayerStyles: styles,
    interactive: false,
    fetchOptions: { headers, credentials: "same-origin" },
    maxNativeZoom: 18,
    maxZoom: 19,
  };
  if (pane) options.pane = pane; // (an undefined pane is not the default one)
  return L.vectorGrid.protobuf(apiRoot() + path, options);
}

/* Households as the planner sees them: below the points zoom one dot per grid, its area
   growing with the grid's households; from there each household in its member's colour
   (white with a dark ring: no member yet). */
export function householdStyle(colourOf) {
  return (properties) => {
    if (properties.households !== undefined) {
      const radius = Math.max(3, Math.min(14, Math.sqrt(properties.households) / 1.6));
      return {
        radius, fill: true, fillColor: "#7a5c99", fillOpacity: 0.5, color: "#ffffff", weight: 1,
      };
    }
    const colour = colourOf.get(properties.member_code);
    return {
      radius: 3.5,
      fill: true,
      fillColor: colour || "#ffffff",
      fillOpacity: 0.95,
      color: colour ? "#222222" : "#555555",
      weight: colour ? 0.5 : 2,
    };
  };
}
