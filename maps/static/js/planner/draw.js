/* The click-to-add-vertex drawing on the map (Leaflet only) over an EditState: each click on
   the map adds a vertex; a dashed line shows the ring so far, closed through the pointer.
   finish() (or a double-click) hands the Polygon to onDone; stop() takes the drawing away. */

export const DRAW_COLOUR = "#c8161d"; // the shape drawn, the grid redrawn, gaps

const toLatLng = ([lon, lat]) => [lat, lon];

/* The second click of a double-click (which finishes) is not a new vertex. */
function repeated(event) {
  return Boolean(event.originalEvent && event.originalEvent.detail > 1);
}

export function vertexTool(map, state, { onVertex, onDone }) {
  const line = L.polyline([], { color: DRAW_COLOUR, weight: 2, dashArray: "6 5", interactive: false });
  const vertices = L.layerGroup();
  let pointer = null;

  const redrawLine = () => line.setLatLngs(state.ring(pointer).map(toLatLng));

  function onClick(event) {
    if (repeated(event)) return;
    const n = state.add(event.latlng.lng, event.latlng.lat);
    if (!n) return;
    L.circleMarker(event.latlng, {
      radius: 4, color: DRAW_COLOUR, weight: 2, fillColor: "#fff", fillOpacity: 1,
      interactive: false, className: "gg-vertex",
    }).addTo(vertices);
    redrawLine();
    onVertex(n, event.latlng);
  }

  function onMove(event) {
    pointer = [event.latlng.lng, event.latlng.lat];
    redrawLine();
  }

  const handlers = { click: onClick, mousemove: onMove, dblclick: () => tool.finish() };

  const tool = {
    /* Shows the drawing of state (begun by the caller). */
    start() {
      pointer = null;
      vertices.clearLayers();
      redrawLine();
      line.addTo(map);
      vertices.addTo(map);
      map.on(handlers);
      map.doubleClickZoom.disable();
      map.getContainer().classList.add("gg-drawing");
    },
    stop() {
      map.off(handlers);
      map.doubleClickZoom.enable();
      map.getContainer().classList.remove("gg-drawing");
      line.remove();
      vertices.remove();
    },
    /* False (and still drawing) while there are fewer than three vertices. */
    finish() {
      const shape = state.finish();
      if (!shape) return false;
      tool.stop();
      onDone(shape);
      return true;
    },
  };
  return tool;
}
