/* The boundary editor's state, pure (no DOM, no Leaflet): which grid is being redrawn, on
   which version (the If-Match of the save), the vertices drawn so far and the finished
   shape. Phases: idle -> drawing (begin) -> previewing (finish, three vertices or more) ->
   idle (cancel, or a save). */

export const IDLE = "idle";
export const DRAWING = "drawing";
export const PREVIEWING = "previewing";

export class EditState {
  constructor() {
    this.grid = null; // {code, name} of the grid redrawn
    this.etag = null; // its version when the drawing began
    this.phase = IDLE;
    this.vertices = []; // [lon, lat] in the order drawn
    this.shape = null; // the finished GeoJSON Polygon
  }

  get drawing() {
    return this.phase === DRAWING;
  }

  /* Anything to drop with Esc: a drawing or a previewed shape. */
  get busy() {
    return this.phase !== IDLE;
  }

  begin(grid, etag) {
    this.grid = grid;
    this.etag = etag;
    this.vertices = [];
    this.shape = null;
    this.phase = DRAWING;
  }

  /* A vertex while drawing: the number of vertices, or 0 when not drawing. */
  add(lon, lat) {
    if (!this.drawing) return 0;
    this.vertices.push([lon, lat]);
    return this.vertices.length;
  }

  /* The closed Polygon of the vertices, or null (and still drawing) with fewer than three. */
  finish() {
    if (!this.drawing || this.vertices.length < 3) return null;
    const ring = this.vertices.map(([lon, lat]) => [lon, lat]);
    ring.push([...ring[0]]);
    this.shape = { type: "Polygon", coordinates: [ring] };
    this.phase = PREVIEWING;
    return this.shape;
  }

  /* Drops the vertices and the shape; true when there was something to drop. */
  cancel() {
    const had = this.busy;
    this.phase = IDLE;
    this.vertices = [];
    this.shape = null;
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
