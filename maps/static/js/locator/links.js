/* Directions to a station in the apps people have on their phones: the phone's own map app
   (a geo: link, WGS84), Amap (GCJ-02) and Baidu Maps (BD-09), with the coordinates the API
   converted for each. Pure: Node's tests check it. */

const fixed = (v) => Number(v).toFixed(6);

export function directionLinks(feature) {
  const p = feature.properties;
  const [lon, lat] = feature.geometry.coordinates;
  const name = encodeURIComponent(p.name);
  const links = [
    { app: "geo", href: `geo:${fixed(lat)},${fixed(lon)}?q=${fixed(lat)},${fixed(lon)}(${name})` },
  ];
  if (p.gcj02) {
    const [x, y] = p.gcj02;
    links.push({
      app: "amap",
      href: `https://uri.amap.com/marker?position=${fixed(x)},${fixed(y)}&name=${name}` +
        "&coordinate=gaode&callnative=1",
    });
  }
  if (p.bd09) {
    const [x, y] = p.bd09;
    links.push({
      app: "baidu",
      href: `https://api.map.baidu.com/marker?location=${fixed(y)},${fixed(x)}&title=${name}` +
        `&content=${name}&coord_type=bd09ll&output=html`,
    });
  }
  return links;
}
