import { describe, expect, it } from "vitest";

import {
  buildTransaction,
  directionAfterTyping,
  draftFromTransaction,
  emptyDraft,
  newSplitLine,
  parseTags,
  splitIsComplete,
  updateBody,
  withPayee,
  withPrefill,
  type Transaction,
} from "@/features/transactions/form";
import { formatMoney } from "@/lib/money";

const EUR = { code: "EUR", exponent: 2 };
const ACCOUNT = "0b7c6a52-5d0e-4f43-9a53-2f1f6b1e8a10";
const FOOD = "7f9e1d2c-3b4a-4c5d-8e6f-a1b2c3d4e5f6";
const HOME = "8f9e1d2c-3b4a-4c5d-8e6f-a1b2c3d4e5f6";
const format = (minor: number) => formatMoney(minor, EUR, { locale: "en-US" });

function draft(change: Partial<ReturnType<typeof emptyDraft>> = {}) {
  return { ...emptyDraft(ACCOUNT, "2026-11-25"), ...change };
}

describe("buildTransaction", () => {
  it("makes an expense negative and an income positive", () => {
    const expense = buildTransaction(
      draft({ amountText: "12.50", payee: " Shop ", categoryId: FOOD, tagsText: "a, b, a" }),
      EUR,
      format,
      "en-US",
    );
    expect(expense).toEqual({
      ok: true,
      body: {
        account_id: ACCOUNT,
        posted_on: "2026-11-25",
        amount_minor: -1250,
        payee: "Shop",
        memo: "",
        category_id: FOOD,
        status: "posted",
        cleared: "uncleared",
        tags: ["a", "b"],
        splits: [],
      },
    });
    const income = buildTransaction(
      draft({ amountText: "1,000.05", direction: "income" }),
      EUR,
      format,
      "en-US",
    );
    expect(income.ok && income.body.amount_minor).toBe(100005);
  });

  it("reports missing fields under the API's field names", () => {
    const result = buildTransaction(draft({ accountId: "", amountText: "" }), EUR, format, "en-US");
    expect(result.ok).toBe(false);
    expect(!result.ok && Object.keys(result.errors).sort()).toEqual(["account_id", "amount_minor"]);
  });

  it("sends split lines in the total's direction and no parent category", () => {
    const lines = [newSplitLine("60", FOOD), newSplitLine("40.00", HOME)];
    const result = buildTransaction(
      draft({ amountText: "100", categoryId: FOOD, splitMode: true, lines }),
      EUR,
      format,
      "en-US",
    );
    expect(result.ok && result.body.category_id).toBeNull();
    expect(result.ok && result.body.splits?.map((line) => line.amount_minor)).toEqual([
      -6000, -4000,
    ]);
  });

  it("blocks a split that does not add up, saying how much is left", () => {
    const lines = [newSplitLine("60", FOOD), newSplitLine("30", HOME)];
    const result = buildTransaction(
      draft({ amountText: "100", splitMode: true, lines }),
      EUR,
      format,
      "en-US",
    );
    expect(result).toEqual({ ok: false, errors: { splits: "€10.00 is left to assign." } });
    expect(splitIsComplete({ amountText: "100", lines }, EUR, "en-US")).toBe(false);
    expect(splitIsComplete({ amountText: "90", lines }, EUR, "en-US")).toBe(true);
  });

  it("puts a zero or unreadable line's error on that line", () => {
    const lines = [newSplitLine("100", FOOD), newSplitLine("0", HOME), newSplitLine("abc", HOME)];
    const result = buildTransaction(
      draft({ amountText: "100", splitMode: true, lines }),
      EUR,
      format,
      "en-US",
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors["splits.1.amount_minor"]).toBe("A line cannot be zero");
    expect(!result.ok && result.errors["splits.2.amount_minor"]).toMatch(/number/);
  });
});

