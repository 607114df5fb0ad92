import type { AccountKind } from "./logic";

/** Loans and investments are tracking accounts unless chosen otherwise (as the API defaults). */
export function onBudgetByDefault(kind: AccountKind): boolean {
  return kind !== "loan" && kind !== "investment";
}

/**
 * The on_budget to send: on create, whatever the box shows (chosen, or the kind's default); on
 * edit, only when it changed, so saving a rename does not flip someone else's choice.
 */
export function onBudgetChange(
  chosen: boolean | null,
  kind: AccountKind,
  current?: boolean,
): { on_budget?: boolean } {
  const value = chosen ?? current ?? onBudgetByDefault(kind);
  if (current === undefined) return { on_budget: value };
  return value === current ? {} : { on_budget: value };
}

/**
 * A transfer between an on-budget and a tracking account crosses the budget's edge: its
 * on-budget leg is spending or income and can take a category (a mortgage payment into the loan
 * account is spending in "Mortgage"). Between two on-budget (or two tracking) accounts it cannot.
 */
export function transferCrossesBudgetEdge(
  from: { on_budget: boolean } | undefined,
  to: { on_budget: boolean } | undefined,
): boolean {
  return from !== undefined && to !== undefined && from.on_budget !== to.on_budget;
}
