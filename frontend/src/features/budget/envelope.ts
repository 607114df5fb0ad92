/**
 * Pure helpers for moving money, targets and quick assign on the budget page. Integer minor
 * units only; the server does the month math (docs/budgeting.md), these only phrase it.
 */
import { formatMoney, type Currency } from "@/lib/money";

export interface MovableLine {
  category_id: string;
  name: string;
  available_minor: number;
}

export interface TargetedLine {
  target: { kind: "monthly" | "by_date"; amount_minor: number; month: string | null } | null;
  target_status: "none" | "funded" | "underfunded";
  target_needed_minor: number;
  underfunded_minor: number;
}

/** What covering a category's overspending takes: its negative available, as a positive amount. */
export function overspentMinor(line: Pick<MovableLine, "available_minor">): number {
  return line.available_minor < 0 ? -line.available_minor : 0;
}

/**
 * Categories money can come from for `toCategoryId`: every other category with money available,
 * the ones holding the most first (ties by name), so covering overspending starts with the
 * likeliest source.
 */
export function moveSources<T extends MovableLine>(lines: readonly T[], toCategoryId: string): T[] {
  return lines
    .filter((line) => line.category_id !== toCategoryId && line.available_minor > 0)
    .sort((a, b) => b.available_minor - a.available_minor || a.name.localeCompare(b.name));
}

/** The sentence beside a category's target: what it is and how this month stands. */
export function targetSummary(line: TargetedLine, currency: Currency, monthLabel?: string): string {
  const { target } = line;
  if (!target) return "No target";
  const amount = formatMoney(target.amount_minor, currency);
  const what =
    target.kind === "monthly"
      ? `${amount} every month`
      : `${amount} by ${monthLabel ?? target.month ?? ""}`.trim();
  if (line.target_status === "underfunded")
    return `${what}: ${formatMoney(line.underfunded_minor, currency)} more needed this month`;
  return `${what}: funded this month`;
}

export const QUICK_ASSIGN_LABELS = {
  fund_targets: "Fund underfunded targets",
  last_month: "Assigned last month",
  average_3_months: "Average spent (3 months)",
} as const;

/** What a quick assign did, in one sentence. */
export function quickAssignMessage(changed: number): string {
  if (changed === 0) return "Nothing needed changing.";
  return changed === 1 ? "1 category's amount changed." : `${changed} categories' amounts changed.`;
}
