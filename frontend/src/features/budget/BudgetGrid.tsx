"use client";

import Link from "next/link";

import { Amount } from "@/components/ui/Amount";
import { cn } from "@/components/ui/cn";
import { useHousehold, type CurrentHousehold } from "@/features/households/HouseholdContext";
import { transactionsHref } from "@/features/transactions/filters";

import type { BudgetGroup, BudgetLine } from "./api";
import { AssignedEditor } from "./AssignedEditor";
import { CategoryOptions } from "./CategoryOptions";
import { budgetStatus, STATUS_AMOUNT_CLASSES, sumLines } from "./status";
import { StatusBadge } from "./StatusBadge";
import { useIsWide } from "./useIsWide";

export interface BudgetGridProps {
  month: string;
  groups: BudgetGroup[];
  onSaveAssigned: (categoryId: string, assignedMinor: number) => Promise<unknown>;
}

/** The month's categories by group: a table from the `sm` breakpoint, cards on a phone. */
export function BudgetGrid(props: BudgetGridProps) {
  const wide = useIsWide();
  return wide ? <BudgetTable {...props} /> : <BudgetCards {...props} />;
}

function CategoryName({ line }: { line: BudgetLine }) {
  return (
    <>
      <span className="font-medium">{line.name}</span>
      {line.hidden ? <span className="ml-2 text-xs text-muted">(hidden)</span> : null}
    </>
  );
}

function Assigned({
  household,
  line,
  onSaveAssigned,
}: {
  household: CurrentHousehold;
  line: BudgetLine;
  onSaveAssigned: BudgetGridProps["onSaveAssigned"];
}) {
  if (!household.isAdult)
    return <Amount minor={line.assigned_minor} currency={household.currency} />;
  return (
    <AssignedEditor
      categoryName={line.name}
      assignedMinor={line.assigned_minor}
      currency={household.currency}
      onSave={(assignedMinor) => onSaveAssigned(line.category_id, assignedMinor)}
    />
  );
}

function Activity({
  household,
  month,
  line,
}: {
  household: CurrentHousehold;
  month: string;
  line: BudgetLine;
}) {
  return (
    <Link
      href={transactionsHref(household.id, month, line.category_id)}
      className="inline-flex min-h-11 items-center justify-end rounded-md px-1 underline-offset-2 hover:underline"
    >
      <span className="sr-only">Transactions in {line.name}, activity </span>
      <Amount minor={line.activity_minor} currency={household.currency} />
    </Link>
  );
}

function BudgetTable({ month, groups, onSaveAssigned }: BudgetGridProps) {
  const household = useHousehold();
  const allLines = groups.flatMap((group) => group.categories);
  const currency = household.currency;
  return (
    <div className="overflow-x-auto rounded-lg border border-border bg-card">
      <table className="w-full text-sm">
        <caption className="sr-only">Budget by category: assigned, activity and available</caption>
        <thead>
          <tr className="border-b border-border text-left text-muted">
            <th scope="col" className="px-3 py-2 font-medium">
              Category
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Status
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Assigned
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Activity
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Available
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Target and options
            </th>
          </tr>
        </thead>
        {groups.map((group) => {
          const subtotal = sumLines(group.categories);
          return (
            <tbody key={group.group_id} className="border-b border-border last:border-0">
              <tr className="bg-bg">
                <th scope="rowgroup" colSpan={2} className="px-3 py-2 text-left font-semibold">
                  {group.name}
                  {group.hidden ? (
                    <span className="ml-2 text-xs font-normal text-muted">(hidden)</span>
                  ) : null}
                </th>
                <td className="px-3 py-2 text-right font-semibold">
                  <Amount minor={subtotal.assigned_minor} currency={currency} />
                </td>
                <td className="px-3 py-2 text-right font-semibold">
                  <Amount minor={subtotal.activity_minor} currency={currency} />
                </td>
                <td className="px-3 py-2 text-right font-semibold">
                  <Amount minor={subtotal.available_minor} currency={currency} />
                </td>
                <td />
              </tr>
              {group.categories.map((line) => {
                const status = budgetStatus(line);
                return (
                  <tr key={line.category_id} className="border-t border-border">
                    <th scope="row" className="px-3 py-1 text-left font-normal">
                      <CategoryName line={line} />
                    </th>
                    <td className="px-3 py-1">
                      <StatusBadge status={status} />
                    </td>
                    <td className="w-40 px-3 py-1 text-right align-top">
                      <Assigned household={household} line={line} onSaveAssigned={onSaveAssigned} />
                    </td>
                    <td className="px-3 py-1 text-right">
                      <Activity household={household} month={month} line={line} />
                    </td>
                    <td
                      className={cn(
                        "px-3 py-1 text-right font-semibold",
                        STATUS_AMOUNT_CLASSES[status],
                      )}
                    >
                      <Amount
                        minor={line.available_minor}
                        currency={currency}
                        className={STATUS_AMOUNT_CLASSES[status]}
                      />
                    </td>
                    <td className="px-3 py-1">
                      <CategoryOptions
                        household={household}
                        month={month}
                        line={line}
                        lines={allLines}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          );
        })}
      </table>
    </div>
  );
}

function BudgetCards({ month, groups, onSaveAssigned }: BudgetGridProps) {
  const household = useHousehold();
  const allLines = groups.flatMap((group) => group.categories);
  const currency = household.currency;
  return (
    <div className="flex flex-col gap-5">
      {groups.map((group) => {
        const subtotal = sumLines(group.categories);
        return (
          <section key={group.group_id} aria-labelledby={`budget-group-${group.group_id}`}>
            <div className="mb-2 flex items-baseline justify-between gap-2 px-1">
              <h2 id={`budget-group-${group.group_id}`} className="font-semibold">
                {group.name}
              </h2>
              <p className="text-sm text-muted">
                <Amount minor={subtotal.available_minor} currency={currency} /> available
              </p>
            </div>
            <ul className="flex flex-col gap-2">
              {group.categories.map((line) => {
                const status = budgetStatus(line);
                return (
                  <li
                    key={line.category_id}
                    className="rounded-lg border border-border bg-card p-3"
                  >
                    <div className="flex items-start justify-between gap-2">
                      <h3 className="min-w-0 break-words">
                        <CategoryName line={line} />
                      </h3>
                      <StatusBadge status={status} />
                    </div>
                    <dl className="mt-2 grid grid-cols-3 gap-2 text-sm">
                      <div className="flex flex-col">
                        <dt className="text-xs text-muted">Assigned</dt>
                        <dd>
                          <Assigned
                            household={household}
                            line={line}
                            onSaveAssigned={onSaveAssigned}
                          />
                        </dd>
                      </div>
                      <div className="flex flex-col items-end">
                        <dt className="text-xs text-muted">Activity</dt>
                        <dd>
                          <Activity household={household} month={month} line={line} />
                        </dd>
                      </div>
                      <div className="flex flex-col items-end">
                        <dt className="text-xs text-muted">Available</dt>
                        <dd className="flex min-h-11 items-center font-semibold">
                          <Amount
                            minor={line.available_minor}
                            currency={currency}
                            className={STATUS_AMOUNT_CLASSES[status]}
                          />
                        </dd>
                      </div>
                    </dl>
                    <CategoryOptions
                      household={household}
                      month={month}
                      line={line}
                      lines={allLines}
                    />
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
