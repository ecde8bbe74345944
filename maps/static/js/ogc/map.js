/* The small map of the OGC API's HTML pages: the features of the page (or a collection's
   extent) from the page's JSON data block, drawn with the vendored Leaflet. Names are set
   as text, never parsed as HTML. */

const data = JSON.parse(document.getElementById("gg-data").textContent);
const holder = document.getElementById("gg-ogc-map");

if (holder && window.L) {
  const map = L.map(holder, { attributionControl: false });
  const style = { color: "#c8161d", weight: 2, fillOpacity: 0.15 };
  if (data.features && data.features.length) {
    const layer = L.geoJSON(data.features, {
      style,
      pointToLayer: (feature, latlng) => L.circleMarker(latlng, { ...style, radius: 5 }),
      onEachFeature: (feature, shape) => {
        const label = document.createElement("span");
        label.textContent = String(feature.id);
        shape.bindTooltip(label);
      },
    }).addTo(map);
    map.fitBounds(layer.getBounds(), { padding: [10, 10], maxZoom: 17 });
  } else if (data.bbox) {
    const [west, south, east, north] = data.bbox;
    const box = L.rectangle([[south, west], [north, east]], style).addTo(map);
    map.fitBounds(box.getBounds());
  } else {
    map.setView([28.68, 116.0], 12);
  }
}
