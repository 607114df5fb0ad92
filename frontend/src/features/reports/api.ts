"use client";

import { useQuery } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import type { components } from "@/api/schema";
import { householdKey } from "@/features/households/HouseholdContext";

export type SpendingReport = components["schemas"]["SpendingReportRead"];
export type IncomeVsExpensesReport = components["schemas"]["IncomeVsExpensesRead"];
export type MonthFlow = components["schemas"]["MonthFlowRead"];

export function reportsKey(householdId: string): unknown[] {
  return householdKey(householdId, "reports");
}

/** Net spending per category between two days, both included (adults and owners only). */
export function useSpendingByCategory(
  householdId: string,
  from: string,
  to: string,
  options: { enabled?: boolean } = {},
) {
  return useQuery({
    queryKey: [...reportsKey(householdId), "spending-by-category", { from, to }],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/reports/spending-by-category", {
          params: { path: { household_id: householdId }, query: { from, to } },
          signal,
        }),
      ),
    enabled: options.enabled ?? true,
  });
}

/**
 * Income, expenses and their difference for the `months` months ending with `end`
 * (adults and owners only).
 */
export function useIncomeVsExpenses(
  householdId: string,
  months: number,
  end: string,
  options: { enabled?: boolean } = {},
) {
  return useQuery({
    queryKey: [...reportsKey(householdId), "income-vs-expenses", { months, end }],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/reports/income-vs-expenses", {
          params: { path: { household_id: householdId }, query: { months, end } },
          signal,
        }),
      ),
    enabled: options.enabled ?? true,
  });
}
