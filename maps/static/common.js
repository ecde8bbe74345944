/* gridgis map pages: what every page shares. Words and formats, calls to the API (with the
   staff token when signed in), the staff sign-in box, and the base drawn from the data
   (streets, communities, grids) for pages without a basemap. */
(function () {
  "use strict";
  const gg = (window.gridgis = window.gridgis || {});
  const TOKEN_KEY = "gridgis.token";

  gg.setup = function (config) {
    gg.config = config;
  };

  /* The word for `key`, with {name} placeholders filled from `vars`. */
  gg.t = function (key, vars) {
    let text = gg.config.t[key];
    if (text === undefined) text = key;
    for (const [name, value] of Object.entries(vars || {})) {
      text = text.split("{" + name + "}").join(String(value));
    }
    return text;
  };

  gg.lonlat = (lon, lat) => lon.toFixed(6) + ", " + lat.toFixed(6);

  gg.distance = function (metres) {
    if (metres < 1000) return Math.round(metres) + " " + gg.t("unit_m");
    const km = metres / 1000;
    return km.toFixed(km < 10 ? 2 : 1) + " " + gg.t("unit_km");
  };

  /* A DOM element: el("li", {class: "x", onclick: f}, "text", child, ...). Text is always
     set as text, never parsed as HTML. */
  gg.el = function (tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "html") node.innerHTML = value; // only for our own SVG icons
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  };

  gg.serviceIcon = function (service) {
    const label = gg.t("service_" + service);
    return gg.el("span", {
      class: "gg-svc",
      role: "img",
      "aria-label": label,
      title: label,
      html: gg.config.icons[service] || "",
    });
  };

  gg.phoneLink = function (phone) {
    if (!phone) return null;
    return gg.el("a", { class: "gg-phone", href: "tel:" + phone.replace(/[^0-9+]/g, "") }, phone);
  };

  /* Opening state from /stations/nearest: "Open · closes 21:00", "Closed · opens tomorrow 08:00". */
  gg.openState = function (props) {
    if (props.open_now === null || props.open_now === undefined) {
      return { open: null, text: gg.t("hours_unknown") };
    }
    const when = gg.when(props.next_change);
    if (props.open_now) {
      return {
        open: true,
        text: when ? gg.t("open") + " · " + gg.t("closes_at", { when }) : gg.t("always_open"),
      };
    }
    return { open: false, text: gg.t("closed") + (when ? " · " + gg.t("opens_at", { when }) : "") };
  };

  /* "08:00" today, "tomorrow 08:00", or "03-14 08:00", from a local ISO time "2026-03-14T08:00". */
  gg.when = function (iso) {
    if (!iso) return null;
    const [day, time] = iso.split("T");
    const now = new Date();
    const dayOf = (d) =>
      d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" +
      String(d.getDate()).padStart(2, "0");
    const tomorrow = new Date(now.getTime() + 86400000);
    if (day === dayOf(now)) return time;
    if (day === dayOf(tomorrow)) return gg.t("tomorrow") + " " + time;
    return day.slice(5) + " " + time;
  };

  /* ---- the API ---- */

  gg.ApiError = class extends Error {
    constructor(status, detail) {
      super(detail || "HTTP " + status);
      this.status = status;
    }
  };

  gg.token = () => sessionStorage.getItem(TOKEN_KEY);

  /* The error of a failed response, with the server's problem+json detail when it sent one.
     A refused staff call tells the sign-in box. */
  async function failure(response, staff) {
    let detail = response.statusText;
    try {
      detail = (await response.json()).detail || detail;
    } catch (e) {
      /* not problem+json */
    }
    const error = new gg.ApiError(response.status, detail);
    if (staff && gg.gate) gg.gate.refused(error);
    return error;
  }

  /* Any call: method, a JSON body, extra headers; staff: send the token (the caller checks
     gg.token() first). Resolves with the JSON body and the ETag. */
  gg.request = async function (path, { method = "GET", body, headers = {}, staff = false, signal } = {}) {
    const sent = { Accept: "application/geo+json, application/json", ...headers };
    if (staff && gg.token()) sent.Authorization = "Bearer " + gg.token();
    const init = { method, headers: sent, signal };
    if (body !== undefined) {
      sent["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(gg.config.api + path, init);
    if (!response.ok) throw await failure(response, staff);
    return { body: await response.json(), etag: response.headers.get("ETag") };
  };

  /* GET a JSON document. */
  gg.api = async function (path, { staff = false, signal } = {}) {
    return (await gg.request(path, { staff, signal })).body;
  };

  /* Every feature of a collection, following the `next` links. */
  gg.collection = async function (id, params, { staff = false, signal, maxPages = 20 } = {}) {
    const query = new URLSearchParams({ limit: "10000", ...(params || {}) });
    let path = "/collections/" + id + "/items?" + query;
    const features = [];
    let matched = 0;
    for (let page = 0; path && page < maxPages; page++) {
      const body = await gg.api(path, { staff, signal });
      features.push(...body.features);
      matched = body.numberMatched || features.length;
      const next = (body.links || []).find((link) => link.rel === "next");
      path = next ? gg.localPath(next.href) : null;
    }
    return { type: "FeatureCollection", features, numberMatched: matched };
  };

  /* A link from the API as a path on this server (the API may name its host differently). */
  gg.localPath = function (href) {
    const url = new URL(href, window.location.href);
    const path = url.pathname + url.search;
    return gg.config.api && path.startsWith(gg.config.api) ? path.slice(gg.config.api.length) : path;
  };

  /* ---- status line ---- */

  gg.say = function (node, text, kind) {
    if (!node) return;
    node.textContent = text || "";
    node.dataset.kind = kind || "";
  };

  gg.failed = function (node, error) {
    console.warn(error);
    gg.say(node, gg.t("load_failed", { detail: error.message }), "error");
  };

  /* ---- staff sign-in: the token lives in sessionStorage, sent on every staff call ---- */

  gg.staffGate = function (onChange) {
    const box = document.getElementById("gg-signin");
    const needed = box.querySelector(".gg-needed");
    const form = box.querySelector(".gg-signin-form");
    const signedIn = box.querySelector(".gg-signed-in");
    const input = box.querySelector("#gg-token");

    function show(message) {
      const has = Boolean(gg.token());
      needed.hidden = has && !message;
      needed.textContent = message || gg.t("staff_token_needed");
      form.hidden = has;
      signedIn.hidden = !has;
    }

    const gate = {
      /* Data was asked for with no token: say so. */
      need() {
        show();
        needed.hidden = false;
      },
      /* A staff call was refused: a bad token is forgotten; a jurisdiction limit is said. */
      refused(error) {
        if (error.status === 401) {
          sessionStorage.removeItem(TOKEN_KEY);
          show(gg.t("token_rejected", { detail: error.message }));
          onChange(false);
        } else if (error.status === 403) {
          needed.hidden = false;
          needed.textContent = gg.t("forbidden", { detail: error.message });
        }
      },
    };
    gg.gate = gate;

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (!token) return;
      sessionStorage.setItem(TOKEN_KEY, token);
      try {
        await gg.api("/collections/members/items?limit=1&properties=code", { staff: true });
      } catch (error) {
        return; // refused() has said why
      }
      input.value = "";
      show();
      onChange(true);
    });
    box.querySelector(".gg-signout").addEventListener("click", () => {
      sessionStorage.removeItem(TOKEN_KEY);
      show();
      onChange(false);
    });
    show();
    return gate;
  };

  /* ---- the base drawn from the data ---- */

  gg.style = {
    street: { color: "#5b5346", weight: 2.5, dashArray: "6 4", fill: false, interactive: false },
    community: {
      color: "#8c8577", weight: 1.2, fillColor: "#f7f3ea", fillOpacity: 1, interactive: false,
    },
    grid: { color: "#b4ab9a", weight: 0.8, fill: false, interactive: false },
  };

  /* Streets, communities (with their names) and grids into the page's Folium layers.
     Resolves with the communities' GeoJSON layer (for fitting the view). */
  gg.drawBase = async function (map, layers, { gridStyle, onGrid } = {}) {
    const basemap = Boolean(gg.config.basemap);
    const [streets, communities, grids] = await Promise.all([
      gg.collection("streets"),
      gg.collection("communities"),
      gg.collection("grids"),
    ]);
    const communityStyle = basemap
      ? { ...gg.style.community, fillOpacity: 0, fill: false }
      : gg.style.community;
    const communityLayer = L.geoJSON(communities, { style: communityStyle, interactive: false });
    communityLayer.addTo(layers.communities);
    L.geoJSON(streets, { style: gg.style.street, interactive: false }).addTo(layers.streets);
    const gridLayer = L.geoJSON(grids, {
      style: gridStyle || gg.style.grid,
      interactive: Boolean(onGrid),
      onEachFeature: onGrid,
    });
    gridLayer.addTo(layers.grids);
    gg.labelCommunities(map, communities, layers.labels || layers.communities);
    const bounds = communityLayer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
    return { communities, grids, gridLayer, communityLayer };
  };

  /* Community names at their centre, shown from zoom 13 on. */
  gg.labelCommunities = function (map, communities, group) {
    for (const feature of communities.features) {
      const center = L.geoJSON(feature).getBounds().getCenter();
      L.marker(center, {
        interactive: false,
        keyboard: false,
        icon: L.divIcon({ className: "gg-area-label", html: "", iconSize: null }),
      })
        .bindTooltip(feature.properties.name, {
          permanent: true, direction: "center", className: "gg-area-name",
        })
        .addTo(group);
    }
    const toggle = () => map.getContainer().classList.toggle("gg-far", map.getZoom() < 13);
    map.on("zoomend", toggle);
    toggle();
  };
})();
