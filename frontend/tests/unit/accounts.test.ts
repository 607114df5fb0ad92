import fc from "fast-check";
import { describe, expect, it } from "vitest";

import {
  accountFormBody,
  accountValues,
  newAccountValues,
  type AccountFormValues,
} from "@/features/accounts/form";
import {
  ACCOUNT_KINDS,
  accountCurrency,
  accountTotals,
  classifyBalance,
  describeNetWorth,
  formatWholeMoney,
  groupAccountsByKind,
  isLiabilityKind,
  type AccountBalance,
  type AccountKind,
} from "@/features/accounts/logic";
import { MAX_AMOUNT_MINOR, type Currency } from "@/lib/money";

const USD: Currency = { code: "USD", exponent: 2 };
const JPY: Currency = { code: "JPY", exponent: 0 };
const KWD: Currency = { code: "KWD", exponent: 3 };

const balances = fc.integer({ min: -MAX_AMOUNT_MINOR, max: MAX_AMOUNT_MINOR });
const kinds = fc.constantFrom(...ACCOUNT_KINDS);
const account = (currencies: string[] = ["USD"]) =>
  fc.record<AccountBalance>({
    name: fc.string({ minLength: 1, maxLength: 12 }),
    kind: kinds,
    currency: fc.constantFrom(...currencies),
    balance_minor: balances,
    archived_at: fc.option(fc.constant("2026-01-01T00:00:00Z"), { nil: null }),
  });

describe("classifyBalance", () => {
  it("splits every balance into a non-negative debt and an asset that add back to it", () => {
    fc.assert(
      fc.property(kinds, balances, (kind, balance) => {
        const { assetMinor, liabilityMinor } = classifyBalance(kind, balance);
        expect(liabilityMinor).toBeGreaterThanOrEqual(0);
        expect(assetMinor - liabilityMinor).toBe(balance);
        expect(assetMinor === 0 || liabilityMinor === 0).toBe(true);
      }),
    );
  });

  it("counts only credit cards and loans below zero as debts", () => {
    fc.assert(
      fc.property(kinds, balances, (kind, balance) => {
        const { liabilityMinor } = classifyBalance(kind, balance);
        expect(liabilityMinor > 0).toBe(isLiabilityKind(kind) && balance < 0);
      }),
    );
    expect(classifyBalance("checking", -500)).toEqual({ assetMinor: -500, liabilityMinor: 0 });
    expect(classifyBalance("credit_card", 300)).toEqual({ assetMinor: 300, liabilityMinor: 0 });
    expect(classifyBalance("loan", -120_000)).toEqual({ assetMinor: 0, liabilityMinor: 120_000 });
  });
});

describe("accountTotals", () => {
  it("net worth is assets minus debts and equals the plain sum of balances in the household currency", () => {
    fc.assert(
      fc.property(fc.array(account(["USD", "EUR"]), { maxLength: 30 }), (accounts) => {
        const totals = accountTotals(accounts, "USD");
        const inCurrency = accounts.filter((item) => item.currency === "USD");
        expect(totals.netWorthMinor).toBe(totals.assetsMinor - totals.liabilitiesMinor);
        expect(totals.netWorthMinor).toBe(
          inCurrency.reduce((sum, item) => sum + item.balance_minor, 0),
        );
        expect(totals.liabilitiesMinor).toBeGreaterThanOrEqual(0);
        expect(totals.otherCurrencyCount).toBe(accounts.length - inCurrency.length);
      }),
    );
  });

  it("does not depend on the order of the accounts", () => {
    fc.assert(
      fc.property(
        fc.array(account(), { maxLength: 20 }),
        fc.integer({ min: 0, max: 1000 }),
        (accounts, shift) => {
          const rotated = accounts.map((_, index) => accounts[(index + shift) % accounts.length]!);
          expect(accountTotals(rotated, "USD")).toEqual(accountTotals(accounts, "USD"));
        },
      ),
    );
  });

  it("adds up a household's typical accounts", () => {
    const accounts: AccountBalance[] = [
      {
        name: "Checking",
        kind: "checking",
        currency: "USD",
        balance_minor: 2_165_651,
        archived_at: null,
      },
      {
        name: "Card",
        kind: "credit_card",
        currency: "USD",
        balance_minor: -8_461,
        archived_at: null,
      },
      {
        name: "Old loan",
        kind: "loan",
        currency: "USD",
        balance_minor: -100_000,
        archived_at: "2025-01-01T00:00:00Z",
      },
      {
        name: "Euro savings",
        kind: "savings",
        currency: "EUR",
        balance_minor: 50_000,
        archived_at: null,
      },
    ];
    expect(accountTotals(accounts, "USD")).toEqual({
      assetsMinor: 2_165_651,
      liabilitiesMinor: 108_461,
      netWorthMinor: 2_057_190,
      otherCurrencyCount: 1,
    });
  });

  it("is zero for no accounts", () => {
    expect(accountTotals([], "USD")).toEqual({
      assetsMinor: 0,
      liabilitiesMinor: 0,
      netWorthMinor: 0,
      otherCurrencyCount: 0,
    });
  });
});

