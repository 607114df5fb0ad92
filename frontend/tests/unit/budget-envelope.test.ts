import { describe, expect, it } from "vitest";

import {
  onBudgetByDefault,
  onBudgetChange,
  transferCrossesBudgetEdge,
} from "@/features/accounts/onBudget";
import {
  moveSources,
  overspentMinor,
  quickAssignMessage,
  targetSummary,
  type TargetedLine,
} from "@/features/budget/envelope";

const USD = { code: "USD", exponent: 2 };

describe("moving money", () => {
  const lines = [
    { category_id: "a", name: "Rent", available_minor: 500 },
    { category_id: "b", name: "Food", available_minor: -1250 },
    { category_id: "c", name: "Fun", available_minor: 9000 },
    { category_id: "d", name: "Gifts", available_minor: 0 },
    { category_id: "e", name: "Books", available_minor: 500 },
  ];

  it("covers exactly the overspent amount", () => {
    expect(overspentMinor(lines[1]!)).toBe(1250);
    expect(overspentMinor(lines[0]!)).toBe(0);
    expect(overspentMinor(lines[3]!)).toBe(0);
  });

  it("offers the other categories with money, the fullest first, ties by name", () => {
    expect(moveSources(lines, "b").map((line) => line.category_id)).toEqual(["c", "e", "a"]);
    expect(moveSources(lines, "c").map((line) => line.category_id)).toEqual(["e", "a"]);
  });
});

describe("targets", () => {
  const line = (overrides: Partial<TargetedLine>): TargetedLine => ({
    target: { kind: "monthly", amount_minor: 20000, month: null },
    target_status: "funded",
    target_needed_minor: 20000,
    underfunded_minor: 0,
    ...overrides,
  });

  it("says when there is none", () => {
    expect(targetSummary(line({ target: null, target_status: "none" }), USD)).toBe("No target");
  });

  it("says funded or how much more is needed", () => {
    expect(targetSummary(line({}), USD)).toBe("$200.00 every month: funded this month");
    expect(
      targetSummary(
        line({
          target: { kind: "by_date", amount_minor: 120000, month: "2026-06" },
          target_status: "underfunded",
          underfunded_minor: 2501,
        }),
        USD,
        "June 2026",
      ),
    ).toBe("$1,200.00 by June 2026: $25.01 more needed this month");
  });

  it("phrases quick assign results", () => {
    expect(quickAssignMessage(0)).toBe("Nothing needed changing.");
    expect(quickAssignMessage(1)).toBe("1 category's amount changed.");
    expect(quickAssignMessage(3)).toBe("3 categories' amounts changed.");
  });
});

describe("on budget", () => {
  it("defaults loans and investments to tracking", () => {
    expect(onBudgetByDefault("checking")).toBe(true);
    expect(onBudgetByDefault("credit_card")).toBe(true);
    expect(onBudgetByDefault("loan")).toBe(false);
    expect(onBudgetByDefault("investment")).toBe(false);
  });

  it("sends the shown value on create and only a change on edit", () => {
    expect(onBudgetChange(null, "loan")).toEqual({ on_budget: false });
    expect(onBudgetChange(true, "loan")).toEqual({ on_budget: true });
    expect(onBudgetChange(null, "loan", true)).toEqual({});
    expect(onBudgetChange(true, "loan", true)).toEqual({});
    expect(onBudgetChange(false, "cash", true)).toEqual({ on_budget: false });
  });
});

describe("transfers across the budget's edge", () => {
  it("take a category only between an on-budget and a tracking account", () => {
    const onBudget = { on_budget: true };
    const tracking = { on_budget: false };
    expect(transferCrossesBudgetEdge(onBudget, tracking)).toBe(true);
    expect(transferCrossesBudgetEdge(tracking, onBudget)).toBe(true);
    expect(transferCrossesBudgetEdge(onBudget, onBudget)).toBe(false);
    expect(transferCrossesBudgetEdge(tracking, tracking)).toBe(false);
    expect(transferCrossesBudgetEdge(onBudget, undefined)).toBe(false);
  });
});
