import fc from "fast-check";
import { describe, expect, it } from "vitest";

import {
  describeMerge,
  endOfGroupSortOrder,
  hiddenCount,
  MAX_SORT_ORDER,
  mergeTargets,
  nameError,
  visibleGroups,
} from "@/features/categories/logic";

interface TestCategory {
  id: string;
  name: string;
  is_income: boolean;
  hidden: boolean;
  sort_order: number;
}

const category = fc.record<TestCategory>({
  id: fc.uuid(),
  name: fc.string({ minLength: 1, maxLength: 10 }),
  is_income: fc.boolean(),
  hidden: fc.boolean(),
  sort_order: fc.integer({ min: 0, max: MAX_SORT_ORDER }),
});
const group = fc.record({
  id: fc.uuid(),
  name: fc.string({ minLength: 1, maxLength: 10 }),
  hidden: fc.boolean(),
  categories: fc.array(category, { maxLength: 6 }),
});
const groups = fc.array(group, { maxLength: 6 });

describe("visibleGroups and hiddenCount", () => {
  it("shows everything with the toggle on, and without it nothing hidden", () => {
    fc.assert(
      fc.property(groups, (all) => {
        expect(visibleGroups(all, true)).toEqual(all);
        const shown = visibleGroups(all, false);
        expect(shown.every((item) => !item.hidden && item.categories.every((c) => !c.hidden))).toBe(
          true,
        );
        expect(shown.map((item) => item.id)).toEqual(
          all.filter((item) => !item.hidden).map((item) => item.id),
        );
      }),
    );
  });

  it("counts what the toggle reveals: hidden groups, and hidden categories of shown groups", () => {
    fc.assert(
      fc.property(groups, (all) => {
        const hiddenGroups = all.filter((item) => item.hidden).length;
        const shownCategories = visibleGroups(all, false).reduce(
          (sum, item) => sum + item.categories.length,
          0,
        );
        const categoriesOfShownGroups = all
          .filter((item) => !item.hidden)
          .reduce((sum, item) => sum + item.categories.length, 0);
        expect(hiddenCount(all)).toBe(hiddenGroups + categoriesOfShownGroups - shownCategories);
      }),
    );
  });
});

describe("mergeTargets", () => {
  it("offers every other category of the same sort, and nothing else", () => {
    fc.assert(
      fc.property(groups, fc.nat(), (all, pick) => {
        const everything = all.flatMap((item) => item.categories);
        fc.pre(everything.length > 0);
        const source = everything[pick % everything.length]!;
        const offered = mergeTargets(all, source).flatMap((item) => item.categories);
        const expected = everything.filter(
          (item) => item.id !== source.id && item.is_income === source.is_income,
        );
        expect(offered).toEqual(expected);
        expect(mergeTargets(all, source).every((item) => item.categories.length > 0)).toBe(true);
      }),
    );
  });
});

describe("endOfGroupSortOrder", () => {
  it("places a moved category after every category of the group, within the API's limit", () => {
    fc.assert(
      fc.property(group, (target) => {
        const order = endOfGroupSortOrder(target);
        expect(order).toBeLessThanOrEqual(MAX_SORT_ORDER);
        for (const item of target.categories)
          expect(order > item.sort_order || item.sort_order === MAX_SORT_ORDER).toBe(true);
      }),
    );
    expect(endOfGroupSortOrder({ categories: [] })).toBe(0);
    expect(endOfGroupSortOrder(undefined)).toBe(0);
    expect(endOfGroupSortOrder({ categories: [{ sort_order: 3 }, { sort_order: 0 }] })).toBe(4);
  });
});

describe("nameError", () => {
  it("asks for a name of 1 to 100 characters", () => {
    expect(nameError("   ")).toBe("Enter a name");
    expect(nameError("a".repeat(101))).toBe("Use at most 100 characters");
    expect(nameError(` ${"é".repeat(100)} `)).toBeUndefined();
    expect(nameError("🐶".repeat(100))).toBeUndefined();
  });
});

describe("describeMerge", () => {
  it("reports what the API moved, with singular and plural", () => {
    expect(
      describeMerge("Dining out", "Groceries", {
        moved_transactions: 136,
        moved_split_lines: 0,
        moved_budget_months: 18,
      }),
    ).toBe(
      "“Dining out” was merged into “Groceries”: 136 transactions, 0 split lines and 18 months of budget moved.",
    );
    expect(
      describeMerge("A", "B", {
        moved_transactions: 1,
        moved_split_lines: 1,
        moved_budget_months: 1,
      }),
    ).toBe("“A” was merged into “B”: 1 transaction, 1 split line and 1 month of budget moved.");
  });
});
