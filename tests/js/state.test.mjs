// The boundary editor's state (maps/static/js/planner/state.js): no DOM, no Leaflet.
import assert from "node:assert/strict";
import { test } from "node:test";

import { DRAWING, EditState, IDLE, PREVIEWING } from "../../maps/static/js/planner/state.js";

const GRID = { code: "360190001001-G01", name: "名都社区第1网格" };
const SQUARE = [[116.0, 28.6], [116.01, 28.6], [116.01, 28.61], [116.0, 28.61]];

function drawn(vertices) {
  const state = new EditState();
  state.begin(GRID, '"7"');
  for (const [lon, lat] of vertices) state.add(lon, lat);
  return state;
}

test("vertices are counted only while drawing", () => {
  const state = new EditState();
  assert.equal(state.phase, IDLE);
  assert.equal(state.add(116, 28), 0);
  state.begin(GRID, '"7"');
  assert.equal(state.phase, DRAWING);
  assert.equal(state.add(116, 28), 1);
  assert.equal(state.add(116.01, 28), 2);
  assert.deepEqual(state.vertices, [[116, 28], [116.01, 28]]);
});

test("finish refuses fewer than three vertices and goes on drawing", () => {
  const state = drawn(SQUARE.slice(0, 2));
  assert.equal(state.finish(), null);
  assert.equal(state.phase, DRAWING);
  assert.equal(state.shape, null);
  state.add(...SQUARE[2]);
  assert.notEqual(state.finish(), null);
});

test("finish closes the ring in the order drawn and keeps the version", () => {
  const state = drawn(SQUARE);
  const shape = state.finish();
  assert.deepEqual(shape, { type: "Polygon", coordinates: [[...SQUARE, SQUARE[0]]] });
  assert.equal(state.phase, PREVIEWING);
  assert.deepEqual(state.shape, shape);
  assert.equal(state.etag, '"7"');
  assert.deepEqual(state.grid, GRID);
  assert.equal(state.add(116.02, 28.62), 0, "no vertex once finished");
  // the shape sent is not the vertices: a later begin does not change it
  state.begin(GRID, '"7"');
  assert.equal(shape.coordinates[0].length, 5);
});

test("Esc / cancel drops the vertices of a drawing", () => {
  const state = drawn(SQUARE.slice(0, 2));
  assert.equal(state.busy, true);
  assert.equal(state.cancel(), true);
  assert.equal(state.phase, IDLE);
  assert.deepEqual(state.vertices, []);
  assert.equal(state.finish(), null);
  assert.equal(state.cancel(), false, "nothing left to drop");
});

test("cancel drops a previewed shape", () => {
  const state = drawn(SQUARE);
  state.finish();
  assert.equal(state.cancel(), true);
  assert.equal(state.shape, null);
  assert.equal(state.busy, false);
});

test("a new drawing starts with no vertex", () => {
  const state = drawn(SQUARE);
  state.begin(GRID, '"8"');
  assert.deepEqual(state.vertices, []);
  assert.equal(state.etag, '"8"');
});

test("choosing another grid forgets a previewed shape, not a drawing", () => {
  const previewed = drawn(SQUARE);
  previewed.finish();
  previewed.dropShape();
  assert.equal(previewed.phase, IDLE);
  assert.equal(previewed.shape, null);
  const drawing = drawn(SQUARE.slice(0, 2));
  drawing.dropShape();
  assert.equal(drawing.phase, DRAWING);
  assert.equal(drawing.vertices.length, 2);
});

test("the ring shown while drawing closes through the pointer from three points on", () => {
  const state = drawn(SQUARE.slice(0, 1));
  assert.deepEqual(state.ring(null), [SQUARE[0]]);
  assert.deepEqual(state.ring(SQUARE[1]), [SQUARE[0], SQUARE[1]]);
  state.add(...SQUARE[1]);
  assert.deepEqual(state.ring(SQUARE[2]), [SQUARE[0], SQUARE[1], SQUARE[2], SQUARE[0]]);
  assert.deepEqual(drawn([]).ring(SQUARE[0]), [], "no line from the pointer alone");
});

test("editing a grid's ring: move, insert, remove (three at least), undo each step", async () => {
  const { EDITING } = await import("../../maps/static/js/planner/state.js");
  const state = new EditState();
  state.beginEdit(GRID, '"3"', [...SQUARE, SQUARE[0]]); // a closed ring is opened
  assert.equal(state.phase, EDITING);
  assert.deepEqual(state.vertices, SQUARE);
  assert.ok(state.move(1, 116.02, 28.6));
  assert.ok(state.insert(2, 116.015, 28.605));
  assert.equal(state.vertices.length, 5);
  assert.ok(state.remove(0));
  assert.ok(state.remove(0));
  assert.equal(state.remove(0), false); // a ring keeps three vertices
  state.undoStep();
  state.undoStep();
  state.undoStep();
  assert.deepEqual(state.vertices, [SQUARE[0], [116.02, 28.6], SQUARE[2], SQUARE[3]]);
  const shape = state.finish();
  assert.equal(shape.coordinates[0].length, 5);
  assert.equal(state.action, "redraw");
});

test("a reshape line replaces a stretch and goes back to editing; a split line previews", () => {
  const state = new EditState();
  state.beginEdit(GRID, '"3"', SQUARE);
  assert.ok(state.beginLine("reshape"));
  state.addLinePoint(116.003, 28.6);
  state.addLinePoint(116.005, 28.595);
  state.addLinePoint(116.007, 28.6);
  const ring = state.endLine();
  assert.equal(ring.length, 7); // the square and the bump's three points
  assert.equal(state.phase, "editing");
  assert.ok(state.undoStep());
  assert.deepEqual(state.vertices, SQUARE);

  assert.ok(state.beginLine("split", GRID, '"4"'));
  state.addLinePoint(115.99, 28.605);
  assert.equal(state.endLine(), null); // one point is not a line
  state.addLinePoint(116.02, 28.605);
  const split = state.endLine();
  assert.deepEqual(split, { line: { type: "LineString", coordinates: [[115.99, 28.605], [116.02, 28.605]] } });
  assert.equal(state.action, "split");
  assert.equal(state.etag, '"4"');
  assert.deepEqual(state.merge(GRID, '"4"', "X-G02"), { with: "X-G02" });
  assert.equal(state.action, "merge");
});
