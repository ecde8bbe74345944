/* What a preview (an edit report of the API) means for the planner, in words, pure (no
   DOM, no Leaflet): each problem with its size, each touched grid's staffing ("needs 1 more
   member; 13 households left unassigned"), the members whose load leaves their bounds. A
   save that leaves any of them is confirmed first. */

import { t } from "../text.js";

const area = (m2) => Math.round(m2).toLocaleString("en-US");

/* One problem of the API's `problems` list, in words. */
export function problemText(problem) {
  const grids = problem.grids.map((code) => code.split("-").pop()).join("、");
  return t("problem_" + problem.kind, { area: area(problem.area_m2), grids });
}

/* A touched grid's staffing in words; null when its members can serve it within bounds. */
export function staffingText(p) {
  const parts = [];
  if (p.status === "understaffed" || p.status === "no_members") {
    if (p.members_needed) parts.push(t("needs_members", { n: p.members_needed }));
    if (p.unassigned) parts.push(t("left_unassigned", { n: p.unassigned }));
  } else if (p.status === "overstaffed" && p.idle_capacity) {
    parts.push(t("idle_capacity_left", { n: p.idle_capacity }));
  }
  if (!parts.length && (p.status === "ok" || !p.status || p.status === "empty")) return null;
  return t("status_" + p.status) + (parts.length ? "：" + parts.join(t("clause_separator")) : "");
}

/* Members of the touched grids whose new load is outside their bounds. */
export function membersOutside(report) {
  return report.grids.features.flatMap((f) =>
    (f.properties.members || []).filter((m) => !m.within_bounds).map((m) => ({ ...m, grid: f.properties.code }))
  );
}

/* Everything a save would leave that needs a second look, as sentences. */
export function concerns(report) {
  const out = (report.problems || []).map(problemText);
  for (const feature of report.grids.features) {
    const staffing = staffingText(feature.properties);
    if (staffing) out.push(feature.properties.code.split("-").pop() + " " + staffing);
  }
  const outside = membersOutside(report);
  if (outside.length) out.push(t("members_outside", { n: outside.length }));
  return out;
}