describe("editing", () => {
  const transaction: Transaction = {
    id: "t1",
    account_id: ACCOUNT,
    posted_on: "2026-11-02",
    amount_minor: -9000,
    payee: "Market",
    memo: "",
    category_id: null,
    status: "pending",
    cleared: "uncleared",
    tags: ["weekly"],
    splits: [
      { id: "s1", category_id: FOOD, amount_minor: -10000, memo: "" },
      { id: "s2", category_id: HOME, amount_minor: 1000, memo: "refund" },
    ],
    transfer: null,
    receipt_count: 0,
    version: 3,
    created_at: "2026-11-02T10:00:00Z",
    updated_at: "2026-11-02T10:00:00Z",
  };

  it("prefills positive amounts, a refund line as negative, and round-trips to the same body", () => {
    const prefilled = draftFromTransaction(transaction, EUR, "en-US");
    expect(prefilled).toMatchObject({
      direction: "expense",
      amountText: "90.00",
      pending: true,
      splitMode: true,
      tagsText: "weekly",
    });
    expect(prefilled.lines.map((line) => line.amountText)).toEqual(["100.00", "-10.00"]);
    const built = buildTransaction(prefilled, EUR, format, "en-US");
    expect(built.ok && built.body.splits?.map((line) => line.amount_minor)).toEqual([-10000, 1000]);
    expect(built.ok && built.body.amount_minor).toBe(-9000);
  });

  it("sends a teen's edit as categorization and tags only", () => {
    const built = buildTransaction(
      draftFromTransaction(transaction, EUR, "en-US"),
      EUR,
      format,
      "en-US",
    );
    if (!built.ok) throw new Error("draft should build");
    expect(
      Object.keys(updateBody(built.body, { isAdult: false, isTransfer: false })).sort(),
    ).toEqual(["category_id", "splits", "tags"]);
    expect(updateBody(built.body, { isAdult: true, isTransfer: true })).not.toHaveProperty(
      "category_id",
    );
  });
});

describe("small helpers", () => {
  it("reads a typed minus as an expense", () => {
    expect(directionAfterTyping("-5", "income")).toBe("expense");
    expect(directionAfterTyping("5", "income")).toBe("income");
  });

  it("splits tags on commas without blanks or repeats", () => {
    expect(parseTags(" food ,, Holiday 2024,food ")).toEqual(["food", "Holiday 2024"]);
  });
});

describe("withPrefill (a transaction made from a receipt)", () => {
  it("takes the receipt's date, merchant and total as an expense", () => {
    const prefilled = withPrefill(
      draft(),
      { postedOn: "2026-11-28", payee: "CORNER GROCERY", amountMinor: -647 },
      EUR,
      "en-US",
    );
    expect(prefilled).toMatchObject({
      postedOn: "2026-11-28",
      payee: "CORNER GROCERY",
      amountText: "6.47",
      direction: "expense",
      accountId: ACCOUNT,
    });
    const built = buildTransaction(prefilled, EUR, format, "en-US");
    expect(built.ok && built.body.amount_minor).toBe(-647);
  });

  it("keeps the draft's own values for what the receipt did not say", () => {
    const prefilled = withPrefill(draft({ payee: "Typed" }), { amountMinor: null }, EUR);
    expect(prefilled).toEqual(draft({ payee: "Typed", lines: prefilled.lines }));
  });
});

describe("withPayee", () => {
  const suggestions = [
    { payee: "Green Grocer", category_id: FOOD },
    { payee: "Green Bank", category_id: null },
  ];

  it("fills in a known payee's usual category", () => {
    expect(withPayee(draft(), "Green Grocer", suggestions)).toMatchObject({
      payee: "Green Grocer",
      categoryId: FOOD,
    });
  });

  it("keeps a category already chosen, a split, and unknown or uncategorized payees alone", () => {
    expect(withPayee(draft({ categoryId: HOME }), "Green Grocer", suggestions).categoryId).toBe(
      HOME,
    );
    expect(withPayee(draft({ splitMode: true }), "Green Grocer", suggestions).categoryId).toBe("");
    expect(withPayee(draft(), "Green Gro", suggestions)).toMatchObject({
      payee: "Green Gro",
      categoryId: "",
    });
    expect(withPayee(draft(), "Green Bank", suggestions).categoryId).toBe("");
  });
});
