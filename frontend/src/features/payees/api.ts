"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import type { components } from "@/api/schema";
import { householdKey } from "@/features/households/HouseholdContext";

export type PayeeSuggestion = components["schemas"]["PayeeRead"];

/** Payees starting with `query`, most used first, each with its usual category. */
export function usePayeeSuggestions(householdId: string, query: string) {
  const q = query.trim();
  return useQuery({
    queryKey: householdKey(householdId, "payees", q),
    enabled: q.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/payees", {
          params: { path: { household_id: householdId }, query: { q, limit: 8 } },
        }),
      ),
  });
}
