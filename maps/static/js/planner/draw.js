/* The boundary editor on the map (Leaflet only) over an EditState: in drawing, each click
   adds a vertex — inside grids too, which take no clicks meanwhile; in editing, vertices
   are handles to drag (snapping to the neighbours' vertices and edges), to delete (right
   click, or select and Delete) and the middle of each edge a handle to insert one; a line
   (split, reshape) is drawn click by click. Double-click ends a drawing or a line. */

import { snap } from "./geometry.js";
import { DRAWING, EDITING, LINE } from "./state.js";

export const DRAW_COLOUR = "#c8161d"; // the shape drawn, the grid redrawn, gaps
const toLatLng = ([lon, lat]) => [lat, lon];
const handleIcon = (cls) => L.divIcon({ className: cls, iconSize: [14, 14] });

/* The second click of a double-click (which finishes) is not a new vertex. */
const repeated = (event) => Boolean(event.originalEvent && event.originalEvent.detail > 1);

export class MapTools {
  /* hooks: onChange() after each change, onDone() on a double-click, snapRings() the
     neighbours' rings to snap to. */
  constructor(map, state, hooks) {
    this.map = map;
    this.state = state;
    this.hooks = hooks;
    this.outline = L.polyline([], { color: DRAW_COLOUR, weight: 2.5, dashArray: "6 5", interactive: false });
    this.lineLayer = L.polyline([], { color: "#1d6fd8", weight: 3, interactive: false });
    this.handles = L.layerGroup();
    this.pointer = null;
    this.selected = null; // index of the vertex chosen for Delete
    this.handlers = {
      click: (event) => this.clicked(event),
      mousemove: (event) => this.moved(event),
      dblclick: () => this.hooks.onDone(),
    };
    this.onKey = (event) => this.key(event);
  }

  /* Where a point lands: on a neighbour's vertex or edge when near one (10 px), unless Alt
     is held. */
  snapped(latlng, event) {
    const point = [latlng.lng, latlng.lat];
    if (event && event.originalEvent && event.originalEvent.altKey) return point;
    const project = ([lon, lat]) => {
      const p = this.map.latLngToContainerPoint([lat, lon]);
      return [p.x, p.y];
    };
    const hit = snap(point, this.hooks.snapRings(), project, 10);
    return hit ? hit.position : point;
  }

  start() {
    this.pointer = null;
    this.selected = null;
    for (const layer of [this.outline, this.lineLayer, this.handles]) layer.addTo(this.map);
    this.map.on(this.handlers);
    this.map.doubleClickZoom.disable();
    this.map.getContainer().classList.add("gg-drawing");
    document.addEventListener("keydown", this.onKey);
    this.render();
  }

  stop() {
    this.map.off(this.handlers);
    this.map.doubleClickZoom.enable();
    this.map.getContainer().classList.remove("gg-drawing");
    document.removeEventListener("keydown", this.onKey);
    for (const layer of [this.outline, this.lineLayer, this.handles]) layer.remove();
    this.handles.clearLayers();
  }

  clicked(event) {
    if (repeated(event)) return;
    const [lon, lat] = this.snapped(event.latlng, event);
    const { phase } = this.state;
    if (phase === DRAWING) this.state.add(lon, lat);
    else if (phase === LINE) this.state.addLinePoint(lon, lat);
    else return;
    this.render();
    this.hooks.onChange();
  }

  moved(event) {
    if (this.state.phase !== DRAWING && this.state.phase !== LINE) return;
    this.pointer = this.snapped(event.latlng, event);
    this.drawOutline();
  }

  key(event) {
    const typing = event.target && ["INPUT", "SELECT", "TEXTAREA"].includes(event.target.tagName);
    if (typing) return;
    if ((event.key === "Delete" || event.key === "Backspace") && this.selected !== null) {
      event.preventDefault();
      this.remove(this.selected);
    } else if (event.key === "z" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (this.state.undoStep()) this.changed();
    }
  }

  remove(i) {
    this.selected = null;
    if (this.state.remove(i)) this.changed();
  }

  changed() {
    this.render();
    this.hooks.onChange();
  }

  drawOutline() {
    const { phase, vertices, line } = this.state;
    const closed = phase === EDITING ? [...vertices, vertices[0]].filter(Boolean) : this.state.ring(this.pointer);
    this.outline.setLatLngs(closed.map(toLatLng));
    this.outline.setStyle({ dashArray: phase === EDITING ? null : "6 5" });
    const drawnLine = phase === LINE && this.pointer && line.length ? [...line, this.pointer] : line;
    this.lineLayer.setLatLngs(phase === LINE ? drawnLine.map(toLatLng) : []);
  }

  /* The outline, the line, and the handles of the phase. */
  render() {
    this.drawOutline();
    this.handles.clearLayers();
    const { phase, vertices } = this.state;
    if (phase === DRAWING || phase === LINE) {
      const points = phase === LINE ? this.state.line : vertices;
      points.forEach((p) => L.marker(toLatLng(p), { icon: handleIcon("gg-vertex"), interactive: false, keyboard: false }).addTo(this.handles));
      return;
    }
    if (phase !== EDITING) return;
    vertices.forEach((p, i) => this.vertexHandle(p, i));
    vertices.forEach((p, i) => this.midHandle(p, vertices[(i + 1) % vertices.length], i + 1));
  }

  vertexHandle(position, i) {
    const handle = L.marker(toLatLng(position), {
      icon: handleIcon("gg-handle" + (this.selected === i ? " gg-handle-chosen" : "")),
      draggable: true,
      keyboard: false,
      title: String(i + 1),
    });
    handle.on("drag", (event) => {
      const [lon, lat] = this.snapped(event.target.getLatLng(), event);
      event.target.setLatLng([lat, lon]);
      const ring = this.state.vertices.map((v, j) => (j === i ? [lon, lat] : v));
      this.outline.setLatLngs([...ring, ring[0]].map(toLatLng));
    });
    handle.on("dragend", (event) => {
      const { lat, lng } = event.target.getLatLng();
      if (this.state.move(i, lng, lat)) this.changed();
    });
    handle.on("click", () => {
      this.selected = i;
      this.render();
    });
    handle.on("contextmenu", () => this.remove(i));
    handle.addTo(this.handles);
  }

  /* The middle of an edge: a click or a drag puts a vertex there. */
  midHandle(a, b, i) {
    const middle = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    const handle = L.marker(toLatLng(middle), {
      icon: handleIcon("gg-mid"), draggable: true, keyboard: false, opacity: 0.8,
    });
    const put = (latlng) => {
      const [lon, lat] = this.snapped(latlng);
      if (this.state.insert(i, lon, lat)) this.changed();
    };
    handle.on("dragend", (event) => put(event.target.getLatLng()));
    handle.on("click", () => put(handle.getLatLng()));
    handle.addTo(this.handles);
  }
}
