import { parseTags } from "@/features/transactions/form";
import { amountInputValue, parseAmount, type Currency } from "@/lib/money";

import type { Rule, RuleCreateBody } from "./api";

export type PayeeMatch = "any" | "contains" | "equals";

/** The rule form as typed: amounts as text, tags as one comma-separated line. */
export interface RuleDraft {
  name: string;
  enabled: boolean;
  payeeMatch: PayeeMatch;
  payeeValue: string;
  memoContains: string;
  minText: string;
  maxText: string;
  accountId: string;
  categoryId: string;
  newPayee: string;
  tagsText: string;
}

export type RuleDraftErrors = Partial<Record<string, string>>;

export function emptyRuleDraft(): RuleDraft {
  return {
    name: "",
    enabled: true,
    payeeMatch: "contains",
    payeeValue: "",
    memoContains: "",
    minText: "",
    maxText: "",
    accountId: "",
    categoryId: "",
    newPayee: "",
    tagsText: "",
  };
}

export function draftFromRule(rule: Rule, currency: Currency): RuleDraft {
  const { conditions, actions } = rule;
  const amount = (minor: number | null) =>
    minor === null ? "" : amountInputValue(minor, currency);
  return {
    name: rule.name,
    enabled: rule.enabled,
    payeeMatch: conditions.payee?.match ?? "any",
    payeeValue: conditions.payee?.value ?? "",
    memoContains: conditions.memo_contains ?? "",
    minText: amount(conditions.min_amount_minor),
    maxText: amount(conditions.max_amount_minor),
    accountId: conditions.account_id ?? "",
    categoryId: actions.category_id ?? "",
    newPayee: actions.payee ?? "",
    tagsText: actions.tags.join(", "),
  };
}

type Built = { ok: true; body: RuleCreateBody } | { ok: false; errors: RuleDraftErrors };

/**
 * The request body for a draft, or the errors to show at its fields. Field names match the API's
 * so that its errors land at the same fields ("conditions.min_amount_minor").
 */
export function buildRule(draft: RuleDraft, currency: Currency): Built {
  const errors: RuleDraftErrors = {};
  const amount = (text: string, field: string): number | null => {
    if (text.trim() === "") return null;
    const parsed = parseAmount(text, currency);
    if (parsed.ok) return parsed.minor;
    errors[field] = parsed.error;
    return null;
  };
  const min = amount(draft.minText, "conditions.min_amount_minor");
  const max = amount(draft.maxText, "conditions.max_amount_minor");
  if (min !== null && max !== null && min > max)
    errors["conditions.max_amount_minor"] = "Must not be below the lowest amount";
  const payeeValue = draft.payeeValue.trim();
  if (draft.payeeMatch !== "any" && payeeValue === "")
    errors["conditions.payee.value"] = "Enter the payee text, or match any payee";
  if (draft.name.trim() === "") errors.name = "Give the rule a name";

  // Built field by field; the schema's "at least one condition" is checked just below.
  const conditions: Partial<RuleCreateBody["conditions"]> = {};
  if (draft.payeeMatch !== "any" && payeeValue)
    conditions.payee = { match: draft.payeeMatch, value: payeeValue };
  if (draft.memoContains.trim()) conditions.memo_contains = draft.memoContains.trim();
  if (min !== null) conditions.min_amount_minor = min;
  if (max !== null) conditions.max_amount_minor = max;
  if (draft.accountId) conditions.account_id = draft.accountId;
  if (Object.keys(conditions).length === 0 && !errors["conditions.payee.value"])
    errors.conditions = "Add at least one condition";

  const tags = parseTags(draft.tagsText);
  const actions: Partial<RuleCreateBody["actions"]> = { tags };
  if (draft.categoryId) actions.category_id = draft.categoryId;
  if (draft.newPayee.trim()) actions.payee = draft.newPayee.trim();
  if (!actions.category_id && !actions.payee && tags.length === 0)
    errors.actions = "Add at least one action";

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    body: {
      name: draft.name.trim(),
      enabled: draft.enabled,
      // Sound: with no error, a condition and an action were set above.
      conditions: conditions as RuleCreateBody["conditions"],
      actions: actions as RuleCreateBody["actions"],
    },
  };
}

/** Move the rule at `index` one place up (-1) or down (+1); the ids in their new order. */
export function moved(ids: string[], index: number, by: -1 | 1): string[] {
  const target = index + by;
  if (target < 0 || target >= ids.length) return ids;
  const next = [...ids];
  [next[index], next[target]] = [next[target] as string, next[index] as string];
  return next;
}