describe("groupAccountsByKind", () => {
  it("keeps every shown account exactly once, in kind order, open before archived, by name", () => {
    fc.assert(
      fc.property(
        fc.array(account(), { maxLength: 30 }),
        fc.boolean(),
        (accounts, includeArchived) => {
          const groups = groupAccountsByKind(accounts, { includeArchived });
          const shown = groups.flatMap((group) => group.accounts);
          const expected = accounts.filter((item) => includeArchived || item.archived_at === null);
          expect(shown).toHaveLength(expected.length);
          expect(new Set(shown)).toEqual(new Set(expected));
          const kindOrder = groups.map((group) => ACCOUNT_KINDS.indexOf(group.kind));
          expect(kindOrder).toEqual([...kindOrder].sort((a, b) => a - b));
          for (const group of groups) {
            expect(group.accounts.length).toBeGreaterThan(0);
            expect(group.accounts.every((item) => item.kind === group.kind)).toBe(true);
            const archivedFlags = group.accounts.map((item) => item.archived_at !== null);
            expect(archivedFlags).toEqual([...archivedFlags].sort((a, b) => Number(a) - Number(b)));
          }
        },
      ),
    );
  });

  it("sorts names as people read them", () => {
    const make = (name: string, kind: AccountKind = "checking"): AccountBalance => ({
      name,
      kind,
      currency: "USD",
      balance_minor: 0,
      archived_at: null,
    });
    const groups = groupAccountsByKind(
      [make("savings 10"), make("Savings 2"), make("card", "credit_card"), make("apple")],
      { includeArchived: false },
    );
    expect(groups.map((group) => [group.kind, group.accounts.map((item) => item.name)])).toEqual([
      ["checking", ["apple", "Savings 2", "savings 10"]],
      ["credit_card", ["card"]],
    ]);
  });
});

describe("accountCurrency", () => {
  it("takes the account's own code and exponent, the household's when there is no account", () => {
    expect(accountCurrency({ currency: "JPY", currency_exponent: 0 }, USD)).toEqual(JPY);
    expect(accountCurrency({ currency: "KWD", currency_exponent: 3 }, USD)).toEqual({
      code: "KWD",
      exponent: 3,
    });
    expect(accountCurrency(undefined, JPY)).toBe(JPY);
  });
});

describe("formatWholeMoney", () => {
  it("rounds to whole units of any exponent", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
        fc.constantFrom(USD, JPY, KWD),
        (minor, currency) => {
          const whole = Math.round(minor / 10 ** currency.exponent);
          const digits = formatWholeMoney(minor, currency, "en-US").replace(/\D/g, "");
          expect(Number(digits)).toBe(Math.abs(whole));
        },
      ),
    );
    expect(formatWholeMoney(5_207_579, USD, "en-US")).toBe("$52,076");
    expect(formatWholeMoney(-49, USD, "en-US")).toBe("$0");
  });
});

describe("describeNetWorth", () => {
  const point = (month: string, net: number) => ({
    month,
    assets_minor: net,
    liabilities_minor: 0,
    net_worth_minor: net,
  });
  const label = (month: string) => month;

  it("says where net worth went over the period", () => {
    expect(
      describeNetWorth(
        [point("2026-01", 100_00), point("2026-02", 50_00), point("2026-03", 150_00)],
        USD,
        label,
        "en-US",
      ),
    ).toBe(
      "Net worth rose by $50.00, from $100.00 at the end of 2026-01 to $150.00 at the end of 2026-03.",
    );
    expect(
      describeNetWorth([point("2026-01", 100_00), point("2026-02", -20_00)], USD, label, "en-US"),
    ).toContain("fell by $120.00");
    expect(
      describeNetWorth([point("2026-01", 0), point("2026-02", 0)], USD, label, "en-US"),
    ).toContain("stayed the same, from");
    expect(describeNetWorth([point("2026-01", 7)], USD, label, "en-US")).toBe(
      "Net worth at the end of 2026-01: $0.07.",
    );
    expect(describeNetWorth([], USD, label)).toBe("No net worth history yet.");
  });
});

describe("accountFormBody", () => {
  const valid = (overrides: Partial<AccountFormValues> = {}): AccountFormValues => ({
    ...newAccountValues("2026-11-25"),
    name: "Checking",
    ...overrides,
  });

  it("turns any opening balance it offered for editing back into the same minor units", () => {
    fc.assert(
      fc.property(balances, fc.constantFrom(USD, JPY, KWD), (minor, currency) => {
        const values = accountValues(
          {
            name: "A",
            kind: "savings",
            opening_balance_minor: minor,
            opened_on: "2024-02-29",
            shared_with_user_ids: [],
          },
          currency,
          "en-US",
        );
        const result = accountFormBody(values, currency, "en-US");
        expect(result.ok && result.body.opening_balance_minor).toBe(minor);
      }),
    );
  });

  it("reads an empty opening balance as zero and trims the name", () => {
    expect(accountFormBody(valid({ name: "  Cash  ", openingBalance: " " }), USD)).toEqual({
      ok: true,
      body: {
        name: "Cash",
        kind: "checking",
        opening_balance_minor: 0,
        opened_on: "2026-11-25",
        shared_with_user_ids: [],
      },
    });
  });

  it("reports each field to correct under the API's field name", () => {
    const result = accountFormBody(
      valid({ name: " ", openingBalance: "12.345", openedOn: "" }),
      USD,
      "en-US",
    );
    expect(result).toEqual({
      ok: false,
      errors: {
        name: "Enter a name",
        opening_balance_minor: "USD has at most 2 decimal places",
        opened_on: "Enter the date the account was opened",
      },
    });
    expect(accountFormBody(valid({ name: "x".repeat(101) }), USD)).toMatchObject({
      ok: false,
      errors: { name: "Use at most 100 characters" },
    });
    expect(accountFormBody(valid({ name: "😀".repeat(100) }), USD).ok).toBe(true);
  });

  it("sends each shared teen once", () => {
    const result = accountFormBody(valid({ sharedWith: ["b", "a", "b"] }), USD);
    expect(result.ok && result.body.shared_with_user_ids).toEqual(["a", "b"]);
  });
});
