// Words and formats of the map pages (maps/static/js/text.js), with a fixed clock and time
// zone. The words are those of maps/i18n.py.
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import {
  dayOf, distance, lonlat, openState, readPlace, setTimeZone, setWords, t, when,
} from "../../maps/static/js/text.js";

const EN = {
  unit_m: "m",
  unit_km: "km",
  open: "Open",
  closed: "Closed",
  opens_at: "opens {when}",
  closes_at: "closes {when}",
  always_open: "Open 24 hours",
  hours_unknown: "Hours unknown",
  tomorrow: "tomorrow",
  households_capped: "{n} of {total} households shown",
};
const ZH = {
  unit_m: "米",
  unit_km: "公里",
  open: "开放中",
  closed: "已关闭",
  opens_at: "{when} 开放",
  closes_at: "{when} 关闭",
  always_open: "24 小时开放",
  hours_unknown: "开放时间不详",
  tomorrow: "明天",
};
// 10:00 on Saturday 14 March 2026 in Shanghai (UTC+8, no summer time).
const SHANGHAI = { now: new Date("2026-03-14T10:00:00+08:00"), timeZone: "Asia/Shanghai" };

beforeEach(() => setWords(EN));

describe("words", () => {
  test("placeholders are filled, every time they occur", () => {
    assert.equal(t("households_capped", { n: 10000, total: 12345 }), "10000 of 12345 households shown");
    setWords({ twice: "{n} + {n}" });
    assert.equal(t("twice", { n: 2 }), "2 + 2");
  });

  test("a missing word shows its key, also for keys of Object.prototype", () => {
    assert.equal(t("no_such_word"), "no_such_word");
    assert.equal(t("constructor"), "constructor");
    assert.equal(t("__proto__"), "__proto__");
  });
});

describe("distance", () => {
  test("metres below 1 km, whole", () => {
    assert.equal(distance(0), "0 m");
    assert.equal(distance(12.4), "12 m");
    assert.equal(distance(999), "999 m");
    assert.equal(distance(999.4), "999 m");
  });

  test("a figure that rounds up to the next unit is written in it", () => {
    assert.equal(distance(999.6), "1.00 km");
    assert.equal(distance(9994), "9.99 km");
    assert.equal(distance(9996), "10.0 km");
  });

  test("kilometres from 1 km: two decimals below 10 km, one above", () => {
    assert.equal(distance(1000), "1.00 km");
    assert.equal(distance(1234), "1.23 km");
    assert.equal(distance(9990), "9.99 km");
    assert.equal(distance(10000), "10.0 km");
    assert.equal(distance(12345), "12.3 km");
  });

  test("in the page's language", () => {
    setWords(ZH);
    assert.equal(distance(850), "850 米");
    assert.equal(distance(2500), "2.50 公里");
  });
});

test("lon, lat with six decimals (about 0.1 m)", () => {
  assert.equal(lonlat(116.0105, 28.6841), "116.010500, 28.684100");
  assert.equal(lonlat(-0.1234567, 51.5), "-0.123457, 51.500000");
});

