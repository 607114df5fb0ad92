"use client";

import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQueryClient,
  type InfiniteData,
  type QueryClient,
} from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import { ApiError } from "@/api/problem";
import type { components } from "@/api/schema";
import { householdKey } from "@/features/households/HouseholdContext";

import type { ListQuery } from "./filters";
import type { Transaction, TransactionCreateBody, TransactionUpdateBody } from "./form";

type Page = components["schemas"]["Page_TransactionRead_"];
type TransferBody = components["schemas"]["TransferCreate"];

/** The first request fills a screen or two, so rows show as soon as possible... */
export const FIRST_PAGE_SIZE = 40;
/** ...and the ones that follow while scrolling bring more at a time. */
export const PAGE_SIZE = 100;
/** The API's limit on ids in one bulk-categorize call. */
export const MAX_BULK_IDS = 500;

export function transactionsKey(householdId: string): unknown[] {
  return householdKey(householdId, "transactions");
}

/** Newest first, one cursor page at a time; the next page is fetched as the list nears its end. */
export function useTransactionPages(householdId: string, query: ListQuery) {
  return useInfiniteQuery({
    queryKey: [...transactionsKey(householdId), "list", query],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/transactions", {
          params: {
            path: { household_id: householdId },
            query: {
              ...query,
              ...(pageParam ? { cursor: pageParam, limit: PAGE_SIZE } : { limit: FIRST_PAGE_SIZE }),
            },
          },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last: Page) => last.next_cursor ?? null,
    // While a new search or month loads, the old rows stay (marked as updating)
    // instead of a blank page.
    placeholderData: keepPreviousData,
  });
}

/** The weak ETag the API expects back in If-Match. */
export function ifMatch(transaction: Pick<Transaction, "version">): string {
  return `W/"${transaction.version}"`;
}

export function isVersionConflict(error: unknown): boolean {
  return error instanceof ApiError && error.status === 412;
}

/** The API refused to change what a bank statement confirmed without an explicit go-ahead. */
export function isReconciledConflict(error: unknown): boolean {
  return (
    error instanceof ApiError && error.status === 409 && error.code === "transaction_reconciled"
  );
}

export const RECONCILED_CONFIRM_MESSAGE =
  "This transaction was reconciled with a bank statement. Changing its amount, date or account, or deleting it, means the account needs reconciling again.";

export const VERSION_CONFLICT_MESSAGE =
  "Someone else changed this transaction since it was loaded. It has been reloaded; check it and try again.";

export function fetchTransaction(householdId: string, transactionId: string): Promise<Transaction> {
  return unwrap(
    api.GET("/api/v1/households/{household_id}/transactions/{transaction_id}", {
      params: { path: { household_id: householdId, transaction_id: transactionId } },
    }),
  );
}

/**
 * Apply a known change to the rows of every loaded list at once, so the next edit of those rows
 * carries their new version even before the lists have been fetched again.
 */
function updateLoadedRows(
  queryClient: QueryClient,
  householdId: string,
  change: (item: Transaction) => Transaction | null,
): void {
  queryClient.setQueriesData<InfiniteData<Page>>(
    { queryKey: [...transactionsKey(householdId), "list"] },
    (data) =>
      data
        ? {
            ...data,
            pages: data.pages.map((page) => ({
              ...page,
              items: page.items.map((item) => change(item) ?? item),
            })),
          }
        : data,
  );
}

/** Balances, budgets and reports all depend on transactions: refresh the household's data. */
function refreshHousehold(queryClient: QueryClient, householdId: string): Promise<void> {
  return queryClient.invalidateQueries({ queryKey: householdKey(householdId) });
}

export function useCreateTransaction(householdId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: TransactionCreateBody) =>
      unwrap(
        api.POST("/api/v1/households/{household_id}/transactions", {
          params: { path: { household_id: householdId } },
          body,
        }),
      ),
    onSuccess: () => refreshHousehold(queryClient, householdId),
  });
}

