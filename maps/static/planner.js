/* The planner map (staff): grids coloured by status with households and member loads, member
   homes, and at community zoom the households coloured by their member. The boundary editor:
   select a grid, redraw it vertex by vertex, see what the new boundary does (the grids'
   preview from the API), save it with the version it was drawn on (If-Match). */
(function () {
  "use strict";
  const gg = window.gridgis;
  const DRAW_COLOUR = "#c8161d"; // the shape drawn, the grid redrawn, gaps
  const NEIGHBOUR_COLOUR = "#1d6fd8"; // the neighbours' new shapes

  /* A click-to-add-vertex polygon tool, Leaflet only. Each click on the map adds a vertex; a
     dashed line shows the ring so far, closed through the pointer. finish() (or a
     double-click) hands a GeoJSON Polygon to onDone; stop() drops the vertices. */
  function vertexTool(map, { onVertex, onDone }) {
    const points = [];
    const line = L.polyline([], { color: DRAW_COLOUR, weight: 2, dashArray: "6 5", interactive: false });
    const vertices = L.layerGroup();
    let pointer = null;
    let active = false;

    function redrawLine() {
      const ring = pointer && points.length ? [...points, pointer] : [...points];
      if (ring.length > 2) ring.push(ring[0]);
      line.setLatLngs(ring);
    }

    /* The second click of a double-click (which finishes) is not a new vertex. */
    function repeated(event) {
      return Boolean(event.originalEvent && event.originalEvent.detail > 1);
    }

    function onClick(event) {
      if (repeated(event)) return;
      points.push(event.latlng);
      L.circleMarker(event.latlng, {
        radius: 4, color: DRAW_COLOUR, weight: 2, fillColor: "#fff", fillOpacity: 1,
        interactive: false, className: "gg-vertex",
      }).addTo(vertices);
      redrawLine();
      onVertex(points.length, event.latlng);
    }

    function onMove(event) {
      pointer = event.latlng;
      redrawLine();
    }

    const handlers = { click: onClick, mousemove: onMove, dblclick: () => tool.finish() };

    const tool = {
      get active() {
        return active;
      },
      start() {
        points.length = 0;
        pointer = null;
        vertices.clearLayers();
        redrawLine();
        line.addTo(map);
        vertices.addTo(map);
        map.on(handlers);
        map.doubleClickZoom.disable();
        map.getContainer().classList.add("gg-drawing");
        active = true;
      },
      stop() {
        map.off(handlers);
        map.doubleClickZoom.enable();
        map.getContainer().classList.remove("gg-drawing");
        line.remove();
        vertices.remove();
        active = false;
      },
      /* False (and still drawing) while there are fewer than three vertices. */
      finish() {
        if (points.length < 3) return false;
        const ring = points.map((p) => [p.lng, p.lat]);
        ring.push(ring[0]);
        tool.stop();
        onDone({ type: "Polygon", coordinates: [ring] });
        return true;
      },
    };
    return tool;
  }

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
    const nameOf = new Map(); // member code -> name
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
      layer.on("click", () => select(layer));
    }

    function select(layer) {
      if (state.selected && state.grids.hasLayer(state.selected)) state.grids.resetStyle(state.selected);
      state.selected = layer;
      layer.setStyle({ color: "#f5b400", weight: 4 });
      layer.bringToFront();
      editor.clear();
      detail.replaceChildren(gridCard(layer.feature, false));
      editor.update();
    }

    function gridLayerOf(code) {
      return state.grids.getLayers().find((l) => l.feature.properties.code === code);
    }

    /* The grids again (after an edit), the selected one still selected. */
    async function reloadGrids() {
      const grids = await gg.collection("grids");
      const code = state.selected ? state.selected.feature.properties.code : null;
      const fresh = L.geoJSON(grids, { style: gridStyle, onEachFeature: onGrid });
      layers.grids.clearLayers();
      fresh.addTo(layers.grids);
      state.grids = fresh;
      state.selected = null;
      const again = code && gridLayerOf(code);
      if (again) select(again);
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
                memberCell(
                  m.code,
                  m.name,
                  m.active ? null : gg.el("span", { class: "gg-muted" }, "（" + gg.t("inactive") + "）")
                ),
                loadCells(m),
                compact ? null : gg.el("td", {}, gg.distance(m.mean_distance_m))
              )
            )
          )
        )
      );
    }

    /* ---- the boundary editor: select a grid, redraw, preview, save ---- */

    function boundaryEditor() {
      const buttons = {
        redraw: document.getElementById("gg-redraw"),
        finish: document.getElementById("gg-finish"),
        cancel: document.getElementById("gg-cancel"),
      };
      const hint = document.getElementById("gg-redraw-hint");
      const shapes = L.featureGroup().addTo(map); // the previewed grids and gaps
      const edit = { code: null, name: null, etag: null, shape: null };
      const tool = vertexTool(map, { onVertex: showProgress, onDone: preview });

      function update() {
        buttons.redraw.disabled = !(state.signedIn && state.selected) || tool.active;
        buttons.finish.hidden = buttons.cancel.hidden = !tool.active;
        if (tool.active) return;
        hint.textContent = state.signedIn && state.selected
          ? gg.t("redraw_ready", { name: state.selected.feature.properties.name })
          : gg.t("redraw_pick");
      }

      function showProgress(n, latlng) {
        hint.textContent = gg.t("redraw_points", { n }) + " " + gg.lonlat(latlng.lng, latlng.lat);
      }

      async function start() {
        const p = state.selected.feature.properties;
        clear();
        Object.assign(edit, { code: p.code, name: p.name, shape: null });
        try {
          // The version being edited: the If-Match of the save.
          edit.etag = (await gg.request(gridPath())).etag;
        } catch (error) {
          gg.failed(status, error);
          return;
        }
        map.closePopup();
        tool.start();
        update();
        hint.textContent = gg.t("redraw_drawing");
        buttons.finish.focus();
      }

      function finish() {
        if (!tool.finish()) gg.say(status, gg.t("redraw_too_few"), "error");
      }

      function cancel() {
        const previewed = Boolean(edit.shape) || detail.querySelector(".gg-preview");
        if (tool.active) tool.stop();
        clear();
        if (previewed && state.selected) detail.replaceChildren(gridCard(state.selected.feature, false));
        update();
      }

      function clear() {
        shapes.clearLayers();
        edit.shape = null;
      }

      function gridPath(suffix) {
        return "/grids/" + encodeURIComponent(edit.code) + (suffix || "");
      }

      async function preview(shape) {
        edit.shape = shape;
        update();
        gg.say(status, gg.t("previewing"));
        try {
          const { body } = await gg.request(gridPath("/preview"), {
            method: "POST", body: shape, staff: true,
          });
          gg.say(status, "");
          show(body);
        } catch (error) {
          refused(error);
        }
      }

      async function save() {
        gg.say(status, gg.t("saving"));
        const pressed = [...detail.querySelectorAll(".gg-preview button")];
        pressed.forEach((b) => (b.disabled = true));
        try {
          const { body } = await gg.request(gridPath(), {
            method: "PUT", body: edit.shape, headers: { "If-Match": edit.etag }, staff: true,
          });
          clear();
          await reloadAll();
          gg.say(status, gg.t("saved", { code: body.grid, version: body.new_version }), "ok");
        } catch (error) {
          if (error.status !== 412) return refused(error);
          clear();
          await reloadAll();
          gg.say(status, gg.t("stale", { code: edit.code }), "error");
        } finally {
          pressed.forEach((b) => (b.disabled = false)); // the card is gone unless the save failed
        }
      }

      async function reloadAll() {
        try {
          await reloadGrids();
          if (state.signedIn) await loadMembers();
        } catch (error) {
          gg.failed(status, error);
        }
      }

      /* A refused preview or save: the server's detail for an invalid shape. */
      function refused(error) {
        if (error.status === 422) {
          const message = gg.t("invalid", { detail: error.message });
          gg.say(status, message, "error");
          detail.replaceChildren(
            gg.el(
              "div",
              { class: "gg-card gg-preview" },
              gg.el("h3", {}, gg.t("preview_title", { name: edit.name + "（" + edit.code + "）" })),
              gg.el("p", { class: "gg-problems" }, message),
              gg.el("button", { type: "button", onclick: cancel }, gg.t("cancel"))
            )
          );
        } else {
          gg.failed(status, error);
        }
        update();
      }

      function show(report) {
        drawPreview(report);
        detail.replaceChildren(previewCard(report));
        update();
      }

      function drawPreview(report) {
        shapes.clearLayers();
        L.geoJSON(report.grids, {
          interactive: false,
          style: (f) => ({
            color: f.properties.code === edit.code ? DRAW_COLOUR : NEIGHBOUR_COLOUR,
            weight: f.properties.code === edit.code ? 3 : 2,
            dashArray: "8 6",
            fill: false,
          }),
        }).addTo(shapes);
        const gapStyle = { color: DRAW_COLOUR, weight: 2, fillColor: DRAW_COLOUR, fillOpacity: 0.5 };
        for (const gap of report.gaps) {
          L.geoJSON(gap.geometry, { interactive: false, style: gapStyle }).addTo(shapes);
        }
      }

      function previewCard(report) {
        const moved = report.households_moved;
        return gg.el(
          "div",
          { class: "gg-card gg-preview" },
          gg.el("h3", {}, gg.t("preview_title", { name: edit.name + "（" + edit.code + "）" })),
          problems(report),
          gg.el("p", { class: "gg-moved-count" }, moved.length
            ? gg.t("households_moved", { n: moved.length })
            : gg.t("no_household_moves")),
          movedList(moved),
          report.grids.features.map(touchedGrid),
          warnings(report.warnings),
          actions(report.can_save)
        );
      }

      function warnings(notes) {
        if (!notes.length) return null;
        const items = notes.map((note) => gg.el("li", {}, note));
        return [gg.el("h4", {}, gg.t("warnings")), gg.el("ul", { class: "gg-muted" }, items)];
      }

      function actions(canSave) {
        return gg.el(
          "div",
          { class: "gg-preview-actions" },
          gg.el(
            "button",
            { type: "button", class: "gg-primary gg-save", disabled: !canSave, onclick: save },
            gg.t("save")
          ),
          gg.el("button", { type: "button", onclick: cancel }, gg.t("cancel"))
        );
      }

      function movedList(moved) {
        const shown = moved.slice(0, 5).map((m) =>
          gg.el("li", {}, m.household + "：", gridName(m.from), " → ", gridName(m.to))
        );
        const more = moved.length - shown.length;
        if (more > 0) shown.push(gg.el("li", { class: "gg-muted" }, gg.t("moved_more", { n: more })));
        return shown.length ? gg.el("ul", { class: "gg-moves" }, shown) : null;
      }

      /* A grid by its short code ("G02"), the full code in its title. */
      function gridName(code) {
        if (!code) return gg.t("unassigned_household_code");
        return gg.el("abbr", { title: code }, code.split("-").pop());
      }

      /* Refusals and gaps, in red. */
      function problems(report) {
        const items = report.refusals.map((r) => gg.el("li", {}, r));
        for (const gap of report.gaps) {
          const c = L.geoJSON(gap.geometry).getBounds().getCenter();
          const words = { area: Math.round(gap.area_m2), lonlat: gg.lonlat(c.lng, c.lat) };
          items.push(gg.el("li", {}, gg.t("gap_at", words)));
        }
        if (!items.length) return null;
        const heading = gg.el("h4", {}, gg.t("refusals"));
        return gg.el("div", { class: "gg-problems" }, heading, gg.el("ul", {}, items));
      }

      /* One touched grid: its households before → after, status and member loads. */
      function touchedGrid(feature) {
        const p = feature.properties;
        const before = gridLayerOf(p.code);
        const was = before ? before.feature.properties.households : null;
        const statusKey = "status_" + (p.status || "none");
        return gg.el(
          "div",
          { class: "gg-touched", "data-code": p.code },
          gg.el(
            "div",
            {},
            gg.el("span", { class: "gg-touched-name" }, p.name + "（" + p.code + "）"),
            gg.el("span", { class: "gg-change" }, gg.t("change_" + p.change))
          ),
          gg.el(
            "dl",
            {},
            row(gg.t("new_households"), (was ?? "—") + " → " + p.households, "gg-new-households"),
            row(gg.t("grid_status"), gg.t(statusKey), "gg-status-" + (p.status || "none"))
          ),
          memberLoads(p.members)
        );
      }

      function memberLoads(members) {
        if (!members.length) return null;
        const head = [gg.t("member"), gg.t("load"), gg.t("bounds")];
        return gg.el(
          "table",
          { class: "gg-loads" },
          gg.el("thead", {}, gg.el("tr", {}, head.map((h) => gg.el("th", { scope: "col" }, h)))),
          gg.el(
            "tbody",
            {},
            members.map((m) =>
              gg.el("tr", {}, memberCell(m.code, nameOf.get(m.code) || m.code), loadCells(m))
            )
          )
        );
      }

      buttons.redraw.addEventListener("click", start);
      buttons.finish.addEventListener("click", finish);
      buttons.cancel.addEventListener("click", cancel);
      document.addEventListener("keydown", (event) => {
        if (event.key === "Escape" && (tool.active || edit.shape)) cancel();
      });
      update();
      return { update, cancel, clear };
    }

    /* A member's dot (in the colour of their households) and name. */
    function memberCell(code, name, note) {
      const dot = gg.el("span", { class: "gg-dot", style: "background:" + (colourOf.get(code) || "#999") });
      return gg.el("td", {}, dot, " ", name, note);
    }

    /* A member's load (in red when outside their bounds) and bounds. */
    function loadCells(m) {
      const outside = !m.within_bounds;
      const flag = outside ? { class: "gg-bad", title: gg.t("outside_bounds") } : {};
      return [
        gg.el("td", flag, String(m.load)),
        gg.el("td", {}, m.min_load + "–" + m.max_load),
      ];
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
        nameOf.set(f.properties.code, f.properties.name);
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
      editor.update();
      if (!yes) {
        editor.cancel();
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

    const editor = boundaryEditor();

    gg.staffGate(signedIn);
    if (gg.token()) signedIn(true);
  };
})();
