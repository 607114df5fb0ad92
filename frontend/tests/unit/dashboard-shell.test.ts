import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { fromFirstMonthWithData, needsAttention } from "@/features/dashboard/logic";
import { quickAddAccountId } from "@/features/quickAdd/logic";

/** A category as the API reports it: available = assigned + carried + activity. */
function line(assigned: number, activity: number, carried = 0) {
  return { activity_minor: activity, available_minor: assigned + carried + activity };
}

/**
 * The rule in exact rational arithmetic over BigInt, written from the brief rather than from the
 * function: overspent, or spent / (assigned + carried) ≥ 4/5 when there was something to spend.
 */
function attentionModel(assigned: number, activity: number, carried: number): boolean {
  const available = BigInt(assigned) + BigInt(carried) + BigInt(activity);
  if (available < 0n) return true;
  const spent = activity < 0 ? BigInt(-activity) : 0n;
  const hadToSpend = BigInt(assigned) + BigInt(carried);
  if (spent === 0n || hadToSpend <= 0n) return false;
  return spent * 5n >= hadToSpend * 4n;
}

describe("needsAttention", () => {
  it("flags 80 % used and up, not 79.99 %", () => {
    expect(needsAttention(line(10_000, -8_000))).toBe(true);
    expect(needsAttention(line(10_000, -7_999))).toBe(false);
    expect(needsAttention(line(10_000, -10_000))).toBe(true);
  });

  it("flags overspending, including spending from nothing", () => {
    expect(needsAttention(line(10_000, -10_001))).toBe(true);
    expect(needsAttention(line(0, -1))).toBe(true);
    expect(needsAttention(line(5_000, 0, -6_000))).toBe(true);
  });

  it("counts money rolled over as money to spend", () => {
    // 100.00 assigned + 100.00 carried, 150.00 spent: 75 %.
    expect(needsAttention(line(10_000, -15_000, 10_000))).toBe(false);
    expect(needsAttention(line(10_000, -16_000, 10_000))).toBe(true);
  });

  it("leaves out untouched and unbudgeted categories, and refunds", () => {
    expect(needsAttention(line(0, 0))).toBe(false);
    expect(needsAttention(line(10_000, 0))).toBe(false);
    expect(needsAttention(line(10_000, 2_500))).toBe(false);
  });

  it("agrees with exact arithmetic on any amounts", () => {
    const amount = fc.integer({ min: -1_000_000_000_000, max: 1_000_000_000_000 });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000_000_000 }),
        amount,
        amount,
        (assigned, activity, carried) =>
          needsAttention(line(assigned, activity, carried)) ===
          attentionModel(assigned, activity, carried),
      ),
    );
  });
});

const month = (name: string, income: number, expenses: number) => ({
  month: name,
  income_minor: income,
  expenses_minor: expenses,
  net_minor: income - expenses,
});

describe("fromFirstMonthWithData", () => {
  it("drops the empty months before the first one with money moving", () => {
    const months = [
      month("2026-01", 0, 0),
      month("2026-02", 0, 0),
      month("2026-03", 0, 4_200),
      month("2026-04", 0, 0),
      month("2026-05", 310_000, 120_000),
    ];
    expect(fromFirstMonthWithData(months).map((m) => m.month)).toEqual([
      "2026-03",
      "2026-04",
      "2026-05",
    ]);
  });

  it("keeps every month when the first has data, and none when no month has", () => {
    const full = [month("2026-01", 1, 0), month("2026-02", 0, 0)];
    expect(fromFirstMonthWithData(full)).toEqual(full);
    expect(fromFirstMonthWithData([month("2026-01", 0, 0), month("2026-02", 0, 0)])).toEqual([]);
    expect(fromFirstMonthWithData([])).toEqual([]);
  });

  it("starts exactly at the first month with income or expenses", () => {
    const flow = fc.record({
      income: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1_000_000 })),
      expenses: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1_000_000 })),
    });
    fc.assert(
      fc.property(fc.array(flow, { maxLength: 12 }), (flows) => {
        const months = flows.map((f, i) => month(`m${i}`, f.income, f.expenses));
        const trimmed = fromFirstMonthWithData(months);
        // Model: count the leading months where nothing moved.
        let leading = 0;
        while (leading < flows.length && flows[leading]!.income + flows[leading]!.expenses === 0)
          leading += 1;
        expect(trimmed).toEqual(months.slice(leading));
      }),
    );
  });
});

describe("quickAddAccountId", () => {
  const open = (id: string) => ({ id, archived_at: null });
  const archived = (id: string) => ({ id, archived_at: "2026-01-01T00:00:00Z" });

  it("offers the account of the last quick entry while it is open", () => {
    expect(quickAddAccountId([open("a"), open("b")], "b")).toBe("b");
  });

  it("falls back to the first open account", () => {
    expect(quickAddAccountId([archived("a"), open("b"), open("c")], "a")).toBe("b");
    expect(quickAddAccountId([open("a"), open("b")], "gone")).toBe("a");
    expect(quickAddAccountId([open("a")], null)).toBe("a");
  });

  it("offers nothing without an open account", () => {
    expect(quickAddAccountId([archived("a")], "a")).toBe("");
    expect(quickAddAccountId([], null)).toBe("");
  });
});
