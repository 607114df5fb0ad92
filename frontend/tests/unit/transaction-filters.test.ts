import { describe, expect, it } from "vitest";

import {
  ALL_MONTHS,
  filtersFromParams,
  filtersToParams,
  listQuery,
  isIsoDate,
  isValidRange,
  transactionsHref,
  UNCATEGORIZED,
} from "@/features/transactions/filters";

const NOW = new Date(2026, 10, 25);
const ACCOUNT = "0b7c6a52-5d0e-4f43-9a53-2f1f6b1e8a10";
const CATEGORY = "7f9e1d2c-3b4a-4c5d-8e6f-a1b2c3d4e5f6";

describe("transaction filters in the URL", () => {
  it("defaults to this month and everything", () => {
    expect(filtersFromParams(new URLSearchParams(), NOW)).toEqual({
      month: "2026-11",
      from: null,
      to: null,
      accountId: null,
      category: null,
      search: "",
    });
    expect(
      filtersToParams(
        { month: "2026-11", from: null, to: null, accountId: null, category: null, search: "  " },
        NOW,
      ).toString(),
    ).toBe("");
  });

  it("round-trips every filter", () => {
    const filters = {
      month: "2025-02",
      from: null,
      to: null,
      accountId: ACCOUNT,
      category: UNCATEGORIZED,
      search: "Café & co",
    };
    expect(filtersFromParams(filtersToParams(filters, NOW), NOW)).toEqual(filters);
    const all = {
      month: ALL_MONTHS,
      from: null,
      to: null,
      accountId: null,
      category: CATEGORY,
      search: "",
    };
    expect(filtersFromParams(filtersToParams(all, NOW), NOW)).toEqual(all);
  });

  it("ignores values the API would refuse", () => {
    const params = new URLSearchParams({
      month: "2026-13",
      account: "nope",
      category: "x",
      q: "a".repeat(300),
    });
    const filters = filtersFromParams(params, NOW);
    expect(filters).toMatchObject({
      month: "2026-11",
      from: null,
      to: null,
      accountId: null,
      category: null,
    });
    expect(filters.search).toHaveLength(200);
  });

  it("links from elsewhere name the month even when it is this month", () => {
    expect(transactionsHref("h1", "2026-11", CATEGORY)).toBe(
      `/h/h1/transactions?month=2026-11&category=${CATEGORY}`,
    );
    const href = new URL(transactionsHref("h1", "2025-02", UNCATEGORIZED), "http://localhost");
    expect(href.pathname).toBe("/h/h1/transactions");
    expect(filtersFromParams(href.searchParams, NOW)).toEqual({
      month: "2025-02",
      from: null,
      to: null,
      accountId: null,
      category: UNCATEGORIZED,
      search: "",
    });
  });
});

describe("listQuery", () => {
  it("turns a month into an inclusive date range", () => {
    expect(
      listQuery({
        month: "2024-02",
        from: null,
        to: null,
        accountId: null,
        category: null,
        search: "",
      }),
    ).toEqual({
      from: "2024-02-01",
      to: "2024-02-29",
    });
  });

  it("asks for uncategorized rows with the API's flag, a category by id", () => {
    expect(
      listQuery({
        month: ALL_MONTHS,
        from: null,
        to: null,
        accountId: ACCOUNT,
        category: UNCATEGORIZED,
        search: " rent ",
      }),
    ).toEqual({ account_id: ACCOUNT, uncategorized: true, q: "rent" });
    expect(
      listQuery({
        month: ALL_MONTHS,
        from: null,
        to: null,
        accountId: null,
        category: CATEGORY,
        search: "",
      }),
    ).toEqual({ category_id: CATEGORY });
  });
});

describe("a date range instead of the month", () => {
  const base = { month: "2026-11", accountId: null, category: null, search: "" };

  it("round-trips through the URL and replaces the month in the query", () => {
    const ranged = { ...base, from: "2026-10-20", to: "2026-11-03" };
    const params = filtersToParams(ranged, NOW);
    expect(params.toString()).toBe("from=2026-10-20&to=2026-11-03");
    expect(filtersFromParams(params, NOW)).toEqual(ranged);
    expect(listQuery(ranged)).toEqual({ from: "2026-10-20", to: "2026-11-03" });
  });

  it("may be open at either end", () => {
    expect(listQuery({ ...base, from: "2026-10-20", to: null })).toEqual({ from: "2026-10-20" });
    expect(listQuery({ ...base, from: null, to: "2026-10-20" })).toEqual({ to: "2026-10-20" });
  });

  it("includes a single day and refuses an end before the start", () => {
    expect(isValidRange("2026-02-28", "2026-02-28")).toBe(true);
    expect(isValidRange("2026-03-01", "2026-02-28")).toBe(false);
    expect(isValidRange(null, null)).toBe(true);
  });

  it("drops a bad range from a hand-edited link and shows the month", () => {
    for (const query of ["from=2026-03-02&to=2026-03-01", "from=2026-02-30", "to=soon"]) {
      const filters = filtersFromParams(new URLSearchParams(query), NOW);
      expect(filters).toMatchObject({ from: null, to: null, month: "2026-11" });
    }
  });

  it("knows real calendar days", () => {
    expect(isIsoDate("2024-02-29")).toBe(true);
    expect(isIsoDate("2023-02-29")).toBe(false);
    expect(isIsoDate("2024-13-01")).toBe(false);
    expect(isIsoDate("2024-1-01")).toBe(false);
  });
});
