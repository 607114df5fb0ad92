"use client";

import { keepPreviousData, queryOptions, useMutation, useQuery } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import type { components } from "@/api/schema";
import { householdKey, useInvalidateHousehold } from "@/features/households/HouseholdContext";

export type Account = components["schemas"]["AccountRead"];
export type AccountCreateBody = components["schemas"]["AccountCreate"];
export type AccountUpdateBody = components["schemas"]["AccountUpdate"];
export type Member = components["schemas"]["MemberRead"];
export type NetWorthReport = components["schemas"]["NetWorthRead"];

export function accountsKey(householdId: string): unknown[] {
  return householdKey(householdId, "accounts");
}

/** Every account the caller may see (a teen: the ones shared with them), archived ones included. */
export function useAccounts(householdId: string) {
  return useQuery(accountsQuery(householdId));
}

/** The query of useAccounts, for prefetching before the page that shows it mounts. */
export function accountsQuery(householdId: string) {
  return queryOptions({
    queryKey: accountsKey(householdId),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/accounts", {
          params: { path: { household_id: householdId }, query: { include_archived: true } },
        }),
      ),
  });
}

/** The household's members; accounts can be shared with the teens among them. */
export function useMembers(householdId: string, options: { enabled?: boolean } = {}) {
  return useQuery({ ...membersQuery(householdId), enabled: options.enabled ?? true });
}

/** The query of useMembers, for prefetching before the page that shows it mounts. */
export function membersQuery(householdId: string) {
  return queryOptions({
    queryKey: householdKey(householdId, "members"),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/members", {
          params: { path: { household_id: householdId } },
        }),
      ),
  });
}

/** Assets, debts and net worth at the end of each of the last `months` months (adults only). */
export function useNetWorth(
  householdId: string,
  months: number,
  options: { enabled?: boolean } = {},
) {
  return useQuery({
    queryKey: householdKey(householdId, "reports", "net-worth", { months }),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/reports/net-worth", {
          params: { path: { household_id: householdId }, query: { months } },
        }),
      ),
    enabled: options.enabled ?? true,
    // Switching the period keeps the current chart (and an opened table) until the new one arrives.
    placeholderData: keepPreviousData,
  });
}

export function useCreateAccount(householdId: string) {
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: (body: AccountCreateBody) =>
      unwrap(
        api.POST("/api/v1/households/{household_id}/accounts", {
          params: { path: { household_id: householdId } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useUpdateAccount(householdId: string) {
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: ({ accountId, body }: { accountId: string; body: AccountUpdateBody }) =>
      unwrap(
        api.PATCH("/api/v1/households/{household_id}/accounts/{account_id}", {
          params: { path: { household_id: householdId, account_id: accountId } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useSetAccountArchived(householdId: string) {
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: ({ accountId, archived }: { accountId: string; archived: boolean }) => {
      const params = { params: { path: { household_id: householdId, account_id: accountId } } };
      return unwrap(
        archived
          ? api.POST("/api/v1/households/{household_id}/accounts/{account_id}/archive", params)
          : api.POST("/api/v1/households/{household_id}/accounts/{account_id}/unarchive", params),
      );
    },
    onSuccess: invalidate,
  });
}

export function useDeleteAccount(householdId: string) {
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: (accountId: string) =>
      unwrap(
        api.DELETE("/api/v1/households/{household_id}/accounts/{account_id}", {
          params: { path: { household_id: householdId, account_id: accountId } },
        }),
      ),
    onSuccess: invalidate,
  });
}
