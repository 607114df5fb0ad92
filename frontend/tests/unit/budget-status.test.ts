import { describe, expect, it } from "vitest";

import { withLine, type BudgetMonth } from "@/features/budget/api";
import {
  copyResultMessage,
  hasAssignments,
  monthAvailableMinor,
  parseAssigned,
} from "@/features/budget/assign";
import {
  availableToSpendMinor,
  budgetStatus,
  closestToLimit,
  spentMinor,
  spentOfAssignedPercent,
  sumLines,
  usedPercent,
  type BudgetLineNumbers,
} from "@/features/budget/status";
import { describeFlows, spendingBars, summarizeFlows } from "@/features/dashboard/logic";

import { integer, random } from "./seeded-random";

/** assigned + activity (+ carried) = available, as the API computes it. */
function line(assigned: number, activity: number, carried = 0): BudgetLineNumbers {
  return {
    assigned_minor: assigned,
    activity_minor: activity,
    available_minor: assigned + activity + carried,
  };
}

function randomLine(next: () => number, scale = 1_000_000): BudgetLineNumbers {
  return line(
    integer(next, 0, scale),
    integer(next, -scale, scale / 10),
    next() < 0.3 ? integer(next, -scale, scale) : 0,
  );
}

const USD = { code: "USD", exponent: 2 };

describe("budgetStatus", () => {
  it("is overspent below zero available", () => {
    expect(budgetStatus(line(10_000, -10_001))).toBe("overspent");
    expect(budgetStatus(line(0, -1))).toBe("overspent");
    expect(budgetStatus(line(5_000, 0, -6_000))).toBe("overspent");
  });

  it("is near the limit from 90% spent, still not below zero", () => {
    expect(budgetStatus(line(10_000, -8_999))).toBe("on_track");
    expect(budgetStatus(line(10_000, -9_000))).toBe("near_limit");
  });

  it("is fully spent with exactly nothing left after spending", () => {
    expect(budgetStatus(line(10_000, -10_000))).toBe("fully_spent");
    expect(budgetStatus(line(5_000, -10_000, 5_000))).toBe("fully_spent");
  });

  it("counts what rolled over as available to spend", () => {
    // 50 assigned + 50 carried = 100 to spend; 60 spent is 60%.
    expect(budgetStatus(line(5_000, -6_000, 5_000))).toBe("on_track");
    expect(budgetStatus(line(5_000, -9_500, 5_000))).toBe("near_limit");
  });

  it("is on track with money and nothing spent, unbudgeted with neither", () => {
    expect(budgetStatus(line(10_000, 0))).toBe("on_track");
    expect(budgetStatus(line(0, 0))).toBe("unbudgeted");
    expect(budgetStatus(line(0, 2_500))).toBe("on_track");
  });

  it("treats refunds as money back, not spending", () => {
    expect(spentMinor(line(1_000, 300))).toBe(0);
    expect(budgetStatus(line(1_000, 300))).toBe("on_track");
  });

  it("agrees with its definition for random lines", () => {
    const next = random(42);
    for (let i = 0; i < 5_000; i++) {
      const l = randomLine(next);
      const status = budgetStatus(l);
      const spent = spentMinor(l);
      const toSpend = availableToSpendMinor(l);
      if (l.available_minor < 0) expect(status).toBe("overspent");
      else if (spent > 0 && l.available_minor === 0) expect(status).toBe("fully_spent");
      else if (spent > 0 && spent / toSpend >= 0.9) expect(status).toBe("near_limit");
      else if (spent === 0 && l.available_minor === 0) expect(status).toBe("unbudgeted");
      else expect(status).toBe("on_track");
    }
  });

  it("stays exact at the largest amounts the API allows", () => {
    const max = 10_000_000_000_000;
    expect(budgetStatus(line(max, -(max * 0.9)))).toBe("near_limit");
    expect(budgetStatus(line(max, -(max * 0.9) + 1))).toBe("on_track");
  });
});

describe("usedPercent and spentOfAssignedPercent", () => {
  it("rounds down and handles nothing to spend", () => {
    expect(usedPercent(line(3_000, -1_000))).toBe(33);
    expect(usedPercent(line(0, 0))).toBe(0);
    expect(usedPercent(line(0, -500))).toBeNull();
    expect(usedPercent(line(1_000, -1_500))).toBe(150);
    expect(spentOfAssignedPercent(450, 1_000)).toBe(45);
    expect(spentOfAssignedPercent(-20, 1_000)).toBe(0);
    expect(spentOfAssignedPercent(450, 0)).toBeNull();
  });
});

