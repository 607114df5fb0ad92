"use client";

import Link from "next/link";

import { Amount } from "@/components/ui/Amount";
import { Card, Spinner } from "@/components/ui/Card";
import { RetryAlert } from "@/components/ui/RetryAlert";
import { useAccounts } from "@/features/accounts/api";
import {
  accountCurrency,
  accountTotals,
  groupAccountsByKind,
  KIND_GROUP_LABELS,
} from "@/features/accounts/logic";
import { useHousehold } from "@/features/households/HouseholdContext";

/**
 * What each open account holds, by kind (accounts have no on-budget/tracking flag to split by),
 * and the net worth of those in the household's currency.
 */
export function AccountBalances() {
  const household = useHousehold();
  const accounts = useAccounts(household.id);
  const groups = groupAccountsByKind(accounts.data ?? [], { includeArchived: false });
  const totals = accountTotals(
    (accounts.data ?? []).filter((account) => account.archived_at === null),
    household.currency.code,
  );
  return (
    <Card
      title="Account balances"
      action={
        <Link
          href={`/h/${household.id}/accounts`}
          className="inline-flex min-h-11 items-center text-sm font-medium text-primary underline"
        >
          Accounts
        </Link>
      }
    >
      {accounts.isPending ? <Spinner label="Loading balances" /> : null}
      {accounts.isError ? (
        <RetryAlert
          error={accounts.error}
          onRetry={() => accounts.refetch()}
          retrying={accounts.isFetching}
        />
      ) : null}
      {accounts.data && groups.length === 0 ? (
        <p className="text-sm text-muted">No open accounts.</p>
      ) : null}
      {groups.length > 0 ? (
        <div className="flex flex-col gap-3">
          {groups.map((group) => (
            <section key={group.kind} aria-label={KIND_GROUP_LABELS[group.kind]}>
              <h3 className="text-xs font-semibold tracking-wide text-muted uppercase">
                {KIND_GROUP_LABELS[group.kind]}
              </h3>
              <ul className="divide-y divide-border">
                {group.accounts.map((account) => (
                  <li key={account.id} className="flex items-center justify-between gap-3 py-1.5">
                    <span className="min-w-0 truncate" title={account.name}>
                      {account.name}
                    </span>
                    <Amount
                      minor={account.balance_minor}
                      currency={accountCurrency(account, household.currency)}
                      className="shrink-0 font-medium"
                    />
                  </li>
                ))}
              </ul>
            </section>
          ))}
          <p className="flex items-center justify-between gap-3 border-t border-border pt-2 font-semibold">
            <span>Net worth</span>
            <Amount minor={totals.netWorthMinor} currency={household.currency} />
          </p>
          {totals.otherCurrencyCount > 0 ? (
            <p className="text-xs text-muted">
              Accounts in other currencies are not added into the net worth.
            </p>
          ) : null}
        </div>
      ) : null}
    </Card>
  );
}
