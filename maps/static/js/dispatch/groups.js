/* Pins that would stack (members living in one building) as one pin: members within
   `metres` of the first of a group join it. Pure: Node's tests check it. */

const EARTH = 6371008.8;

export function metresBetween(a, b) {
  const rad = Math.PI / 180;
  const x = (b.lon - a.lon) * rad * Math.cos(((a.lat + b.lat) / 2) * rad);
  const y = (b.lat - a.lat) * rad;
  return Math.hypot(x, y) * EARTH;
}

/* [{lon, lat, items: [member, ...]}] in the order of each group's first member; each member
   keeps its rank (1-based, its place in `members`) as `rank`. */
export function groupByPlace(members, metres = 15) {
  const groups = [];
  members.forEach((member, i) => {
    const item = { ...member, rank: i + 1 };
    const near = groups.find((g) => metresBetween(g, member) <= metres);
    if (near) near.items.push(item);
    else groups.push({ lon: member.lon, lat: member.lat, items: [item] });
  });
  return groups;
}
