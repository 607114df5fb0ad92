"use client";

import { useQuery } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import type { components } from "@/api/schema";
import { householdKey } from "@/features/households/HouseholdContext";

export type Account = components["schemas"]["AccountRead"];

export function accountsKey(householdId: string): unknown[] {
  return householdKey(householdId, "accounts");
}

/** Every account the caller may see (a teen: the ones shared with them), archived ones included. */
export function useAccounts(householdId: string) {
  return useQuery({
    queryKey: accountsKey(householdId),
    queryFn: () =>
      unwrap(api.GET("/api/v1/households/{household_id}/accounts", { params: { path: { household_id: householdId }, query: { include_archived: true } } })),
  });
}
