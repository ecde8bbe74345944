/* The staff sign-in box (maps/base.py sign_in_box): the token lives in sessionStorage and is
   sent on every staff call; a refused call says why. */

import { api, forgetToken, keepToken, onRefused, token } from "./api.js";
import { t } from "./text.js";

/* Wires the box; onChange(signedIn) runs when a token is accepted, refused or dropped.
   Returns {need(), refused(error)}. */
export function staffGate(onChange) {
  const box = document.getElementById("gg-signin");
  const parts = {
    needed: box.querySelector(".gg-needed"),
    form: box.querySelector(".gg-signin-form"),
    signedIn: box.querySelector(".gg-signed-in"),
    input: box.querySelector("#gg-token"),
  };
  const show = (message) => showState(parts, message);
  const gate = {
    /* Data was asked for with no token: say so. */
    need() {
      show();
      parts.needed.hidden = false;
    },
    /* A staff call was refused: a bad token is forgotten; a jurisdiction limit is said. */
    refused(error) {
      if (error.status === 401) {
        forgetToken();
        show(t("token_rejected", { detail: error.message }));
        onChange(false);
      } else if (error.status === 403) {
        parts.needed.hidden = false;
        parts.needed.textContent = t("forbidden", { detail: error.message });
      }
    },
  };
  onRefused(gate.refused);
  parts.form.addEventListener("submit", (event) => signIn(event, parts, show, onChange));
  box.querySelector(".gg-signout").addEventListener("click", () => {
    forgetToken();
    show();
    onChange(false);
  });
  show();
  return gate;
}

function showState(parts, message) {
  const has = Boolean(token());
  parts.needed.hidden = has && !message;
  parts.needed.textContent = message || t("staff_token_needed");
  parts.form.hidden = has;
  parts.signedIn.hidden = !has;
}

/* The token is kept once a staff call with it succeeds. */
async function signIn(event, parts, show, onChange) {
  event.preventDefault();
  const value = parts.input.value.trim();
  if (!value) return;
  keepToken(value);
  try {
    await api("/collections/members/items?limit=1&properties=code", { staff: true });
  } catch (error) {
    return; // refused() has said why
  }
  parts.input.value = "";
  show();
  onChange(true);
}
