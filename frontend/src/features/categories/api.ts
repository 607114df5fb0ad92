"use client";

import { useQuery } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import type { components } from "@/api/schema";
import { householdKey } from "@/features/households/HouseholdContext";

export type CategoryGroup = components["schemas"]["CategoryGroupRead"];
export type Category = components["schemas"]["CategoryRead"];

export function categoriesKey(householdId: string): unknown[] {
  return householdKey(householdId, "categories");
}

/** The household's category groups with their categories (hidden ones included). */
export function useCategoryGroups(householdId: string) {
  return useQuery({
    queryKey: categoriesKey(householdId),
    queryFn: () => unwrap(api.GET("/api/v1/households/{household_id}/categories", { params: { path: { household_id: householdId } } })),
  });
}

/** Categories in display order, for pickers: "Group › Category". */
export function flattenCategories(groups: CategoryGroup[], options: { includeHidden?: boolean } = {}): Array<Category & { groupName: string }> {
  return groups.flatMap((group) =>
    (group.categories ?? []).filter((category) => options.includeHidden || !category.hidden).map((category) => ({ ...category, groupName: group.name })),
  );
}
