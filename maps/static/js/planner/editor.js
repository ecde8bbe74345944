/* The boundary editor: for a grid the signed-in planner may edit (GET /auth/me: role and
   communities), edit its vertices, redraw it, reshape an edge, split it with a line or
   merge a neighbour into it; preview what that does (the API's preview), save it with the
   version it was made on (If-Match) — asking first when the preview shows problems — and
   see the grid's history and undo its last edit. Esc or Cancel drops the work. */

import { request } from "../api.js";
import { failed, say } from "../dom.js";
import { t } from "../text.js";
import { gridCard } from "./cards.js";
import { MapTools } from "./draw.js";
import { showHistory } from "./history.js";
import { drawPreview, previewCard, refusalCard } from "./preview.js";
import { EditState, LINE } from "./state.js";

export const gridPath = (code, suffix) => "/grids/" + encodeURIComponent(code) + (suffix || "");
const byId = (id) => document.getElementById(id);
const outerRing = (geometry) =>
  geometry.type === "Polygon" ? geometry.coordinates[0] : geometry.coordinates[0][0];
const PATHS = { redraw: ["/preview", ""], split: ["/split/preview", "/split"], merge: ["/merge/preview", "/merge"] };

export class BoundaryEditor {
  constructor(page) {
    this.page = page;
    this.ids = ["edit", "redraw", "split", "merge", "history", "reshape", "undo-step", "finish", "cancel"];
    this.buttons = Object.fromEntries(this.ids.map((id) => [id, byId("gg-" + id)]));
    this.tools = byId("gg-tools");
    this.editing = byId("gg-editing");
    this.mergeWith = byId("gg-merge-with");
    this.hint = byId("gg-redraw-hint");
    this.shapes = L.featureGroup().addTo(page.map); // the previewed grids, moves and problems
    this.state = new EditState();
    this.mapTools = new MapTools(page.map, this.state, {
      onChange: () => this.progress(),
      onDone: () => this.finish(),
      snapRings: () => this.neighbourRings(),
    });
    const on = (id, f) => this.buttons[id].addEventListener("click", f);
    on("edit", () => this.start("edit"));
    on("redraw", () => this.start("redraw"));
    on("split", () => this.start("split"));
    on("merge", () => this.start("merge"));
    on("history", () => showHistory(this));
    on("reshape", () => this.reshape());
    on("undo-step", () => this.state.undoStep() && this.mapTools.changed());
    on("finish", () => this.finish());
    on("cancel", () => this.cancel());
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.state.busy) this.cancel();
    });
    this.update();
  }

  get selected() {
    return this.page.grids.selected;
  }

  /* May the signed-in planner edit this grid? (role and jurisdiction, from /auth/me) */
  mayEdit(feature) {
    const me = this.page.me;
    return Boolean(me && me.can_edit_grids && feature && me.communities.includes(feature.properties.community_code));
  }

  /* The controls for the state: none for a grid the caller may not edit. */
  update() {
    const feature = this.selected && this.selected.feature;
    const allowed = this.page.signedIn && this.mayEdit(feature);
    const phase = this.state.phase;
    const working = phase === "drawing" || phase === "editing" || phase === LINE;
    this.tools.hidden = !allowed || working;
    this.editing.hidden = !working;
    this.buttons.reshape.hidden = phase !== "editing";
    this.buttons["undo-step"].hidden = phase === LINE;
    if (allowed) this.fillNeighbours(feature);
    if (working) return;
    if (!this.page.signedIn || !feature) this.hint.textContent = t("redraw_pick");
    else if (!allowed) this.hint.textContent = t("not_yours", { name: feature.properties.name });
    else this.hint.textContent = t("redraw_ready", { name: feature.properties.name });
  }

  fillNeighbours(feature) {
    const code = feature.properties.code;
    const current = this.mergeWith.value;
    const options = this.page.grids.neighbours(code).map((f) => {
      const option = document.createElement("option");
      option.value = f.properties.code;
      option.textContent = f.properties.name + "（" + f.properties.code.split("-").pop() + "）";
      return option;
    });
    this.mergeWith.replaceChildren(...options);
    if (options.some((o) => o.value === current)) this.mergeWith.value = current;
    this.buttons.merge.disabled = !options.length;
  }

  /* The rings of the other grids of the community (and the community's own): what the
     editor snaps to. */
  neighbourRings() {
    const code = this.state.grid && this.state.grid.code;
    return this.page.grids.communityRings(code);
  }

  progress() {
    const { phase, vertices, line } = this.state;
    const n = phase === LINE ? line.length : vertices.length;
    this.hint.textContent = t(phase === LINE ? "line_points" : "redraw_points", { n });
  }

  /* A new edit of the selected grid: its version first (the If-Match of the save). */
  async start(mode) {
    const p = this.selected.feature.properties;
    this.clear();
    let grid;
    try {
      grid = await request(gridPath(p.code));
    } catch (error) {
      failed(this.page.status, error);
      return;
    }
    const who = { code: p.code, name: p.name };
    this.page.map.closePopup();
    if (mode === "merge") {
      this.state.merge(who, grid.etag, this.mergeWith.value);
      return this.preview();
    }
    if (mode === "edit") this.state.beginEdit(who, grid.etag, outerRing(grid.body.geometry));
    else if (mode === "redraw") this.state.begin(who, grid.etag);
    else this.state.beginLine("split", who, grid.etag);
    this.mapTools.start();
    this.update();
    this.hint.textContent = t("hint_" + mode);
    this.buttons.finish.focus();
  }

  reshape() {
    if (!this.state.beginLine("reshape")) return;
    this.mapTools.render();
    this.update();
    this.hint.textContent = t("hint_reshape");
  }

  finish() {
    const { phase, purpose } = this.state;
    if (phase === LINE) {
      const done = this.state.endLine();
      if (!done) return say(this.page.status, t(purpose === "split" ? "line_too_short" : "reshape_failed"), "error");
      if (purpose === "reshape") {
        this.mapTools.changed();
        this.update();
        return;
      }
    } else if (!this.state.finish()) {
      return say(this.page.status, t("redraw_too_few"), "error");
    }
    this.mapTools.stop();
    this.preview();
  }

  cancel() {
    const { detail } = this.page;
    const previewed = Boolean(this.state.shape) || detail.querySelector(".gg-preview");
    if (this.state.busy) this.mapTools.stop();
    this.state.cancel();
    this.shapes.clearLayers();
    if (previewed && this.selected) detail.replaceChildren(gridCard(this.page, this.selected.feature, false));
    this.update();
  }

  /* Forgets a previewed shape (another grid was chosen, or it was saved). */
  clear() {
    this.shapes.clearLayers();
    this.state.dropShape();
  }

  async preview() {
    const { status, detail } = this.page;
    const { grid, action, shape } = this.state;
    this.update();
    say(status, t("previewing"));
    try {
      const { body } = await request(gridPath(grid.code, PATHS[action][0]), { method: "POST", body: shape, staff: true });
      say(status, "");
      drawPreview(this.shapes, body, grid.code);
      const actions = { save: () => this.save(), cancel: () => this.cancel(), before: (code) => this.page.grids.layerOf(code) };
      detail.replaceChildren(previewCard(this.page, grid, body, actions));
      this.update();
    } catch (error) {
      this.refused(error);
    }
  }

  async save() {
    const { status, detail } = this.page;
    say(status, t("saving"));
    const pressed = [...detail.querySelectorAll(".gg-preview button")];
    pressed.forEach((b) => (b.disabled = true));
    const { grid, action, shape, etag } = this.state;
    const method = action === "redraw" ? "PUT" : "POST";
    try {
      const { body } = await request(gridPath(grid.code, PATHS[action][1]), { method, body: shape, headers: { "If-Match": etag }, staff: true });
      this.clear();
      await this.reloadAll();
      say(status, t("saved", { code: body.grid, version: body.new_version }), "ok");
    } catch (error) {
      if (error.status !== 412) return this.refused(error);
      this.clear();
      await this.reloadAll();
      say(status, t("stale", { code: grid.code }), "error");
    } finally {
      pressed.forEach((b) => (b.disabled = false)); // the card is gone unless the save failed
    }
  }

  async reloadAll() {
    try {
      await this.page.grids.reload();
      if (this.page.signedIn) {
        await this.page.staff.loadMembers();
        await this.page.staff.loadHouseholds();
      }
    } catch (error) {
      failed(this.page.status, error);
    }
  }

  /* A refused preview or save: the server's detail for an invalid shape. */
  refused(error) {
    const { status, detail } = this.page;
    if (error.status === 422 || error.status === 409) {
      const message = t("invalid", { detail: error.message });
      say(status, message, "error");
      detail.replaceChildren(refusalCard(this.state.grid, message, () => this.cancel()));
    } else {
      failed(status, error);
    }
    this.update();
  }
}
