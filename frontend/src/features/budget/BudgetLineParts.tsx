"use client";

import Link from "next/link";

import { Amount } from "@/components/ui/Amount";
import type { CurrentHousehold } from "@/features/households/HouseholdContext";
import { transactionsHref } from "@/features/transactions/filters";

import type { BudgetLine } from "./api";
import { AssignedEditor } from "./AssignedEditor";
import type { BudgetGridProps } from "./BudgetGrid";

/* The cells of one budget line, shared by the table and the phone list's line sheet. */

export function CategoryName({ line }: { line: BudgetLine }) {
  return (
    <>
      <span className="font-medium">{line.name}</span>
      {line.hidden ? <span className="ml-2 text-xs text-muted">(hidden)</span> : null}
    </>
  );
}

export function Assigned({
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

export function Activity({
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