describe("sumLines", () => {
  it("is zero for no rows", () => {
    expect(sumLines([])).toEqual({ assigned_minor: 0, activity_minor: 0, available_minor: 0 });
  });

  it("equals the sum of the rows, in any order and any split into parts", () => {
    const next = random(7);
    for (let round = 0; round < 500; round++) {
      const rows = Array.from({ length: integer(next, 0, 30) }, () =>
        randomLine(next, 1_000_000_000),
      );
      const total = sumLines(rows);
      let assigned = 0;
      let activity = 0;
      let available = 0;
      for (const row of rows) {
        assigned += row.assigned_minor;
        activity += row.activity_minor;
        available += row.available_minor;
      }
      expect(total).toEqual({
        assigned_minor: assigned,
        activity_minor: activity,
        available_minor: available,
      });
      expect(Number.isInteger(total.available_minor)).toBe(true);

      const cut = integer(next, 0, rows.length);
      const left = sumLines(rows.slice(0, cut));
      const right = sumLines(rows.slice(cut));
      expect(left.assigned_minor + right.assigned_minor).toBe(total.assigned_minor);
      expect(left.activity_minor + right.activity_minor).toBe(total.activity_minor);
      expect(left.available_minor + right.available_minor).toBe(total.available_minor);
      expect(sumLines([...rows].reverse())).toEqual(total);
    }
  });

  it("month available is the sum of every group's subtotal", () => {
    const next = random(99);
    for (let round = 0; round < 200; round++) {
      const groups = Array.from({ length: integer(next, 0, 6) }, () => ({
        categories: Array.from({ length: integer(next, 0, 8) }, () => randomLine(next)),
      }));
      const bySubtotals = groups.reduce(
        (sum, group) => sum + sumLines(group.categories).available_minor,
        0,
      );
      expect(monthAvailableMinor(groups)).toBe(bySubtotals);
    }
  });
});

describe("closestToLimit", () => {
  const named = (name: string, l: BudgetLineNumbers) => ({ name, ...l });

  it("puts overspent first (deepest first), then by share spent, skipping unbudgeted", () => {
    const lines = [
      named("calm", line(10_000, -1_000)),
      named("empty", line(0, 0)),
      named("slightly over", line(1_000, -1_100)),
      named("near", line(10_000, -9_500)),
      named("deep over", line(1_000, -5_000)),
      named("half", line(10_000, -5_000)),
    ];
    expect(closestToLimit(lines, 5).map((l) => l.name)).toEqual([
      "deep over",
      "slightly over",
      "near",
      "half",
      "calm",
    ]);
    expect(closestToLimit(lines, 2).map((l) => l.name)).toEqual(["deep over", "slightly over"]);
    expect(closestToLimit(lines, 0)).toEqual([]);
  });

  it("never returns more than asked, and statuses never improve down the list", () => {
    const next = random(2024);
    const rank = {
      overspent: 0,
      fully_spent: 1,
      near_limit: 2,
      on_track: 3,
      unbudgeted: 4,
    } as const;
    for (let round = 0; round < 300; round++) {
      const lines = Array.from({ length: integer(next, 0, 20) }, () => randomLine(next));
      const count = integer(next, 0, 8);
      const picked = closestToLimit(lines, count);
      expect(picked.length).toBeLessThanOrEqual(count);
      expect(picked.every((l) => budgetStatus(l) !== "unbudgeted")).toBe(true);
      for (let i = 1; i < picked.length; i++) {
        expect(rank[budgetStatus(picked[i - 1]!)]).toBeLessThanOrEqual(
          rank[budgetStatus(picked[i]!)],
        );
      }
    }
  });
});

describe("parseAssigned", () => {
  it("reads amounts, treats an empty cell as zero and refuses negatives", () => {
    expect(parseAssigned("12.50", USD)).toEqual({ ok: true, minor: 1250 });
    expect(parseAssigned("  ", USD)).toEqual({ ok: true, minor: 0 });
    expect(parseAssigned("-5", USD).ok).toBe(false);
    expect(parseAssigned("abc", USD).ok).toBe(false);
    expect(parseAssigned("1000", { code: "JPY", exponent: 0 })).toEqual({ ok: true, minor: 1000 });
  });
});

