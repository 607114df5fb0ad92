"use client";

import { useMutation, useQuery } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import type { components } from "@/api/schema";
import { householdKey, useInvalidateHousehold } from "@/features/households/HouseholdContext";

export type BankConnection = components["schemas"]["BankConnectionRead"];
export type LinkToken = components["schemas"]["LinkTokenRead"];

/** While a connection syncs, the list is read again this often (its status changes soon). */
const SYNCING_REFRESH_MS = 2000;

export function bankConnectionsKey(householdId: string): unknown[] {
  return householdKey(householdId, "bank-connections");
}

export function isBusy(connection: BankConnection): boolean {
  return connection.sync_running || connection.status === "syncing";
}

/** The household's bank connections; read again every few seconds while one is syncing. */
export function useBankConnections(householdId: string) {
  return useQuery({
    queryKey: bankConnectionsKey(householdId),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/bank-connections", {
          params: { path: { household_id: householdId } },
        }),
      ),
    refetchInterval: (query) =>
      (query.state.data ?? []).some(isBusy) ? SYNCING_REFRESH_MS : false,
  });
}

/** A Link token: for a new connection, or with a connection id for update mode (re-auth). */
export function useCreateLinkToken(householdId: string) {
  return useMutation({
    mutationFn: (connectionId: string | null) =>
      unwrap(
        api.POST("/api/v1/households/{household_id}/bank-connections/link-token", {
          params: { path: { household_id: householdId } },
          body: connectionId ? { connection_id: connectionId } : {},
        }),
      ),
  });
}

export function useCreateBankConnection(householdId: string) {
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: (publicToken: string) =>
      unwrap(
        api.POST("/api/v1/households/{household_id}/bank-connections", {
          params: { path: { household_id: householdId } },
          body: { public_token: publicToken },
        }),
      ),
    // New accounts appear on the accounts page too.
    onSuccess: invalidate,
  });
}

export function useSyncBankConnection(householdId: string) {
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: (connectionId: string) =>
      unwrap(
        api.POST("/api/v1/households/{household_id}/bank-connections/{connection_id}/sync", {
          params: { path: { household_id: householdId, connection_id: connectionId } },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useDeleteBankConnection(householdId: string) {
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: (connectionId: string) =>
      unwrap(
        api.DELETE("/api/v1/households/{household_id}/bank-connections/{connection_id}", {
          params: { path: { household_id: householdId, connection_id: connectionId } },
        }),
      ),
    onSuccess: invalidate,
  });
}
