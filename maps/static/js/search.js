/* A place typed in: its matches (GET /places/search, or the staff /search) as a list of
   buttons under the box. Enter takes the best match; the arrow keys move through the list,
   Esc goes back to the box. onChoose(feature) gets the match chosen. */

import { api } from "./api.js";
import { el, say } from "./dom.js";
import { t } from "./text.js";

const WAIT_MS = 250;

export function placeSearch({ form, path, status, onChoose, staff = false, limit = 8 }) {
  const input = form.querySelector("input[type=search]");
  const list = form.querySelector("ul");
  let timer = null;
  let asked = 0;
  let found = [];

  async function find(q) {
    const mine = ++asked;
    say(status, t("searching"));
    try {
      const body = await api(path + "?limit=" + limit + "&q=" + encodeURIComponent(q), { staff });
      if (mine !== asked) return null;
      found = body.features;
      show(q);
      return found;
    } catch (error) {
      if (mine === asked) {
        found = [];
        list.replaceChildren();
        say(status, error.message, "error");
      }
      return null;
    }
  }

  function show(q) {
    list.replaceChildren(...found.map((feature, i) => option(feature, i)));
    say(status, found.length ? t("places_found", { n: found.length }) : t("no_place", { q }), found.length ? "" : "error");
  }

  function option(feature, i) {
    const p = feature.properties;
    return el(
      "li",
      {},
      el(
        "button",
        { type: "button", class: "gg-place-option", "data-index": i, onclick: () => choose(feature) },
        el("span", { class: "gg-place-name" }, p.name),
        el("span", { class: "gg-muted" }, [t("kind_" + p.kind), p.context].filter(Boolean).join(" · "))
      )
    );
  }

  function choose(feature) {
    list.replaceChildren();
    found = [];
    say(status, t("chosen_place", { name: feature.properties.name }), "ok");
    onChoose(feature);
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) {
      list.replaceChildren();
      return;
    }
    timer = setTimeout(() => find(q), WAIT_MS);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) return;
    const matches = await find(q);
    if (matches && matches.length) choose(matches[0]);
  });
  form.addEventListener("keydown", (event) => moveFocus(event, input, list));
  return { find, clear: () => list.replaceChildren() };
}

/* Arrow keys between the box and the matches; Esc back to the box. */
function moveFocus(event, input, list) {
  const buttons = [...list.querySelectorAll("button")];
  const at = buttons.indexOf(document.activeElement);
  if (event.key === "ArrowDown" && buttons.length) {
    event.preventDefault();
    buttons[Math.min(at + 1, buttons.length - 1)].focus();
  } else if (event.key === "ArrowUp" && at >= 0) {
    event.preventDefault();
    (at === 0 ? input : buttons[at - 1]).focus();
  } else if (event.key === "Escape" && list.children.length) {
    list.replaceChildren();
    input.focus();
  }
}
