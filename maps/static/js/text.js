/* Words and formats of the pages. Pure (no DOM, no Leaflet): Node's test runner checks it
   (tests/js/). The words are the page's, from maps/i18n.py, handed over in its config. */

let words = {};
let zone; // the time zone of opening times (undefined: the browser's)

export function setWords(table) {
  words = table || {};
}

export function setTimeZone(timeZone) {
  zone = timeZone || undefined;
}

/* The word for `key`, with {name} placeholders filled from `vars`; the key itself when there
   is no such word (a visible gap beats an empty label). */
export function t(key, vars) {
  let text = Object.hasOwn(words, key) ? words[key] : key;
  for (const [name, value] of Object.entries(vars || {})) {
    text = text.split("{" + name + "}").join(String(value));
  }
  return text;
}

export const lonlat = (lon, lat) => lon.toFixed(6) + ", " + lat.toFixed(6);

/* "850 m", "1.25 km", "12.5 km"; decided on the rounded figure, so 999.6 m is "1.00 km",
   not "1000 m", and 9,996 m "10.0 km", not "10.00 km". */
export function distance(metres) {
  const whole = Math.round(metres);
  if (whole < 1000) return whole + " " + t("unit_m");
  const km = metres / 1000;
  return km.toFixed(km < 9.995 ? 2 : 1) + " " + t("unit_km");
}

/* The calendar day of `date` as "2026-03-14", in `timeZone` (the browser's when undefined). */
export function dayOf(date, timeZone) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(date);
  const part = (type) => parts.find((p) => p.type === type).value;
  return part("year") + "-" + part("month") + "-" + part("day");
}

/* "08:00" today, "tomorrow 08:00", or "03-14 08:00", from a local ISO time "2026-03-14T08:00".
   `now` and `timeZone` (by default the one set, else the browser's) decide which day is
   today. */
export function when(iso, { now = new Date(), timeZone = zone } = {}) {
  if (!iso) return null;
  const [day, time] = iso.split("T");
  const tomorrow = new Date(now.getTime() + 86400000);
  if (day === dayOf(now, timeZone)) return time;
  if (day === dayOf(tomorrow, timeZone)) return t("tomorrow") + " " + time;
  return day.slice(5) + " " + time;
}

/* The opening state of a station from /stations/nearest (open_now, next_change):
   {open: true, text: "Open · closes 21:00"}, {open: false, text: "Closed · opens tomorrow
   08:00"}, {open: null, text: "Hours unknown"}. `clock` as for when(). */
export function openState(props, clock) {
  if (props.open_now === null || props.open_now === undefined) {
    return { open: null, text: t("hours_unknown") };
  }
  const at = when(props.next_change, clock);
  if (props.open_now) {
    return {
      open: true,
      text: at ? t("open") + " · " + t("closes_at", { when: at }) : t("always_open"),
    };
  }
  return { open: false, text: t("closed") + (at ? " · " + t("opens_at", { when: at }) : "") };
}

function coordinate(text) {
  const trimmed = String(text).trim();
  return trimmed === "" ? NaN : Number(trimmed.replace("，", "."));
}

/* Typed coordinates: "116.01" and "28.68", or "116.01, 28.68" pasted into the first box (then
   lonText and latText are the two halves). valid: a place on Earth. */
export function readPlace(lonText, latText) {
  const pair = String(lonText).split(/[,\s，]+/).filter(Boolean);
  if (pair.length === 2 && !String(latText).trim()) [lonText, latText] = pair;
  const lon = coordinate(lonText);
  const lat = coordinate(latText);
  return { lon, lat, lonText, latText, valid: Math.abs(lon) <= 180 && Math.abs(lat) <= 90 };
}

/* The weekday of a calendar day "2026-03-14" (0 Sunday ... 6 Saturday), the same in every
   time zone. */
export function weekday(day) {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/* One day's open spans in words: "08:30–12:00, 14:30–17:30", "open 24 hours", "closed". */
export function spans(open) {
  if (!open || !open.length) return t("closed_all_day");
  if (open.length === 1 && open[0] === "00:00-24:00") return t("always_open");
  return open.map((span) => span.replace("-", "–")).join(t("list_separator"));
}

/* Today's hours from a station's `week` (its first day is today in the service's time
   zone): "today 08:30–12:00, 14:30–17:30"; null when unknown. */
export function hoursToday(week) {
  if (!week || !week.length) return null;
  return t("today_hours", { hours: spans(week[0].open) });
}

/* The week, a row a day: [{day: "Wed" (or "today"), hours: "08:30–12:00"}]. */
export function weekRows(week) {
  return (week || []).map((day, i) => ({
    day: i === 0 ? t("today") : t("weekday_" + weekday(day.date)),
    hours: spans(day.open),
  }));
}