export function useUpdateTransaction(householdId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({
      transaction,
      body,
      confirmReconciled = false,
    }: {
      transaction: Pick<Transaction, "id" | "version">;
      body: TransactionUpdateBody;
      confirmReconciled?: boolean;
    }) =>
      unwrap(
        api.PATCH("/api/v1/households/{household_id}/transactions/{transaction_id}", {
          params: {
            path: { household_id: householdId, transaction_id: transaction.id },
            header: { "if-match": ifMatch(transaction) },
            query: confirmReconciled ? { confirm_reconciled: true } : {},
          },
          body,
        }),
      ),
    onSuccess: (updated) => {
      updateLoadedRows(queryClient, householdId, (item) =>
        item.id === updated.id ? updated : null,
      );
      return refreshHousehold(queryClient, householdId);
    },
    onError: (error) => {
      if (isVersionConflict(error)) void refreshHousehold(queryClient, householdId);
    },
  });
}

/**
 * DELETE one transaction at the version that was read (a transfer leg takes its pair with it).
 * `keepalive` lets the request outlive the page (sent while the tab closes).
 */
export function deleteTransaction(
  householdId: string,
  transaction: Pick<Transaction, "id" | "version">,
  options: { keepalive?: boolean; confirmReconciled?: boolean } = {},
): Promise<unknown> {
  return unwrap(
    api.DELETE("/api/v1/households/{household_id}/transactions/{transaction_id}", {
      params: {
        path: { household_id: householdId, transaction_id: transaction.id },
        header: { "if-match": ifMatch(transaction) },
        query: options.confirmReconciled ? { confirm_reconciled: true } : {},
      },
      ...(options.keepalive ? { keepalive: true } : {}),
    }),
  );
}

/** Balances, budgets and reports all depend on transactions: refresh the household's data. */
export function refreshTransactions(queryClient: QueryClient, householdId: string): Promise<void> {
  return refreshHousehold(queryClient, householdId);
}

export function useDeleteTransaction(householdId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({
      transaction,
      confirmReconciled = false,
    }: {
      transaction: Pick<Transaction, "id" | "version">;
      confirmReconciled?: boolean;
    }) => deleteTransaction(householdId, transaction, { confirmReconciled }),
    onSuccess: () => refreshHousehold(queryClient, householdId),
    onError: (error) => {
      if (isVersionConflict(error)) void refreshHousehold(queryClient, householdId);
    },
  });
}

export function useCreateTransfer(householdId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: TransferBody) =>
      unwrap(
        api.POST("/api/v1/households/{household_id}/transactions/transfers", {
          params: { path: { household_id: householdId } },
          body,
        }),
      ),
    onSuccess: () => refreshHousehold(queryClient, householdId),
  });
}

/** Sets one category on many transactions, in batches the API accepts; returns how many changed. */
export function useBulkCategorize(householdId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ ids, categoryId }: { ids: string[]; categoryId: string | null }) => {
      let updated = 0;
      for (let start = 0; start < ids.length; start += MAX_BULK_IDS) {
        const result = await unwrap(
          api.POST("/api/v1/households/{household_id}/transactions/bulk-categorize", {
            params: { path: { household_id: householdId } },
            body: {
              transaction_ids: ids.slice(start, start + MAX_BULK_IDS),
              category_id: categoryId,
            },
          }),
        );
        updated += result.updated;
        // The API bumps each row's version by one as it sets the category.
        const batch = new Set(ids.slice(start, start + MAX_BULK_IDS));
        updateLoadedRows(queryClient, householdId, (item) =>
          batch.has(item.id)
            ? { ...item, category_id: categoryId, version: item.version + 1 }
            : null,
        );
      }
      return updated;
    },
    // A failed later batch leaves the earlier ones applied: refresh either way.
    onSettled: () => refreshHousehold(queryClient, householdId),
  });
}
