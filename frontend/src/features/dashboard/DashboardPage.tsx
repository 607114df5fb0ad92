"use client";

import dynamic from "next/dynamic";
import Link from "next/link";

import { Card, ChartPlaceholder, PageHeader, Spinner } from "@/components/ui/Card";
import { RetryAlert } from "@/components/ui/RetryAlert";
import { useAccounts } from "@/features/accounts/api";
import { useBudgetMonth } from "@/features/budget/api";
import { hasAssignments } from "@/features/budget/assign";
import { useHousehold } from "@/features/households/HouseholdContext";
import { currentMonth, formatMonth } from "@/lib/dates";

import { AccountBalances } from "./AccountBalances";
import { BudgetSummaryCards, WatchList } from "./BudgetSummary";
import { RecentTransactions } from "./RecentTransactions";

// The charting library is the largest part of this page's JavaScript: it loads after the numbers
// the family came for, which render without waiting for it.
const SpendingChart = dynamic(
  () => import("./SpendingChart").then((module) => module.SpendingChart),
  {
    loading: () => <ChartPlaceholder title="Spending by category" />,
  },
);
const IncomeExpensesChart = dynamic(
  () => import("./IncomeExpensesChart").then((module) => module.IncomeExpensesChart),
  {
    loading: () => <ChartPlaceholder title="Income vs expenses" />,
  },
);

const LINK = "inline-flex min-h-11 items-center font-medium text-primary underline";

/** The next steps of a household that has no accounts or no budget for the month yet. */
function GettingStarted({
  householdId,
  hasAccounts,
  hasBudget,
  isAdult,
}: {
  householdId: string;
  hasAccounts: boolean;
  hasBudget: boolean;
  isAdult: boolean;
}) {
  if (!isAdult) {
    if (hasAccounts) return null;
    return (
      <Card title="Welcome">
        <p className="text-sm text-muted">
          No accounts are shared with you yet. Ask an adult in the household to share one, then your
          spending shows up here.
        </p>
      </Card>
    );
  }
  if (hasAccounts && hasBudget) return null;
  return (
    <Card title="Get started">
      <ol className="flex list-decimal flex-col gap-2 pl-5 text-sm">
        <li className={hasAccounts ? "text-muted line-through" : undefined}>
          Add the accounts your money is in (checking, savings, cards) with their current balance.{" "}
          {hasAccounts ? (
            <span className="sr-only">Done.</span>
          ) : (
            <Link href={`/h/${householdId}/accounts`} className={LINK}>
              Add an account
            </Link>
          )}
        </li>
        <li>
          Budget the month: give each category an amount from the money you have.{" "}
          <Link href={`/h/${householdId}/budget`} className={LINK}>
            Budget {formatMonth(currentMonth())}
          </Link>
        </li>
        <li>
          Record what you spend and earn.{" "}
          <Link href={`/h/${householdId}/transactions`} className={LINK}>
            Go to transactions
          </Link>
        </li>
      </ol>
    </Card>
  );
}

export function DashboardPage() {
  const household = useHousehold();
  const month = currentMonth();
  const budget = useBudgetMonth(household.id, month);
  const accounts = useAccounts(household.id);
  const budgetHref = `/h/${household.id}/budget`;

  return (
    <div className="flex flex-col gap-4">
      <PageHeader title="Dashboard">
        <p className="text-sm text-muted">
          {household.name} · {formatMonth(month)}
        </p>
      </PageHeader>
      {accounts.data && budget.data ? (
        <GettingStarted
          householdId={household.id}
          hasAccounts={accounts.data.length > 0}
          hasBudget={hasAssignments(budget.data.groups)}
          isAdult={household.isAdult}
        />
      ) : null}
      {budget.isPending ? <Spinner label="Loading this month's budget" /> : null}
      {budget.isError ? (
        <RetryAlert
          error={budget.error}
          onRetry={() => budget.refetch()}
          retrying={budget.isFetching}
        />
      ) : null}
      {budget.data ? (
        <BudgetSummaryCards
          budget={budget.data}
          currency={household.currency}
          budgetHref={budgetHref}
        />
      ) : null}
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2 [&>*]:min-w-0">
        {budget.data ? (
          <WatchList budget={budget.data} currency={household.currency} budgetHref={budgetHref} />
        ) : null}
        <AccountBalances />
        <RecentTransactions />
      </div>
      {household.isAdult ? (
        <div className="grid grid-cols-1 gap-4 lg:grid-cols-2 [&>*]:min-w-0">
          <SpendingChart month={month} />
          <IncomeExpensesChart month={month} />
        </div>
      ) : null}
    </div>
  );
}
