"use client";

import { useCallback, useEffect, useMemo, useState } from "react";

import { errorMessage } from "@/api/problem";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { EmptyState, PageHeader, Spinner } from "@/components/ui/Card";
import { useAccounts, type Account } from "@/features/accounts/api";
import { useCategoryGroups } from "@/features/categories/api";
import { useHousehold } from "@/features/households/HouseholdContext";
import { formatMonth } from "@/lib/dates";

import {
  isVersionConflict,
  useTransactionPages,
  useUpdateTransaction,
  VERSION_CONFLICT_MESSAGE,
} from "./api";
import { BulkCategorizeBar } from "./BulkCategorizeBar";
import {
  ALL_MONTHS,
  hasDateRange,
  listQuery,
  narrowsBeyondMonth,
  type TransactionFilters,
} from "./filters";
import type { Transaction } from "./form";
import { UndoDeleteToast } from "./UndoDeleteToast";
import { isHeldBack, useDeferredDelete } from "./useDeferredDelete";
import { TransactionDialog, type TransactionDialogMode } from "./TransactionDialog";
import { TransactionFiltersBar } from "./TransactionFiltersBar";
import { TransactionList } from "./TransactionList";
import { isBulkCategorizable } from "./TransactionRow";
import { TransferDialog } from "./TransferDialog";
import { useUrlFilters } from "./useUrlFilters";

type Notice = { tone: "success" | "warning" | "error"; text: string } | null;

