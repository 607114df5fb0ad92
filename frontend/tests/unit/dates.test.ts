import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";

import {
  addMonths,
  currentMonth,
  formatDate,
  formatMonth,
  monthRange,
  todayIso,
} from "@/lib/dates";

const ORIGINAL_TZ = process.env.TZ;
// Far west and far east of UTC: a date shifted by the time zone shows up in one of them.
const TIME_ZONES = [
  "UTC",
  "America/Los_Angeles",
  "Pacific/Honolulu",
  "Asia/Kolkata",
  "Pacific/Kiritimati",
];
const MONTH_NAMES = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];

afterEach(() => {
  // Assigning undefined would set the string "undefined".
  if (ORIGINAL_TZ === undefined) delete process.env.TZ;
  else process.env.TZ = ORIGINAL_TZ;
});

const pad = (value: number, width: number) => String(value).padStart(width, "0");
const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysIn = (year: number, month: number) =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

const years = fc.integer({ min: 1, max: 9999 });
const monthNumbers = fc.integer({ min: 1, max: 12 });
const isoDates = fc
  .tuple(fc.integer({ min: 1000, max: 9999 }), monthNumbers, fc.integer({ min: 1, max: 31 }))
  .map(([year, month, day]) => ({ year, month, day: Math.min(day, daysIn(year, month)) }));

describe("addMonths", () => {
  it("is undone by adding the opposite count", () => {
    // Any two months of years 0000-9999, and the count that leads from one to the other.
    const monthIndexes = fc.integer({ min: 0, max: 9999 * 12 + 11 });
    const nameOf = (index: number) =>
      `${pad(Math.floor(index / 12), 4)}-${pad((index % 12) + 1, 2)}`;
    fc.assert(
      fc.property(monthIndexes, monthIndexes, (from, to) => {
        const moved = addMonths(nameOf(from), to - from);
        expect(moved).toBe(nameOf(to));
        expect(addMonths(moved, from - to)).toBe(nameOf(from));
      }),
      { numRuns: 1000 },
    );
  });

  it("composes: adding a then b is adding a + b", () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1900, max: 2100 }), monthNumbers),
        fc.integer({ min: -600, max: 600 }),
        fc.integer({ min: -600, max: 600 }),
        ([year, month], a, b) => {
          const start = `${year}-${pad(month, 2)}`;
          expect(addMonths(addMonths(start, a), b)).toBe(addMonths(start, a + b));
        },
      ),
    );
  });

  it.each([
    ["2024-01", -1, "2023-12"],
    ["2024-12", 1, "2025-01"],
    ["2024-03", 0, "2024-03"],
    ["2024-03", -27, "2021-12"],
    ["0001-01", -12, "0000-01"],
  ])("%s + %d is %s", (month, count, expected) => {
    expect(addMonths(month, count)).toBe(expected);
  });

  it("refuses what is not a month or leaves the four-digit years", () => {
    expect(() => addMonths("2024-13", 1)).toThrow(RangeError);
    expect(() => addMonths("2024-1", 1)).toThrow(RangeError);
    expect(() => addMonths("0000-01", -1)).toThrow(RangeError);
    expect(() => addMonths("9999-12", 1)).toThrow(RangeError);
  });
});

describe("monthRange", () => {
  it("runs from the 1st to the month's last day, leap years included", () => {
    fc.assert(
      fc.property(years, monthNumbers, (year, month) => {
        const name = `${pad(year, 4)}-${pad(month, 2)}`;
        expect(monthRange(name)).toEqual([`${name}-01`, `${name}-${pad(daysIn(year, month), 2)}`]);
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ["2024-02", "2024-02-29"],
    ["2023-02", "2023-02-28"],
    ["2000-02", "2000-02-29"],
    ["1900-02", "1900-02-28"],
    ["2100-02", "2100-02-28"],
    ["0024-02", "0024-02-29"],
    ["2024-12", "2024-12-31"],
    ["9999-12", "9999-12-31"],
  ])("%s ends on %s", (month, last) => {
    expect(monthRange(month)[1]).toBe(last);
  });

  it("is the same in every time zone", () => {
    for (const zone of TIME_ZONES) {
      process.env.TZ = zone;
      expect(monthRange("2024-03")).toEqual(["2024-03-01", "2024-03-31"]);
    }
  });
});

describe("formatDate", () => {
  it("shows the calendar day it was given, whatever the time zone", () => {
    fc.assert(
      fc.property(isoDates, fc.constantFrom(...TIME_ZONES), ({ year, month, day }, zone) => {
        process.env.TZ = zone;
        const iso = `${year}-${pad(month, 2)}-${pad(day, 2)}`;
        expect(formatDate(iso, "en-US")).toBe(`${MONTH_NAMES[month - 1]} ${day}, ${year}`);
      }),
      { numRuns: 500 },
    );
  });

  it("reads the date part of a timestamp", () => {
    process.env.TZ = "America/Los_Angeles";
    expect(formatDate("2024-03-01T00:30:00Z", "en-US")).toBe("Mar 1, 2024");
    expect(formatDate("2024-03-01", "de-DE")).toBe("01.03.2024");
  });
});

describe("formatMonth", () => {
  it("names the month it was given in every time zone", () => {
    for (const zone of TIME_ZONES) {
      process.env.TZ = zone;
      expect(formatMonth("2024-01", "en-US")).toBe("January 2024");
      expect(formatMonth("2024-12", "en-US", "short")).toBe("Dec 2024");
    }
  });
});

describe("todayIso and currentMonth", () => {
  it("use the calendar where the person is", () => {
    const instant = new Date("2024-03-01T02:00:00Z");
    process.env.TZ = "America/Los_Angeles";
    expect(todayIso(instant)).toBe("2024-02-29");
    expect(currentMonth(instant)).toBe("2024-02");
    process.env.TZ = "Asia/Kolkata";
    expect(todayIso(instant)).toBe("2024-03-01");
    expect(currentMonth(instant)).toBe("2024-03");
  });
});