describe("month helpers", () => {
  const month = (amounts: number[][]): BudgetMonth =>
    ({
      month: "2026-11",
      currency: "USD",
      totals: {
        income_minor: 0,
        assigned_minor: 0,
        spent_minor: 0,
        opening_balances_minor: 0,
        overspending_covered_minor: 0,
        left_to_assign_minor: 0,
        uncategorized_activity_minor: 0,
      },
      groups: amounts.map((group, g) => ({
        group_id: `g${g}`,
        name: `Group ${g}`,
        hidden: false,
        assigned_minor: 0,
        activity_minor: 0,
        available_minor: 0,
        categories: group.map((assigned, c) => ({
          category_id: `c${g}-${c}`,
          name: `C${c}`,
          hidden: false,
          carry_overspending: false,
          carried_in_minor: 0,
          assigned_minor: assigned,
          activity_minor: 0,
          available_minor: assigned,
          target: null,
          target_status: "none",
          target_needed_minor: 0,
          underfunded_minor: 0,
        })),
      })),
    }) satisfies BudgetMonth;

  it("knows whether anything is assigned", () => {
    expect(hasAssignments(month([[0, 0], []]).groups)).toBe(false);
    expect(hasAssignments(month([[0], [300]]).groups)).toBe(true);
  });

  it("replaces only the saved line", () => {
    const before = month([[100, 200], [300]]);
    const saved = {
      ...before.groups[0]!.categories[1]!,
      assigned_minor: 999,
      available_minor: 999,
    };
    const after = withLine(before, saved);
    expect(after.groups[0]!.categories.map((l) => l.assigned_minor)).toEqual([100, 999]);
    expect(after.groups[1]).toEqual(before.groups[1]);
    expect(sumLines(after.groups[0]!.categories).assigned_minor).toBe(1_099);
  });

  it("words the copy result", () => {
    expect(copyResultMessage(1, "October 2026")).toBe("Copied 1 category from October 2026.");
    expect(copyResultMessage(4, "October 2026")).toBe("Copied 4 categories from October 2026.");
    expect(copyResultMessage(0, "October 2026")).toMatch(/^Nothing copied/);
  });
});

describe("dashboard charts", () => {
  it("orders spending bars, folds the tail into Other and keeps the total", () => {
    const next = random(5);
    for (let round = 0; round < 200; round++) {
      const groups = Array.from({ length: integer(next, 0, 4) }, (_, g) => ({
        name: `G${g}`,
        categories: Array.from({ length: integer(next, 0, 6) }, (_, c) => ({
          category_id: `${g}-${c}`,
          name: `C${g}-${c}`,
          spent_minor: integer(next, -5_000, 100_000),
        })),
      }));
      const uncategorized = integer(next, -1_000, 10_000);
      const maxBars = integer(next, 1, 10);
      const bars = spendingBars(groups, uncategorized, maxBars);
      const positive = groups.flatMap((g) => g.categories).filter((c) => c.spent_minor > 0);
      const expectedTotal =
        positive.reduce((sum, c) => sum + c.spent_minor, 0) + Math.max(uncategorized, 0);
      expect(bars.reduce((sum, bar) => sum + bar.spent_minor, 0)).toBe(expectedTotal);
      expect(bars.length).toBeLessThanOrEqual(maxBars);
      expect(bars.every((bar) => bar.spent_minor > 0)).toBe(true);
      const named = bars.filter((bar) => bar.id !== "other");
      for (let i = 1; i < named.length; i++)
        expect(named[i - 1]!.spent_minor).toBeGreaterThanOrEqual(named[i]!.spent_minor);
    }
  });

  it("summarizes income against expenses", () => {
    const months = [
      { month: "2026-10", income_minor: 500_000, expenses_minor: 300_000, net_minor: 200_000 },
      { month: "2026-11", income_minor: 100_000, expenses_minor: 250_000, net_minor: -150_000 },
    ];
    expect(summarizeFlows(months)).toEqual({
      incomeMinor: 600_000,
      expensesMinor: 550_000,
      netMinor: 50_000,
      monthsInSurplus: 1,
    });
    expect(describeFlows(months, USD)).toContain("1 of 2 months");
    expect(
      describeFlows([{ month: "2026-11", income_minor: 0, expenses_minor: 0, net_minor: 0 }], USD),
    ).toMatch(/^No income or expenses/);
  });
});
