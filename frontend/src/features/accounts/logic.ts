import type { components } from "@/api/schema";
import { formatMoney, type Currency } from "@/lib/money";

export type AccountKind = components["schemas"]["AccountKind"];

/** The fields of an account the pure functions here need (AccountRead has them all). */
export interface AccountBalance {
  name: string;
  kind: AccountKind;
  currency: string;
  balance_minor: number;
  archived_at: string | null;
}

/** Display order: where money sits first, then what is owed. */
export const ACCOUNT_KINDS: readonly AccountKind[] = [
  "checking",
  "savings",
  "cash",
  "investment",
  "credit_card",
  "loan",
];

export const KIND_LABELS: Readonly<Record<AccountKind, string>> = {
  checking: "Checking",
  savings: "Savings",
  cash: "Cash",
  investment: "Investment",
  credit_card: "Credit card",
  loan: "Loan",
};

/** Plural headings for the grouped list. */
export const KIND_GROUP_LABELS: Readonly<Record<AccountKind, string>> = {
  checking: "Checking accounts",
  savings: "Savings accounts",
  cash: "Cash",
  investment: "Investments",
  credit_card: "Credit cards",
  loan: "Loans",
};

const LIABILITY_KINDS: ReadonlySet<AccountKind> = new Set<AccountKind>(["credit_card", "loan"]);

export function isLiabilityKind(kind: AccountKind): boolean {
  return LIABILITY_KINDS.has(kind);
}

/**
 * (asset, liability) of one balance, the rule the net-worth report uses
 * (backend reports/service.py classify_balance): a credit card or loan below zero is a debt of
 * that size, reported positive; every other balance — a card in credit, an overdrawn checking
 * account — is an asset, possibly negative.
 */
export function classifyBalance(
  kind: AccountKind,
  balanceMinor: number,
): { assetMinor: number; liabilityMinor: number } {
  if (isLiabilityKind(kind) && balanceMinor < 0)
    return { assetMinor: 0, liabilityMinor: -balanceMinor };
  return { assetMinor: balanceMinor, liabilityMinor: 0 };
}

export interface AccountTotals {
  assetsMinor: number;
  liabilitiesMinor: number;
  netWorthMinor: number;
  /** Accounts in another currency than the household's: they cannot be added up. */
  otherCurrencyCount: number;
}

/**
 * Assets, debts and net worth of the accounts in the household's currency. Archived accounts
 * count with whatever they still hold, as in the net-worth report, so the totals here and the
 * chart's latest month agree.
 */
export function accountTotals(
  accounts: readonly AccountBalance[],
  householdCurrencyCode: string,
): AccountTotals {
  let assetsMinor = 0;
  let liabilitiesMinor = 0;
  let otherCurrencyCount = 0;
  for (const account of accounts) {
    if (account.currency !== householdCurrencyCode) {
      otherCurrencyCount += 1;
      continue;
    }
    const { assetMinor, liabilityMinor } = classifyBalance(account.kind, account.balance_minor);
    assetsMinor += assetMinor;
    liabilitiesMinor += liabilityMinor;
  }
  return {
    assetsMinor,
    liabilitiesMinor,
    netWorthMinor: assetsMinor - liabilitiesMinor,
    otherCurrencyCount,
  };
}

export interface KindGroup<T extends AccountBalance> {
  kind: AccountKind;
  accounts: T[];
}

const nameCollator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

/**
 * Accounts grouped by kind in ACCOUNT_KINDS order, by name inside a group (open accounts before
 * archived ones); empty groups and, unless asked for, archived accounts are left out.
 */
export function groupAccountsByKind<T extends AccountBalance>(
  accounts: readonly T[],
  options: { includeArchived: boolean },
): KindGroup<T>[] {
  const shown = accounts.filter(
    (account) => options.includeArchived || account.archived_at === null,
  );
  return ACCOUNT_KINDS.map((kind) => ({
    kind,
    accounts: shown
      .filter((account) => account.kind === kind)
      .sort(
        (a, b) =>
          Number(a.archived_at !== null) - Number(b.archived_at !== null) ||
          nameCollator.compare(a.name, b.name),
      ),
  })).filter((group) => group.accounts.length > 0);
}

/**
 * The currency an account's amounts are in. An account may hold another currency than the
 * household's; the API reports each account's minor-unit exponent beside its code.
 */
export function accountCurrency(
  account: Pick<components["schemas"]["AccountRead"], "currency" | "currency_exponent"> | undefined,
  householdCurrency: Currency,
): Currency {
  if (!account) return householdCurrency;
  return { code: account.currency, exponent: account.currency_exponent };
}

/** An axis label: the amount rounded to whole units ("$52,076"), so ticks stay short. */
export function formatWholeMoney(minor: number, currency: Currency, locale?: string): string {
  const scale = 10 ** currency.exponent;
  const whole = Math.round(minor / scale);
  return formatMoney(
    whole === 0 ? 0 : whole,
    { code: currency.code, exponent: 0 },
    locale ? { locale } : {},
  );
}

export interface NetWorthPoint {
  month: string;
  assets_minor: number;
  liabilities_minor: number;
  net_worth_minor: number;
}

/** One sentence describing the chart for people who cannot see it. */
export function describeNetWorth(
  points: readonly NetWorthPoint[],
  currency: Currency,
  formatMonthLabel: (month: string) => string,
  locale?: string,
): string {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) return "No net worth history yet.";
  const money = (minor: number) => formatMoney(minor, currency, locale ? { locale } : {});
  const lastEnd = `the end of ${formatMonthLabel(last.month)}`;
  if (first === last) return `Net worth at ${lastEnd}: ${money(last.net_worth_minor)}.`;
  const firstEnd = `the end of ${formatMonthLabel(first.month)}`;
  const change = last.net_worth_minor - first.net_worth_minor;
  const direction = change > 0 ? "rose" : change < 0 ? "fell" : "stayed the same";
  const by = change === 0 ? "" : ` by ${money(Math.abs(change))}`;
  const from = `${money(first.net_worth_minor)} at ${firstEnd}`;
  const to = `${money(last.net_worth_minor)} at ${lastEnd}`;
  return `Net worth ${direction}${by}, from ${from} to ${to}.`;
}
