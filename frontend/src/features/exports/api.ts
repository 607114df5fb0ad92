"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import type { components } from "@/api/schema";
import { householdKey } from "@/features/households/HouseholdContext";

export type Export = components["schemas"]["ExportRead"];
export type ExportKind = components["schemas"]["ExportKind"];
export type ExportRequest = components["schemas"]["ExportCreate"];

const WORKING_POLL_MS = 1500;

export const KIND_LABELS: Record<ExportKind, string> = {
  transactions_csv: "Transactions (CSV)",
  budget_csv: "Budget (CSV)",
  monthly_statement_pdf: "Monthly statement (PDF)",
};

function exportsKey(householdId: string): unknown[] {
  return householdKey(householdId, "exports");
}

/** The last 30 days' exports; asks again while the worker is still making one. */
export function useExports(householdId: string) {
  return useQuery({
    queryKey: exportsKey(householdId),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/exports", {
          params: { path: { household_id: householdId } },
        }),
      ),
    refetchInterval: (query) =>
      query.state.data?.items.some((item) => item.status === "queued" || item.status === "running")
        ? WORKING_POLL_MS
        : false,
  });
}

export function useRequestExport(householdId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ExportRequest) =>
      unwrap(
        api.POST("/api/v1/households/{household_id}/exports", {
          params: { path: { household_id: householdId } },
          body,
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: exportsKey(householdId) }),
  });
}
