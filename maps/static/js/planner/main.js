/* The planner map (staff): grids coloured by status with households and member loads, member
   homes, at community zoom the households coloured by their member, and the boundary
   editor. The entry module of /maps/planner. */

import { api, token } from "../api.js";
import { failed, say } from "../dom.js";
import { staffGate } from "../gate.js";
import { onPage } from "../start.js";
import { BoundaryEditor } from "./editor.js";
import { PlannerGrids } from "./layers.js";
import { StaffLayers } from "./staff.js";

onPage("planner", (map, layers, config) => {
  /* What the planner's parts share. */
  const page = {
    map,
    layers,
    config,
    status: document.getElementById("gg-status"),
    detail: document.getElementById("gg-detail"),
    signedIn: false,
    me: null, // GET /auth/me: role, communities, can_edit_grids
    colourOf: new Map(), // member code -> colour
    nameOf: new Map(), // member code -> name
  };
  page.grids = new PlannerGrids(page);
  page.staff = new StaffLayers(page);
  page.editor = new BoundaryEditor(page);
  page.grids.draw();

  async function signedIn(yes) {
    page.signedIn = yes;
    page.me = null;
    page.editor.update();
    if (!yes) {
      page.editor.cancel();
      page.staff.clear();
      say(page.status, "");
      return;
    }
    try {
      page.me = await api("/auth/me", { staff: true });
      page.editor.update();
      await page.staff.loadMembers();
      await page.staff.loadHouseholds();
    } catch (error) {
      failed(page.status, error);
    }
  }

  staffGate(signedIn); // says when a session or token is found
});
