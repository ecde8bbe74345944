// The preview in words (maps/static/js/planner/report.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { concerns, problemText, staffingText } from "../../maps/static/js/planner/report.js";
import { setWords } from "../../maps/static/js/text.js";

setWords({
  problem_gap: "gap of {area} m² beside {grids}",
  status_understaffed: "understaffed", status_overstaffed: "overstaffed", status_ok: "ok",
  needs_members: "needs {n} more member", left_unassigned: "{n} households left unassigned",
  idle_capacity_left: "{n} places idle", clause_separator: "; ", members_outside: "{n} members outside 15–25",
});

const grid = (code, properties) => ({ properties: { code, members: [], ...properties } });

test("staffing as the planner reads it", () => {
  assert.equal(
    staffingText({ status: "understaffed", members_needed: 1, unassigned: 13 }),
    "understaffed：needs 1 more member; 13 households left unassigned"
  );
  assert.equal(staffingText({ status: "overstaffed", idle_capacity: 9 }), "overstaffed：9 places idle");
  assert.equal(staffingText({ status: "ok" }), null);
});

test("every problem and staffing change is a concern", () => {
  const report = {
    problems: [{ kind: "gap", grids: ["C-G01", "C-G02"], area_m2: 1234.4 }],
    grids: { features: [
      grid("C-G01", { status: "ok", members: [{ code: "M1", within_bounds: false }] }),
      grid("C-G02", { status: "understaffed", members_needed: 2, unassigned: 30 }),
    ] },
  };
  assert.equal(problemText(report.problems[0]), "gap of 1,234 m² beside G01、G02");
  assert.deepEqual(concerns(report), [
    "gap of 1,234 m² beside G01、G02",
    "G02 understaffed：needs 2 more member; 30 households left unassigned",
    "1 members outside 15–25",
  ]);
  assert.deepEqual(concerns({ problems: [], grids: { features: [grid("C-G01", { status: "ok" })] } }), []);
});
