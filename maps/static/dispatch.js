/* The dispatch map (staff): the place -> its grid, community, published members, the nearest
   active members and the nearest open station, each with a line and the distance. */
(function () {
  "use strict";
  const gg = window.gridgis;

  gg.dispatch = function (map, layers, config) {
    gg.setup(config);
    const status = document.getElementById("gg-status");
    const result = document.getElementById("gg-result");
    const form = document.getElementById("gg-coord-form");
    const lonInput = document.getElementById("gg-lon");
    const latInput = document.getElementById("gg-lat");
    let request = 0;

    gg.drawBase(map, layers).catch((error) => gg.failed(status, error));
    gg.staffGate((signedIn) => {
      if (!signedIn) clear();
    });

    function clear() {
      for (const name of ["owner", "lines", "members", "station", "point"]) layers[name].clearLayers();
      result.replaceChildren();
    }

    function parse(text) {
      const value = Number(String(text).trim().replace("，", "."));
      return String(text).trim() === "" ? NaN : value;
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      // "116.01, 28.68" pasted into the first box fills both.
      const pair = lonInput.value.split(/[,\s，]+/).filter(Boolean);
      if (pair.length === 2 && !latInput.value.trim()) {
        lonInput.value = pair[0];
        latInput.value = pair[1];
      }
      const lon = parse(lonInput.value);
      const lat = parse(latInput.value);
      if (!(Math.abs(lon) <= 180 && Math.abs(lat) <= 90)) {
        gg.say(status, gg.t("bad_coords"), "error");
        return;
      }
      query(lon, lat, true);
    });
    map.on("click", (event) => {
      const { lng, lat } = event.latlng.wrap();
      lonInput.value = lng.toFixed(6);
      latInput.value = lat.toFixed(6);
      query(lng, lat, false);
    });

    /* fly: move the map to the place when no answer will (typed coordinates, no token). */
    async function query(lon, lat, fly) {
      clear();
      const here = [lat, lon];
      L.marker(here, {
        icon: L.divIcon({ className: "gg-point-pin", iconSize: [18, 18] }),
        title: gg.t("place"),
        keyboard: false,
        zIndexOffset: 2000,
      }).addTo(layers.point);
      if (!gg.token()) {
        if (fly) map.setView(here, Math.max(map.getZoom(), 15));
        gg.gate.need();
        gg.say(status, gg.t("staff_token_needed"), "error");
        return;
      }
      const mine = ++request;
      gg.say(status, gg.t("loading"));
      const where = "lon=" + lon.toFixed(6) + "&lat=" + lat.toFixed(6);
      const [grid, members, stations] = await Promise.allSettled([
        gg.api("/grids/at?" + where, { staff: true }),
        gg.api("/members/nearest?" + where + "&k=" + config.nearest_members, { staff: true }),
        gg.api("/stations/nearest?" + where + "&k=1&open_now=true"),
      ]);
      if (mine !== request) return;
      gg.say(status, "");
      result.replaceChildren(
        placeCard(lon, lat),
        gridCard(grid),
        membersCard(members, here),
        stationCard(stations, here)
      );
      const bounds = L.latLngBounds([here]);
      for (const name of ["owner", "members", "station"]) {
        const b = layers[name].getBounds();
        if (b.isValid()) bounds.extend(b);
      }
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 17, animate: false });
    }

    function placeCard(lon, lat) {
      return gg.el(
        "div",
        { class: "gg-card" },
        gg.el("h3", {}, gg.t("place")),
        gg.el("p", { class: "gg-coords" }, gg.t("lonlat") + "：" + gg.lonlat(lon, lat))
      );
    }

    function failure(settled) {
      const error = settled.reason;
      if (error && error.status === 404) return gg.el("p", { class: "gg-muted" }, gg.t("outside_grids"));
      return gg.el("p", { class: "gg-closed" }, gg.t("load_failed", { detail: error ? error.message : "?" }));
    }

    function gridCard(settled) {
      const card = gg.el("div", { class: "gg-card gg-grid-card" }, gg.el("h3", {}, gg.t("owning_grid")));
      if (settled.status !== "fulfilled") {
        card.append(failure(settled));
        return card;
      }
      const feature = settled.value;
      const p = feature.properties;
      L.geoJSON(feature, {
        style: { color: "#d08e00", weight: 3, fillColor: "#f5b400", fillOpacity: 0.2, interactive: false },
      }).addTo(layers.owner);
      card.append(
        gg.el(
          "dl",
          {},
          gg.el("dt", {}, gg.t("grid")),
          gg.el("dd", { class: "gg-grid-name" }, p.name + "（" + p.code + "）"),
          gg.el("dt", {}, gg.t("community")),
          gg.el("dd", { class: "gg-community-name" }, p.community ? p.community.name : "—"),
          gg.el("dt", {}, gg.t("street")),
          gg.el("dd", {}, p.street ? p.street.name : "—")
        ),
        gg.el("h3", {}, gg.t("grid_members")),
        gg.el(
          "ul",
          { class: "gg-people gg-grid-members" },
          (p.members || []).map((m) =>
            gg.el(
              "li",
              {},
              gg.el("span", { class: "gg-name" }, m.name),
              gg.el("span", { class: "gg-muted" }, gg.t("duty_" + m.duty)),
              gg.phoneLink(m.service_phone)
            )
          )
        )
      );
      return card;
    }

    /* A dashed line from the place to `marker`, which is labelled with the distance. */
    function line(from, marker, distance, color) {
      L.polyline([from, marker.getLatLng()], {
        color, weight: 2.5, dashArray: "6 5", interactive: false, className: "gg-line",
      })
        .addTo(layers.lines);
      marker.bindTooltip(gg.distance(distance), {
        permanent: true, direction: "right", offset: [12, 0], className: "gg-distance-label",
      });
    }

    function membersCard(settled, here) {
      const card = gg.el("div", { class: "gg-card" }, gg.el("h3", {}, gg.t("nearest_members")));
      if (settled.status !== "fulfilled") {
        card.append(failure(settled));
        return card;
      }
      const features = settled.value.features;
      if (!features.length) card.append(gg.el("p", { class: "gg-muted" }, gg.t("none_found")));
      const items = features.map((feature, i) => {
        const p = feature.properties;
        const [lon, lat] = feature.geometry.coordinates;
        const marker = L.marker([lat, lon], {
          icon: L.divIcon({ className: "gg-member-pin", html: String(i + 1), iconSize: [22, 22] }),
          title: p.name,
        })
          .bindPopup(
            gg.el("div", { class: "gg-popup" }, gg.el("h3", {}, p.name), gg.el("p", {}, gg.t("duty_" + p.duty)),
              gg.el("p", {}, gg.t("owning_grid") + "：" + p.grid_code),
              gg.el("p", {}, gg.t("service_phone") + "：", gg.phoneLink(p.service_phone)),
              gg.el("p", { class: "gg-coords" }, gg.t("lonlat") + "：" + gg.lonlat(lon, lat)))
          )
          .addTo(layers.members);
        line(here, marker, p.distance_m, "#6a3fb5");
        return gg.el(
          "li",
          { class: "gg-two-lines" },
          gg.el(
            "div",
            {},
            gg.el("span", { class: "gg-num" }, String(i + 1)),
            gg.el("span", { class: "gg-name" }, p.name),
            gg.el("span", { class: "gg-dist" }, gg.distance(p.distance_m))
          ),
          gg.el(
            "div",
            {},
            gg.el("span", { class: "gg-muted" }, gg.t("duty_" + p.duty) + " · " + p.grid_code),
            gg.phoneLink(p.service_phone)
          )
        );
      });
      card.append(gg.el("ol", { class: "gg-people gg-nearest-members" }, items));
      return card;
    }

    function stationCard(settled, here) {
      const card = gg.el("div", { class: "gg-card" }, gg.el("h3", {}, gg.t("nearest_station")));
      if (settled.status !== "fulfilled") {
        card.append(failure(settled));
        return card;
      }
      const feature = settled.value.features[0];
      if (!feature) {
        card.append(gg.el("p", { class: "gg-muted" }, gg.t("none_found")));
        return card;
      }
      const p = feature.properties;
      const [lon, lat] = feature.geometry.coordinates;
      const marker = L.marker([lat, lon], {
        icon: L.divIcon({ className: "gg-station", html: "驿", iconSize: [26, 26] }),
        title: p.name,
      }).addTo(layers.station);
      line(here, marker, p.distance_m, "#c8161d");
      card.append(
        gg.el(
          "dl",
          {},
          gg.el("dt", {}, gg.t("kind_" + p.kind)),
          gg.el("dd", { class: "gg-station-name" }, p.name),
          gg.el("dt", {}, gg.t("distance")),
          gg.el("dd", {}, gg.distance(p.distance_m)),
          gg.el("dt", {}, gg.t("opening_hours")),
          gg.el("dd", {}, gg.openState(p).text),
          gg.el("dt", {}, gg.t("address")),
          gg.el("dd", {}, p.address || "—"),
          gg.el("dt", {}, gg.t("service_phone")),
          gg.el("dd", {}, gg.phoneLink(p.service_phone) || "—")
        )
      );
      return card;
    }
  };
})();
