"use client";

import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useState } from "react";

import { Alert } from "@/components/ui/Alert";
import { EmptyState, PageHeader, Spinner } from "@/components/ui/Card";
import { useHousehold } from "@/features/households/HouseholdContext";
import { currentMonth, formatMonth, isMonth } from "@/lib/dates";

import { useBudgetMonth, useSetAssignment } from "./api";
import { hasAssignments } from "./assign";
import { BudgetGrid } from "./BudgetGrid";
import { BudgetTotals } from "./BudgetTotals";
import { CopyLastMonth } from "./CopyLastMonth";
import { MonthNav } from "./MonthNav";
import { QuickAssign } from "./QuickAssign";

export function BudgetPage() {
  const household = useHousehold();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const requested = searchParams.get("month");
  const month = requested && isMonth(requested) ? requested : currentMonth();
  const budget = useBudgetMonth(household.id, month);
  const setAssignment = useSetAssignment(household.id, month);
  // A notice belongs to the month it was shown for.
  const [notice, setNotice] = useState<{ month: string; text: string } | null>(null);

  const goTo = useCallback(
    (next: string) => {
      const params = new URLSearchParams(searchParams.toString());
      if (next === currentMonth()) params.delete("month");
      else params.set("month", next);
      const query = params.toString();
      router.push(query ? `${pathname}?${query}` : pathname, { scroll: false });
    },
    [pathname, router, searchParams],
  );

  const { mutateAsync } = setAssignment;
  const onSaveAssigned = useCallback(
    (categoryId: string, assignedMinor: number) => mutateAsync({ categoryId, assignedMinor }),
    [mutateAsync],
  );

  const data = budget.data;
  return (
    <div>
      <PageHeader
        title={`Budget · ${formatMonth(month)}`}
        actions={
          <>
            <MonthNav month={month} onChange={goTo} />
            {household.isAdult && data ? (
              <CopyLastMonth
                householdId={household.id}
                month={month}
                monthHasAssignments={hasAssignments(data.groups)}
                onCopied={(text) => setNotice({ month, text })}
              />
            ) : null}
            {household.isAdult && data ? (
              <QuickAssign
                householdId={household.id}
                month={month}
                onDone={(text) => setNotice({ month, text })}
              />
            ) : null}
          </>
        }
      >
        {!household.isAdult ? (
          <p className="text-sm text-muted">
            Adults in the household plan the budget; you can follow how it is going.
          </p>
        ) : null}
      </PageHeader>

      {notice && notice.month === month ? (
        <Alert tone="success" className="mb-4">
          {notice.text}
        </Alert>
      ) : null}
      {budget.isPending ? <Spinner label="Loading the budget" /> : null}
      {budget.isError ? <Alert>{budget.error.message}</Alert> : null}
      {data ? (
        <>
          <BudgetTotals budget={data} currency={household.currency} householdId={household.id} />
          {data.groups.length === 0 ? (
            <EmptyState title="No spending categories yet">
              {household.isAdult ? (
                <>
                  Create categories such as groceries or rent, then come back to give each one an
                  amount for the month.{" "}
                  <Link
                    href={`/h/${household.id}/categories`}
                    className="font-medium text-primary underline"
                  >
                    Set up categories
                  </Link>
                </>
              ) : (
                "An adult in the household has not set up any spending categories yet."
              )}
            </EmptyState>
          ) : (
            <>
              {household.isAdult && !hasAssignments(data.groups) ? (
                <p className="mb-3 text-sm text-muted">
                  Nothing is assigned for {formatMonth(month)} yet: select an amount to set it, or
                  copy last month.
                </p>
              ) : null}
              <BudgetGrid month={month} groups={data.groups} onSaveAssigned={onSaveAssigned} />
            </>
          )}
        </>
      ) : null}
    </div>
  );
}
