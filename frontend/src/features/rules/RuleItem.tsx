"use client";

import { Button } from "@/components/ui/Button";
import { useHousehold } from "@/features/households/HouseholdContext";
import { formatMoney, type Currency } from "@/lib/money";

import type { Rule } from "./api";

/** "Payee contains “corner” · from -$50.00 · on Joint checking" */
export function conditionsText(
  rule: Rule,
  currency: Currency,
  accountNames: Map<string, string>,
): string {
  const { payee, memo_contains, min_amount_minor, max_amount_minor, account_id } = rule.conditions;
  const parts: string[] = [];
  if (payee) parts.push(`Payee ${payee.match === "equals" ? "is" : "contains"} “${payee.value}”`);
  if (memo_contains) parts.push(`memo contains “${memo_contains}”`);
  const money = (minor: number) => formatMoney(minor, currency);
  if (min_amount_minor !== null && max_amount_minor !== null)
    parts.push(`amount from ${money(min_amount_minor)} to ${money(max_amount_minor)}`);
  else if (min_amount_minor !== null) parts.push(`amount at least ${money(min_amount_minor)}`);
  else if (max_amount_minor !== null) parts.push(`amount at most ${money(max_amount_minor)}`);
  if (account_id) parts.push(`on ${accountNames.get(account_id) ?? "an account"}`);
  return parts.join(" · ");
}

/** "Category: Groceries · payee: Amazon · tags: shop, online" */
export function actionsText(rule: Rule, categoryNames: Map<string, string>): string {
  const { category_id, payee, tags } = rule.actions;
  const parts: string[] = [];
  if (category_id) parts.push(`Category: ${categoryNames.get(category_id) ?? "…"}`);
  if (payee) parts.push(`payee: ${payee}`);
  if (tags.length > 0) parts.push(`tags: ${tags.join(", ")}`);
  return parts.join(" · ") || "Nothing (its category was deleted)";
}

export function RuleItem({
  rule,
  index,
  last,
  categoryNames,
  accountNames,
  busy,
  onMove,
  onEdit,
  onApply,
  onDelete,
}: {
  rule: Rule;
  index: number;
  last: boolean;
  categoryNames: Map<string, string>;
  accountNames: Map<string, string>;
  busy: boolean;
  onMove: (by: -1 | 1) => void;
  onEdit: () => void;
  onApply: () => void;
  onDelete: () => void;
}) {
  const household = useHousehold();
  return (
    <li
      className="flex flex-col gap-2 rounded-lg border border-border bg-card p-3 shadow-sm sm:flex-row sm:items-center sm:justify-between"
      aria-label={rule.name}
    >
      <div className="min-w-0">
        <p className="font-medium">
          <span className="mr-2 text-muted tabular">{index + 1}.</span>
          {rule.name}
          {rule.enabled ? null : (
            <span className="ml-2 rounded bg-bg px-1.5 py-0.5 text-xs text-muted">Off</span>
          )}
        </p>
        <p className="text-sm text-muted">
          When: {conditionsText(rule, household.currency, accountNames)}
        </p>
        <p className="text-sm text-muted">Then: {actionsText(rule, categoryNames)}</p>
      </div>
      <div className="flex flex-wrap gap-1">
        <Button
          variant="ghost"
          size="sm"
          aria-label={`Move ${rule.name} up`}
          disabled={index === 0 || busy}
          onClick={() => onMove(-1)}
        >
          ↑
        </Button>
        <Button
          variant="ghost"
          size="sm"
          aria-label={`Move ${rule.name} down`}
          disabled={last || busy}
          onClick={() => onMove(1)}
        >
          ↓
        </Button>
        <Button variant="secondary" size="sm" onClick={onEdit} aria-label={`Edit ${rule.name}`}>
          Edit
        </Button>
        <Button variant="secondary" size="sm" onClick={onApply}>
          Apply to existing<span className="sr-only"> transactions: {rule.name}</span>
        </Button>
        <Button variant="ghost" size="sm" onClick={onDelete} aria-label={`Delete ${rule.name}`}>
          Delete
        </Button>
      </div>
    </li>
  );
}
