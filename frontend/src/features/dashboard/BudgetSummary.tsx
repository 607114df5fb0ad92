"use client";

import Link from "next/link";

import { Amount } from "@/components/ui/Amount";
import { Card } from "@/components/ui/Card";
import { cn } from "@/components/ui/cn";
import type { BudgetMonth } from "@/features/budget/api";
import {
  budgetStatus,
  closestToLimit,
  spentOfAssignedPercent,
  usedPercent,
} from "@/features/budget/status";

import { ATTENTION_PERCENT, needsAttention } from "./logic";
import { StatusBadge } from "@/features/budget/StatusBadge";
import type { Currency } from "@/lib/money";

function leftToAssignNote(totals: BudgetMonth["totals"]): string {
  if (totals.left_to_assign_minor > 0) return "Income not yet given a job.";
  if (totals.left_to_assign_minor < 0)
    return "More is assigned than has come in: lower some amounts.";
  if (totals.income_minor === 0 && totals.assigned_minor === 0)
    return "No income recorded yet: record a paycheck to have money to assign.";
  return "Every bit of income has a job.";
}

/** Left to assign, and spent against budgeted, for the month. */
export function BudgetSummaryCards({
  budget,
  currency,
  budgetHref,
}: {
  budget: BudgetMonth;
  currency: Currency;
  budgetHref: string;
}) {
  const { totals } = budget;
  const percent = spentOfAssignedPercent(totals.spent_minor, totals.assigned_minor);
  const over = percent !== null && percent > 100;
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <Card title="Left to assign">
        <p
          className={cn(
            "tabular text-3xl font-bold",
            totals.left_to_assign_minor < 0 && "text-danger",
          )}
        >
          <Amount minor={totals.left_to_assign_minor} currency={currency} />
        </p>
        <p className="mt-1 text-sm text-muted">
          {leftToAssignNote(totals)}{" "}
          <Link
            href={budgetHref}
            className="inline-flex min-h-11 items-center font-medium text-primary underline"
          >
            Open the budget
          </Link>
        </p>
      </Card>
      <Card title="Spent vs budgeted">
        <p className="text-lg">
          <Amount minor={totals.spent_minor} currency={currency} className="text-2xl font-bold" />{" "}
          <span className="text-muted">of</span>{" "}
          <Amount minor={totals.assigned_minor} currency={currency} className="font-semibold" />
        </p>
        {percent === null ? (
          <p className="mt-1 text-sm text-muted">Nothing is budgeted this month yet.</p>
        ) : (
          <>
            <div className="mt-2 h-3 overflow-hidden rounded-full bg-bg" aria-hidden="true">
              <div
                className={cn(
                  "h-full rounded-full",
                  over ? "bg-danger" : percent >= 90 ? "bg-warning" : "bg-success",
                )}
                style={{ width: `${Math.min(percent, 100)}%` }}
              />
            </div>
            <p className={cn("mt-1 text-sm", over ? "text-danger" : "text-muted")}>
              {percent}% of this month&apos;s budget spent{over ? " — over budget" : ""}.
            </p>
          </>
        )}
      </Card>
    </div>
  );
}

/**
 * Only the categories that need attention this month (overspent, or 80 % or more of their money
 * gone), the most urgent first.
 */
export function WatchList({
  budget,
  currency,
  budgetHref,
}: {
  budget: BudgetMonth;
  currency: Currency;
  budgetHref: string;
}) {
  const attention = budget.groups.flatMap((group) => group.categories).filter(needsAttention);
  const lines = closestToLimit(attention, attention.length);
  return (
    <Card
      title="Needs attention"
      action={
        <Link
          href={budgetHref}
          className="inline-flex min-h-11 items-center text-sm font-medium text-primary underline"
        >
          Budget
        </Link>
      }
    >
      {lines.length === 0 ? (
        <p className="text-sm text-muted">
          No category is overspent or has used {ATTENTION_PERCENT} % of its money.
        </p>
      ) : (
        <ul className="flex flex-col divide-y divide-border">
          {lines.map((line) => {
            const status = budgetStatus(line);
            const used = usedPercent(line);
            return (
              <li key={line.category_id} className="flex items-center justify-between gap-3 py-2">
                <div className="min-w-0">
                  <p className="truncate font-medium">{line.name}</p>
                  <p className="text-xs text-muted">
                    <Amount minor={line.available_minor} currency={currency} /> available
                    {used !== null ? ` · ${used}% used` : ""}
                  </p>
                </div>
                <StatusBadge status={status} />
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
