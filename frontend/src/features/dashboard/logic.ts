/** What the dashboard's charts and summaries show, computed from the report responses. */
import { formatMoney, type Currency } from "@/lib/money";

export interface SpendingBar {
  /** A category id, or "other" for the categories folded together. */
  id: string;
  name: string;
  spent_minor: number;
}

interface SpendingGroupLike {
  name: string;
  categories: ReadonlyArray<{ category_id: string; name: string; spent_minor: number }>;
}

/**
 * The categories money went to, largest first; beyond `maxBars - 1` the rest become one "Other"
 * bar so the chart stays readable on a phone. Net refunds (spent < 0) and zeros are left out, and
 * uncategorized outflow gets its own bar.
 */
export function spendingBars(
  groups: readonly SpendingGroupLike[],
  uncategorizedMinor: number,
  maxBars: number,
): SpendingBar[] {
  const bars: SpendingBar[] = groups
    .flatMap((group) => group.categories)
    .filter((category) => category.spent_minor > 0)
    .map((category) => ({
      id: category.category_id,
      name: category.name,
      spent_minor: category.spent_minor,
    }));
  if (uncategorizedMinor > 0)
    bars.push({ id: "uncategorized", name: "Uncategorized", spent_minor: uncategorizedMinor });
  bars.sort((a, b) => b.spent_minor - a.spent_minor);
  if (bars.length <= maxBars) return bars;
  const kept = bars.slice(0, Math.max(0, maxBars - 1));
  const rest = bars.slice(kept.length).reduce((sum, bar) => sum + bar.spent_minor, 0);
  return [...kept, { id: "other", name: "Other categories", spent_minor: rest }];
}

/** One sentence for screen readers and the chart's caption. */
export function describeSpending(
  bars: readonly SpendingBar[],
  totalMinor: number,
  currency: Currency,
): string {
  if (bars.length === 0) return "No spending recorded this month yet.";
  const top = bars[0]!;
  const total = formatMoney(totalMinor, currency);
  const topSpent = formatMoney(top.spent_minor, currency);
  return `${total} spent this month; the most went to ${top.name} (${topSpent}).`;
}

export interface MonthFlowLike {
  month: string;
  income_minor: number;
  expenses_minor: number;
  net_minor: number;
}

/** Totals over the months shown and how many of them ended with more coming in than going out. */
export function summarizeFlows(months: readonly MonthFlowLike[]): {
  incomeMinor: number;
  expensesMinor: number;
  netMinor: number;
  monthsInSurplus: number;
} {
  let incomeMinor = 0;
  let expensesMinor = 0;
  let monthsInSurplus = 0;
  for (const month of months) {
    incomeMinor += month.income_minor;
    expensesMinor += month.expenses_minor;
    if (month.net_minor > 0) monthsInSurplus += 1;
  }
  return { incomeMinor, expensesMinor, netMinor: incomeMinor - expensesMinor, monthsInSurplus };
}

export function describeFlows(months: readonly MonthFlowLike[], currency: Currency): string {
  if (months.length === 0) return "No months to show.";
  const summary = summarizeFlows(months);
  if (summary.incomeMinor === 0 && summary.expensesMinor === 0)
    return `No income or expenses recorded in the last ${months.length} months.`;
  const net =
    summary.netMinor >= 0
      ? `${formatMoney(summary.netMinor, currency)} saved`
      : `${formatMoney(-summary.netMinor, currency)} more spent than earned`;
  const income = formatMoney(summary.incomeMinor, currency);
  const expenses = formatMoney(summary.expensesMinor, currency);
  const inSurplus = `${summary.monthsInSurplus} of ${months.length} months`;
  return (
    `Over the last ${months.length} months: ${income} income, ${expenses} expenses, ${net}; ` +
    `${inSurplus} ended with more coming in than going out.`
  );
}

/** A category needs attention from this share of what it had to spend. */
export const ATTENTION_PERCENT = 80;

interface BudgetLineLike {
  /** Signed: spending is negative, refunds positive. */
  activity_minor: number;
  available_minor: number;
}

/**
 * Whether a category needs looking at: overspent (less than nothing available), or with at least
 * 80 % of what it had to spend this month (assigned plus rollover, i.e. available minus activity)
 * already gone. Integer arithmetic: spent × 100 ≥ to-spend × 80.
 */
export function needsAttention(line: BudgetLineLike): boolean {
  if (line.available_minor < 0) return true;
  const spent = line.activity_minor < 0 ? -line.activity_minor : 0;
  const toSpend = line.available_minor - line.activity_minor;
  if (spent === 0 || toSpend <= 0) return false;
  return spent * 100 >= toSpend * ATTENTION_PERCENT;
}

/**
 * The months from the first one with any income or expenses on: a household that started two
 * months ago sees two bars, not ten empty months before them. Empty months after the first one
 * with data stay (a quiet month is information). No month with data: none.
 */
export function fromFirstMonthWithData<T extends MonthFlowLike>(months: readonly T[]): T[] {
  const first = months.findIndex((month) => month.income_minor !== 0 || month.expenses_minor !== 0);
  return first === -1 ? [] : months.slice(first);
}
