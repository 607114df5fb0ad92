"use client";

import { useInfiniteQuery } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import { householdKey } from "@/features/households/HouseholdContext";

const PAGE_SIZE = 30;

/** The household's audit log, newest first, a page at a time (owners only). */
export function useAuditEvents(householdId: string, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: householdKey(householdId, "audit-events"),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/audit-events", {
          params: {
            path: { household_id: householdId },
            query: { limit: PAGE_SIZE, before_id: pageParam ?? undefined },
          },
        }),
      ),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.next_before_id,
    enabled,
  });
}
