/* Plane geometry of the boundary editor on [lon, lat] positions, pure (no DOM, no Leaflet):
   snapping to the neighbours' vertices and edges, and reshaping a ring along a line. Where
   distances matter on screen, `project` maps [lon, lat] to pixels [x, y] (the map's own
   projection in the page; anything linear in Node's tests). */

/* The point of segment a-b nearest to p (all [x, y]), and where along it (0..1). */
export function nearestOnSegment(p, a, b) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const length2 = dx * dx + dy * dy;
  const t = length2 ? Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2)) : 0;
  return { point: [a[0] + t * dx, a[1] + t * dy], t };
}

const gap = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1]);

/* Where `point` snaps to, within `tolerance` pixels: a vertex first, else the nearest point
   of an edge; {position, kind: "vertex" | "edge"} or null. `rings` are the neighbours'
   rings of [lon, lat] (closed or not). */
export function snap(point, rings, project, tolerance = 10) {
  const p = project(point);
  let best = null;
  for (const ring of rings) {
    for (const vertex of ring) {
      const d = gap(project(vertex), p);
      if (d <= tolerance && (!best || best.kind !== "vertex" || d < best.d)) {
        best = { position: [vertex[0], vertex[1]], kind: "vertex", d };
      }
    }
  }
  if (best) return { position: best.position, kind: best.kind };
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const a = project(ring[i]);
      const b = project(ring[i + 1]);
      const { t } = nearestOnSegment(p, a, b);
      const onScreen = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
      const d = gap(onScreen, p);
      if (d <= tolerance && (!best || d < best.d)) {
        const [x0, y0] = ring[i];
        const [x1, y1] = ring[i + 1];
        best = { position: [x0 + t * (x1 - x0), y0 + t * (y1 - y0)], kind: "edge", d };
      }
    }
  }
  return best ? { position: best.position, kind: best.kind } : null;
}

/* Signed area of an open ring (shoelace), in squared degrees. */
export function area(ring) {
  let sum = 0;
  for (let i = 0; i < ring.length; i++) {
    const [x0, y0] = ring[i];
    const [x1, y1] = ring[(i + 1) % ring.length];
    sum += x0 * y1 - x1 * y0;
  }
  return sum / 2;
}

/* Where on an open ring a point lies nearest: {index of the edge's first vertex, t, d}. */
function onRing(ring, p) {
  let best = null;
  for (let i = 0; i < ring.length; i++) {
    const { point, t } = nearestOnSegment(p, ring[i], ring[(i + 1) % ring.length]);
    const d = gap(point, p);
    if (!best || d < best.d) best = { index: i, t, d, point };
  }
  return best;
}

/* The ring with the stretch between the line's two ends replaced by the line (as GIS
   editors' "reshape"): of the two ways round, the one that keeps the larger polygon.
   `ring` is open (first vertex not repeated); `line` has at least two [lon, lat] points,
   its ends on (or near) the ring. Returns a new open ring, or null if the line is too
   short. */
export function reshape(ring, line) {
  if (line.length < 2 || ring.length < 3) return null;
  const start = onRing(ring, line[0]);
  const end = onRing(ring, line[line.length - 1]);
  const n = ring.length;
  const after = (hit) => (hit.index + 1) % n; // the first vertex past a hit
  // Keep the ring from the line's end round to its start (forward), or the other way.
  const walk = (from, to, step) => {
    const out = [];
    for (let i = from; ; i = (i + step + n) % n) {
      out.push(ring[i]);
      if (i === to || out.length > n) break;
    }
    return out;
  };
  // On one edge, the way round that meets the other end first keeps nothing of the ring.
  const sameEdge = start.index === end.index;
  const ahead = sameEdge && end.t < start.t ? [] : walk(after(end), start.index, 1);
  const behind = sameEdge && end.t > start.t ? [] : walk(end.index, after(start), -1);
  const forward = [...line, ...ahead];
  const backward = [...line, ...behind];
  const candidates = [forward, backward].filter((r) => r.length >= 3);
  if (!candidates.length) return null;
  return candidates.reduce((a, b) => (Math.abs(area(b)) > Math.abs(area(a)) ? b : a));
}
