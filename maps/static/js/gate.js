/* The staff sign-in box (maps/base.py sign_in_box): a person signs in with an account (a
   session cookie that every tab shares); an API token can be pasted instead (kept in this
   tab's sessionStorage). A refused call says why. */

import {
  api,
  forgetSession,
  forgetToken,
  keepToken,
  loadSession,
  onRefused,
  session,
  signedIn,
  signInAccount,
  signOutAccount,
} from "./api.js";
import { t } from "./text.js";

/* Wires the box; onChange(signedIn) runs when a session or token is found, accepted,
   refused or dropped. Returns {need(), refused(error)}. */
export function staffGate(onChange) {
  const box = document.getElementById("gg-signin");
  const parts = {
    needed: box.querySelector(".gg-needed"),
    account: box.querySelector(".gg-account-form"),
    form: box.querySelector(".gg-signin-form"),
    signedIn: box.querySelector(".gg-signed-in"),
    who: box.querySelector(".gg-who"),
    input: box.querySelector("#gg-token"),
  };
  const show = (message) => showState(parts, message);
  const gate = {
    need() {
      show();
      parts.needed.hidden = false;
    },
    /* A staff call was refused: a dead token or session is forgotten; a limit is said. */
    refused(error) {
      if (error.status === 401) {
        forgetToken();
        forgetSession();
        show(t("token_rejected", { detail: error.message }));
        onChange(false);
      } else if (error.status === 403) {
        parts.needed.hidden = false;
        parts.needed.textContent = t("forbidden", { detail: error.message });
      }
    },
  };
  onRefused(gate.refused);
  parts.account.addEventListener("submit", (event) => withAccount(event, parts, show, onChange));
  parts.form.addEventListener("submit", (event) => withToken(event, parts, show, onChange));
  box.querySelector(".gg-signout").addEventListener("click", async () => {
    forgetToken();
    await signOutAccount();
    show();
    onChange(false);
  });
  show();
  loadSession()
    .catch(() => null)
    .then(() => {
      show();
      if (signedIn()) onChange(true);
    });
  return gate;
}

function showState(parts, message) {
  const has = signedIn();
  parts.needed.hidden = has && !message;
  parts.needed.textContent = message || t("staff_token_needed");
  parts.account.hidden = has;
  parts.form.hidden = has;
  parts.signedIn.hidden = !has;
  const me = session();
  parts.who.textContent = me ? t("signed_in_as", { name: me.name, role: t("role_" + me.role) }) : t("signed_in");
}

async function withAccount(event, parts, show, onChange) {
  event.preventDefault();
  const name = parts.account.querySelector("#gg-name");
  const password = parts.account.querySelector("#gg-password");
  try {
    await signInAccount(name.value.trim(), password.value);
  } catch (error) {
    show(t("sign_in_refused", { detail: error.message }));
    return;
  }
  password.value = "";
  show();
  onChange(true);
}

/* The token is kept once a staff call with it succeeds. */
async function withToken(event, parts, show, onChange) {
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
