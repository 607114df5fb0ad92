import { describe, expect, it } from "vitest";

import {
  amountThatBalances,
  MAX_SPLIT_LINES,
  remainingToSplit,
  validateSplit,
} from "@/features/transactions/splits";
import { MAX_AMOUNT_MINOR } from "@/lib/money";

import { integer, random } from "./seeded-random";

/** `count` non-zero integers that add up to `total` (large magnitudes included). */
function partition(next: () => number, total: number, count: number): number[] {
  const lines: number[] = [];
  let left = total;
  for (let i = 0; i < count - 1; i += 1) {
    let line = 0;
    while (line === 0 || left - line === 0) line = integer(next, -1_000_000_000, 1_000_000_000);
    lines.push(line);
    left -= line;
  }
  lines.push(left);
  return lines;
}

describe("remainingToSplit", () => {
  it("is the total minus the lines", () => {
    expect(remainingToSplit(10_000, [6_000, 3_000])).toBe(1_000);
    expect(remainingToSplit(-10_000, [-6_000, -4_000])).toBe(0);
    expect(remainingToSplit(100, [60, 50])).toBe(-10);
    expect(remainingToSplit(100, [])).toBe(100);
  });

  it("is exact where floats are not (0.10 + 0.20 of a currency)", () => {
    expect(remainingToSplit(30, [10, 20])).toBe(0);
  });

  it("refuses amounts that are not integers", () => {
    expect(() => remainingToSplit(10.5, [])).toThrow(RangeError);
    expect(() => remainingToSplit(10, [Number.NaN])).toThrow(RangeError);
  });

  it("matches the arithmetic for many random splits", () => {
    const next = random(20_241_125);
    for (let run = 0; run < 2_000; run += 1) {
      const total = integer(next, -MAX_AMOUNT_MINOR, MAX_AMOUNT_MINOR);
      const lines = Array.from({ length: integer(next, 0, MAX_SPLIT_LINES) }, () =>
        integer(next, -MAX_AMOUNT_MINOR, MAX_AMOUNT_MINOR),
      );
      const remaining = remainingToSplit(total, lines);
      expect(Number.isSafeInteger(remaining)).toBe(true);
      // Adding the remainder as one more line always closes the split exactly.
      expect(remainingToSplit(total, [...lines, remaining])).toBe(0);
      expect(BigInt(remaining)).toBe(
        BigInt(total) - lines.reduce((sum, line) => sum + BigInt(line), 0n),
      );
    }
  });
});

describe("validateSplit", () => {
  it("accepts lines that sum to the total", () => {
    expect(validateSplit(-10_000, [-6_000, -4_000])).toEqual([]);
    expect(validateSplit(5_000, [6_000, -1_000])).toEqual([]);
  });

  it("needs at least two lines", () => {
    expect(validateSplit(100, [100])).toEqual([{ kind: "too_few_lines" }]);
    expect(validateSplit(100, [])).toContainEqual({ kind: "too_few_lines" });
  });

  it("refuses zero lines and missing amounts, naming the line", () => {
    expect(validateSplit(100, [100, 0])).toEqual([{ kind: "zero_line", index: 1 }]);
    expect(validateSplit(100, [null, 100])).toEqual([{ kind: "missing_amount", index: 0 }]);
  });

  it("reports what is left or over", () => {
    expect(validateSplit(100, [30, 20])).toEqual([{ kind: "not_balanced", remainingMinor: 50 }]);
    expect(validateSplit(100, [80, 30])).toEqual([{ kind: "not_balanced", remainingMinor: -10 }]);
  });

  it("allows at most the API's number of lines", () => {
    const lines = Array.from({ length: MAX_SPLIT_LINES + 1 }, () => 1);
    expect(validateSplit(MAX_SPLIT_LINES + 1, lines)).toEqual([{ kind: "too_many_lines" }]);
  });

  it("accepts every random split that sums exactly, and refuses it once any line moves", () => {
    const next = random(42);
    for (let run = 0; run < 2_000; run += 1) {
      const total = integer(next, -1_000_000_000_000, 1_000_000_000_000);
      const lines = partition(next, total, integer(next, 2, 30));
      expect(validateSplit(total, lines)).toEqual([]);

      const at = integer(next, 0, lines.length - 1);
      const delta = integer(next, 1, 1_000) * (next() < 0.5 ? -1 : 1);
      const moved = lines.map((line, index) => (index === at ? line + delta : line));
      const problems = validateSplit(total, moved);
      expect(problems).toContainEqual({ kind: "not_balanced", remainingMinor: -delta });
    }
  });

  it("finds the amount that closes a split on any line", () => {
    const next = random(7);
    for (let run = 0; run < 1_000; run += 1) {
      const total = integer(next, -1_000_000_000, 1_000_000_000);
      const lines: (number | null)[] = Array.from({ length: integer(next, 2, 10) }, () =>
        next() < 0.2 ? null : integer(next, -1_000_000, 1_000_000),
      );
      const at = integer(next, 0, lines.length - 1);
      const filled = lines.map((line, index) =>
        index === at ? amountThatBalances(total, lines, at) : line,
      );
      const entered = filled.filter((line): line is number => line !== null);
      expect(remainingToSplit(total, entered)).toBe(0);
    }
  });
});
