/* A grid's history in the side panel (GET /grids/{code}/history): each saved change, who
   made it and when; the newest, while the grid is still as it left it, can be undone (PUT
   /grids/{code}?undo=<id>: the shapes and every household's member come back). */

import { api, request } from "../api.js";
import { el, failed, say } from "../dom.js";
import { t } from "../text.js";
import { gridCard } from "./cards.js";

const UNDOABLE = ["redraw", "undo", "repair"];

function when(iso) {
  return iso ? iso.slice(0, 16).replace("T", " ") : "";
}

export async function showHistory(editor) {
  const { page } = editor;
  const feature = editor.selected.feature;
  const code = feature.properties.code;
  const path = "/grids/" + encodeURIComponent(code);
  let items;
  let version;
  try {
    items = (await api(path + "/history?limit=20", { staff: true })).items;
    version = (await request(path)).etag;
  } catch (error) {
    return failed(page.status, error);
  }
  const current = Number(String(version).replace(/\D/g, ""));
  const rows = items.map((item, i) => {
    const undoable = i === 0 && UNDOABLE.includes(item.action) && item.version === current
      && item.old_geometry && item.new_geometry;
    return el(
      "li",
      { class: "gg-history-item" },
      el("span", { class: "gg-name" }, t("action_" + item.action)),
      " ",
      el("span", { class: "gg-muted" }, t("history_line", { version: item.version, at: when(item.at), role: t("role_" + item.by.role) })),
      undoable
        ? el("button", { type: "button", class: "gg-undo", onclick: () => undo(editor, code, item.id, version) }, t("undo_edit"))
        : null
    );
  });
  page.detail.replaceChildren(
    el(
      "div",
      { class: "gg-card gg-history" },
      el("h3", {}, t("history_of", { name: feature.properties.name })),
      rows.length ? el("ol", {}, rows) : el("p", { class: "gg-muted" }, t("no_history")),
      el("button", { type: "button", onclick: () => page.detail.replaceChildren(gridCard(page, feature, false)) }, t("close"))
    )
  );
}

async function undo(editor, code, record, version) {
  const { page } = editor;
  say(page.status, t("saving"));
  try {
    const { body } = await request("/grids/" + encodeURIComponent(code) + "?undo=" + record, {
      method: "PUT", headers: { "If-Match": version }, staff: true,
    });
    editor.clear();
    await editor.reloadAll();
    say(page.status, t("undone", { code, version: body.new_version }), "ok");
  } catch (error) {
    failed(page.status, error);
  }
}