export function TransactionsPage() {
  const household = useHousehold();
  const [filters, setFilters] = useUrlFilters();
  const query = useMemo(() => listQuery(filters), [filters]);
  const queryKey = JSON.stringify(query);
  const pages = useTransactionPages(household.id, query);
  const accounts = useAccounts(household.id);
  const categories = useCategoryGroups(household.id);
  const accountList = useMemo(() => accounts.data ?? [], [accounts.data]);
  const groups = useMemo(() => categories.data ?? [], [categories.data]);
  const accountsById = useMemo(
    () => new Map<string, Account>(accountList.map((account) => [account.id, account])),
    [accountList],
  );
  const [notice, setNotice] = useState<Notice>(null);
  const deferredDelete = useDeferredDelete(household.id, setNotice);
  const heldBack = deferredDelete.pending;
  const items = useMemo(
    () =>
      (pages.data?.pages.flatMap((page) => page.items) ?? []).filter(
        (item) => !isHeldBack(item, heldBack),
      ),
    [pages.data, heldBack],
  );
  const selectableIds = useMemo(
    () => items.filter(isBulkCategorizable).map((item) => item.id),
    [items],
  );

  const [dialog, setDialog] = useState<TransactionDialogMode | null>(null);
  const [transferOpen, setTransferOpen] = useState(false);
  useEffect(() => {
    if (notice?.tone !== "success") return;
    const timer = setTimeout(() => setNotice(null), SUCCESS_NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);
  // A selection belongs to the list it was made in: changing the filters starts afresh.
  const [selection, setSelection] = useState<{ key: string; ids: ReadonlySet<string> }>({
    key: queryKey,
    ids: new Set(),
  });
  const selectedIds = selection.key === queryKey ? selection.ids : EMPTY;
  const [savingIds, setSavingIds] = useState<ReadonlySet<string>>(EMPTY);
  const update = useUpdateTransaction(household.id);

  const onToggle = useCallback(
    (id: string) =>
      setSelection((current) => {
        const ids = new Set(current.key === queryKey ? current.ids : []);
        if (ids.has(id)) ids.delete(id);
        else ids.add(id);
        return { key: queryKey, ids };
      }),
    [queryKey],
  );
  const onToggleAll = useCallback(() => {
    const allSelected =
      selectableIds.length > 0 && selectableIds.every((id) => selectedIds.has(id));
    setSelection({ key: queryKey, ids: new Set(allSelected ? [] : selectableIds) });
  }, [queryKey, selectableIds, selectedIds]);
  const clearSelection = useCallback(
    () => setSelection({ key: queryKey, ids: new Set() }),
    [queryKey],
  );

  const { fetchNextPage: fetchNextPageAsync } = pages;
  const fetchNextPage = useCallback(() => void fetchNextPageAsync(), [fetchNextPageAsync]);
  const onEdit = useCallback(
    (transaction: Transaction) => setDialog({ kind: "edit", transaction }),
    [],
  );
  const { mutateAsync: updateTransaction } = update;
  const onCategoryChange = useCallback(
    async (transaction: Transaction, categoryId: string | null) => {
      setSavingIds((current) => new Set(current).add(transaction.id));
      try {
        await updateTransaction({ transaction, body: { category_id: categoryId } });
      } catch (error) {
        setNotice({
          tone: isVersionConflict(error) ? "warning" : "error",
          text: isVersionConflict(error) ? VERSION_CONFLICT_MESSAGE : errorMessage(error),
        });
      } finally {
        setSavingIds((current) => {
          const next = new Set(current);
          next.delete(transaction.id);
          return next;
        });
      }
    },
    [updateTransaction],
  );
  const closeWith = (message?: string) => {
    setDialog(null);
    setTransferOpen(false);
    if (message) setNotice({ tone: "success", text: message });
  };

  const selectedList = [...selectedIds];
  const canAdd = accountList.some((account) => !account.archived_at);

  return (
    <div className={selectedList.length > 0 ? "pb-48 sm:pb-28" : undefined}>
      <PageHeader
        title="Transactions"
        actions={
          <>
            {household.isAdult ? (
              <Button variant="secondary" onClick={() => setTransferOpen(true)} disabled={!canAdd}>
                Record transfer
              </Button>
            ) : null}
            <Button onClick={() => setDialog({ kind: "add" })} disabled={!canAdd}>
              Add transaction
            </Button>
          </>
        }
      />
      <TransactionFiltersBar
        filters={filters}
        onChange={setFilters}
        accounts={accountList}
        groups={groups}
      />
      {notice ? (
        <div className="mb-3 flex items-start gap-2">
          <Alert tone={notice.tone} className="flex-1">
            {notice.text}
          </Alert>
          <Button variant="ghost" aria-label="Dismiss message" onClick={() => setNotice(null)}>
            ✕
          </Button>
        </div>
      ) : null}
      {pages.isPending ? (
        <Spinner label="Loading transactions" />
      ) : pages.isError && items.length === 0 ? (
        <Alert tone="error">
          <p className="font-medium">The transactions could not be loaded.</p>
          <p>{errorMessage(pages.error)}</p>
          <Button variant="secondary" className="mt-2" onClick={() => void pages.refetch()}>
            Retry
          </Button>
        </Alert>
      ) : items.length === 0 ? (
        <EmptyResult
          filters={filters}
          onChange={setFilters}
          onAdd={canAdd ? () => setDialog({ kind: "add" }) : null}
        />
      ) : (
        <TransactionList
          items={items}
          hasNextPage={pages.hasNextPage}
          isFetchingNextPage={pages.isFetchingNextPage}
          nextPageFailed={pages.isFetchNextPageError}
          fetchNextPage={fetchNextPage}
          updating={pages.isPlaceholderData}
          accountsById={accountsById}
          groups={groups}
          householdCurrency={household.currency}
          oneAccount={filters.accountId !== null}
          selectedIds={selectedIds}
          selectableIds={selectableIds}
          savingIds={savingIds}
          onToggle={onToggle}
          onToggleAll={onToggleAll}
          onEdit={onEdit}
          onCategoryChange={onCategoryChange}
        />
      )}
      {selectedList.length > 0 ? (
        <BulkCategorizeBar
          selectedIds={selectedList}
          groups={groups}
          onClear={clearSelection}
          onDone={(message) => {
            clearSelection();
            setNotice({ tone: "success", text: message });
          }}
        />
      ) : null}
      <TransactionDialog
        mode={dialog}
        onClose={closeWith}
        accounts={accountList}
        groups={groups}
        defaultAccountId={filters.accountId}
        onDelete={household.isAdult ? deferredDelete.schedule : undefined}
      />
      {heldBack ? (
        <UndoDeleteToast
          transaction={heldBack}
          oneAccount={filters.accountId !== null}
          onUndo={deferredDelete.undo}
        />
      ) : null}
      {household.isAdult ? (
        <TransferDialog open={transferOpen} onClose={closeWith} accounts={accountList} />
      ) : null}
    </div>
  );
}

const EMPTY: ReadonlySet<string> = new Set();
/** Confirmations fade on their own; warnings and errors stay until dismissed. */
const SUCCESS_NOTICE_MS = 6000;

function EmptyResult({
  filters,
  onChange,
  onAdd,
}: {
  filters: TransactionFilters;
  onChange: (change: Partial<TransactionFilters>) => void;
  onAdd: (() => void) | null;
}) {
  const narrowed = narrowsBeyondMonth(filters);
  const ranged = hasDateRange(filters);
  const where = ranged
    ? " on these dates"
    : filters.month === ALL_MONTHS
      ? ""
      : ` in ${formatMonth(filters.month)}`;
  return (
    <EmptyState
      title={
        narrowed ? `No transactions${where} match these filters` : `No transactions${where} yet`
      }
    >
      <div className="mt-3 flex flex-wrap justify-center gap-2">
        {narrowed ? (
          <Button
            variant="secondary"
            onClick={() => onChange({ accountId: null, category: null, search: "" })}
          >
            Clear filters
          </Button>
        ) : null}
        {ranged || filters.month !== ALL_MONTHS ? (
          <Button
            variant="secondary"
            onClick={() => onChange({ month: ALL_MONTHS, from: null, to: null })}
          >
            Show all months
          </Button>
        ) : null}
        {onAdd ? <Button onClick={onAdd}>Add transaction</Button> : null}
      </div>
    </EmptyState>
  );
}
