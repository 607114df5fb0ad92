"use client";

import { useWindowVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useLayoutEffect, useRef, useState } from "react";

import { Button } from "@/components/ui/Button";
import { Spinner } from "@/components/ui/Card";
import { cn } from "@/components/ui/cn";
import type { Account } from "@/features/accounts/api";
import type { CategoryGroup } from "@/features/categories/api";
import type { Currency } from "@/lib/money";

import type { Transaction } from "./form";
import { ROW_GRID, TransactionRow } from "./TransactionRow";

/** Start fetching the next page when this many loaded rows are left below the viewport. */
const LOAD_AHEAD_ROWS = 40;
const DESKTOP_QUERY = "(min-width: 48rem)";

interface Props {
  items: Transaction[];
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  nextPageFailed: boolean;
  fetchNextPage: () => void;
  updating: boolean;
  accountsById: Map<string, Account>;
  groups: CategoryGroup[];
  householdCurrency: Currency;
  /** Filtered to one account (transfers then show that account's leg). */
  oneAccount: boolean;
  selectedIds: ReadonlySet<string>;
  selectableIds: string[];
  savingIds: ReadonlySet<string>;
  onToggle: (id: string) => void;
  onToggleAll: () => void;
  onEdit: (transaction: Transaction) => void;
  onCategoryChange: (transaction: Transaction, categoryId: string | null) => void;
}

/**
 * Only the rows near the viewport are in the DOM (the page itself scrolls), so a household with
 * 100,000 transactions renders as fast as one with fifty.
 */
export function TransactionList(props: Props) {
  const {
    items,
    hasNextPage,
    isFetchingNextPage,
    nextPageFailed,
    fetchNextPage,
    selectedIds,
    selectableIds,
  } = props;
  const listRef = useRef<HTMLDivElement>(null);
  const [scrollMargin, setScrollMargin] = useState(0);

  // The rows are positioned relative to the list, the virtualizer measures from the page top.
  useLayoutEffect(() => {
    const list = listRef.current;
    if (!list) return;
    const update = () =>
      setScrollMargin(Math.round(list.getBoundingClientRect().top + window.scrollY));
    update();
    const observer = new ResizeObserver(update);
    observer.observe(document.body);
    return () => observer.disconnect();
  }, []);

  const virtualizer = useWindowVirtualizer({
    count: items.length,
    estimateSize: () =>
      typeof window !== "undefined" && window.matchMedia(DESKTOP_QUERY).matches ? 57 : 97,
    overscan: 8,
    scrollMargin,
    getItemKey: (index) => items[index]?.id ?? index,
  });
  const virtualRows = virtualizer.getVirtualItems();
  const lastIndex = virtualRows.at(-1)?.index ?? -1;

  useEffect(() => {
    if (
      lastIndex >= items.length - LOAD_AHEAD_ROWS &&
      hasNextPage &&
      !isFetchingNextPage &&
      !nextPageFailed
    )
      fetchNextPage();
  }, [lastIndex, items.length, hasNextPage, isFetchingNextPage, nextPageFailed, fetchNextPage]);

  const selectedCount = selectableIds.filter((id) => selectedIds.has(id)).length;
  const allSelected = selectableIds.length > 0 && selectedCount === selectableIds.length;

  return (
    <div className="overflow-hidden rounded-lg border border-border bg-card">
      <div
        role="table"
        aria-label="Transactions"
        aria-rowcount={hasNextPage ? -1 : items.length + 1}
        aria-busy={props.updating || undefined}
        className={cn(props.updating && "opacity-60 transition-opacity")}
      >
        <div role="rowgroup">
          <div
            role="row"
            aria-rowindex={1}
            className={cn(
              ROW_GRID,
              "border-b border-border bg-bg pr-2 text-xs font-semibold tracking-wide text-muted uppercase",
            )}
          >
            <div role="columnheader" className="row-span-1">
              <label className="flex min-h-11 min-w-11 cursor-pointer items-center justify-center">
                <input
                  type="checkbox"
                  className="size-5 accent-primary"
                  aria-label="Select all loaded transactions"
                  checked={allSelected}
                  disabled={selectableIds.length === 0}
                  ref={(element) => {
                    if (element) element.indeterminate = selectedCount > 0 && !allSelected;
                  }}
                  onChange={props.onToggleAll}
                />
              </label>
            </div>
            <div
              aria-hidden
              className="col-span-2 text-sm font-normal tracking-normal normal-case md:hidden"
            >
              Select all loaded
            </div>
            <div
              role="columnheader"
              className="sr-only md:not-sr-only md:col-start-2 md:row-start-1"
            >
              Date
            </div>
            <div
              role="columnheader"
              className="sr-only md:not-sr-only md:col-start-3 md:row-start-1"
            >
              Payee
            </div>
            <div
              role="columnheader"
              className="sr-only md:not-sr-only md:col-start-4 md:row-start-1"
            >
              Category
            </div>
            <div
              role="columnheader"
              className="sr-only md:not-sr-only md:col-start-5 md:row-start-1"
            >
              Account
            </div>
            <div
              role="columnheader"
              className="sr-only md:not-sr-only md:col-start-6 md:row-start-1 md:text-right"
            >
              Amount
            </div>
            <div
              role="columnheader"
              className="sr-only md:not-sr-only md:col-start-7 md:row-start-1 md:text-right"
            >
              <span className="sr-only">Actions</span>
            </div>
          </div>
        </div>
        <div
          role="rowgroup"
          ref={listRef}
          className="relative"
          style={{ height: virtualizer.getTotalSize() }}
        >
          {virtualRows.map((virtualRow) => {
            const transaction = items[virtualRow.index];
            if (!transaction) return null;
            return (
              <TransactionRow
                key={transaction.id}
                transaction={transaction}
                rowIndex={virtualRow.index + 2}
                measureRef={virtualizer.measureElement}
                top={virtualRow.start - scrollMargin}
                accountsById={props.accountsById}
                groups={props.groups}
                householdCurrency={props.householdCurrency}
                oneAccount={props.oneAccount}
                selected={selectedIds.has(transaction.id)}
                saving={props.savingIds.has(transaction.id)}
                onToggle={props.onToggle}
                onEdit={props.onEdit}
                onCategoryChange={props.onCategoryChange}
              />
            );
          })}
        </div>
      </div>
      <ListFooter
        count={items.length}
        hasNextPage={hasNextPage}
        isFetchingNextPage={isFetchingNextPage}
        nextPageFailed={nextPageFailed}
        fetchNextPage={fetchNextPage}
      />
    </div>
  );
}

function ListFooter({
  count,
  hasNextPage,
  isFetchingNextPage,
  nextPageFailed,
  fetchNextPage,
}: {
  count: number;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  nextPageFailed: boolean;
  fetchNextPage: () => void;
}) {
  if (isFetchingNextPage) return <Spinner label="Loading more transactions" />;
  if (nextPageFailed) {
    return (
      <div
        className="flex flex-wrap items-center justify-between gap-2 p-3 text-sm text-danger"
        role="alert"
      >
        More transactions could not be loaded.
        <Button variant="secondary" onClick={fetchNextPage}>
          Retry
        </Button>
      </div>
    );
  }
  if (hasNextPage) {
    return (
      <div className="p-3 text-center">
        <Button variant="ghost" onClick={fetchNextPage}>
          Load more
        </Button>
      </div>
    );
  }
  return (
    <p className="p-3 text-center text-sm text-muted">
      {count === 1 ? "1 transaction" : `${count.toLocaleString()} transactions`} — that is all.
    </p>
  );
}
