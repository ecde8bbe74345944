// The hand-over from Folium's inline script to a page's entry module (maps/static/js/start.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { takePages } from "../../maps/static/js/start.js";

test("a page queued before its module loads starts once, with its map, layers and config", () => {
  const holder = { gridgisPages: [["planner", "map", { grids: "layer" }, { lang: "en" }]] };
  const started = [];
  takePages(holder, "planner", (...args) => started.push(args));
  assert.deepEqual(started, [["map", { grids: "layer" }, { lang: "en" }]]);
  assert.equal(holder.gridgisPages.length, 0);
});

test("a page queued after its module loaded starts at once", () => {
  const holder = {};
  const started = [];
  takePages(holder, "locator", (map) => started.push(map));
  assert.deepEqual(started, []);
  holder.gridgisPages.push(["locator", "map", {}, {}]);
  assert.deepEqual(started, ["map"]);
});

test("another page's entries are left for it", () => {
  const holder = { gridgisPages: [["dispatch", "d", {}, {}]] };
  const planner = [];
  const dispatch = [];
  takePages(holder, "planner", (map) => planner.push(map));
  holder.gridgisPages.push(["dispatch", "d2", {}, {}], ["planner", "p", {}, {}]);
  assert.deepEqual(planner, ["p"]);
  takePages(holder, "dispatch", (map) => dispatch.push(map));
  assert.deepEqual(dispatch, ["d", "d2"]);
});
