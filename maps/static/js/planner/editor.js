/* The boundary editor: select a grid, redraw it vertex by vertex, see what the new boundary
   does (the grids' preview from the API), save it with the version it was drawn on
   (If-Match). Esc or Cancel drops the drawing or the preview. */

import { request } from "../api.js";
import { failed, say } from "../dom.js";
import { lonlat, t } from "../text.js";
import { gridCard } from "./cards.js";
import { vertexTool } from "./draw.js";
import { drawPreview, previewCard, refusalCard } from "./preview.js";
import { EditState } from "./state.js";

const gridPath = (code, suffix) => "/grids/" + encodeURIComponent(code) + (suffix || "");

export class BoundaryEditor {
  constructor(page) {
    this.page = page;
    this.buttons = {
      redraw: document.getElementById("gg-redraw"),
      finish: document.getElementById("gg-finish"),
      cancel: document.getElementById("gg-cancel"),
    };
    this.hint = document.getElementById("gg-redraw-hint");
    this.shapes = L.featureGroup().addTo(page.map); // the previewed grids and gaps
    this.state = new EditState();
    this.tool = vertexTool(page.map, this.state, {
      onVertex: (n, latlng) => this.showProgress(n, latlng),
      onDone: (shape) => this.preview(shape),
    });
    this.buttons.redraw.addEventListener("click", () => this.start());
    this.buttons.finish.addEventListener("click", () => this.finish());
    this.buttons.cancel.addEventListener("click", () => this.cancel());
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.state.busy) this.cancel();
    });
    this.update();
  }

  get selected() {
    return this.page.grids.selected;
  }

  /* The buttons and the hint for the state. */
  update() {
    const ready = this.page.signedIn && this.selected;
    const drawing = this.state.drawing;
    this.buttons.redraw.disabled = !ready || drawing;
    this.buttons.finish.hidden = this.buttons.cancel.hidden = !drawing;
    if (drawing) return;
    this.hint.textContent = ready
      ? t("redraw_ready", { name: this.selected.feature.properties.name })
      : t("redraw_pick");
  }

  showProgress(n, latlng) {
    this.hint.textContent = t("redraw_points", { n }) + " " + lonlat(latlng.lng, latlng.lat);
  }

  async start() {
    const p = this.selected.feature.properties;
    this.clear();
    let etag;
    try {
      // The version being edited: the If-Match of the save.
      etag = (await request(gridPath(p.code))).etag;
    } catch (error) {
      failed(this.page.status, error);
      return;
    }
    this.page.map.closePopup();
    this.state.begin({ code: p.code, name: p.name }, etag);
    this.tool.start();
    this.update();
    this.hint.textContent = t("redraw_drawing");
    this.buttons.finish.focus();
  }

  finish() {
    if (!this.tool.finish()) say(this.page.status, t("redraw_too_few"), "error");
  }

  cancel() {
    const { detail } = this.page;
    const previewed = Boolean(this.state.shape) || detail.querySelector(".gg-preview");
    if (this.state.drawing) this.tool.stop();
    this.state.cancel();
    this.shapes.clearLayers();
    if (previewed && this.selected) {
      detail.replaceChildren(gridCard(this.page, this.selected.feature, false));
    }
    this.update();
  }

  /* Forgets a previewed shape (another grid was chosen, or it was saved). */
  clear() {
    this.shapes.clearLayers();
    this.state.dropShape();
  }

  async preview(shape) {
    const { status, detail } = this.page;
    const grid = this.state.grid;
    this.update();
    say(status, t("previewing"));
    try {
      const { body } = await request(gridPath(grid.code, "/preview"), {
        method: "POST", body: shape, staff: true,
      });
      say(status, "");
      drawPreview(this.shapes, body, grid.code);
      const actions = {
        save: () => this.save(),
        cancel: () => this.cancel(),
        before: (code) => this.page.grids.layerOf(code),
      };
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
    const { code } = this.state.grid;
    try {
      const { body } = await request(gridPath(code), {
        method: "PUT", body: this.state.shape, headers: { "If-Match": this.state.etag }, staff: true,
      });
      this.clear();
      await this.reloadAll();
      say(status, t("saved", { code: body.grid, version: body.new_version }), "ok");
    } catch (error) {
      if (error.status !== 412) return this.refused(error);
      this.clear();
      await this.reloadAll();
      say(status, t("stale", { code }), "error");
    } finally {
      pressed.forEach((b) => (b.disabled = false)); // the card is gone unless the save failed
    }
  }

  async reloadAll() {
    try {
      await this.page.grids.reload();
      if (this.page.signedIn) await this.page.staff.loadMembers();
    } catch (error) {
      failed(this.page.status, error);
    }
  }

  /* A refused preview or save: the server's detail for an invalid shape. */
  refused(error) {
    const { status, detail } = this.page;
    if (error.status === 422) {
      const message = t("invalid", { detail: error.message });
      say(status, message, "error");
      detail.replaceChildren(refusalCard(this.state.grid, message, () => this.cancel()));
    } else {
      failed(status, error);
    }
    this.update();
  }
}
