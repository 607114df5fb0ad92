import { describe, expect, it } from "vitest";

import { buildRule, emptyRuleDraft, moved, type RuleDraft } from "@/features/rules/form";
import { offerAlwaysDoThis } from "@/features/rules/AlwaysDoThis";

const USD = { code: "USD", exponent: 2 };

function draft(change: Partial<RuleDraft>): RuleDraft {
  return { ...emptyRuleDraft(), name: "Shop", ...change };
}

describe("buildRule", () => {
  it("sends only the conditions and actions that were filled in, amounts in minor units", () => {
    const built = buildRule(
      draft({
        payeeValue: " corner ",
        minText: "-50",
        maxText: "-0.01",
        categoryId: "c1",
        tagsText: "food, food , shop",
      }),
      USD,
    );
    expect(built).toEqual({
      ok: true,
      body: {
        name: "Shop",
        enabled: true,
        conditions: {
          payee: { match: "contains", value: "corner" },
          min_amount_minor: -5000,
          max_amount_minor: -1,
        },
        actions: { category_id: "c1", tags: ["food", "shop"] },
      },
    });
  });

  it("asks for a condition, an action and a sane range", () => {
    const none = buildRule(draft({ payeeMatch: "any" }), USD);
    expect(none.ok).toBe(false);
    if (!none.ok) {
      expect(none.errors.conditions).toBeDefined();
      expect(none.errors.actions).toBeDefined();
    }
    const range = buildRule(
      draft({ payeeValue: "x", minText: "5", maxText: "1", newPayee: "X" }),
      USD,
    );
    expect(range.ok).toBe(false);
    if (!range.ok) expect(Object.keys(range.errors)).toEqual(["conditions.max_amount_minor"]);
  });

  it("needs the payee text unless any payee matches", () => {
    const built = buildRule(draft({ payeeMatch: "equals", payeeValue: " ", newPayee: "X" }), USD);
    expect(built.ok).toBe(false);
    if (!built.ok) expect(Object.keys(built.errors)).toEqual(["conditions.payee.value"]);
  });
});

describe("moved", () => {
  it("swaps with the neighbour and stays put at the ends", () => {
    expect(moved(["a", "b", "c"], 1, -1)).toEqual(["b", "a", "c"]);
    expect(moved(["a", "b", "c"], 1, 1)).toEqual(["a", "c", "b"]);
    expect(moved(["a", "b", "c"], 0, -1)).toEqual(["a", "b", "c"]);
    expect(moved(["a", "b", "c"], 2, 1)).toEqual(["a", "b", "c"]);
  });
});

describe("offerAlwaysDoThis", () => {
  const base = {
    isAdult: true,
    isTransfer: false,
    splitMode: false,
    payee: "Corner Shop",
    categoryId: "c2",
    savedCategoryId: "c1",
  };
  it("offers a rule when an adult changes the category of a plain transaction with a payee", () => {
    expect(offerAlwaysDoThis(base)).toBe(true);
    expect(offerAlwaysDoThis({ ...base, savedCategoryId: null })).toBe(true);
  });
  it.each([
    { isAdult: false },
    { isTransfer: true },
    { splitMode: true },
    { payee: "  " },
    { categoryId: "" },
    { categoryId: "c1" },
  ])("not when %o", (change) => {
    expect(offerAlwaysDoThis({ ...base, ...change })).toBe(false);
  });
});
