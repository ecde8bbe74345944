/* The planner map (staff): grids coloured by status with households and member loads, member
   homes, and at community zoom the households coloured by their member. */
(function () {
  "use strict";
  const gg = window.gridgis;

  gg.planner = function (map, layers, config) {
    gg.setup(config);
    const status = document.getElementById("gg-status");
    const detail = document.getElementById("gg-detail");
    const picker = document.getElementById("gg-community");
    // Households: thousands, drawn on a canvas in their own pane above the grids' fill.
    // They take no clicks (the grid under them does); member homes are drawn above them.
    const householdPane = map.createPane("gg-households");
    householdPane.style.zIndex = 450;
    householdPane.style.pointerEvents = "none";
    map.createPane("gg-members").style.zIndex = 460;
    const dots = L.canvas({ padding: 0.2, pane: "gg-households" });
    const colourOf = new Map(); // member code -> colour
    const state = { communities: null, grids: null, selected: null, households: null, signedIn: false };

    /* ---- grids by status ---- */

    function fillOpacity() {
      return map.getZoom() >= config.household_zoom ? 0.12 : 0.5;
    }

    function gridStyle(feature) {
      const colours = config.status_colours;
      return {
        color: "#3d3a33",
        weight: 1,
        fillColor: colours[feature.properties.status] || colours.none,
        fillOpacity: fillOpacity(),
      };
    }

    function onGrid(feature, layer) {
      const p = feature.properties;
      layer.bindTooltip(p.name, { sticky: true });
      layer.bindPopup("", { maxWidth: 340, minWidth: 240, maxHeight: 320 });
      layer.on("popupopen", (event) => {
        event.popup.setContent(gridCard(feature, true, () => event.popup.update()));
      });
      layer.on("click", () => {
        if (state.selected) state.grids.resetStyle(state.selected);
        state.selected = layer;
        layer.setStyle({ color: "#f5b400", weight: 4 });
        layer.bringToFront();
        detail.replaceChildren(gridCard(feature, false));
      });
    }

    gg.drawBase(map, layers, { gridStyle, onGrid })
      .then((base) => {
        state.communities = base.communities;
        state.grids = base.gridLayer;
        fillPicker(base.communities);
        labelGrids(base.grids);
      })
      .catch((error) => gg.failed(status, error));

    function labelGrids(grids) {
      for (const feature of grids.features) {
        const center = L.geoJSON(feature).getBounds().getCenter();
        const short = feature.properties.code.split("-").pop();
        L.marker(center, {
          interactive: false,
          keyboard: false,
          icon: L.divIcon({ className: "gg-area-label", html: "", iconSize: null }),
        })
          .bindTooltip(short, { permanent: true, direction: "center", className: "gg-grid-label" })
          .addTo(layers.labels);
      }
    }

    map.on("zoomend", () => {
      if (state.grids) state.grids.setStyle(gridStyle);
      map.getContainer().classList.toggle("gg-zoomed-out", map.getZoom() < config.member_zoom);
    });
    map.getContainer().classList.toggle("gg-zoomed-out", true);

    function row(label, value, cls) {
      return [gg.el("dt", {}, label), gg.el("dd", { class: cls || null }, value)];
    }

    /* One grid: status and counts at once, member loads when they come (staff). */
    function gridCard(feature, compact, loaded) {
      const p = feature.properties;
      const statusKey = "status_" + (p.status || "none");
      const card = gg.el(
        "div",
        { class: compact ? "gg-popup" : "gg-card" },
        gg.el("h3", {}, p.name + "（" + p.code + "）"),
        gg.el(
          "dl",
          {},
          row(gg.t("grid_status"), gg.t(statusKey), "gg-status-" + (p.status || "none")),
          row(gg.t("households"), p.households ?? "—"),
          row(gg.t("members"), p.members ?? "—"),
          p.members_needed ? row(gg.t("members_needed"), p.members_needed, "gg-closed") : null,
          p.idle_capacity ? row(gg.t("idle_capacity"), p.idle_capacity) : null
        )
      );
      const loads = gg.el("div", { class: "gg-loads-box" });
      card.append(loads);
      if (!gg.token()) {
        loads.append(gg.el("p", { class: "gg-muted" }, gg.t("sign_in_for_loads")));
        return card;
      }
      loads.append(gg.el("p", { class: "gg-muted" }, gg.t("loading")));
      gg.api("/grids/" + encodeURIComponent(p.code) + "/assignment", { staff: true })
        .then((body) => {
          loads.replaceChildren(loadTable(body, compact));
          if (loaded) loaded();
        })
        .catch((error) => loads.replaceChildren(gg.el("p", { class: "gg-closed" }, error.message)));
      return card;
    }

    function loadTable(body, compact) {
      const head = [gg.t("member"), gg.t("load"), gg.t("bounds")];
      if (!compact) head.push(gg.t("mean_distance"));
      const unassigned = body.grid && body.grid.unassigned ? body.grid.unassigned : 0;
      return gg.el(
        "div",
        {},
        unassigned ? gg.el("p", { class: "gg-closed" }, gg.t("unassigned") + "：" + unassigned) : null,
        gg.el(
          "table",
          { class: "gg-loads" },
          gg.el("thead", {}, gg.el("tr", {}, head.map((h) => gg.el("th", { scope: "col" }, h)))),
          gg.el(
            "tbody",
            {},
            body.members.map((m) =>
              gg.el(
                "tr",
                {},
                gg.el(
                  "td",
                  {},
                  gg.el("span", { class: "gg-dot", style: "background:" + (colourOf.get(m.code) || "#999") }),
                  " ",
                  m.name,
                  m.active ? null : gg.el("span", { class: "gg-muted" }, "（" + gg.t("inactive") + "）")
                ),
                gg.el(
                  "td",
                  { class: m.within_bounds ? null : "gg-bad", title: m.within_bounds ? null : gg.t("outside_bounds") },
                  String(m.load)
                ),
                gg.el("td", {}, m.min_load + "–" + m.max_load),
                compact ? null : gg.el("td", {}, gg.distance(m.mean_distance_m))
              )
            )
          )
        )
      );
    }

    /* ---- community picker ---- */

    function fillPicker(communities) {
      const sorted = [...communities.features].sort((a, b) =>
        a.properties.code.localeCompare(b.properties.code)
      );
      for (const feature of sorted) {
        picker.append(gg.el("option", { value: feature.properties.code }, feature.properties.name));
      }
    }

    picker.addEventListener("change", () => {
      const code = picker.value;
      const all = L.geoJSON(state.communities);
      const chosen = state.communities.features.find((f) => f.properties.code === code);
      const bounds = chosen ? L.geoJSON(chosen).getBounds() : all.getBounds();
      map.fitBounds(bounds, { padding: [10, 10] });
      if (chosen && map.getZoom() < config.household_zoom) {
        map.setView(bounds.getCenter(), config.household_zoom);
      }
    });

    /* ---- staff layers: member homes and households ---- */

    async function loadMembers() {
      const fc = await gg.collection(
        "members",
        { properties: "code,name,grid_code,duty,load,min_load,max_load,active" },
        { staff: true }
      );
      const byGrid = new Map();
      for (const f of fc.features) {
        const list = byGrid.get(f.properties.grid_code) || [];
        list.push(f.properties.code);
        byGrid.set(f.properties.grid_code, list);
      }
      for (const codes of byGrid.values()) {
        codes.sort().forEach((code, i) => colourOf.set(code, config.palette[i % config.palette.length]));
      }
      layers.members.clearLayers();
      for (const f of fc.features) {
        const p = f.properties;
        const [lon, lat] = f.geometry.coordinates;
        L.circleMarker([lat, lon], {
          radius: 5,
          color: colourOf.get(p.code),
          weight: 3,
          fillColor: "#fff",
          fillOpacity: 1,
          pane: "gg-members",
          className: "gg-member-home",
        })
          .bindTooltip(
            p.name + " · " + gg.t("load") + " " + p.load + "（" + p.min_load + "–" + p.max_load + "）"
          )
          .addTo(layers.members);
      }
    }

    async function loadHouseholds() {
      if (state.households) state.households.abort();
      if (!state.signedIn) return;
      if (map.getZoom() < config.household_zoom) {
        layers.households.clearLayers();
        gg.say(status, gg.t("zoom_for_households"));
        return;
      }
      const controller = new AbortController();
      state.households = controller;
      const b = map.getBounds();
      const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6)).join(",");
      try {
        const body = await gg.api(
          "/collections/households/items?limit=10000&properties=code,grid_code,member_code&bbox=" + bbox,
          { staff: true, signal: controller.signal }
        );
        layers.households.clearLayers();
        for (const f of body.features) {
          const [lon, lat] = f.geometry.coordinates;
          const colour = colourOf.get(f.properties.member_code);
          L.circleMarker([lat, lon], {
            renderer: dots,
            radius: 3.5,
            weight: colour ? 0.5 : 2,
            color: colour ? "#222" : "#555",
            fillColor: colour || "#fff",
            fillOpacity: 0.95,
            interactive: false,
          }).addTo(layers.households);
        }
        const n = body.features.length;
        gg.say(
          status,
          n < body.numberMatched
            ? gg.t("households_capped", { n, total: body.numberMatched })
            : gg.t("households_shown", { n })
        );
      } catch (error) {
        if (error.name !== "AbortError") gg.failed(status, error);
      }
    }

    map.on("moveend", loadHouseholds);

    async function signedIn(yes) {
      state.signedIn = yes;
      if (!yes) {
        layers.members.clearLayers();
        layers.households.clearLayers();
        gg.say(status, "");
        return;
      }
      try {
        await loadMembers();
        await loadHouseholds();
      } catch (error) {
        gg.failed(status, error);
      }
    }

    gg.staffGate(signedIn);
    if (gg.token()) signedIn(true);
  };
})();
