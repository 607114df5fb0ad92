/**
 * How a budget category is doing this month, and the sums the budget screens show. Pure
 * functions on integer minor units, so the grid, its phone cards and the dashboard agree.
 */

/** The numbers of one category line, as GET /budgets/{month} reports them. */
export interface BudgetLineNumbers {
  assigned_minor: number;
  /** Signed: spending is negative, refunds positive. */
  activity_minor: number;
  available_minor: number;
}

export type BudgetStatus = "overspent" | "fully_spent" | "near_limit" | "on_track" | "unbudgeted";

/** Share of the money available to spend that, once spent, puts a category near its limit. */
export const NEAR_LIMIT_PERCENT = 90;

/** Net outflow of the month (refunds count against it); never below zero. */
export function spentMinor(line: Pick<BudgetLineNumbers, "activity_minor">): number {
  return line.activity_minor < 0 ? -line.activity_minor : 0;
}

/**
 * What the category had to spend this month before any of it was spent: this month's assignment
 * plus whatever rolled over (positive or negative), i.e. available minus this month's activity.
 */
export function availableToSpendMinor(
  line: Pick<BudgetLineNumbers, "activity_minor" | "available_minor">,
): number {
  return line.available_minor - line.activity_minor;
}

/**
 * - overspent: available below zero;
 * - fully spent: exactly nothing left after spending (a bill paid as planned is not a warning);
 * - near limit: still at or above zero, but spent ≥ 90% of what was available to spend;
 * - unbudgeted: nothing spent and nothing available (a category nobody planned for this month);
 * - on track: everything else.
 * The comparison stays in integers (spent × 100 ≥ budget × 90): amounts are at most ±10^13, so
 * the products stay far below 2^53.
 */
export function budgetStatus(line: BudgetLineNumbers): BudgetStatus {
  if (line.available_minor < 0) return "overspent";
  const spent = spentMinor(line);
  if (spent === 0) return line.available_minor > 0 ? "on_track" : "unbudgeted";
  if (line.available_minor === 0) return "fully_spent";
  // available ≥ 0 and spent > 0 here, so what there was to spend is positive.
  return spent * 100 >= availableToSpendMinor(line) * NEAR_LIMIT_PERCENT
    ? "near_limit"
    : "on_track";
}

export const STATUS_LABELS: Readonly<Record<BudgetStatus, string>> = {
  overspent: "Overspent",
  fully_spent: "Fully spent",
  near_limit: "Near limit",
  on_track: "On track",
  unbudgeted: "Not budgeted",
};

/** Tailwind classes of the status badge: text and background tokens that meet AA in both themes. */
export const STATUS_BADGE_CLASSES: Readonly<Record<BudgetStatus, string>> = {
  overspent: "bg-danger-bg text-danger border-danger",
  fully_spent: "bg-bg text-fg border-border",
  near_limit: "bg-warning-bg text-warning border-warning",
  on_track: "bg-success-bg text-success border-success",
  unbudgeted: "bg-bg text-muted border-border",
};

/** Text colour of an available amount in the grid. */
export const STATUS_AMOUNT_CLASSES: Readonly<Record<BudgetStatus, string>> = {
  overspent: "text-danger",
  fully_spent: "text-fg",
  near_limit: "text-warning",
  on_track: "text-success",
  unbudgeted: "text-muted",
};

/**
 * How much of what was available to spend has gone, as a whole percentage (rounded down, 0 when
 * there was nothing to spend and nothing spent). Over 100 when the category is overspent; null
 * when money was spent from a category that had nothing to spend.
 */
export function usedPercent(line: BudgetLineNumbers): number | null {
  const spent = spentMinor(line);
  const toSpend = availableToSpendMinor(line);
  if (toSpend <= 0) return spent === 0 ? 0 : null;
  return Math.floor((spent * 100) / toSpend);
}

export interface BudgetSums {
  assigned_minor: number;
  activity_minor: number;
  available_minor: number;
}

/** The subtotal of a group: each column summed over its rows. */
export function sumLines(lines: readonly BudgetLineNumbers[]): BudgetSums {
  let assigned = 0;
  let activity = 0;
  let available = 0;
  for (const line of lines) {
    assigned += line.assigned_minor;
    activity += line.activity_minor;
    available += line.available_minor;
  }
  return { assigned_minor: assigned, activity_minor: activity, available_minor: available };
}

const STATUS_RANK: Readonly<Record<BudgetStatus, number>> = {
  overspent: 0,
  fully_spent: 1,
  near_limit: 2,
  on_track: 3,
  unbudgeted: 4,
};

/**
 * The categories most in need of attention, at most `count`: overspent first (deepest first),
 * then by the share already spent (highest first). Categories with nothing to spend and nothing
 * spent are left out; ties keep the budget's display order.
 */
export function closestToLimit<T extends BudgetLineNumbers>(
  lines: readonly T[],
  count: number,
): T[] {
  const ranked = lines
    .map((line, index) => ({ line, index, status: budgetStatus(line) }))
    .filter((entry) => entry.status !== "unbudgeted");
  ranked.sort((a, b) => {
    const byStatus = STATUS_RANK[a.status] - STATUS_RANK[b.status];
    if (byStatus !== 0) return byStatus;
    if (a.status === "overspent") {
      const byDepth = a.line.available_minor - b.line.available_minor;
      if (byDepth !== 0) return byDepth;
    } else {
      const byShare = compareUsedShare(b.line, a.line);
      if (byShare !== 0) return byShare;
    }
    return a.index - b.index;
  });
  return ranked.slice(0, Math.max(0, count)).map((entry) => entry.line);
}

/** spent(a)/toSpend(a) against spent(b)/toSpend(b) by cross-multiplying (both budgets > 0 here). */
function compareUsedShare(a: BudgetLineNumbers, b: BudgetLineNumbers): number {
  const left = BigInt(spentMinor(a)) * BigInt(Math.max(availableToSpendMinor(b), 1));
  const right = BigInt(spentMinor(b)) * BigInt(Math.max(availableToSpendMinor(a), 1));
  return left === right ? 0 : left > right ? 1 : -1;
}

/**
 * Spent against budgeted for the month, for the dashboard: the percentage (rounded down) of
 * what was assigned that has been spent, or null when nothing was assigned.
 */
export function spentOfAssignedPercent(spent: number, assigned: number): number | null {
  if (assigned <= 0) return null;
  return Math.floor((Math.max(spent, 0) * 100) / assigned);
}
