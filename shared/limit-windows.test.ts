import { describe, expect, it } from "vitest";
import { calendarWindow } from "./limit-windows";

const iso = (t: number) => new Date(t).toISOString();

describe("calendar windows", () => {
  it("starts a day at local midnight in the organisation's zone", () => {
    const now = Date.parse("2026-11-24T03:30:00Z"); // 2026-11-23 19:30 in Los Angeles (UTC-8)
    const w = calendarWindow("day", now, "America/Los_Angeles");
    expect(iso(w.start)).toBe("2026-11-23T08:00:00.000Z");
    expect(iso(w.end)).toBe("2026-11-24T08:00:00.000Z");
    const utc = calendarWindow("day", now, "UTC");
    expect(iso(utc.start)).toBe("2026-11-24T00:00:00.000Z");
  });

  it("gives a 23-hour day across a DST change", () => {
    const w = calendarWindow("day", Date.parse("2026-03-29T12:00:00Z"), "Europe/Berlin");
    expect(iso(w.start)).toBe("2026-03-28T23:00:00.000Z");
    expect(iso(w.end)).toBe("2026-03-29T22:00:00.000Z");
  });

  it("starts weeks on Monday and months on the 1st, locally", () => {
    const now = Date.parse("2026-11-26T12:00:00Z"); // a Thursday
    const week = calendarWindow("week", now, "Asia/Tokyo");
    expect(iso(week.start)).toBe("2026-11-22T15:00:00.000Z"); // Mon 23 Nov, 00:00 JST
    expect(iso(week.end)).toBe("2026-11-29T15:00:00.000Z");
    const month = calendarWindow("month", Date.parse("2026-12-31T23:30:00Z"), "Asia/Tokyo");
    expect(iso(month.start)).toBe("2026-12-31T15:00:00.000Z"); // 1 Jan 2027 in Tokyo
    expect(iso(month.end)).toBe("2027-01-31T15:00:00.000Z");
  });
});
