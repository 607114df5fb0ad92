"use client";

import { queryOptions, useMutation, useQuery } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import type { components } from "@/api/schema";
import { householdKey, useInvalidateHousehold } from "@/features/households/HouseholdContext";

export type CategoryGroup = components["schemas"]["CategoryGroupRead"];
export type Category = components["schemas"]["CategoryRead"];
export type CategoryCreateBody = components["schemas"]["CategoryCreate"];
export type CategoryUpdateBody = components["schemas"]["CategoryUpdate"];
export type CategoryGroupUpdateBody = components["schemas"]["CategoryGroupUpdate"];
export type CategoryMergeResult = components["schemas"]["CategoryMergeRead"];

export function categoriesKey(householdId: string): unknown[] {
  return householdKey(householdId, "categories");
}

/**
 * The household's category groups with their categories, hidden ones included: a transaction or
 * a past budget may still point at a hidden category, and its name must show. Pickers leave
 * hidden ones out (flattenCategories, CategoryOptions).
 */
export function useCategoryGroups(householdId: string) {
  return useQuery(categoryGroupsQuery(householdId));
}

/** The query of useCategoryGroups, for prefetching before the page that shows it mounts. */
export function categoryGroupsQuery(householdId: string) {
  return queryOptions({
    queryKey: categoriesKey(householdId),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/categories", {
          params: { path: { household_id: householdId }, query: { include_hidden: true } },
        }),
      ),
  });
}

/** Categories in display order, for pickers: "Group › Category". */
export function flattenCategories(
  groups: CategoryGroup[],
  options: { includeHidden?: boolean } = {},
): Array<Category & { groupName: string }> {
  return groups.flatMap((group) =>
    (group.categories ?? [])
      .filter((category) => options.includeHidden || !(group.hidden || category.hidden))
      .map((category) => ({ ...category, groupName: group.name })),
  );
}

export function useCreateCategoryGroup(householdId: string) {
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: (name: string) =>
      unwrap(
        api.POST("/api/v1/households/{household_id}/categories/groups", {
          params: { path: { household_id: householdId } },
          body: { name },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useUpdateCategoryGroup(householdId: string) {
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: ({ groupId, body }: { groupId: string; body: CategoryGroupUpdateBody }) =>
      unwrap(
        api.PATCH("/api/v1/households/{household_id}/categories/groups/{group_id}", {
          params: { path: { household_id: householdId, group_id: groupId } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useDeleteCategoryGroup(householdId: string) {
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: (groupId: string) =>
      unwrap(
        api.DELETE("/api/v1/households/{household_id}/categories/groups/{group_id}", {
          params: { path: { household_id: householdId, group_id: groupId } },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useCreateCategory(householdId: string) {
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: (body: CategoryCreateBody) =>
      unwrap(
        api.POST("/api/v1/households/{household_id}/categories", {
          params: { path: { household_id: householdId } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useUpdateCategory(householdId: string) {
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: ({ categoryId, body }: { categoryId: string; body: CategoryUpdateBody }) =>
      unwrap(
        api.PATCH("/api/v1/households/{household_id}/categories/{category_id}", {
          params: { path: { household_id: householdId, category_id: categoryId } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useMergeCategory(householdId: string) {
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: ({ categoryId, intoCategoryId }: { categoryId: string; intoCategoryId: string }) =>
      unwrap(
        api.POST("/api/v1/households/{household_id}/categories/{category_id}/merge", {
          params: { path: { household_id: householdId, category_id: categoryId } },
          body: { into_category_id: intoCategoryId },
        }),
      ),
    onSuccess: invalidate,
  });
}
