import assert from "node:assert/strict";
import { test } from "node:test";

import { directionLinks } from "../../maps/static/js/locator/links.js";

const station = {
  geometry: { type: "Point", coordinates: [116.404, 39.915] },
  properties: {
    name: "云中城红色驿站",
    gcj02: [116.41024449916938, 39.91640428150164],
    bd09: [116.41662724378733, 39.922699552216216],
  },
};

test("each app gets the coordinates of its own datum", () => {
  const [geo, amap, baidu] = directionLinks(station);
  const name = encodeURIComponent("云中城红色驿站");
  assert.equal(geo.href, `geo:39.915000,116.404000?q=39.915000,116.404000(${name})`);
  assert.ok(amap.href.startsWith("https://uri.amap.com/marker?position=116.410244,39.916404&"));
  assert.ok(baidu.href.includes("location=39.922700,116.416627&"));
  assert.ok(baidu.href.includes("coord_type=bd09ll"));
});

test("without converted coordinates only the geo: link", () => {
  const plain = { ...station, properties: { name: "x" } };
  assert.deepEqual(directionLinks(plain).map((l) => l.app), ["geo"]);
});
