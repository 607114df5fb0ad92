import { describe, expect, it } from "vitest";

import { parsePercents } from "@/features/budget/AlertThresholds";

describe("parsePercents", () => {
  it("reads whole percentages separated by commas, spaces or semicolons", () => {
    expect(parsePercents("80, 100")).toEqual([80, 100]);
    expect(parsePercents("50% 90%;120")).toEqual([50, 90, 120]);
  });

  it("reads nothing as no alerts", () => {
    expect(parsePercents("")).toEqual([]);
    expect(parsePercents("  ,  ")).toEqual([]);
  });

  it("refuses what is not a whole number", () => {
    expect(parsePercents("80.5")).toBeNull();
    expect(parsePercents("eighty")).toBeNull();
    expect(parsePercents("-10")).toBeNull();
  });
});
