"use client";

import Link from "next/link";

import { Amount } from "@/components/ui/Amount";
import { Card, Spinner } from "@/components/ui/Card";
import { RetryAlert } from "@/components/ui/RetryAlert";
import { useAccounts } from "@/features/accounts/api";
import { flattenCategories, useCategoryGroups } from "@/features/categories/api";
import { useHousehold } from "@/features/households/HouseholdContext";
import { accountCurrency } from "@/features/accounts/logic";
import { payeeLabel } from "@/features/transactions/TransactionRow";
import { formatDate } from "@/lib/dates";

import { RECENT_COUNT, useRecentTransactions } from "./api";

/** The latest transactions, with where they went; the Transactions page has the rest. */
export function RecentTransactions() {
  const household = useHousehold();
  const recent = useRecentTransactions(household.id);
  const accounts = useAccounts(household.id);
  const categories = useCategoryGroups(household.id);
  const accountsById = new Map((accounts.data ?? []).map((account) => [account.id, account]));
  const categoryNames = new Map(
    flattenCategories(categories.data ?? [], { includeHidden: true }).map((category) => [
      category.id,
      category.name,
    ]),
  );
  const transactionsHref = `/h/${household.id}/transactions`;

  function categoryLabel(transaction: NonNullable<typeof recent.data>["items"][number]): string {
    // The list has no account filter: a transfer is one row whose payee names its route.
    if (transaction.transfer) return "Transfer";
    if (transaction.splits.length > 0) return "Split";
    return transaction.category_id
      ? (categoryNames.get(transaction.category_id) ?? "Category")
      : "Uncategorized";
  }

  return (
    <Card
      title="Recent transactions"
      action={
        <Link
          href={transactionsHref}
          className="inline-flex min-h-11 items-center text-sm font-medium text-primary underline"
        >
          All transactions
        </Link>
      }
    >
      {recent.isPending ? <Spinner label="Loading transactions" /> : null}
      {recent.isError ? (
        <RetryAlert
          error={recent.error}
          onRetry={() => recent.refetch()}
          retrying={recent.isFetching}
        />
      ) : null}
      {recent.data && recent.data.items.length === 0 ? (
        <p className="text-sm text-muted">
          No transactions yet.{" "}
          <Link href={transactionsHref} className="font-medium text-primary underline">
            Record the first one
          </Link>
        </p>
      ) : null}
      {recent.data && recent.data.items.length > 0 ? (
        <ul
          className="flex flex-col divide-y divide-border"
          aria-label={`Latest ${RECENT_COUNT} transactions`}
        >
          {recent.data.items.map((transaction) => {
            const account = accountsById.get(transaction.account_id);
            return (
              <li key={transaction.id} className="flex items-center justify-between gap-3 py-2">
                <div className="min-w-0">
                  <p className="truncate font-medium" title={payeeLabel(transaction, false)}>
                    {payeeLabel(transaction, false)}
                    {transaction.status === "pending" ? (
                      <span className="ml-2 text-xs font-normal text-muted">Pending</span>
                    ) : null}
                  </p>
                  <p className="truncate text-xs text-muted">
                    {formatDate(transaction.posted_on)} · {categoryLabel(transaction)}
                    {account && !transaction.transfer ? ` · ${account.name}` : ""}
                  </p>
                </div>
                <Amount
                  minor={transaction.transfer?.moved_minor ?? transaction.amount_minor}
                  currency={accountCurrency(account, household.currency)}
                  className="font-medium"
                />
              </li>
            );
          })}
        </ul>
      ) : null}
    </Card>
  );
}
