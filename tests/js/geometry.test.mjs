// The boundary editor's geometry (maps/static/js/planner/geometry.js): snapping and reshape.
import assert from "node:assert/strict";
import { test } from "node:test";

import { area, nearestOnSegment, reshape, snap } from "../../maps/static/js/planner/geometry.js";

const flat = ([x, y]) => [x * 1000, y * 1000]; // 1 unit = 1000 px

test("nearest point on a segment", () => {
  assert.deepEqual(nearestOnSegment([1, 1], [0, 0], [2, 0]), { point: [1, 0], t: 0.5 });
  assert.deepEqual(nearestOnSegment([-5, 1], [0, 0], [2, 0]).point, [0, 0]);
});

test("a vertex nearby wins over an edge, and nothing beyond the tolerance", () => {
  const neighbour = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]];
  assert.deepEqual(snap([1.004, 0.006], [neighbour], flat, 10), { position: [1, 0], kind: "vertex" });
  const edge = snap([0.5, 1.005], [neighbour], flat, 10);
  assert.equal(edge.kind, "edge");
  assert.deepEqual(edge.position.map((v) => +v.toFixed(9)), [0.5, 1]);
  assert.equal(snap([0.5, 0.5], [neighbour], flat, 10), null);
});

test("reshape replaces the stretch between the line's ends, keeping the larger side", () => {
  const square = [[0, 0], [4, 0], [4, 4], [0, 4]]; // area 16
  // a bump out of the bottom edge: from (1, 0) down to (2, -1) and back to (3, 0)
  const grown = reshape(square, [[1, 0], [2, -1], [3, 0]]);
  assert.equal(Math.abs(area(grown)), 17);
  // a cut across a corner from the bottom edge to the right edge
  const cut = reshape(square, [[3, 0], [4, 1]]);
  assert.equal(Math.abs(area(cut)), 16 - 0.5);
  // the same line drawn the other way gives the same polygon
  assert.equal(Math.abs(area(reshape(square, [[4, 1], [3, 0]]))), 15.5);
  // a dent into the top edge, drawn right to left
  const dented = reshape(square, [[3, 4], [2, 3], [1, 4]]);
  assert.equal(Math.abs(area(dented)), 15);
  assert.equal(reshape(square, [[1, 0]]), null);
});
