import assert from "node:assert/strict";
import { test } from "node:test";

import { collectionTiles, householdStyle } from "../../maps/static/js/tiles.js";

const colours = new Map([["M000001", "#e41a1c"]]);
const style = householdStyle(colours);

test("a household is drawn in its member's colour, with a thin dark ring", () => {
  const drawn = style({ code: "H0000001", member_code: "M000001" });
  assert.equal(drawn.fillColor, "#e41a1c");
  assert.equal(drawn.color, "#222222");
  assert.equal(drawn.weight, 0.5);
});

test("a household without a member is white with a thick ring", () => {
  const drawn = style({ code: "H0000002" });
  assert.equal(drawn.fillColor, "#ffffff");
  assert.equal(drawn.weight, 2);
});

test("a grid's count grows its dot with the square root, within bounds", () => {
  const radius = (n) => style({ grid_code: "G", households: n }).radius;
  assert.equal(radius(0), 3);
  assert.ok(radius(100) < radius(400));
  assert.equal(radius(400), 400 ** 0.5 / 1.6);
  assert.equal(radius(1_000_000), 14);
});

test("without VectorGrid there is no tile layer (the page says so)", () => {
  assert.equal(collectionTiles("households", { styles: {}, staff: true }), null);
});
