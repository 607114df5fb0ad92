"use client";

import type { QueryClient } from "@tanstack/react-query";

import { accountsQuery, membersQuery } from "@/features/accounts/api";
import { budgetMonthQuery } from "@/features/budget/api";
import { categoryGroupsQuery } from "@/features/categories/api";
import { recentTransactionsQuery } from "@/features/dashboard/api";
import { currentMonth, isMonth } from "@/lib/dates";

/**
 * Asks for the data a household page shows first while the session is still being restored, so
 * those requests go out beside `me` rather than after it (each waits for the same token refresh,
 * see api/session.ts). The pages then find them in the cache under the same keys. Accounts and
 * categories are asked for on every page: most pages and the quick add name them. Reports are
 * left to the pages: only adults may read them, and the role is not known yet.
 */
export function prefetchHouseholdPage(
  queryClient: QueryClient,
  householdId: string,
  section: string,
  search: URLSearchParams,
): void {
  void queryClient.prefetchQuery(accountsQuery(householdId));
  void queryClient.prefetchQuery(categoryGroupsQuery(householdId));
  if (section === "dashboard" || section === "") {
    void queryClient.prefetchQuery(budgetMonthQuery(householdId, currentMonth()));
    void queryClient.prefetchQuery(recentTransactionsQuery(householdId));
  } else if (section === "budget") {
    const month = search.get("month");
    const shown = month && isMonth(month) ? month : currentMonth();
    void queryClient.prefetchQuery(budgetMonthQuery(householdId, shown));
  } else if (section === "members") {
    void queryClient.prefetchQuery(membersQuery(householdId));
  }
}
