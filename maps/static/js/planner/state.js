/* The boundary editor's state, pure (no DOM, no Leaflet): which grid is edited, on which
   version (the If-Match of the save), the ring being drawn or edited, a line being drawn
   (to split the grid or to reshape the ring), and what goes to the preview.

   Phases: idle -> drawing (begin: a new ring, click by click) or editing (beginEdit: the
   grid's ring, vertex by vertex) -> line (beginLine: a split or reshape line) -> back to
   editing (reshape) or previewing (finish, a split line, a merge) -> idle (cancel, save).
   Every change of the ring can be taken back (undoStep). */

import { reshape } from "./geometry.js";

export const IDLE = "idle";
export const DRAWING = "drawing";
export const EDITING = "editing";
export const LINE = "line";
export const PREVIEWING = "previewing";

const copy = (ring) => ring.map(([lon, lat]) => [lon, lat]);

export class EditState {
  constructor() {
    this.grid = null; // {code, name} of the grid edited
    this.etag = null; // its version when the edit began
    this.phase = IDLE;
    this.vertices = []; // the ring, open, [lon, lat] in order
    this.line = []; // a split or reshape line being drawn
    this.purpose = null; // of the line: "split" | "reshape"
    this.shape = null; // what the preview sends: a Polygon, {line}, or {with}
    this.action = null; // "redraw" | "split" | "merge"
    this.history = []; // earlier rings, for undoStep
  }

  get drawing() {
    return this.phase === DRAWING;
  }

  get editing() {
    return this.phase === EDITING;
  }

  /* Anything to drop with Esc: a drawing, an edit, a line or a preview. */
  get busy() {
    return this.phase !== IDLE;
  }

  begin(grid, etag) {
    this.reset(grid, etag);
    this.phase = DRAWING;
  }

  /* Edits the grid's own ring (open or closed). */
  beginEdit(grid, etag, ring) {
    this.reset(grid, etag);
    const open = copy(ring);
    if (open.length > 1 && open[0][0] === open.at(-1)[0] && open[0][1] === open.at(-1)[1]) open.pop();
    this.vertices = open;
    this.phase = EDITING;
  }

  reset(grid, etag) {
    Object.assign(this, { grid, etag, vertices: [], line: [], purpose: null, shape: null });
    Object.assign(this, { action: null, history: [] });
  }

  /* A vertex while drawing: the number of vertices, or 0 when not drawing. */
  add(lon, lat) {
    if (!this.drawing) return 0;
    this.remember();
    this.vertices.push([lon, lat]);
    return this.vertices.length;
  }

  remember() {
    this.history.push(copy(this.vertices));
  }

  /* Vertex i moved (dragged, snapped). */
  move(i, lon, lat) {
    if (!this.editing || !this.vertices[i]) return false;
    this.remember();
    this.vertices[i] = [lon, lat];
    return true;
  }

  /* A new vertex before index i (on the edge from i - 1 to i). */
  insert(i, lon, lat) {
    if (!this.editing) return false;
    this.remember();
    this.vertices.splice(i, 0, [lon, lat]);
    return true;
  }

  /* Vertex i removed; a ring keeps at least three. */
  remove(i) {
    if (!(this.editing || this.drawing) || this.vertices.length <= 3 || !this.vertices[i]) {
      return false;
    }
    this.remember();
    this.vertices.splice(i, 1);
    return true;
  }

  /* Takes back the last change of the ring. */
  undoStep() {
    if (!this.history.length || !(this.editing || this.drawing)) return false;
    this.vertices = this.history.pop();
    return true;
  }

  /* From drawing to editing the drawn ring (three vertices or more). */
  toEditing() {
    if (!this.drawing || this.vertices.length < 3) return false;
    this.phase = EDITING;
    return true;
  }

  /* A line to draw: "split" (from any phase of an edit) or "reshape" (while editing). */
  beginLine(purpose, grid, etag) {
    if (purpose === "reshape" && !this.editing) return false;
    if (purpose === "split") this.reset(grid, etag);
    this.purpose = purpose;
    this.line = [];
    this.phase = LINE;
    return true;
  }

  addLinePoint(lon, lat) {
    if (this.phase !== LINE) return 0;
    this.line.push([lon, lat]);
    return this.line.length;
  }

  /* The line is done: a reshape changes the ring (back to editing); a split goes to the
     preview. Null (still drawing) with fewer than two points or a reshape that fails. */
  endLine() {
    if (this.phase !== LINE || this.line.length < 2) return null;
    if (this.purpose === "split") {
      this.shape = { line: { type: "LineString", coordinates: copy(this.line) } };
      this.action = "split";
      this.phase = PREVIEWING;
      return this.shape;
    }
    const ring = reshape(this.vertices, this.line);
    if (!ring) return null;
    this.remember();
    this.vertices = ring;
    this.line = [];
    this.phase = EDITING;
    return ring;
  }

  /* A merge with the neighbour `other` (a grid code) goes to the preview. */
  merge(grid, etag, other) {
    this.reset(grid, etag);
    this.shape = { with: other };
    this.action = "merge";
    this.phase = PREVIEWING;
    return this.shape;
  }

  /* The closed Polygon of the ring, or null (and still drawing) with fewer than three. */
  finish() {
    if (!(this.drawing || this.editing) || this.vertices.length < 3) return null;
    const ring = copy(this.vertices);
    ring.push([...ring[0]]);
    this.shape = { type: "Polygon", coordinates: [ring] };
    this.action = "redraw";
    this.phase = PREVIEWING;
    return this.shape;
  }

  /* Drops the ring, the line and the shape; true when there was something to drop. */
  cancel() {
    const had = this.busy;
    this.reset(this.grid, this.etag);
    this.phase = IDLE;
    return had;
  }

  /* Forgets a previewed shape (another grid was chosen, or it was saved); a drawing goes on. */
  dropShape() {
    this.shape = null;
    if (this.phase === PREVIEWING) this.phase = IDLE;
  }

  /* The ring to show while drawing: the vertices and the pointer, closed from three points
   on. */
  ring(pointer) {
    const ring = pointer && this.vertices.length ? [...this.vertices, pointer] : [...this.vertices];
    if (ring.length > 2) ring.push(ring[0]);
    return ring;
  }
}
