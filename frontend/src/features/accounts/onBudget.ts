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
