"use client";

import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import type { components } from "@/api/schema";
import { householdKey } from "@/features/households/HouseholdContext";

export type BudgetMonth = components["schemas"]["BudgetMonthRead"];
export type BudgetGroup = components["schemas"]["BudgetGroupRead"];
export type BudgetLine = components["schemas"]["BudgetCategoryRead"];
export type BudgetTotals = components["schemas"]["BudgetTotalsRead"];

/** Every budget month of a household; the dashboard reads the current month under the same key. */
export function budgetKey(householdId: string): unknown[] {
  return householdKey(householdId, "budget");
}

export function budgetMonthKey(householdId: string, month: string): unknown[] {
  return [...budgetKey(householdId), month];
}

/** Assigned, activity and available per category for one month (YYYY-MM), with the totals. */
export function useBudgetMonth(householdId: string, month: string) {
  return useQuery(budgetMonthQuery(householdId, month));
}

/** The query of useBudgetMonth, for prefetching before the page that shows it mounts. */
export function budgetMonthQuery(householdId: string, month: string) {
  return queryOptions({
    queryKey: budgetMonthKey(householdId, month),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/budgets/{month}", {
          params: { path: { household_id: householdId, month } },
          signal,
        }),
      ),
  });
}

/**
 * Put a saved line into the cached month at once, so the row and its group
 * subtotal update before the refetch.
 */
export function withLine(month: BudgetMonth, saved: BudgetLine): BudgetMonth {
  return {
    ...month,
    groups: month.groups.map((group) => ({
      ...group,
      categories: group.categories.map((line) =>
        line.category_id === saved.category_id ? saved : line,
      ),
    })),
  };
}

export function useSetAssignment(householdId: string, month: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ categoryId, assignedMinor }: { categoryId: string; assignedMinor: number }) =>
      unwrap(
        api.PUT("/api/v1/households/{household_id}/budgets/{month}/{category_id}", {
          params: { path: { household_id: householdId, month, category_id: categoryId } },
          body: { assigned_minor: assignedMinor },
        }),
      ),
    onSuccess: (saved) => {
      queryClient.setQueryData<BudgetMonth>(budgetMonthKey(householdId, month), (current) =>
        current ? withLine(current, saved) : current,
      );
      // Later months (carry-over, money to assign) and the dashboard read the same budget keys.
      return queryClient.invalidateQueries({ queryKey: budgetKey(householdId) });
    },
  });
}

export function useCopyPreviousMonth(householdId: string, month: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/households/{household_id}/budgets/{month}/copy-previous", {
          params: { path: { household_id: householdId, month } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: budgetKey(householdId) }),
  });
}

export type QuickAssignStrategy = components["schemas"]["QuickAssign"]["strategy"];
export type TargetBody = components["schemas"]["TargetSet"];

/** Move available money between categories (null: the money to assign). Returns the month. */
export function useMoveMoney(householdId: string, month: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: components["schemas"]["BudgetMove"]) =>
      unwrap(
        api.POST("/api/v1/households/{household_id}/budgets/{month}/move", {
          params: { path: { household_id: householdId, month } },
          body,
        }),
      ),
    onSuccess: (moved) => {
      queryClient.setQueryData(budgetMonthKey(householdId, month), moved);
      return queryClient.invalidateQueries({ queryKey: budgetKey(householdId) });
    },
  });
}

export function useQuickAssign(householdId: string, month: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (strategy: QuickAssignStrategy) =>
      unwrap(
        api.POST("/api/v1/households/{household_id}/budgets/{month}/quick-assign", {
          params: { path: { household_id: householdId, month } },
          body: { strategy },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: budgetKey(householdId) }),
  });
}

/** Set (a body) or remove (null) a category's target; every month's status depends on it. */
export function useSetTarget(householdId: string, categoryId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: TargetBody | null) => {
      const path = { household_id: householdId, category_id: categoryId };
      if (body === null) {
        await unwrap(
          api.DELETE("/api/v1/households/{household_id}/categories/{category_id}/target", {
            params: { path },
          }),
        );
        return null;
      }
      return unwrap(
        api.PUT("/api/v1/households/{household_id}/categories/{category_id}/target", {
          params: { path },
          body,
        }),
      );
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: budgetKey(householdId) }),
  });
}
