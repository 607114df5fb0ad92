"use client";

import { useState } from "react";

import { Amount } from "@/components/ui/Amount";
import { cn } from "@/components/ui/cn";
import { Dialog } from "@/components/ui/Dialog";
import { useHousehold, type CurrentHousehold } from "@/features/households/HouseholdContext";

import { formatMoney } from "@/lib/money";

import type { BudgetLine } from "./api";
import type { BudgetGridProps } from "./BudgetGrid";
import { Activity, Assigned, CategoryName } from "./BudgetLineParts";
import { CategoryOptions } from "./CategoryOptions";
import { budgetStatus, STATUS_AMOUNT_CLASSES, STATUS_LABELS, sumLines } from "./status";
import { StatusBadge } from "./StatusBadge";

/**
 * The budget on a phone: one line per category (its name and what is available, coloured by
 * status and with the status in words for screen readers); tapping a line opens a sheet with
 * everything the table shows for it, assigned amount editable.
 */
export function BudgetPhoneList({ month, groups, onSaveAssigned }: BudgetGridProps) {
  const household = useHousehold();
  const currency = household.currency;
  const [openId, setOpenId] = useState<string | null>(null);
  const allLines = groups.flatMap((group) => group.categories);
  // Looked up on every render, so the sheet shows the numbers just saved.
  const open = allLines.find((line) => line.category_id === openId);

  return (
    <div className="flex flex-col gap-4">
      {groups.map((group) => {
        const subtotal = sumLines(group.categories);
        return (
          <section key={group.group_id} aria-labelledby={`budget-group-${group.group_id}`}>
            <div className="mb-1 flex items-baseline justify-between gap-2 px-1">
              <h2 id={`budget-group-${group.group_id}`} className="min-w-0 truncate font-semibold">
                {group.name}
                {group.hidden ? <span className="ml-2 text-xs text-muted">(hidden)</span> : null}
              </h2>
              <p className="shrink-0 text-sm text-muted">
                <Amount minor={subtotal.available_minor} currency={currency} /> available
              </p>
            </div>
            <ul className="divide-y divide-border rounded-lg border border-border bg-card">
              {group.categories.map((line) => (
                <li key={line.category_id}>
                  <LineButton line={line} onOpen={() => setOpenId(line.category_id)} />
                </li>
              ))}
            </ul>
          </section>
        );
      })}
      <Dialog
        open={open !== undefined}
        onOpenChange={(isOpen) => !isOpen && setOpenId(null)}
        title={open ? open.name : ""}
      >
        {open ? (
          <LineSheet
            line={open}
            lines={allLines}
            month={month}
            onSaveAssigned={onSaveAssigned}
            household={household}
          />
        ) : null}
      </Dialog>
    </div>
  );
}

function LineButton({ line, onOpen }: { line: BudgetLine; onOpen: () => void }) {
  const { currency } = useHousehold();
  const status = budgetStatus(line);
  return (
    <button
      type="button"
      aria-haspopup="dialog"
      aria-label={`${line.name}: ${formatMoney(line.available_minor, currency)} available, ${STATUS_LABELS[status]}`}
      onClick={onOpen}
      className="flex min-h-12 w-full items-center justify-between gap-3 px-3 text-left hover:bg-bg"
    >
      <span className="min-w-0 truncate" title={line.name}>
        <CategoryName line={line} />
      </span>
      <span className="shrink-0 text-right">
        <Amount
          minor={line.available_minor}
          currency={currency}
          className={cn("font-semibold", STATUS_AMOUNT_CLASSES[status])}
        />
      </span>
    </button>
  );
}

function LineSheet({
  line,
  lines,
  month,
  onSaveAssigned,
  household,
}: {
  line: BudgetLine;
  lines: BudgetLine[];
  month: string;
  onSaveAssigned: BudgetGridProps["onSaveAssigned"];
  household: CurrentHousehold;
}) {
  const status = budgetStatus(line);
  return (
    <div className="flex flex-col gap-3">
      <StatusBadge status={status} className="self-start" />
      <dl className="grid grid-cols-3 gap-2 text-sm">
        <div className="flex flex-col">
          <dt className="text-xs text-muted">Assigned</dt>
          <dd>
            <Assigned household={household} line={line} onSaveAssigned={onSaveAssigned} />
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
              currency={household.currency}
              className={STATUS_AMOUNT_CLASSES[status]}
            />
          </dd>
        </div>
      </dl>
      <CategoryOptions household={household} month={month} line={line} lines={lines} />
    </div>
  );
}
