"use client";

import { queryOptions, useQuery } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import { householdKey } from "@/features/households/HouseholdContext";

export const RECENT_COUNT = 10;

/** The newest transactions; under the transactions key, so any transaction change refreshes it. */
export function useRecentTransactions(householdId: string) {
  return useQuery(recentTransactionsQuery(householdId));
}

/** The query of useRecentTransactions, for prefetching before the dashboard mounts. */
export function recentTransactionsQuery(householdId: string) {
  return queryOptions({
    queryKey: householdKey(householdId, "transactions", "recent", RECENT_COUNT),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/transactions", {
          params: { path: { household_id: householdId }, query: { limit: RECENT_COUNT } },
          signal,
        }),
      ),
  });
}
