/* The public station locator: the nearest stations to the place the user gives (browser
   geolocation or a tap on the map), nearest first, synced with the map. */
(function () {
  "use strict";
  const gg = window.gridgis;
  const K = 8;

  gg.locator = function (map, layers, config) {
    gg.setup(config);
    const status = document.getElementById("gg-status");
    const list = document.getElementById("gg-list");
    const empty = document.getElementById("gg-empty");
    const service = document.getElementById("gg-service");
    const openNow = document.getElementById("gg-open-now");
    const markers = new Map(); // station code -> marker
    const state = { origin: null, results: [], request: 0 };

    gg.drawBase(map, layers).catch((error) => gg.failed(status, error));
    const stationsLoaded = gg
      .collection("stations")
      .then((fc) => {
        fc.features.forEach(addStation);
        filterMarkers();
      })
      .catch((error) => gg.failed(status, error));

    function stationIcon(rank) {
      return L.divIcon({
        className: "gg-station" + (rank ? " gg-ranked" : ""),
        html: rank ? String(rank) : "",
        iconSize: rank ? [30, 30] : [22, 22],
      });
    }

    function addStation(feature) {
      const [lon, lat] = feature.geometry.coordinates;
      const marker = L.marker([lat, lon], {
        icon: stationIcon(0),
        title: feature.properties.name,
        alt: feature.properties.name,
      });
      marker.feature = feature;
      marker.bindPopup(() => popup(marker.feature), { maxWidth: 280 });
      marker.on("click", () => selectRow(feature.properties.code, true));
      markers.set(feature.properties.code, marker);
      return marker;
    }

    function filterMarkers() {
      const wanted = service.value;
      layers.stations.clearLayers();
      const shown = [...markers.values()].filter(
        (m) => !wanted || (m.feature.properties.services || []).includes(wanted)
      );
      layers.stations.addLayers(shown);
    }

    function popup(feature) {
      const p = feature.properties;
      const [lon, lat] = feature.geometry.coordinates;
      const open = p.open_now === undefined ? null : gg.openState(p);
      return gg.el(
        "div",
        { class: "gg-popup" },
        gg.el("h3", {}, p.name),
        gg.el("p", { class: "gg-muted" }, gg.t("kind_" + p.kind)),
        p.distance_m !== undefined ? gg.el("p", {}, gg.t("distance") + "：" + gg.distance(p.distance_m)) : null,
        open ? gg.el("p", { class: open.open ? "gg-open" : "gg-closed" }, open.text) : null,
        gg.el("p", {}, gg.t("opening_hours") + "：" + (p.opening_hours || "—")),
        gg.el("p", { class: "gg-svcs" }, (p.services || []).map(gg.serviceIcon)),
        p.address ? gg.el("p", {}, gg.t("address") + "：" + p.address) : null,
        p.service_phone ? gg.el("p", {}, gg.t("service_phone") + "：", gg.phoneLink(p.service_phone)) : null,
        gg.el("p", { class: "gg-coords" }, gg.t("lonlat") + "：" + gg.lonlat(lon, lat))
      );
    }

    /* ---- the place and the search ---- */

    function setOrigin(lon, lat) {
      state.origin = { lon, lat };
      layers.origin.clearLayers();
      L.circleMarker([lat, lon], {
        radius: 9, color: "#fff", weight: 3, fillColor: "#1d6fd8", fillOpacity: 1,
      })
        .bindTooltip(gg.t("your_place") + "：" + gg.lonlat(lon, lat))
        .addTo(layers.origin);
      search();
    }

    async function search() {
      if (!state.origin) return;
      const { lon, lat } = state.origin;
      const query = new URLSearchParams({ lon: lon.toFixed(6), lat: lat.toFixed(6), k: String(K) });
      if (service.value) query.set("service", service.value);
      if (openNow.checked) query.set("open_now", "true");
      const request = ++state.request;
      gg.say(status, gg.t("loading"));
      try {
        const fc = await gg.api("/stations/nearest?" + query);
        await stationsLoaded;
        if (request !== state.request) return; // a newer search is under way
        gg.say(status, gg.t("your_place") + "：" + gg.lonlat(lon, lat));
        show(fc.features);
      } catch (error) {
        gg.failed(status, error);
      }
    }

    function show(features) {
      for (const old of state.results) {
        const marker = markers.get(old.properties.code);
        if (marker) marker.setIcon(stationIcon(0));
      }
      state.results = features;
      list.replaceChildren(...features.map(row));
      empty.hidden = features.length > 0;
      empty.textContent = features.length ? "" : gg.t("no_results");
      const points = [[state.origin.lat, state.origin.lon]];
      features.forEach((feature, i) => {
        let marker = markers.get(feature.properties.code);
        if (!marker) {
          marker = addStation(feature);
          layers.stations.addLayer(marker);
        }
        marker.feature = feature; // now with distance and opening state
        marker.setIcon(stationIcon(i + 1));
        marker.setZIndexOffset(1000 - i);
        if (i < 3) points.push(marker.getLatLng());
      });
      // Not animated: Leaflet drops a new view asked for during a zoom animation.
      map.fitBounds(L.latLngBounds(points), { padding: [40, 40], maxZoom: 16, animate: false });
    }

    function row(feature, i) {
      const p = feature.properties;
      const open = gg.openState(p);
      return gg.el(
        "li",
        { class: "gg-row", "data-code": p.code },
        gg.el(
          "button",
          {
            type: "button",
            class: "gg-row-main",
            "aria-label": (i + 1) + ". " + p.name + "，" + gg.distance(p.distance_m) + "，" + open.text,
            onclick: () => focusStation(p.code),
          },
          gg.el("span", { class: "gg-rank", "aria-hidden": "true" }, String(i + 1)),
          gg.el(
            "span",
            { class: "gg-row-text" },
            gg.el("span", { class: "gg-row-name" }, p.name),
            gg.el(
              "span",
              { class: "gg-row-meta" },
              gg.el("span", { class: "gg-dist" }, gg.distance(p.distance_m)),
              gg.el("span", { class: open.open ? "gg-open" : "gg-closed" }, open.text)
            ),
            gg.el("span", { class: "gg-svcs" }, (p.services || []).map(gg.serviceIcon))
          )
        ),
        p.service_phone
          ? gg.el(
              "a",
              {
                class: "gg-call",
                href: "tel:" + p.service_phone.replace(/[^0-9+]/g, ""),
                "aria-label": gg.t("call") + " " + p.name + " " + p.service_phone,
              },
              p.service_phone
            )
          : null
      );
    }

    /* A list row was chosen: open its marker (out of its cluster if need be). */
    function focusStation(code) {
      const marker = markers.get(code);
      selectRow(code, false);
      if (!marker) return;
      if (map.hasLayer(marker)) {
        marker.openPopup(); // the popup pans the map to itself
        return;
      }
      let opened = false;
      const open = () => {
        if (opened) return;
        opened = true;
        marker.openPopup();
      };
      layers.stations.zoomToShowLayer(marker, open);
      // zoomToShowLayer stays silent when the map need not move: then zoom in ourselves.
      setTimeout(() => {
        if (!opened) {
          map.setView(marker.getLatLng(), Math.max(map.getZoom(), 17));
          map.once("moveend", open);
        }
      }, 600);
    }

    /* A marker was chosen: mark its row and bring it into view. */
    function selectRow(code, scroll) {
      for (const li of list.children) {
        const chosen = li.dataset.code === code;
        li.classList.toggle("gg-selected", chosen);
        if (chosen) {
          li.querySelector(".gg-row-main").setAttribute("aria-current", "true");
          if (scroll) li.scrollIntoView({ block: "nearest", behavior: "smooth" });
        } else {
          li.querySelector(".gg-row-main").removeAttribute("aria-current");
        }
      }
    }

    /* ---- controls ---- */

    document.getElementById("gg-locate").addEventListener("click", () => {
      if (!navigator.geolocation) {
        gg.say(status, gg.t("locate_failed", { detail: gg.t("no_geolocation") }), "error");
        return;
      }
      gg.say(status, gg.t("locating"));
      navigator.geolocation.getCurrentPosition(
        (position) => setOrigin(position.coords.longitude, position.coords.latitude),
        (error) => gg.say(status, gg.t("locate_failed", { detail: error.message }), "error"),
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
    map.on("click", (event) => setOrigin(event.latlng.lng, event.latlng.lat));
    service.addEventListener("change", () => {
      filterMarkers();
      search();
    });
    openNow.addEventListener("change", search);
  };
})();
