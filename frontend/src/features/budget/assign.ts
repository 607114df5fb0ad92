import { MAX_AMOUNT_MINOR, parseAmount, type Currency, type ParseResult } from "@/lib/money";

import { sumLines, type BudgetLineNumbers } from "./status";

/**
 * What someone typed into an "assigned" cell, in minor units. The API takes zero or more (zero
 * is a decision: "nothing this month"); an empty cell means zero too, so clearing it is natural.
 */
export function parseAssigned(text: string, currency: Currency, locale?: string): ParseResult {
  if (text.trim() === "") return { ok: true, minor: 0 };
  const parsed = parseAmount(text, currency, locale);
  if (!parsed.ok) return parsed;
  if (parsed.minor < 0)
    return { ok: false, error: "Assign zero or more; spending lowers what is available." };
  if (parsed.minor > MAX_AMOUNT_MINOR) return { ok: false, error: "That amount is too large." };
  return parsed;
}

/**
 * What is available over the whole month: every group's rows summed
 * (the API reports no such total).
 */
export function monthAvailableMinor(
  groups: ReadonlyArray<{ categories: readonly BudgetLineNumbers[] }>,
): number {
  return sumLines(groups.flatMap((group) => group.categories)).available_minor;
}

/**
 * True when any category already has money assigned this month (copying then only fills the gaps).
 */
export function hasAssignments(
  groups: ReadonlyArray<{ categories: readonly BudgetLineNumbers[] }>,
): boolean {
  return groups.some((group) => group.categories.some((line) => line.assigned_minor !== 0));
}

/** "Copied 3 categories from last month." / nothing-to-copy wording for the result notice. */
export function copyResultMessage(copiedCount: number, previousMonthLabel: string): string {
  if (copiedCount === 0)
    return `Nothing copied: no category budgeted in ${previousMonthLabel} is still without an amount this month.`;
  const noun = copiedCount === 1 ? "category" : "categories";
  return `Copied ${copiedCount} ${noun} from ${previousMonthLabel}.`;
}
