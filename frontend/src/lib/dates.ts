/**
 * Dates in the API are calendar dates ("2024-03-15") and months ("2024-03") with no time zone.
 * They are formatted as UTC so a browser west of Greenwich never shows the day before.
 */

const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(value: string): boolean {
  return MONTH_PATTERN.test(value);
}

/** Today's date where the person is, as the API spells dates. */
export function todayIso(now: Date = new Date()): string {
  const month = String(now.getMonth() + 1).padStart(2, "0");
  const day = String(now.getDate()).padStart(2, "0");
  return `${now.getFullYear()}-${month}-${day}`;
}

export function currentMonth(now: Date = new Date()): string {
  return todayIso(now).slice(0, 7);
}

/** "2024-01" + -1 → "2023-12". */
export function addMonths(month: string, count: number): string {
  const match = MONTH_PATTERN.exec(month);
  if (!match) throw new RangeError(`not a month: ${month}`);
  const index = Number(match[1]) * 12 + (Number(match[2]) - 1) + count;
  const year = Math.floor(index / 12);
  if (!Number.isSafeInteger(index) || year < 0 || year > 9999) {
    throw new RangeError(`${month} + ${count} months is outside years 0000-9999`);
  }
  return `${String(year).padStart(4, "0")}-${String((index % 12) + 1).padStart(2, "0")}`;
}

/** Midnight UTC of a calendar day. Date.UTC alone would read years 0-99 as 1900-1999. */
function utcDate(year: number, monthIndex: number, day: number): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  return date;
}

/** First and last day of a month: ["2024-02-01", "2024-02-29"]. */
export function monthRange(month: string): [string, string] {
  if (!isMonth(month)) throw new RangeError(`not a month: ${month}`);
  // Day 0 of the following month is the last day of this one.
  const last = utcDate(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0);
  return [`${month}-01`, last.toISOString().slice(0, 10)];
}

export function formatMonth(
  month: string,
  locale?: string,
  style: "long" | "short" = "long",
): string {
  const date = utcDate(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1, 1);
  return new Intl.DateTimeFormat(locale, { month: style, year: "numeric", timeZone: "UTC" }).format(
    date,
  );
}

export function formatDate(isoDate: string, locale?: string): string {
  const [year, month, day] = isoDate.slice(0, 10).split("-").map(Number);
  const date = utcDate(year ?? 1970, (month ?? 1) - 1, day ?? 1);
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(date);
}
