"use client";

import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import type { components } from "@/api/schema";
import { useInvalidateHousehold } from "@/features/households/HouseholdContext";

import { accountsKey } from "../api";

export type RegisterPage = components["schemas"]["RegisterPage"];
export type RegisterRow = components["schemas"]["RegisterRowRead"];
export type ClearedState = RegisterRow["cleared"];
export type ClearedChoice = components["schemas"]["ClearedChoice"];

export const REGISTER_PAGE_SIZE = 50;

/** Under the accounts key: anything that refreshes the accounts refreshes their registers. */
export function registerKey(householdId: string, accountId: string): unknown[] {
  return [...accountsKey(householdId), accountId, "register"];
}

/** The account's transactions, newest first, a page at a time, with running balances. */
export function useRegister(householdId: string, accountId: string) {
  return useInfiniteQuery({
    queryKey: registerKey(householdId, accountId),
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/accounts/{account_id}/register", {
          params: {
            path: { household_id: householdId, account_id: accountId },
            query: { limit: REGISTER_PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) },
          },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last: RegisterPage) => last.next_cursor ?? null,
  });
}

export function useSetCleared(householdId: string, accountId: string) {
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: ({
      row,
      cleared,
      confirmReconciled = false,
    }: {
      row: Pick<RegisterRow, "id">;
      cleared: ClearedChoice;
      confirmReconciled?: boolean;
    }) =>
      unwrap(
        api.PUT(
          "/api/v1/households/{household_id}/accounts/{account_id}/register/{transaction_id}/cleared",
          {
            params: {
              path: { household_id: householdId, account_id: accountId, transaction_id: row.id },
              query: confirmReconciled ? { confirm_reconciled: true } : {},
            },
            body: { cleared },
          },
        ),
      ),
    onSuccess: invalidate,
  });
}

/** The difference against a statement balance, asked again as the balance is typed. */
export function useReconcilePreview(
  householdId: string,
  accountId: string,
  statement: { balanceMinor: number; on: string } | null,
) {
  return useQuery({
    queryKey: [...registerKey(householdId, accountId), "reconcile", statement],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/accounts/{account_id}/reconcile", {
          params: {
            path: { household_id: householdId, account_id: accountId },
            query: {
              statement_balance_minor: statement?.balanceMinor ?? 0,
              statement_on: statement?.on,
            },
          },
          signal,
        }),
      ),
    enabled: statement !== null,
    // The last difference stays on screen while the next one loads.
    placeholderData: keepPreviousData,
  });
}

export function useReconcile(householdId: string, accountId: string) {
  const queryClient = useQueryClient();
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: (body: components["schemas"]["ReconcileRequest"]) =>
      unwrap(
        api.POST("/api/v1/households/{household_id}/accounts/{account_id}/reconcile", {
          params: { path: { household_id: householdId, account_id: accountId } },
          body,
        }),
      ),
    onSuccess: async () => {
      queryClient.removeQueries({
        queryKey: [...registerKey(householdId, accountId), "reconcile"],
      });
      await invalidate();
    },
  });
}
