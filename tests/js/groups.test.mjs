import assert from "node:assert/strict";
import { test } from "node:test";

import { groupByPlace, metresBetween } from "../../maps/static/js/dispatch/groups.js";

test("members of one building share a pin, ranks kept", () => {
  const members = [
    { code: "A", lon: 116.0, lat: 28.68 },
    { code: "B", lon: 116.01, lat: 28.68 },
    { code: "C", lon: 116.00005, lat: 28.68005 }, // about 7 m from A
  ];
  const groups = groupByPlace(members);
  assert.deepEqual(groups.map((g) => g.items.map((m) => [m.code, m.rank])), [
    [["A", 1], ["C", 3]],
    [["B", 2]],
  ]);
});

test("distances in metres", () => {
  const d = metresBetween({ lon: 116, lat: 28.68 }, { lon: 116.01, lat: 28.68 });
  assert.ok(Math.abs(d - 976) < 3, d); // 0.01 deg of longitude at 28.68 N
});
