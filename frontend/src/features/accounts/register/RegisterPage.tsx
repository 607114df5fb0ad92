"use client";

import Link from "next/link";
import { useMemo, useState } from "react";

import { Alert } from "@/components/ui/Alert";
import { Amount } from "@/components/ui/Amount";
import { Button } from "@/components/ui/Button";
import { Card, EmptyState, PageHeader, Spinner } from "@/components/ui/Card";
import { Figures } from "@/components/ui/Figures";
import { useCategoryGroups } from "@/features/categories/api";
import { useHousehold } from "@/features/households/HouseholdContext";
import { formatDate } from "@/lib/dates";
import type { Currency } from "@/lib/money";

import { useAccounts } from "../api";
import { accountCurrency } from "../logic";
import { useRegister, useSetCleared, type RegisterPage as Page, type RegisterRow } from "./api";
import { nextClearedState } from "./logic";
import { ReconcileDialog } from "./ReconcileDialog";
import { RegisterList } from "./RegisterList";

/** One account's register: every transaction with the balance after it, the cleared marks, and
 * reconciling against the bank (adults). */
export function RegisterPage({ accountId }: { accountId: string }) {
  const household = useHousehold();
  const accounts = useAccounts(household.id);
  const account = accounts.data?.find((item) => item.id === accountId);
  const register = useRegister(household.id, accountId);
  const groups = useCategoryGroups(household.id);
  const setCleared = useSetCleared(household.id, accountId);
  const [reconciling, setReconciling] = useState(false);
  const [unreconciling, setUnreconciling] = useState<RegisterRow | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const currency = accountCurrency(account, household.currency);

  const categoryNames = useMemo(() => {
    const names = new Map<string, string>();
    for (const group of groups.data ?? [])
      for (const category of group.categories ?? []) names.set(category.id, category.name);
    return names;
  }, [groups.data]);
  const categoryName = (row: RegisterRow) => {
    if (row.is_transfer) return "Transfer";
    if (row.is_split) return "Split";
    return (row.category_id && categoryNames.get(row.category_id)) || "Uncategorized";
  };

  const toggle = (row: RegisterRow) => {
    setNotice(null);
    if (row.cleared === "reconciled") setUnreconciling(row);
    else setCleared.mutate({ row, cleared: nextClearedState(row.cleared) });
  };

  const pages = register.data?.pages ?? [];
  const first = pages[0];
  const rows = pages.flatMap((page) => page.items);

  return (
    <>
      <PageHeader
        title={account?.name ?? "Account"}
        actions={
          household.isAdult && account && !account.archived_at ? (
            <Button onClick={() => setReconciling(true)}>Reconcile</Button>
          ) : null
        }
      >
        <Link href={`/h/${household.id}/accounts`} className="text-sm text-primary underline">
          All accounts
        </Link>
      </PageHeader>

      {register.isPending ? <Spinner label="Loading the register" /> : null}
      {register.isError ? <Alert>{register.error.message}</Alert> : null}
      {setCleared.isError ? <Alert className="mb-4">{setCleared.error.message}</Alert> : null}
      {notice ? (
        <Alert tone="success" className="mb-4">
          {notice}
        </Alert>
      ) : null}
      {unreconciling ? (
        <div
          role="group"
          aria-label="Confirm un-reconcile"
          className="mb-4 flex flex-col gap-2 rounded-md border border-warning bg-warning-bg p-3"
        >
          <p className="text-sm">
            “{unreconciling.payee || "(no payee)"}” was reconciled with a bank statement. Mark it
            uncleared? The account will need reconciling again.
          </p>
          <div className="flex flex-wrap gap-2">
            <Button variant="secondary" onClick={() => setUnreconciling(null)}>
              Keep it reconciled
            </Button>
            <Button
              busy={setCleared.isPending}
              onClick={() =>
                setCleared.mutate(
                  { row: unreconciling, cleared: "uncleared", confirmReconciled: true },
                  { onSuccess: () => setUnreconciling(null) },
                )
              }
            >
              Mark uncleared
            </Button>
          </div>
        </div>
      ) : null}

      {first ? (
        <div className="flex flex-col gap-4">
          <Balances page={first} currency={currency} />
          <Card>
            {rows.length === 0 ? (
              <EmptyState title="No transactions in this account yet" />
            ) : (
              <RegisterList
                rows={rows}
                currency={currency}
                categoryName={categoryName}
                onToggle={household.isAdult ? toggle : undefined}
                busyRowId={setCleared.isPending ? (setCleared.variables?.row.id ?? null) : null}
              />
            )}
            {register.hasNextPage ? (
              <Button
                variant="secondary"
                className="mt-3 w-full"
                busy={register.isFetchingNextPage}
                onClick={() => void register.fetchNextPage()}
              >
                Show older transactions
              </Button>
            ) : null}
          </Card>
        </div>
      ) : null}

      {household.isAdult ? (
        <ReconcileDialog
          householdId={household.id}
          accountId={accountId}
          currency={currency}
          open={reconciling}
          onOpenChange={setReconciling}
          onReconciled={setNotice}
        />
      ) : null}
    </>
  );
}

function Balances({ page, currency }: { page: Page; currency: Currency }) {
  const last = page.last_reconciliation;
  const items = [
    { label: "Cleared balance", minor: page.cleared_balance_minor },
    { label: "Uncleared", minor: page.uncleared_balance_minor },
    { label: "Balance", minor: page.balance_minor },
  ];
  return (
    <Card>
      <Figures items={items} currency={currency} />
      <p className="mt-3 text-xs text-muted">
        {last ? (
          <>
            Last reconciled on {formatDate(last.statement_on)} at{" "}
            <Amount minor={last.statement_balance_minor} currency={currency} />.
          </>
        ) : (
          "Not reconciled yet."
        )}{" "}
        c: cleared at the bank; R: reconciled with a statement.
      </p>
    </Card>
  );
}
