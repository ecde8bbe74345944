/* The admin page: staff accounts of the admin's jurisdiction (create, disable or enable,
   reset a password) and the processing record, newest first. Every text from the API is set
   as text. Settings come from the page's JSON data block (no inline script). */

import { api, request, session } from "../api.js";
import { el, failed, say } from "../dom.js";
import { staffGate } from "../gate.js";
import { setup } from "../start.js";
import { t } from "../text.js";

const config = JSON.parse(document.getElementById("gg-config").textContent);
setup(config);

const status = document.getElementById("gg-status");
const form = document.getElementById("gg-new-account");
const accounts = document.querySelector("#gg-accounts tbody");
const records = document.querySelector("#gg-records tbody");
const older = document.getElementById("gg-older");
const actionFilter = document.getElementById("gg-record-action");
let oldest = null; // the id of the oldest record shown: the next page starts below it

staffGate(async (signedIn) => {
  accounts.replaceChildren();
  records.replaceChildren();
  form.hidden = true;
  if (!signedIn) return;
  const me = session();
  if (me && me.role !== "admin") {
    say(status, t("admins_only"), "error");
    return;
  }
  form.hidden = false;
  await Promise.all([loadAccounts(), loadRecords(false)]).catch((error) => failed(status, error));
});

async function loadAccounts() {
  const list = await api("/accounts", { staff: true });
  accounts.replaceChildren(...list.map(accountRow));
}

function accountRow(account) {
  const yes = (value) => (value ? t("yes") : t("no"));
  const toggle = el(
    "button",
    { type: "button", onclick: () => change(account, { active: !account.active }) },
    account.active ? t("disable") : t("enable")
  );
  const reset = el("button", { type: "button", onclick: () => resetPassword(account) }, t("new_password"));
  return el(
    "tr",
    { "data-name": account.name },
    el("td", {}, account.name),
    el("td", {}, account.display_name),
    el("td", {}, t("role_" + account.role)),
    el("td", {}, account.scope_code),
    el("td", {}, yes(account.active)),
    el("td", {}, yes(account.locked)),
    el("td", {}, String(account.sessions)),
    el("td", { class: "gg-row-actions" }, toggle, " ", reset)
  );
}

async function change(account, body) {
  try {
    await request("/accounts/" + account.id, { method: "PATCH", body, staff: true });
    say(status, t("changed"), "ok");
    await loadAccounts();
  } catch (error) {
    failed(status, error);
  }
}

function resetPassword(account) {
  const password = window.prompt(t("password_prompt", { name: account.name }));
  if (password) change(account, { password });
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = Object.fromEntries(new FormData(form).entries());
  try {
    await request("/accounts", { method: "POST", body, staff: true });
    say(status, t("created", { name: body.name }), "ok");
    form.reset();
    await loadAccounts();
  } catch (error) {
    failed(status, error);
  }
});

async function loadRecords(more) {
  const query = new URLSearchParams({ limit: "50" });
  if (actionFilter.value) query.set("action", actionFilter.value);
  if (more && oldest) query.set("before", String(oldest));
  const page = await api("/audit?" + query, { staff: true });
  const rows = page.map((r) =>
    el(
      "tr",
      {},
      el("td", {}, new Date(r.at).toLocaleString(config.lang)),
      el("td", {}, r.actor),
      el("td", {}, t("role_" + r.role)),
      el("td", {}, r.scope_code || ""),
      el("td", {}, r.action),
      el("td", {}, r.target + (r.detail ? " · " + r.detail : "")),
      el("td", {}, String(r.rows))
    )
  );
  if (more) records.append(...rows);
  else records.replaceChildren(...rows);
  if (page.length) oldest = page[page.length - 1].id;
  older.hidden = page.length < 50;
}

actionFilter.addEventListener("change", () => loadRecords(false).catch((e) => failed(status, e)));
older.addEventListener("click", () => loadRecords(true).catch((e) => failed(status, e)));
