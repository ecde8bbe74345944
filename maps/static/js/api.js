/* The API client: JSON over fetch, RFC 9457 problem+json errors, the staff token (kept in
   sessionStorage, sent as a bearer token on staff calls). Nothing runs at import: Node's
   tests import it without a browser. */

const TOKEN_KEY = "gridgis.token";
let root = ""; // the API's path prefix (behind a reverse proxy)
const refusals = []; // listeners told when a staff call is refused

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail || "HTTP " + status);
    this.status = status;
  }
}

export function setApiRoot(prefix) {
  root = prefix || "";
}

export const apiRoot = () => root;

export const token = () => sessionStorage.getItem(TOKEN_KEY);
export const keepToken = (value) => sessionStorage.setItem(TOKEN_KEY, value);
export const forgetToken = () => sessionStorage.removeItem(TOKEN_KEY);

/* A signed-in account: its session lives in an HttpOnly cookie the browser sends by itself;
   the page knows only what /auth/me says (role, jurisdiction, the CSRF token for writes). */
let me = null;
export const session = () => me;
export const signedIn = () => Boolean(token()) || Boolean(me);

/* Whether this browser has a session (in any tab): asks /auth/me without a token. */
export async function loadSession() {
  const response = await fetch(root + "/auth/me", { headers: { Accept: "application/json" } });
  const body = response.ok ? await response.json() : null;
  me = body && body.signed_in ? body : null;
  return me;
}

export async function signInAccount(name, password) {
  me = (await request("/auth/sign-in", { method: "POST", body: { name, password } })).body;
  return me;
}

export async function signOutAccount() {
  if (me) await request("/auth/sign-out", { method: "POST" }).catch(() => null);
  me = null;
}

export function forgetSession() {
  me = null;
}

/* `listener(error)` hears of every refused staff call (the sign-in box says why). */
export function onRefused(listener) {
  refusals.push(listener);
}

/* The error of a failed response, with the server's problem+json detail when it sent one. */
export async function failure(response, staff) {
  let detail = response.statusText;
  try {
    detail = (await response.json()).detail || detail;
  } catch (e) {
    /* not problem+json */
  }
  const error = new ApiError(response.status, detail);
  if (staff) refusals.forEach((listener) => listener(error));
  return error;
}

/* Any call: method, a JSON body, extra headers; staff: send the token (the caller checks
   token() first). Resolves with the JSON body and the ETag. */
export async function request(path, { method = "GET", body, headers = {}, staff = false, signal } = {}) {
  const sent = { Accept: "application/geo+json, application/json", ...headers };
  if (staff && token()) sent.Authorization = "Bearer " + token();
  else if (me && me.csrf && method !== "GET") sent["X-CSRF-Token"] = me.csrf;
  const init = { method, headers: sent, signal };
  if (body !== undefined) {
    sent["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(root + path, init);
  if (!response.ok) throw await failure(response, staff);
  return { body: await response.json(), etag: response.headers.get("ETag") };
}

/* GET a JSON document. */
export async function api(path, { staff = false, signal } = {}) {
  return (await request(path, { staff, signal })).body;
}

/* Every feature of a collection, following the `next` links. */
export async function collection(id, params, { staff = false, signal, maxPages = 20 } = {}) {
  const query = new URLSearchParams({ limit: "10000", ...(params || {}) });
  let path = "/collections/" + id + "/items?" + query;
  const features = [];
  let matched = 0;
  for (let page = 0; path && page < maxPages; page++) {
    const body = await api(path, { staff, signal });
    features.push(...body.features);
    matched = body.numberMatched || features.length;
    const next = (body.links || []).find((link) => link.rel === "next");
    path = next ? localPath(next.href, window.location.href, root) : null;
  }
  return { type: "FeatureCollection", features, numberMatched: matched };
}

/* A link from the API as a path under the API root of this server (the API may name its host
   differently, e.g. behind a proxy). */
export function localPath(href, base, prefix) {
  const url = new URL(href, base);
  const path = url.pathname + url.search;
  return prefix && path.startsWith(prefix) ? path.slice(prefix.length) : path;
}