describe("the opening-hours label", () => {
  test("the day of a moment in a time zone", () => {
    const late = new Date("2026-03-14T17:30:00Z"); // 01:30 on the 15th in Shanghai
    assert.equal(dayOf(late, "Asia/Shanghai"), "2026-03-15");
    assert.equal(dayOf(late, "UTC"), "2026-03-14");
  });

  test("today's time alone, tomorrow's with the word, later days with the date", () => {
    assert.equal(when("2026-03-14T21:00", SHANGHAI), "21:00");
    assert.equal(when("2026-03-15T08:30", SHANGHAI), "tomorrow 08:30");
    assert.equal(when("2026-03-17T08:30", SHANGHAI), "03-17 08:30");
    assert.equal(when(null, SHANGHAI), null);
  });

  test("today is today where the stations are, not in UTC", () => {
    const night = new Date("2026-03-14T17:30:00Z"); // 01:30 on the 15th in Shanghai
    assert.equal(when("2026-03-15T08:30", { now: night, timeZone: "Asia/Shanghai" }), "08:30");
    assert.equal(when("2026-03-15T08:30", { now: night, timeZone: "UTC" }), "tomorrow 08:30");
  });

  test("the page's time zone, once set, is the default", () => {
    const night = new Date("2026-03-14T17:30:00Z");
    try {
      setTimeZone("Asia/Shanghai");
      assert.equal(when("2026-03-15T08:30", { now: night }), "08:30");
      setTimeZone("UTC");
      assert.equal(when("2026-03-15T08:30", { now: night }), "tomorrow 08:30");
    } finally {
      setTimeZone(null);
    }
  });

  test("open, closing today", () => {
    const state = openState({ open_now: true, next_change: "2026-03-14T12:00" }, SHANGHAI);
    assert.deepEqual(state, { open: true, text: "Open · closes 12:00" });
  });

  test("closed, opening tomorrow", () => {
    const state = openState({ open_now: false, next_change: "2026-03-15T08:30" }, SHANGHAI);
    assert.deepEqual(state, { open: false, text: "Closed · opens tomorrow 08:30" });
  });

  test("open with no next change: always open; closed with none: closed", () => {
    assert.equal(openState({ open_now: true, next_change: null }, SHANGHAI).text, "Open 24 hours");
    assert.equal(openState({ open_now: false, next_change: null }, SHANGHAI).text, "Closed");
  });

  test("hours the server could not read", () => {
    const unknown = { open: null, text: "Hours unknown" };
    assert.deepEqual(openState({ open_now: null, next_change: null }), unknown);
    assert.deepEqual(openState({}), unknown);
  });

  test("in Chinese", () => {
    setWords(ZH);
    assert.equal(
      openState({ open_now: false, next_change: "2026-03-15T08:30" }, SHANGHAI).text,
      "已关闭 · 明天 08:30 开放"
    );
    assert.equal(
      openState({ open_now: true, next_change: "2026-03-14T21:00" }, SHANGHAI).text,
      "开放中 · 21:00 关闭"
    );
  });
});

describe("typed coordinates", () => {
  test("two boxes", () => {
    const place = readPlace(" 116.0105 ", "28.6841");
    assert.equal(place.valid, true);
    assert.equal(place.lon, 116.0105);
    assert.equal(place.lat, 28.6841);
  });

  test("a pair pasted into the first box fills both", () => {
    for (const pasted of ["116.0105, 28.6841", "116.0105 28.6841", "116.0105，28.6841"]) {
      const place = readPlace(pasted, "");
      const read = [place.lonText, place.latText, place.valid];
      assert.deepEqual(read, ["116.0105", "28.6841", true], pasted);
    }
  });

  test("empty, text or out of range is not a place", () => {
    assert.equal(readPlace("", "28.68").valid, false);
    assert.equal(readPlace("east", "28.68").valid, false);
    assert.equal(readPlace("116.01", "95").valid, false);
    assert.equal(readPlace("181", "28.68").valid, false);
  });
});

test("opening hours in words, today first, in any browser time zone", async () => {
  const { hoursToday, setWords, weekRows, weekday } = await import("../../maps/static/js/text.js");
  setWords({
    today: "today", today_hours: "today {hours}", closed_all_day: "closed",
    always_open: "open 24 hours", list_separator: ", ", weekday_3: "Wed", weekday_4: "Thu",
  });
  const week = [
    { date: "2026-12-02", open: ["08:30-12:00", "14:30-17:30"] },
    { date: "2026-12-03", open: [] },
    { date: "2026-12-04", open: ["00:00-24:00"] },
  ];
  assert.equal(weekday("2026-12-02"), 3);
  assert.equal(hoursToday(week), "today 08:30–12:00, 14:30–17:30");
  assert.deepEqual(weekRows(week).slice(0, 2), [
    { day: "today", hours: "08:30–12:00, 14:30–17:30" },
    { day: "Thu", hours: "closed" },
  ]);
  assert.equal(weekRows(week)[2].hours, "open 24 hours");
  assert.equal(hoursToday([]), null);
});
