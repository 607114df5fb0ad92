import Link from "next/link";

import { Amount } from "@/components/ui/Amount";
import { cn } from "@/components/ui/cn";
import { transactionsHref, UNCATEGORIZED } from "@/features/transactions/filters";
import type { Currency } from "@/lib/money";

import type { BudgetMonth } from "./api";
import { monthAvailableMinor } from "./assign";

function Figure({
  label,
  minor,
  currency,
  note,
  emphasis = false,
  className,
}: {
  label: string;
  minor: number;
  currency: Currency;
  note?: string;
  emphasis?: boolean;
  className?: string;
}) {
  return (
    <div
      className={cn(
        "rounded-lg border border-border bg-card p-3",
        emphasis && minor < 0 && "border-danger bg-danger-bg",
        className,
      )}
    >
      <dt className="text-xs font-medium text-muted">{label}</dt>
      <dd className={cn("tabular", emphasis ? "text-2xl font-bold" : "text-lg font-semibold")}>
        <Amount minor={minor} currency={currency} />
        {note ? <span className="block text-xs font-normal text-danger">{note}</span> : null}
      </dd>
    </div>
  );
}

/** The month's totals as the API reports them, plus what is available over all categories. */
export function BudgetTotals({
  budget,
  currency,
  householdId,
}: {
  budget: BudgetMonth;
  currency: Currency;
  householdId: string;
}) {
  const { totals } = budget;
  return (
    <section aria-label="Month totals" className="mb-4">
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-5">
        {/* Each figure is a <div> straight inside the <dl>: a <dl> may group its terms in divs, one
            level deep, and nothing else. */}
        <Figure
          label="Left to assign"
          minor={totals.left_to_assign_minor}
          currency={currency}
          emphasis
          className="col-span-2 sm:col-span-1"
          {...(totals.left_to_assign_minor < 0 ? { note: "More assigned than received" } : {})}
        />
        <Figure label="Income" minor={totals.income_minor} currency={currency} />
        <Figure label="Assigned" minor={totals.assigned_minor} currency={currency} />
        <Figure label="Spent" minor={totals.spent_minor} currency={currency} />
        <Figure label="Available" minor={monthAvailableMinor(budget.groups)} currency={currency} />
      </dl>
      {totals.overspending_covered_minor !== 0 ? (
        <p className="mt-2 text-sm text-muted">
          <Amount minor={totals.overspending_covered_minor} currency={currency} /> of overspending
          in earlier months has come out of the money to assign.
        </p>
      ) : null}
      {totals.uncategorized_activity_minor !== 0 ? (
        <p className="mt-2 text-sm text-muted">
          <Amount minor={totals.uncategorized_activity_minor} currency={currency} /> of this
          month&apos;s activity has no category and is not in the budget.{" "}
          <Link
            href={transactionsHref(householdId, budget.month, UNCATEGORIZED)}
            className="inline-flex min-h-11 items-center font-medium text-primary underline"
          >
            Categorize it
          </Link>
        </p>
      ) : null}
    </section>
  );
}
