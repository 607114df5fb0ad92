"use client";

import { Amount } from "@/components/ui/Amount";
import { cn } from "@/components/ui/cn";
import { useHousehold } from "@/features/households/HouseholdContext";

import type { BudgetGroup } from "./api";
import { BudgetPhoneList } from "./BudgetPhoneList";
import { Activity, Assigned, CategoryName } from "./BudgetLineParts";
import { CategoryOptions } from "./CategoryOptions";
import { budgetStatus, STATUS_AMOUNT_CLASSES, sumLines } from "./status";
import { StatusBadge } from "./StatusBadge";
import { useIsWide } from "./useIsWide";

export interface BudgetGridProps {
  month: string;
  groups: BudgetGroup[];
  onSaveAssigned: (categoryId: string, assignedMinor: number) => Promise<unknown>;
}

/**
 * The month's categories by group: a table from the `sm` breakpoint, a dense list on a phone
 * (one line per category, tapped to edit).
 */
export function BudgetGrid(props: BudgetGridProps) {
  const wide = useIsWide();
  return wide ? <BudgetTable {...props} /> : <BudgetPhoneList {...props} />;
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
