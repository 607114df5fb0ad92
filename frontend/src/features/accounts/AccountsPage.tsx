"use client";

import dynamic from "next/dynamic";
import { useState } from "react";

import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card, ChartPlaceholder, EmptyState, PageHeader, Spinner } from "@/components/ui/Card";
import { Figures } from "@/components/ui/Figures";
import { useHousehold } from "@/features/households/HouseholdContext";

import { AccountFormDialog } from "./AccountFormDialog";
import { AccountList, type AccountActions } from "./AccountList";
import { useAccounts, useSetAccountArchived, type Account } from "./api";
import { DeleteAccountDialog } from "./DeleteAccountDialog";
import { accountTotals, groupAccountsByKind } from "./logic";

// The charting library loads after the account list, which renders without waiting for it.
const NetWorthChart = dynamic(
  () => import("./NetWorthChart").then((module) => module.NetWorthChart),
  {
    loading: () => <ChartPlaceholder title="Net worth over time" />,
  },
);

/** The household's accounts by kind with their balances; adults also manage them here. */
export function AccountsPage() {
  const household = useHousehold();
  const accounts = useAccounts(household.id);
  const setArchived = useSetAccountArchived(household.id);
  const [showArchived, setShowArchived] = useState(false);
  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<Account | undefined>(undefined);
  const [deleting, setDeleting] = useState<Account | null>(null);

  const all = accounts.data ?? [];
  const archivedCount = all.filter((account) => account.archived_at !== null).length;
  const groups = groupAccountsByKind(all, { includeArchived: showArchived });

  const actions: AccountActions | null = household.isAdult
    ? {
        onEdit: (account) => {
          setEditing(account);
          setFormOpen(true);
        },
        onSetArchived: (account, archived) =>
          setArchived.mutate({ accountId: account.id, archived }),
        onDelete: setDeleting,
        busyAccountId: setArchived.isPending ? (setArchived.variables?.accountId ?? null) : null,
      }
    : null;

  return (
    <>
      <PageHeader
        title="Accounts"
        actions={
          household.isAdult ? (
            <Button
              onClick={() => {
                setEditing(undefined);
                setFormOpen(true);
              }}
            >
              New account
            </Button>
          ) : null
        }
      >
        {household.isAdult ? null : (
          <p className="text-sm text-muted">
            The accounts shared with you. Ask a parent to change them.
          </p>
        )}
      </PageHeader>

      {accounts.isPending ? <Spinner label="Loading accounts" /> : null}
      {accounts.isError ? <Alert>{accounts.error.message}</Alert> : null}
      {setArchived.isError ? <Alert className="mb-4">{setArchived.error.message}</Alert> : null}

      {accounts.isSuccess ? (
        <div className="flex flex-col gap-4">
          {all.length === 0 ? (
            <EmptyState
              title={household.isAdult ? "No accounts yet" : "No accounts are shared with you yet"}
            >
              {household.isAdult
                ? "Add the bank accounts, cards and cash you want to track, with what they held when you started."
                : null}
            </EmptyState>
          ) : (
            <>
              <Totals accounts={all} />
              {household.isAdult ? <NetWorthChart /> : null}
              {archivedCount > 0 ? (
                <label className="flex min-h-11 items-center gap-3 self-start text-sm">
                  <input
                    type="checkbox"
                    className="size-5"
                    checked={showArchived}
                    onChange={(event) => setShowArchived(event.target.checked)}
                  />
                  Show archived accounts ({archivedCount})
                </label>
              ) : null}
              {groups.length > 0 ? (
                <AccountList groups={groups} actions={actions} />
              ) : (
                <EmptyState title="Every account is archived">
                  Tick “Show archived accounts” to see them.
                </EmptyState>
              )}
            </>
          )}
        </div>
      ) : null}

      {household.isAdult ? (
        <>
          <AccountFormDialog open={formOpen} onOpenChange={setFormOpen} account={editing} />
          <DeleteAccountDialog account={deleting} onClose={() => setDeleting(null)} />
        </>
      ) : null}
    </>
  );
}

function Totals({ accounts }: { accounts: Account[] }) {
  const household = useHousehold();
  const totals = accountTotals(accounts, household.currency.code);
  const otherCurrencyAccounts =
    totals.otherCurrencyCount === 1
      ? "One account is"
      : `${totals.otherCurrencyCount} accounts are`;
  const currency = household.currency;
  const items = [
    { label: "Assets", minor: totals.assetsMinor },
    { label: "Debts", minor: totals.liabilitiesMinor },
    { label: "Net worth", minor: totals.netWorthMinor },
  ];
  return (
    <Card>
      <Figures items={items} currency={currency} />
      <p className="mt-3 text-xs text-muted">
        {household.isAdult ? "All accounts, archived ones included. " : ""}Debts are what is owed on
        credit cards and loans.
        {totals.otherCurrencyCount > 0
          ? ` ${otherCurrencyAccounts} in another currency and not added up.`
          : ""}
      </p>
    </Card>
  );
}
